"""The limit on password guessing: an account, or an address, that failed too often is locked for
the cool-off, whatever password comes next; the lock says in Dutch until when; a failed login is
logged without its password."""

import logging
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "geheim-wachtwoord-1"
WRONG = "raden-is-mis-{}"


@pytest.fixture
def staff(settings):
    settings.AXES_FAILURE_LIMIT = 10  # the default (OUTREACH_LOGIN_FAILURE_LIMIT)
    # A fast hash: the tests are about the lock, not the hash's cost (a second a try here).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return User.objects.create_user("consulent", password=PASSWORD)


def log_in(client: Client, username: str, password: str, address: str = "198.51.100.4"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_after_200_wrong_passwords_the_right_one_does_not_log_in(staff):
    client = Client()
    for attempt in range(200):
        log_in(client, "consulent", WRONG.format(attempt))
    response = log_in(client, "consulent", PASSWORD)
    assert not logged_in(client)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Inloggen tijdelijk geblokkeerd" in page
    assert "Probeer het opnieuw na" in page and "(over 15 minuten)" in page
    assert response["Retry-After"] == str(15 * 60)


def test_the_account_is_locked_from_every_address(staff):
    for attempt in range(10):
        log_in(Client(), "consulent", WRONG.format(attempt), address=f"192.0.2.{attempt}")
    client = Client()
    log_in(client, "consulent", PASSWORD, address="203.0.113.50")
    assert not logged_in(client)


def test_an_address_that_guessed_too_often_is_locked_for_every_account(staff):
    for attempt in range(10):
        log_in(Client(), f"medewerker{attempt}", "wachtwoord", address="192.0.2.66")
    client = Client()
    log_in(client, "consulent", PASSWORD, address="192.0.2.66")
    assert not logged_in(client)
    elsewhere = Client()
    log_in(elsewhere, "consulent", PASSWORD, address="192.0.2.67")
    assert logged_in(elsewhere)


def test_a_few_typing_errors_do_not_lock(staff):
    client = Client()
    for attempt in range(9):
        log_in(client, "consulent", WRONG.format(attempt))
    log_in(client, "consulent", PASSWORD)
    assert logged_in(client)


def test_the_lock_ends_after_the_cool_off(staff):
    from axes.models import AccessAttempt

    for attempt in range(10):
        log_in(Client(), "consulent", WRONG.format(attempt))
    sixteen_minutes_ago = AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    AccessAttempt.objects.update(attempt_time=sixteen_minutes_ago)
    client = Client()
    log_in(client, "consulent", PASSWORD)
    assert logged_in(client)


def test_behind_the_tls_proxy_each_client_has_its_own_address(staff, settings):
    """Every request comes from the proxy: one guesser must not lock out the whole office."""
    settings.OUTREACH_BEHIND_TLS_PROXY = True
    for attempt in range(10):
        Client().post(
            "/login/",
            {"username": f"medewerker{attempt}", "password": "wachtwoord"},
            REMOTE_ADDR="10.0.0.2",
            # What the client sent first, then what the proxy added: the guesser's address.
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 198.51.100.9",
        )
    guesser = Client()
    guesser.post(
        "/login/",
        {"username": "consulent", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert not logged_in(guesser)
    colleague = Client()
    colleague.post(
        "/login/",
        {"username": "consulent", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.10",
    )
    assert logged_in(colleague)


def test_a_failed_login_is_logged_without_its_password(staff, caplog):
    secret = "Zomer2026!geheim"
    with caplog.at_level(logging.INFO):
        log_in(Client(), "consulent", secret, address="192.0.2.80")
    failures = [r.getMessage() for r in caplog.records if "login failure" in r.getMessage()]
    assert failures, [r.getMessage() for r in caplog.records]
    assert "consulent" in failures[0] and "192.0.2.80" in failures[0]
    assert all(secret not in r.getMessage() for r in caplog.records)
    assert secret not in caplog.text

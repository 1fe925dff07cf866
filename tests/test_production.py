"""Running in production (the README's "Running in production"): no start without a secret key
of its own, HTTPS behind a TLS proxy, `outreach check --deploy` clean, sessions of a working
day. The embedded default (`make run`) still starts without any environment."""

import os
import re
import runpy
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "outreach" / "settings.py"
HOST = "outreach.example.nl"
# The production environment the README documents (a random key of its own in real life).
PRODUCTION = {
    "SECRET_KEY": "k7Qz-2vNwX9pLr4Tb8Hs1Yc6Fd3Gm5Jq0Ue7Wi2Oa9Rt4Ey8Un1Bx6Zv3Cs5Kp0Lh",
    "DATABASE_URL": "postgres://outreach@db.example.nl:5432/outreach",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": HOST,
    "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
    "OUTREACH_BEHIND_TLS_PROXY": "1",
    "OUTREACH_BSN_KEY": "oH8mS0Hd7cA2Rk5Vq9Ln3Pw6Tz1Xb4Yf7Ju0Ge3Ci6E=",
}
# Whatever the test run's own environment sets about the deployment is left out.
DEPLOYMENT_VARIABLES = re.compile(
    r"SECRET_KEY|DATABASE_URL|REDIS_URL|ALLOWED_HOSTS|CSRF_TRUSTED_ORIGINS|DEBUG|SECURE_COOKIES"
    r"|DJANGO_SETTINGS_MODULE|OUTREACH_(ENV|DATA_DIR|BEHIND_TLS_PROXY|SSL_REDIRECT|HSTS_.*"
    r"|SESSION_.*|LOGIN_.*|BSN_KEY)"
)


def environment(data_dir: Path, **variables: str) -> dict[str, str]:
    """This process's environment without its deployment, plus `variables`."""
    env = {k: v for k, v in os.environ.items() if not DEPLOYMENT_VARIABLES.fullmatch(k)}
    return {**env, "OUTREACH_DATA_DIR": str(data_dir), **variables}


def outreach(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`outreach ARGS` in a process of its own, with exactly `env`."""
    return subprocess.run(
        [sys.executable, "-m", "outreach.cli", *args],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_under(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path, **variables: str
) -> dict[str, Any]:
    """The settings outreach/settings.py makes of this environment."""
    for name in list(os.environ):
        if DEPLOYMENT_VARIABLES.fullmatch(name):
            monkeypatch.delenv(name)
    for name, value in {"OUTREACH_DATA_DIR": str(data_dir), **variables}.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_production_without_a_secret_key_refuses_to_start_and_says_why(tmp_path):
    without_key = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    for variables in (without_key, {"OUTREACH_ENV": "production"}):
        done = outreach(environment(tmp_path, **variables), "check")
        assert done.returncode != 0
        assert "SECRET_KEY is not set" in done.stderr
        assert "secrets.token_urlsafe" in done.stderr  # how to make one
        assert "Traceback" not in done.stderr
    # The web process (gunicorn imports the WSGI application) does not start either.
    web = subprocess.run(
        [sys.executable, "-c", "import outreach.wsgi"],
        env={**environment(tmp_path, **without_key), "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert web.returncode != 0 and "SECRET_KEY is not set" in web.stderr


def test_production_refuses_a_weak_secret_key(tmp_path):
    done = outreach(environment(tmp_path, **{**PRODUCTION, "SECRET_KEY": "geheim"}), "check")
    assert done.returncode != 0 and "SECRET_KEY is too weak" in done.stderr


def test_the_documented_production_environment_passes_the_deployment_check(tmp_path):
    # An empty SQLite file in place of PostgreSQL: the checks that read the database find
    # nothing to warn about, and none needs a server.
    env = environment(
        tmp_path, **{**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    )
    done = outreach(env, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    assert "WARNING" not in done.stdout + done.stderr


def test_the_embedded_default_starts_without_any_environment_and_keeps_its_key(
    tmp_path, monkeypatch
):
    done = outreach(environment(tmp_path), "check")
    assert done.returncode == 0, done.stderr
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600  # its owner's only
    key = key_file.read_text().strip()
    assert len(key) >= 50
    first = settings_under(monkeypatch, tmp_path)
    again = settings_under(monkeypatch, tmp_path)
    assert first["OUTREACH_ENV"] == "development"
    assert first["SECRET_KEY"] == again["SECRET_KEY"] == key  # sessions survive a restart


def test_production_defaults_to_https_only(tmp_path, monkeypatch):
    made = settings_under(monkeypatch, tmp_path, **PRODUCTION)
    assert made["OUTREACH_ENV"] == "production"
    assert made["SECURE_SSL_REDIRECT"] is True
    assert made["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert made["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert made["SESSION_COOKIE_SECURE"] is True and made["CSRF_COOKIE_SECURE"] is True
    assert made["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert made["CSRF_TRUSTED_ORIGINS"] == [f"https://{HOST}"]
    # The proxy header is trusted only when the operator says a TLS proxy sets it.
    direct = {k: v for k, v in PRODUCTION.items() if k != "OUTREACH_BEHIND_TLS_PROXY"}
    assert settings_under(monkeypatch, tmp_path, **direct)["SECURE_PROXY_SSL_HEADER"] is None
    # Each can be set otherwise.
    made = settings_under(
        monkeypatch,
        tmp_path,
        **PRODUCTION,
        OUTREACH_HSTS_SECONDS="3600",
        OUTREACH_HSTS_PRELOAD="0",
        OUTREACH_SSL_REDIRECT="0",
    )
    assert made["SECURE_HSTS_SECONDS"] == 3600 and made["SECURE_HSTS_PRELOAD"] is False
    assert made["SECURE_SSL_REDIRECT"] is False


@pytest.mark.django_db
def test_behind_a_tls_proxy_the_login_form_works(tmp_path, monkeypatch, settings):
    """Behind the TLS proxy every request reaches the service over plain HTTP with
    X-Forwarded-Proto: https. Without trusting it the browser's https Origin fails the CSRF
    check (403) and the login cannot be used."""
    made = settings_under(monkeypatch, tmp_path, **PRODUCTION)
    for name in (
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
    ):
        setattr(settings, name, made.get(name))
    User.objects.create_user("consulent", password="geheim-wachtwoord-1")
    browser = Client(enforce_csrf_checks=True)
    proxied = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}

    form = browser.get("/login/", headers=proxied)
    assert form.status_code == 200
    assert "Strict-Transport-Security" in form.headers
    token = browser.cookies["csrftoken"].value
    assert browser.cookies["csrftoken"]["secure"]
    response = browser.post(
        "/login/",
        {"username": "consulent", "password": "geheim-wachtwoord-1", "csrfmiddlewaretoken": token},
        headers={**proxied, "Origin": f"https://{HOST}", "Referer": f"https://{HOST}/login/"},
    )
    assert response.status_code == 302, response.content.decode()[:300]
    assert browser.session.get("_auth_user_id")
    # The same request straight to the service over plain HTTP goes to https first.
    plain = Client().get("/login/", headers={"Host": HOST})
    assert plain.status_code == 301 and plain["Location"] == f"https://{HOST}/login/"


def test_a_session_lasts_a_working_day_and_ends_with_the_browser(tmp_path, monkeypatch):
    made = settings_under(monkeypatch, tmp_path)
    assert made["SESSION_COOKIE_AGE"] == 9 * 3600
    assert made["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    made = settings_under(
        monkeypatch,
        tmp_path,
        OUTREACH_SESSION_HOURS="4",
        OUTREACH_SESSION_ENDS_WITH_BROWSER="0",
    )
    assert made["SESSION_COOKIE_AGE"] == 4 * 3600
    assert made["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is False


@pytest.mark.django_db
def test_a_login_gives_a_session_of_a_working_day_in_a_browser_session_cookie():
    User.objects.create_user("consulent", password="geheim-wachtwoord-1")
    browser = Client()
    before = timezone.now()
    response = browser.post("/login/", {"username": "consulent", "password": "geheim-wachtwoord-1"})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert not cookie["max-age"] and not cookie["expires"]  # gone when the browser closes
    session = Session.objects.get(session_key=cookie.value)
    lasts = session.expire_date - before
    assert timedelta(hours=9) <= lasts < timedelta(hours=9, minutes=1)


def test_a_wrong_setting_stops_the_service_with_its_name(tmp_path):
    cases = {
        "OUTREACH_ENV": ("prod", "OUTREACH_ENV is 'prod'"),
        "OUTREACH_SESSION_HOURS": ("0", "OUTREACH_SESSION_HOURS is '0'"),
        "OUTREACH_BEHIND_TLS_PROXY": ("ja", "OUTREACH_BEHIND_TLS_PROXY is 'ja'"),
        "CSRF_TRUSTED_ORIGINS": (HOST, "CSRF_TRUSTED_ORIGINS: 'outreach.example.nl' lacks"),
    }
    for name, (value, message) in cases.items():
        done = outreach(environment(tmp_path, **{**PRODUCTION, name: value}), "check")
        assert done.returncode != 0 and message in done.stderr, (name, done.stderr)

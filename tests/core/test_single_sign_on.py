"""Single sign-on through a real (local) OpenID Connect provider: the browser's whole round trip
through Django's test client and the provider's HTTP endpoints, the library's token request,
the signature checked against the provider's published key. The person's groups at the provider
decide her roles and municipalities here, at every login."""

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group, User
from django.core import checks
from django.test import Client

from outreach.core.models import Municipality, StaffProfile
from outreach.core.roles import CASEWORKER, SUPERVISOR, municipalities_for
from tests.core.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, new_key

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/oidc/callback/"
GROUP_MAP = {
    "gm0363-klantmanagers": {"role": "caseworker", "municipalities": ["0363"]},
    "gm0307-klantmanagers": {"role": "caseworker", "municipalities": ["0307"]},
    "regio-teamleiders": {"roles": ["supervisor"], "municipalities": ["0363", "0307"]},
}
FLEUR = {
    "sub": "f1e2d3c4-0001",
    "given_name": "Fleur",
    "family_name": "Jansen",
    "email": "fleur.jansen@example.nl",
    "groups": ["gm0363-klantmanagers", "alle-medewerkers"],
}
BOTH_BACKENDS = ["django.contrib.auth.backends.ModelBackend", "outreach.core.oidc.OIDCBackend"]


@pytest.fixture
def places() -> tuple[Municipality, Municipality]:
    return (
        Municipality.objects.create(code="0363", name="Amsterdam"),
        Municipality.objects.create(code="0307", name="Amersfoort"),
    )


@pytest.fixture
def provider(settings: Any, places: Any) -> Iterator[Provider]:
    """A running provider, and the service configured for it from its discovery document."""
    provider = Provider(redirect_uris=[CALLBACK], claims=dict(FLEUR)).start()
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_DISCOVERY = provider.discovery_url
    settings.OUTREACH_OIDC_PROVIDER_NAME = "Gemeente Testdam"
    settings.OUTREACH_OIDC_GROUP_MAP = json.dumps(GROUP_MAP)
    settings.AUTHENTICATION_BACKENDS = BOTH_BACKENDS
    yield provider
    provider.stop()


def at_provider(url: str) -> str:
    """The browser at the provider's /authorize: where the provider sends it back."""
    answer = requests.get(url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def log_in(client: Client, start: str = "/oidc/authenticate/") -> Any:
    """The whole round trip; the answer of the service's callback."""
    to_provider = client.get(start)
    assert to_provider.status_code == 302
    back = urlsplit(at_provider(to_provider["Location"]))
    assert f"{back.scheme}://{back.netloc}{back.path}" == CALLBACK
    return client.get(f"{back.path}?{back.query}")


def logged_in_user(client: Client) -> User | None:
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


def roles(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def codes(user: User) -> set[str]:
    return set(municipalities_for(user).values_list("code", flat=True))


def shown_messages(client: Client) -> str:
    return client.get("/login/").content.decode()


def test_the_login_page_offers_the_provider_beside_the_local_form(provider: Provider) -> None:
    page = Client().get("/login/?next=/inbox/").content.decode()
    assert "Inloggen via Gemeente Testdam" in page
    assert 'href="/oidc/authenticate/?next=/inbox/"' in page
    assert 'name="password"' in page


def test_without_single_sign_on_only_the_local_form_and_no_provider_addresses(
    settings: Any,
) -> None:
    assert not settings.OIDC_RP_CLIENT_ID
    client = Client()
    page = client.get("/login/").content.decode()
    assert "Inloggen via" not in page
    assert 'name="password"' in page
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


def test_a_login_through_the_provider_gives_the_mapped_role_and_municipalities(
    provider: Provider,
) -> None:
    client = Client()
    to_provider = client.get("/oidc/authenticate/?next=/inbox/")
    sent = parse_qs(urlsplit(to_provider["Location"]).query)
    assert to_provider["Location"].startswith(f"{provider.issuer}/authorize?")
    assert sent["client_id"] == [CLIENT_ID] and sent["redirect_uri"] == [CALLBACK]
    back = urlsplit(at_provider(to_provider["Location"]))
    answer = client.get(f"{back.path}?{back.query}")

    assert answer.status_code == 302 and answer["Location"] == "/inbox/"
    user = logged_in_user(client)
    assert user is not None and user.username == FLEUR["sub"]
    assert roles(user) == {CASEWORKER}
    assert codes(user) == {"0363"}
    assert not user.has_usable_password()
    assert (user.first_name, user.last_name, user.email) == (
        "Fleur",
        "Jansen",
        "fleur.jansen@example.nl",
    )
    assert not user.is_staff and not user.is_superuser
    assert client.get("/inbox/").status_code == 200
    assert provider.refusals == []


def test_a_login_never_sends_the_browser_to_another_site(provider: Provider) -> None:
    answer = log_in(Client(), "/oidc/authenticate/?next=https://elders.example/")
    assert answer["Location"] == "/"  # LOGIN_REDIRECT_URL: the work queue


def test_a_later_login_sets_roles_and_municipalities_anew(provider: Provider) -> None:
    log_in(Client())
    user = User.objects.get(username=FLEUR["sub"])
    other = Group.objects.create(name="nieuwsbrief")  # no role: the login leaves it alone
    user.groups.add(other)

    provider.claims = {**FLEUR, "groups": ["gm0307-klantmanagers", "regio-teamleiders"]}
    client = Client()
    log_in(client)
    assert logged_in_user(client) == user
    assert roles(user) == {CASEWORKER, SUPERVISOR, "nieuwsbrief"}
    assert codes(user) == {"0363", "0307"}

    provider.claims = {**FLEUR, "groups": ["gm0307-klantmanagers"], "family_name": "de Boer"}
    log_in(Client())
    user.refresh_from_db()
    assert roles(user) == {CASEWORKER, "nieuwsbrief"}
    assert codes(user) == {"0307"}
    assert user.last_name == "de Boer"
    assert User.objects.filter(username=FLEUR["sub"]).count() == 1


def test_groups_that_grant_no_role_are_refused_with_a_message(provider: Provider) -> None:
    provider.claims = {**FLEUR, "groups": ["alle-medewerkers"]}
    client = Client()
    answer = log_in(client)
    assert answer.status_code == 302 and answer["Location"] == "/login/"
    assert logged_in_user(client) is None
    assert not User.objects.filter(username=FLEUR["sub"]).exists()
    page = shown_messages(client)
    assert "geen van uw groepen is aan een rol gekoppeld" in page
    assert "Gemeente Testdam" in page


def test_losing_every_role_at_the_provider_refuses_the_next_login(provider: Provider) -> None:
    log_in(Client())
    provider.claims = {**FLEUR, "groups": []}
    client = Client()
    log_in(client)
    assert logged_in_user(client) is None
    user = User.objects.get(username=FLEUR["sub"])
    assert roles(user) == {CASEWORKER}  # unchanged, but she cannot log in through the provider


def test_an_id_token_signed_with_another_key_is_refused(provider: Provider) -> None:
    provider.sign_with = new_key()
    client = Client()
    answer = log_in(client)
    assert answer["Location"] == "/login/"
    assert logged_in_user(client) is None
    assert "Inloggen via Gemeente Testdam is niet gelukt" in shown_messages(client)
    assert not User.objects.filter(username=FLEUR["sub"]).exists()


def test_an_id_token_with_another_nonce_is_refused(provider: Provider) -> None:
    provider.id_token_changes = {"nonce": "not-the-one-we-sent"}
    client = Client()
    log_in(client)
    assert logged_in_user(client) is None
    assert "is niet gelukt" in shown_messages(client)


@pytest.mark.parametrize(
    "change",
    [
        {"aud": "another-client"},
        {"aud": ["another-client"]},
        {"aud": [CLIENT_ID, "another-client"], "azp": "another-client"},
        {"iss": "http://127.0.0.1:1"},
        {"exp": 1_000_000_000},  # long expired
    ],
    ids=["audience", "audience-list", "authorised-party", "issuer", "expired"],
)
def test_an_id_token_not_meant_for_us_is_refused(
    provider: Provider, change: dict[str, Any]
) -> None:
    provider.id_token_changes = change
    client = Client()
    log_in(client)
    assert logged_in_user(client) is None
    assert not User.objects.filter(username=FLEUR["sub"]).exists()


def test_userinfo_about_another_person_is_refused(provider: Provider) -> None:
    provider.userinfo_changes = {"sub": "someone-else"}
    client = Client()
    log_in(client)
    assert logged_in_user(client) is None
    assert not User.objects.filter(username__in=[FLEUR["sub"], "someone-else"]).exists()


def test_a_callback_used_twice_logs_in_nobody_the_second_time(provider: Provider) -> None:
    client = Client()
    to_provider = client.get("/oidc/authenticate/")
    back = urlsplit(at_provider(to_provider["Location"]))
    callback = f"{back.path}?{back.query}"
    client.get(callback)
    assert logged_in_user(client) is not None

    stranger = Client()
    answer = stranger.get(callback)  # another browser: no login under way in its session
    assert answer["Location"] == "/login/"
    assert logged_in_user(stranger) is None
    client.post("/logout/")
    client.get(callback)  # the same browser again: the state was used up
    assert logged_in_user(client) is None
    assert provider.token_requests == 1


def test_the_provider_cannot_take_over_a_local_account(provider: Provider, places: Any) -> None:
    admin = User.objects.create_superuser("beheer", "beheer@example.nl", "lokaal-wachtwoord")
    worker = User.objects.create_user("fjansen", "fleur.jansen@example.nl", "lokaal-wachtwoord")
    StaffProfile.objects.create(user=worker).municipalities.add(places[1])

    provider.claims = {**FLEUR, "sub": "beheer"}
    client = Client()
    log_in(client)
    assert logged_in_user(client) is None
    assert "lokaal account" in shown_messages(client)
    admin.refresh_from_db()
    assert admin.is_superuser and admin.has_usable_password() and roles(admin) == set()

    # The same e-mail address as a local account is another person here, not that account.
    provider.claims = dict(FLEUR)
    client = Client()
    log_in(client)
    user = logged_in_user(client)
    assert user is not None and user != worker and user.username == FLEUR["sub"]
    assert codes(worker) == {"0307"} and roles(worker) == set()


def test_a_blocked_user_stays_blocked(provider: Provider) -> None:
    log_in(Client())
    User.objects.filter(username=FLEUR["sub"]).update(is_active=False)
    client = Client()
    log_in(client)
    assert logged_in_user(client) is None
    assert "geblokkeerd" in shown_messages(client)
    assert not User.objects.get(username=FLEUR["sub"]).is_active


def test_local_accounts_keep_logging_in_beside_the_provider(provider: Provider) -> None:
    User.objects.create_user("lokaal", password="een-lang-wachtwoord")
    client = Client()
    client.post("/login/", {"username": "lokaal", "password": "een-lang-wachtwoord"})
    assert logged_in_user(client) == User.objects.get(username="lokaal")


def test_with_local_login_off_only_the_provider_logs_in(provider: Provider, settings: Any) -> None:
    settings.OUTREACH_LOCAL_LOGIN = False
    settings.AUTHENTICATION_BACKENDS = ["outreach.core.oidc.OIDCBackend"]
    User.objects.create_user("lokaal", password="een-lang-wachtwoord")
    client = Client()
    page = client.get("/login/").content.decode()
    assert "Inloggen via Gemeente Testdam" in page and 'name="password"' not in page
    answer = client.post("/login/", {"username": "lokaal", "password": "een-lang-wachtwoord"})
    assert answer.status_code == 302
    assert logged_in_user(client) is None
    assert "Inloggen met een wachtwoord staat uit" in shown_messages(client)
    # Nor through the admin's own login form.
    client.post("/admin/login/", {"username": "lokaal", "password": "een-lang-wachtwoord"})
    assert logged_in_user(client) is None

    log_in(client)
    assert logged_in_user(client) is not None


def test_logout_ends_the_session_here(provider: Provider) -> None:
    client = Client()
    log_in(client)
    answer = client.post("/logout/")
    assert answer["Location"] == "/login/"
    assert logged_in_user(client) is None


def test_logout_at_the_provider_when_configured(provider: Provider, settings: Any) -> None:
    settings.OUTREACH_OIDC_LOGOUT_AT_PROVIDER = True
    client = Client()
    log_in(client)
    answer = client.post("/logout/")
    assert logged_in_user(client) is None
    to = urlsplit(answer["Location"])
    assert f"{to.scheme}://{to.netloc}{to.path}" == f"{provider.issuer}/logout"
    sent = parse_qs(to.query)
    assert sent["post_logout_redirect_uri"] == ["http://testserver/login/"]
    assert sent["client_id"] == [CLIENT_ID]
    hint = sent["id_token_hint"][0]
    assert hint.count(".") == 2  # the ID token the provider issued at this login

    # A local account logs out only here.
    User.objects.create_user("lokaal", password="een-lang-wachtwoord")
    local = Client()
    local.post("/login/", {"username": "lokaal", "password": "een-lang-wachtwoord"})
    assert local.post("/logout/")["Location"] == "/login/"


def test_endpoints_from_the_environment_without_discovery(
    provider: Provider, settings: Any
) -> None:
    settings.OIDC_OP_DISCOVERY = ""
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider.issuer}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.issuer}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider.issuer}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider.issuer}/jwks"
    settings.OIDC_OP_ISSUER = provider.issuer
    client = Client()
    log_in(client)
    assert logged_in_user(client) is not None


def test_a_provider_that_does_not_answer_gives_a_message(provider: Provider) -> None:
    provider.stop()
    client = Client()
    answer = client.get("/oidc/authenticate/")
    assert answer["Location"] == "/login/"
    assert "Inloggen via Gemeente Testdam is niet gelukt" in shown_messages(client)


def test_a_cancelled_login_at_the_provider_gives_a_message(provider: Provider) -> None:
    client = Client()
    state = parse_qs(urlsplit(client.get("/oidc/authenticate/")["Location"]).query)["state"][0]
    answer = client.get(f"/oidc/callback/?error=access_denied&state={state}")
    assert answer["Location"] == "/login/"
    assert "afgebroken of geweigerd" in shown_messages(client)


def test_the_checks_refuse_a_single_sign_on_that_cannot_work(
    provider: Provider, settings: Any
) -> None:
    def errors() -> list[str]:
        sso_ids = {"core.E020", "core.E021", "core.W020"}
        return [m.msg for m in checks.run_checks() if m.id in sso_ids]

    assert errors() == []
    settings.OUTREACH_OIDC_GROUP_MAP = '{"gm0363": {"role": "baas"}}'
    assert any("gm0363" in e and "baas" in e for e in errors())
    settings.OUTREACH_OIDC_GROUP_MAP = json.dumps(
        {"gm9999": {"role": "caseworker", "municipalities": ["9999"]}}
    )
    assert any("9999" in e and "not registered" in e for e in errors())
    settings.OUTREACH_OIDC_GROUP_MAP = json.dumps(GROUP_MAP)
    settings.OIDC_OP_DISCOVERY = ""
    assert any("OIDC_OP_DISCOVERY or OIDC_OP_AUTHORIZATION_ENDPOINT" in e for e in errors())
    settings.OIDC_RP_CLIENT_ID = ""
    settings.OUTREACH_LOCAL_LOGIN = False
    assert any("OUTREACH_LOCAL_LOGIN is off" in e for e in errors())

"""The authorisation matrix: every address of the service, asked by every kind of visitor
(anonymous, and a user of each role, all of them staff of the first municipality) about an
object of their own municipality and of another, with the answer each must get.

The table below has one entry per URL name. A URL without an entry fails the test, and so
does an entry without a URL: a new address is added together with who may use it. The Django
admin counts as one address (its index), static files as none.

Reading the answers: LOGIN is a redirect to the login page; MOVED a redirect elsewhere (an
action done, or a page that sends the user on); numbers are the status code itself. A role
without access gets 403 before anything is looked up; a role with access asking for another
municipality's object gets 404, as if it did not exist.

The partner API and Twilio's webhooks have their own authentication (a partner's token, a
signature): no staff session counts there, so every visitor here gets 401 or 403. Their own
tests cover the tokens and signatures (tests/intake/test_api.py,
tests/reporting/test_feedback_api.py, tests/messaging/test_inbound_webhook.py,
tests/messaging/test_status_webhook.py).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from outreach.casework.models import Case, Task
from outreach.core.models import Municipality, StaffProfile
from outreach.core.roles import ADMINISTRATOR, CASEWORKER, COMMUNICATION, SUPERVISOR
from outreach.intake.models import SignalPartner
from outreach.intake.partners import register_partner
from outreach.messaging import sending
from outreach.messaging.models import Message
from outreach.messaging.texts import experiments
from outreach.messaging.texts.versions import current, save_draft
from outreach.messaging.transports.base import Outgoing
from outreach.simulation.models import SimulationRun
from tests.cadence.conftest import campaign_dir, ingest  # noqa: F401  (fixture)
from tests.conftest import municipality_with_contact, signal_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaign_dir")]

ANONYMOUS = "anonymous"
ACTORS = (ANONYMOUS, CASEWORKER, COMMUNICATION, SUPERVISOR, ADMINISTRATOR)
OWN, OTHER = "own", "other"

LOGIN = "login"  # 302 to the login page
ADMIN_LOGIN = "admin login"  # 302 to the admin's login page
MOVED = "moved"  # 302 anywhere else
Outcome = int | str

NOW = datetime(2026, 5, 15, 9, 0, tzinfo=timezone.get_default_timezone())
CAMPAIGN_EXPERIMENT = "proef"


# --- the world: two municipalities, each with a case and the objects its addresses name ----


@dataclass
class Place:
    """A municipality and one object of each kind its addresses name."""

    municipality: Municipality
    case: Case
    task: Task
    letter: Message  # a letter sent, which may come back
    check: Message  # a message waiting for a caseworker's check
    signal_pk: int
    partner: SignalPartner
    draft: int  # the version number of a draft of its own invitation text
    simulation: SimulationRun  # a simulation run from the dashboard

    @property
    def code(self) -> str:
        return self.municipality.code


def _message(case: Case, channel: str, to: str) -> Message:
    item = Outgoing(None, case.pk, channel, to, "Dank u wel.", "nl")
    (persisted,) = sending.persist([item], NOW, counts=False)
    return Message.objects.get(pk=persisted.message_id)


def _place(code: str, name: str, postcode: str, writer: User) -> Place:
    municipality = municipality_with_contact(code, name)
    (case,) = ingest([signal_row(postcode=postcode, signaaldatum="2026-05-14")], municipality, NOW)
    # The case ran a campaign experiment: the experiments' pages have one to show.
    Case.objects.filter(pk=case.pk).update(experiment=CAMPAIGN_EXPERIMENT, variant="a")
    task = Task.objects.create(
        municipality=municipality,
        case=case,
        step_key="call",
        kind=Task.Kind.PHONE,
        deadline=case.deadline,
        due_on=NOW.date(),
        created_at=NOW,
    )
    letter = _message(case, "letter", "")
    Message.objects.filter(pk=letter.pk).update(status=Message.Status.SENT)
    check = _message(case, "sms", "+31687654321")
    sending.to_check([check.pk], NOW, "geen antwoord")
    shared = current("invitation", "nl")
    assert shared is not None
    draft = save_draft(
        "invitation", "nl", shared.source, writer, NOW, municipality_id=municipality.pk
    )
    experiments.create("invitation", municipality.pk, f"proef-{code}", writer, NOW)
    return Place(
        municipality=municipality,
        case=case,
        task=task,
        letter=letter,
        check=check,
        signal_pk=case.signals.get().pk,
        partner=register_partner("Huur", f"Woonstichting {name}", [municipality]),
        draft=draft.version,
        simulation=SimulationRun.objects.create(
            municipality=municipality,
            created_at=NOW,
            heartbeat_at=timezone.now(),
            status=SimulationRun.Status.DONE,
            campaigns=["letters-only"],
            signals=10,
            days=7,
            seed=1,
            result={"campaigns": {}, "signals": 10, "households": 9},
        ),
    )


@dataclass
class World:
    places: dict[str, Place]
    users: dict[str, User]


@pytest.fixture
def world(db: Any) -> World:
    """Staff of each role in the first municipality (0344); the second (0307) is another's.
    The administrator may use the Django admin (is_staff), as the demo's."""
    users: dict[str, User] = {}
    for role in ACTORS[1:]:
        user = User.objects.create_user(role, is_staff=role == ADMINISTRATOR)
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        users[role] = user
    own = _place("0344", "Utrecht", "3511AB", users[COMMUNICATION])
    other = _place("0307", "Amersfoort", "3811AA", users[COMMUNICATION])
    for user in users.values():
        StaffProfile.objects.create(user=user).municipalities.add(own.municipality)
    return World({OWN: own, OTHER: other}, users)


# --- the table -------------------------------------------------------------------------------

Kwargs = Callable[[Place], dict[str, Any]]


def no_kwargs(place: Place) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Entry:
    """How to ask for one URL name, and what each visitor gets.

    `kwargs` builds the address's arguments for a municipality's objects; `query` adds a query
    string. `own` is the answer per visitor for the own municipality's objects; `other` for the
    other municipality's (None: the address names no municipality's object, so it is asked
    once)."""

    method: str
    own: dict[str, Outcome]
    other: dict[str, Outcome] | None = None
    kwargs: Kwargs = no_kwargs
    query: Callable[[Place], str] = field(default=lambda place: "")


def answers(
    anonymous: Outcome,
    caseworker: Outcome,
    communication: Outcome,
    supervisor: Outcome,
    administrator: Outcome,
) -> dict[str, Outcome]:
    return dict(
        zip(ACTORS, (anonymous, caseworker, communication, supervisor, administrator), strict=True)
    )


def everyone(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(ACTORS, outcome)


def case_roles(granted: Outcome) -> dict[str, Outcome]:
    """Caseworkers, supervisors and administrators (CASE_ROLES); never communication staff."""
    return answers(LOGIN, granted, 403, granted, granted)


def actors(granted: Outcome) -> dict[str, Outcome]:
    """Who acts on cases (caseworkers and supervisors)."""
    return answers(LOGIN, granted, 403, granted, 403)


def overseers(granted: Outcome) -> dict[str, Outcome]:
    """Supervisors and administrators."""
    return answers(LOGIN, 403, 403, granted, granted)


def writers(granted: Outcome) -> dict[str, Outcome]:
    """Communication staff and administrators (TEXT_ROLES)."""
    return answers(LOGIN, 403, granted, 403, granted)


def elsewhere(own: dict[str, Outcome]) -> dict[str, Outcome]:
    """The same visitors about another municipality's object: 404 wherever access was granted."""
    return {actor: outcome if outcome in (LOGIN, 403) else 404 for actor, outcome in own.items()}


def not_yours(own: dict[str, Outcome]) -> dict[str, Outcome]:
    """The same visitors about another municipality's texts: 403 for all who are logged in."""
    return {actor: outcome if outcome == LOGIN else 403 for actor, outcome in own.items()}


def case_entry(method: str, granted: dict[str, Outcome], **extra: Kwargs) -> Entry:
    """An address of a case (and perhaps one of its objects, built by `extra`)."""

    def kwargs(place: Place) -> dict[str, Any]:
        return {"pk": place.case.pk, **{name: build(place) for name, build in extra.items()}}

    return Entry(method, granted, elsewhere(granted), kwargs)


def text_entry(
    method: str, granted: Outcome, *, version: bool = False, text: str = "invitation"
) -> Entry:
    """An address of the text editor for a municipality's text (by default its SMS
    invitation): another municipality's texts are 403 (not yours), not 404
    (outreach.messaging.editor.scoped)."""

    def kwargs(place: Place) -> dict[str, Any]:
        named = {"scope": place.code, "name": text, "lang": "nl"}
        return {**named, "version": place.draft} if version else named

    own = writers(granted)
    return Entry(method, own, not_yours(own), kwargs)


def experiment_entry(**extra: str) -> Entry:
    """The page of the experiment `_place` made on a municipality's SMS invitation, or of one
    of its variants (`variant`) in Dutch. Its steps are POSTs to the same address, behind the
    same guard (tests/messaging/test_text_experiments.py)."""

    def kwargs(place: Place) -> dict[str, Any]:
        named = {"scope": place.code, "name": "invitation"}
        return {**named, **extra, "lang": "nl"} if extra else named

    own = writers(200)
    return Entry("GET", own, not_yours(own), kwargs)


def dashboard_entry(granted: Outcome, **kwargs: Any) -> Entry:
    """A dashboard download, for the municipality named in the query."""
    own = overseers(granted)
    return Entry(
        "GET", own, elsewhere(own), lambda place: kwargs, lambda p: f"?municipality={p.code}"
    )


def simulation_entry() -> Entry:
    """A page of the municipality's finished simulation."""
    own = overseers(200)
    return Entry("GET", own, elsewhere(own), lambda place: {"pk": place.simulation.pk})


def campaign_experiment_entry(method: str, granted: Outcome) -> Entry:
    """A campaign experiment's page or action, for the municipality named in the query."""
    own = overseers(granted)
    return Entry(
        method,
        own,
        elsewhere(own),
        lambda place: {"experiment": CAMPAIGN_EXPERIMENT},
        lambda p: f"?municipality={p.code}",
    )


def text_experiment_results_entry() -> Entry:
    """The results page of the text experiment `_place` made on a municipality's own SMS
    invitation, for the municipality named in the query: supervisors and administrators, as
    the campaign experiments' pages (not the text editor's guard)."""
    own = overseers(200)
    return Entry(
        "GET",
        own,
        elsewhere(own),
        lambda place: {"experiment": f"proef-{place.code}"},
        lambda p: f"?municipality={p.code}",
    )


def case_action(granted: Outcome = MOVED, **extra: Kwargs) -> Entry:
    return case_entry("POST", actors(granted), **extra)


def check_action() -> Entry:
    own = actors(MOVED)
    return Entry("POST", own, elsewhere(own), lambda place: {"message_pk": place.check.pk})


# The partner API and the webhooks: no staff session counts, whoever sends it.
NO_TOKEN = everyone(401)
NO_SIGNATURE = everyone(403)

TABLE: dict[str, Entry] = {
    "login": Entry("GET", everyone(200)),
    "logout": Entry("POST", everyone(MOVED)),
    "admin:index": Entry("GET", answers(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200)),
    # Single sign-on is off here (no OIDC_RP_CLIENT_ID), so its addresses answer 404 to all;
    # tests/core/test_single_sign_on.py runs them against a provider.
    "oidc_authentication_init": Entry("GET", everyone(404)),
    "oidc_authentication_callback": Entry("GET", everyone(404)),
    # Own authentication: see the module's docstring.
    "api-signals": Entry("POST", NO_TOKEN),
    "api-feedback": Entry("GET", NO_TOKEN),
    "api-openapi": Entry("GET", everyone(200)),
    "twilio-status": Entry("POST", NO_SIGNATURE),
    "twilio-inbound": Entry("POST", NO_SIGNATURE),
    # The desk: cases and their work.
    "casework:queue": Entry("GET", answers(LOGIN, 200, MOVED, 200, 200)),
    "casework:case": case_entry("GET", case_roles(200)),
    "casework:outcome": case_action(task_pk=lambda place: place.task.pk),
    "casework:contact": case_action(),
    "casework:close": case_action(),
    "casework:letter_returned": case_action(message_pk=lambda place: place.letter.pk),
    "casework:launch": case_action(),
    "casework:pause": case_action(),
    "casework:resume": case_action(),
    "casework:stop": case_action(),
    "casework:switch": case_action(),
    "casework:assign": case_action(),
    "casework:attempt": case_action(),
    "casework:offer": case_action(),
    "casework:answer": case_action(),
    "casework:language": case_action(),
    "casework:opt_out": case_action(),
    "casework:note": case_action(),
    "casework:unjustified": case_action(signal_pk=lambda place: place.signal_pk),
    "casework:tasks": Entry("GET", case_roles(200)),
    "casework:at_risk": Entry("GET", overseers(200)),
    "casework:to_check": Entry("GET", case_roles(200)),
    "casework:check_sent": check_action(),
    "casework:check_resend": check_action(),
    "casework:check_cancel": check_action(),
    "inbox": Entry("GET", case_roles(200)),
    # The audit log: supervisors and administrators, per case and as a list.
    "casework:audit": Entry("GET", overseers(200)),
    "casework:case_audit": case_entry("GET", overseers(200)),
    # Texts.
    "texts:list": Entry("GET", writers(200)),
    "texts:proposals": Entry("GET", writers(200)),
    "texts:scope": Entry(
        "GET", writers(200), not_yours(writers(200)), lambda place: {"scope": place.code}
    ),
    "texts:edit": text_entry("GET", 200),
    "texts:preview": text_entry("POST", 200),
    "texts:pdf": text_entry("POST", 200, text="first_single"),  # a letter: an SMS has no PDF
    "texts:history": text_entry("GET", 200),
    "texts:rollback": text_entry("POST", MOVED, version=True),
    "texts:approve": text_entry("POST", MOVED, version=True),
    "texts:send_back": text_entry("POST", MOVED, version=True),
    "texts:experiment": experiment_entry(),
    "texts:experiment_variant": experiment_entry(variant="B"),
    # Reporting.
    "reporting:feedback": Entry("GET", overseers(200)),
    "reporting:feedback_csv": Entry(
        "GET",
        overseers(200),
        elsewhere(overseers(200)),
        lambda place: {"partner_id": place.partner.pk},
    ),
    "dashboard:page": dashboard_entry(200),
    "dashboard:ddas": dashboard_entry(200),
    "dashboard:table_csv": dashboard_entry(200, slug="kerncijfers"),
    # Simulations, from the dashboard: the list and the start name the municipality in the
    # query (the start without a form answers 400 with what is missing); a run is its own.
    "simulation:runs": dashboard_entry(200),
    "simulation:start": Entry(
        "POST",
        overseers(400),
        elsewhere(overseers(400)),
        no_kwargs,
        lambda place: f"?municipality={place.code}",
    ),
    "simulation:run": simulation_entry(),
    "simulation:progress": simulation_entry(),
    "dashboard:experiments": dashboard_entry(200),
    "dashboard:experiment": campaign_experiment_entry("GET", 200),
    "dashboard:text_experiment": text_experiment_results_entry(),
    # Without a variant chosen nothing is stopped: back to the page, which says why.
    "dashboard:experiment_stop": campaign_experiment_entry("POST", MOVED),
}


# --- the URLs there are ----------------------------------------------------------------------


def url_names(
    patterns: list[URLPattern | URLResolver] | None = None, namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """(name, route) of every named URL pattern; the Django admin as one, "admin:index"."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                yield "admin:index", str(pattern.pattern)
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif pattern.name is None:
            raise AssertionError(f"the URL {pattern.pattern} has no name: name it, and add it")
        else:
            yield namespace + pattern.name, str(pattern.pattern)


def test_the_table_has_every_url_and_no_other():
    urls = dict(url_names())
    missing = sorted(set(urls) - set(TABLE))
    assert not missing, f"URLs without an entry in TABLE: {[(n, urls[n]) for n in missing]}"
    stale = sorted(set(TABLE) - set(urls))
    assert not stale, f"entries in TABLE without a URL: {stale}"


# --- asking -----------------------------------------------------------------------------------


def outcome_of(response: Any) -> Outcome:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("login") + "?next="):
            return LOGIN
        if location.startswith(reverse("admin:login") + "?next="):
            return ADMIN_LOGIN
        return MOVED
    return int(response.status_code)


def ask(world: World, name: str, side: str, actor: str) -> Outcome:
    entry = TABLE[name]
    place = world.places[side]
    address = reverse(name, kwargs=entry.kwargs(place)) + entry.query(place)
    client = Client()
    if actor != ANONYMOUS:
        client.force_login(world.users[actor])
    # Each request in a savepoint that is rolled back: an action done by one visitor (a case
    # closed) does not change what the next one finds.
    with transaction.atomic():
        response = client.generic(entry.method, address)
        transaction.set_rollback(True)
    return outcome_of(response)


def test_every_visitor_gets_the_answer_the_table_gives(world):
    """All of the table in one test, on one set of objects (each request rolled back): every
    answer that differs is listed, by URL name, side and visitor."""
    differences = []
    for name, entry in TABLE.items():
        sides = {OWN: entry.own} if entry.other is None else {OWN: entry.own, OTHER: entry.other}
        for side, expected in sides.items():
            assert set(expected) == set(ACTORS), f"{name}: give one answer for each visitor"
            for actor in ACTORS:
                got = ask(world, name, side, actor)
                if got != expected[actor]:
                    differences.append(f"{name} ({side}) as {actor}: {got}, not {expected[actor]}")
    assert not differences, "\n".join(differences)

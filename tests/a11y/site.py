"""The data the accessibility tests look at: the demo municipality as `make run` shows it, its
campaigns run for ten days, so every page has rows in every table: cases of every tier,
waiting and closed cases, calls and visits, letters, replies in the inbox, cases at risk, a
message to check before resending and partner feedback. Built once per test module (it takes a
few seconds), read by the pages only.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.utils import timezone

from outreach.cadence import planning
from outreach.cadence.execution import execute_steps
from outreach.cadence.periodic import run_housekeeping
from outreach.cadence.tick import tick
from outreach.casework.models import Case, Task
from outreach.core.models import Municipality
from outreach.core.roles import ROLES
from outreach.demo import loader
from outreach.intake.models import PhoneNumber
from outreach.intake.partners import register_partner
from outreach.messaging import sending
from outreach.messaging.inbound.handling import Inbound, receive
from outreach.messaging.inbound.matching import as_e164
from outreach.messaging.models import TemplateVersion
from outreach.messaging.texts.versions import load_shipped
from outreach.messaging.transports.base import Outgoing
from outreach.simulation.models import SimulationRun

DEMO_ROLES = ROLES  # a demo user per role, named after it
RUN_DAYS = 10  # the campaigns have run this long: letters sent, calls and visits planned


@dataclass
class Site:
    """What the pages show: `ids` fills the placeholders of a page's path ("/cases/{case}/")."""

    municipality: Municipality
    ids: dict[str, int | str] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)  # role: a logged-in session's key
    url: str = ""  # the live server's


def run_campaigns(start: datetime, days: int) -> None:
    """The engine's tick every half day from `start` for `days` days, its work done here, and
    the housekeeping (escalation, the planning of calls and visits, feedback) once a day."""
    for half_days in range(days * 2 + 1):
        at = start + timedelta(hours=12 * half_days)
        tick(
            at,
            lambda ids, at=at: planning.start_cases(ids, at),
            lambda ids, at=at: execute_steps(ids, at, None),
        )
        if half_days % 2 == 0:
            run_housekeeping(at.isoformat())


def morning_before(moment: datetime) -> datetime:
    """The last 09:00 (local) at or before `moment`. The ticks, 12 hours apart from there, fall
    at 09:00 and 21:00: half of them inside the letters' and calls' time windows, whatever the
    hour the tests run at (from a start in the evening every tick fell outside them)."""
    morning = timezone.localtime(moment).replace(hour=9, minute=0, second=0, microsecond=0)
    return morning if morning <= moment else morning - timedelta(days=1)


def reply(municipality: Municipality, case: Case, body: str, now: datetime) -> None:
    """A reply by SMS from the person of `case` to the municipality's number."""
    number = PhoneNumber.objects.filter(
        person__household=case.household, kind=PhoneNumber.Kind.MOBILE
    ).first()
    assert number is not None, f"case {case.pk} has nobody with a mobile number"
    receive(
        Inbound(
            message_sid="SM" + uuid.uuid4().hex,
            channel="sms",
            from_number=number.e164,
            to_number=as_e164(municipality.contact["reply_number"]),
            body=body,
        ),
        now,
    )


def richest_case(municipality: Municipality) -> Case:
    """A running case with letters sent and a call or visit planned: its page shows the most."""
    case = (
        Case.objects.filter(municipality=municipality, state=Case.State.ACTIVE)
        .filter(messages__channel="letter", tasks__status=Task.Status.OPEN)
        .filter(household__persons__phone_numbers__kind="mobile")
        .order_by("-score", "pk")
        .first()
    )
    assert case is not None, "no running case with a letter and a task"
    return case


def build_site(folder: Path) -> Site:
    """The demo municipality, ten days of its campaigns, replies and feedback, as of now."""
    now = timezone.now()
    start = morning_before(now - timedelta(days=RUN_DAYS))
    if not TemplateVersion.objects.filter(origin=TemplateVersion.Origin.SHIPPED).exists():
        load_shipped(start)
    # A fifth of the demo's population: every kind of row still shows, and axe, whose time
    # grows with the page, reads a queue and a task list of a few dozen rows.
    # The low tier waits for a caseworker to start it ("wacht op start").
    Municipality.objects.create(
        code=loader.DEMO_CODE,
        name=loader.DEMO_NAME,
        contact=loader.DEMO_CONTACT,
        manual_launch_tiers=["low"],
    )
    with mock.patch.object(loader, "HOUSEHOLDS", 40), mock.patch.object(loader, "SIGNALS", 45):
        municipality = loader.load_demo(now=start, folder=folder).municipality
    run_campaigns(start, RUN_DAYS)

    case = richest_case(municipality)
    reply(municipality, case, "INFO", now - timedelta(hours=2))  # answered by the service
    lost_hand_over(case, now - timedelta(hours=1))  # on the list to check, and its case page
    other = richest_case_but(municipality, case)
    reply(municipality, other, "Kunt u mij na vijf uur bellen? Ik werk overdag.", now)
    # A partner registered for the municipality without signals yet: a row of noughts.
    register_partner("Huur", "Woonstichting De Linde", [municipality])
    done, running = simulations(municipality, now)
    ids = {
        "case": case.pk,
        "code": municipality.code,
        "simulation": done.pk,
        "simulation_running": running.pk,
    }
    return Site(municipality, ids, sessions(DEMO_ROLES))


def simulations(municipality: Municipality, now: datetime) -> tuple[SimulationRun, SimulationRun]:
    """A finished simulation from the dashboard (its figures as the simulator gives them) and
    one under way."""
    days = 60

    def figures(reach: float, attempts: float) -> dict[str, object]:
        return {
            "signals": 2000, "followed_up": 1700, "reached_cases": int(1700 * reach),
            "accepted_cases": int(1700 * reach * 0.37), "reach": reach, "acceptance": 0.37,
            "attempts_per_signal": attempts, "staff_hours": 310.5, "cost_per_reached": 41.2,
            "deadline_compliance": 0.97, "capacity_shortfall": 12,
            "reach_by_day": [round(reach * min(1.0, d / 40), 4) for d in range(1, days + 1)],
        }  # fmt: skip

    common = {"municipality": municipality, "requested_by_name": "teamleider", "signals": 2000,
              "days": days, "seed": 1, "campaigns": ["letters-only", "intensive"]}  # fmt: skip
    done = SimulationRun.objects.create(
        **common, created_at=now - timedelta(hours=1), heartbeat_at=now - timedelta(hours=1),
        started_at=now - timedelta(hours=1), finished_at=now - timedelta(minutes=55),
        status=SimulationRun.Status.DONE, progress_done=days, progress_total=days,
        result={
            "campaigns": {"letters-only": figures(0.06, 1.4), "intensive": figures(0.41, 3.2)},
            "signals": 2000, "households": 1850, "start": "2026-02-02", "end": "2026-04-02",
            "days": days, "seed": 1,
        },
    )  # fmt: skip
    running = SimulationRun.objects.create(
        **common, created_at=now, heartbeat_at=now, started_at=now,
        status=SimulationRun.Status.RUNNING, progress_done=days // 3, progress_total=days,
    )  # fmt: skip
    return done, running


def lost_hand_over(case: Case, now: datetime) -> None:
    """An SMS to the case whose hand-over was lost and that its provider cannot confirm: it
    waits on the list "Controleren voor opnieuw versturen"."""
    number = PhoneNumber.objects.filter(
        person__household=case.household, kind=PhoneNumber.Kind.MOBILE
    ).first()
    assert number is not None
    item = Outgoing(None, case.pk, "sms", number.e164, "Wij bellen u deze week.", "nl")
    with transaction.atomic():
        (persisted,) = sending.persist([item], now, counts=True)
        sending.to_check([persisted.message_id or 0], now, "de aanbieder geeft geen antwoord")


def sessions(usernames: Iterable[str]) -> dict[str, str]:
    """A session of each user, as the login form makes it: the browser gets its cookie."""
    keys = {}
    for username in usernames:
        client = Client()
        client.force_login(User.objects.get(username=username))
        keys[username] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


def richest_case_but(municipality: Municipality, case: Case) -> Case:
    """Another running case with a mobile number (its reply goes to the inbox)."""
    other = (
        Case.objects.filter(municipality=municipality, state=Case.State.ACTIVE)
        .filter(household__persons__phone_numbers__kind="mobile")
        .exclude(pk=case.pk)
        .order_by("pk")
        .first()
    )
    assert other is not None
    return other

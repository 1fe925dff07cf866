"""Demo data for `make run`: a fictional municipality, its signals, and a user per role.

Everything is generated: no real person's data. Loading twice adds nothing new.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from outreach.core.models import ContactPerson, Municipality, StaffProfile
from outreach.core.private import private_dir
from outreach.core.roles import COMMUNICATION, ROLES, ensure_role_groups
from outreach.demo.history import HistoryReport, play
from outreach.demo.sample_data import (
    CLIENT_COLUMNS,
    DEMO_AREA,
    REGISTER_COLUMNS,
    SIGNAL_COLUMNS,
    SamplePopulation,
    write_csv,
)
from outreach.intake.models import Signal
from outreach.intake.parsing import parse_date
from outreach.intake.pipeline import ImportReport, import_rows
from outreach.intake.readers import RawRow, read_csv_file
from outreach.intake.source_files import load_clients, load_register

DEMO_CODE = "9999"
DEMO_NAME = "Voorbeeldstad"
DEMO_PASSWORD = "outreach-demo"
HOUSEHOLDS = 260
SIGNALS = 320
# Signals of the last five weeks: most cases are still within their statutory window.
DAYS = 35
# With a history: weekly partner files over the last sixteen weeks, for the supervisor's figures.
HISTORY_WEEKS = 16
HISTORY_SIGNALS_A_WEEK = 40


# Invented: the demo's letters need a named person with a direct number.
DEMO_CONTACT = {
    "team": "Team Vroeg Eropaf",
    "phone": "020 123 4500",
    "email": "vroegeropaf@example.org",
    "website": "www.example.org/geldzorgen",
    "address": "Stadhuisplein 1",
    "postal": ["Postbus 100", "9999 AA  DEMOSTAD"],
    "reply_number": "06 1234 5678",
}
# Invented too: the team's contact person (named when a case's caseworker has no profile), the
# demo caseworker's own profile, and a colleague of another team. By name: loading again adds
# nobody.
DEMO_PEOPLE = (
    {"name": "Sanne Bakker", "phone": "020 123 4567", "team": "Team Vroeg Eropaf",
     "email": "s.bakker@example.org", "is_default": True},
    {"name": "Ahmed Benali", "phone": "020 123 4568", "team": "Team Vroeg Eropaf",
     "email": "a.benali@example.org", "username": "caseworker"},
    {"name": "Iris de Boer", "phone": "020 123 4569", "team": "Schuldhulpverlening",
     "email": "i.deboer@example.org"},
)  # fmt: skip


@dataclass
class DemoResult:
    municipality: Municipality
    report: ImportReport
    users: list[str]
    history: HistoryReport | None = None


def load_demo(
    now: datetime | None = None, folder: Path | None = None, history_weeks: int = 0
) -> DemoResult:
    """The demo municipality, its users and signals. With `history_weeks`, the signals arrive
    week by week over that many past weeks and the service runs through them
    (outreach.demo.history); the last five weeks' file is then the last delivery."""
    now = now or timezone.now()
    folder = private_dir(folder or settings.DATA_DIR / "demo")
    municipality, _ = Municipality.objects.get_or_create(
        code=DEMO_CODE, defaults={"name": DEMO_NAME, "contact": DEMO_CONTACT}
    )
    users = demo_users(municipality)
    demo_contact_people(municipality)
    population = SamplePopulation(DEMO_AREA, households=HOUSEHOLDS, seed=7)
    today = timezone.localdate(now)
    # Most households are in the register copy; a few are not (moved away), a few are clients.
    register = folder / "register.csv"
    write_csv(
        register,
        population.register_rows(i for i in range(HOUSEHOLDS) if i % 37 != 5),
        REGISTER_COLUMNS,
    )
    load_register(register, municipality)
    clients = folder / "clients.csv"
    write_csv(clients, population.client_rows(range(3, HOUSEHOLDS, 53)), CLIENT_COLUMNS)
    load_clients(clients, municipality)
    if history_weeks > 0:
        return _with_history(municipality, population, users, now, folder, history_weeks)
    signals = folder / "signals.csv"
    write_csv(
        signals,
        population.signal_rows(SIGNALS, today - timedelta(days=DAYS), today),
        SIGNAL_COLUMNS,
    )
    report = import_rows(
        read_csv_file(signals), municipality=municipality, now=now, source="demo signals.csv"
    )
    return DemoResult(municipality, report, users)


def _with_history(
    municipality: Municipality,
    population: SamplePopulation,
    users: list[str],
    now: datetime,
    folder: Path,
    weeks: int,
) -> DemoResult:
    """A partner file every Monday with the signals of the week before, and the service run
    through all of it. Loading again adds nothing: the files are the same, so are the signals."""
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=weeks)
    path = folder / "signals-history.csv"
    rows = population.signal_rows(HISTORY_SIGNALS_A_WEEK * weeks, first, monday - timedelta(days=1))
    write_csv(path, rows, SIGNAL_COLUMNS)
    # Each Monday's file holds the signals dated in the week before.
    weekly: dict[date, list[RawRow]] = defaultdict(list)
    for row in read_csv_file(path):
        signal_day = parse_date(row.fields["signaaldatum"])
        weekly[signal_day - timedelta(days=signal_day.weekday()) + timedelta(weeks=1)].append(row)
    deliveries = sorted(weekly.items())
    if Signal.objects.filter(municipality=municipality).exists():
        # Loaded before: the files add nothing new, and the past is not played a second time.
        again = ImportReport()
        for _, delivered in deliveries:
            counted = import_rows(delivered, municipality=municipality, now=now, source="demo")
            again.accepted += counted.accepted
            again.duplicates += counted.duplicates
            again.rejected += counted.rejected
        return DemoResult(municipality, again, users)
    caseworker = User.objects.get(username="caseworker")
    history = play(municipality, deliveries, now, caseworker)
    report = ImportReport(history.signals, history.rejected, history.duplicates)
    return DemoResult(municipality, report, users, history)


def demo_contact_people(municipality: Municipality) -> list[ContactPerson]:
    """DEMO_PEOPLE at `municipality`; a profile is linked to its demo user where there is one."""
    people = []
    for given in DEMO_PEOPLE:
        details = {k: v for k, v in given.items() if k != "username"}
        if "username" in given:
            details["user"] = User.objects.filter(username=given["username"]).first()
        person, _ = ContactPerson.objects.get_or_create(
            municipality=municipality, name=details.pop("name"), defaults=details
        )
        people.append(person)
    return people


def demo_users(municipality: Municipality) -> list[str]:
    """One user per role, named after the role, scoped to the demo municipality."""
    ensure_role_groups()
    names = []
    for role in ROLES:
        user, created = User.objects.get_or_create(username=role)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == "administrator"
            user.is_superuser = role == "administrator"
            user.save()
        user.groups.add(Group.objects.get(name=role))
        profile, _ = StaffProfile.objects.get_or_create(user=user)
        profile.municipalities.add(municipality)
        names.append(role)
    names.append(second_communication_officer(municipality))
    return names


# Publishing a text takes two people (four eyes, on by default): the demo has two
# communication officers, both allowed to edit the shared texts too.
SECOND_COMMUNICATION = "communication2"


def second_communication_officer(municipality: Municipality) -> str:
    """The colleague who approves the demo communication officer's proposals (and the other
    way round); both get the shared-texts permission."""
    user, created = User.objects.get_or_create(username=SECOND_COMMUNICATION)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    shared = Permission.objects.get(
        content_type__app_label="messaging", codename="edit_shared_texts"
    )
    for officer in User.objects.filter(username__in=[COMMUNICATION, SECOND_COMMUNICATION]):
        officer.groups.add(Group.objects.get(name=COMMUNICATION))
        officer.user_permissions.add(shared)
        StaffProfile.objects.get_or_create(user=officer)[0].municipalities.add(municipality)
    return SECOND_COMMUNICATION


def not_demo_data() -> list[str]:
    """What this database holds that the demo did not make: municipalities other than the
    demo's, and users other than the demo's (any user at all before the demo municipality
    exists: the demo makes them together). The demo's users have a published password, so the
    demo is loaded only into an empty database or over its own data."""
    found = []
    others = list(
        Municipality.objects.exclude(code=DEMO_CODE).order_by("code").values_list("code", flat=True)
    )
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        kind = "municipality" if len(others) == 1 else "municipalities"
        found.append(f"{len(others)} {kind} other than {DEMO_CODE} {DEMO_NAME} ({shown})")
    users = User.objects.all()
    if Municipality.objects.filter(code=DEMO_CODE).exists():
        users = users.exclude(username__in=[*ROLES, SECOND_COMMUNICATION])
    strangers = users.count()
    if strangers:
        found.append(f"{strangers} {'user' if strangers == 1 else 'users'} the demo did not make")
    return found

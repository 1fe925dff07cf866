"""The day loop: the real service, day after day on a moving clock, with a response model
where citizens would answer.

Each simulated municipality (one per campaign: outreach.simulation.policy) receives the same
partner files on the same days. Every day, in this order:

- 08:30 the day's deliveries are read in (the real intake: screening, matching, weighing);
- the engine ticks at every moment a planned step falls due (a campaign's step windows open
  at 09:00, 10:00, 17:00 ...: one tick a day would miss the evening windows), as the minute
  tick would, and its housekeeping (offers, escalation, expiry, capacity planning, partner
  feedback) runs at 12:00 and 18:30;
- 14:00 the caseworker makes the calls and visits the capacity planning put on today, 19:00
  the evening ones; the model decides whom she reaches (dagdeel: afternoon or evening);
- 11:00 people get in touch about the letters posted two days before (the post takes a
  day) and the not-at-home cards left yesterday, 16:00 they answer the day's text messages
  and e-mails: the model decides who; an SMS is answered through the real inbound handling
  ("JA" by whoever accepts help, "BEL MIJ" by whoever is reached but does not: the call the
  person asked for then brings the offer), a letter, card or e-mail is registered by the
  caseworker as the attempt that reached the person;
- whoever is reached is offered help and answers it as the model says; cases whose help
  was accepted close a few days later with what followed (as in the demo's history).

The response model never sees the database: it gets the generated household (its index is
the key, the same in every municipality) and the attempt (kind, dagdeel, the how-manieth of
that kind for this person).
"""

import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Min
from django.utils import timezone

from outreach.cadence.in_process import in_process
from outreach.cadence.models import PlannedStep
from outreach.cadence.outcomes import record_task_outcome
from outreach.cadence.periodic import run_housekeeping
from outreach.cadence.tasks import tick_now
from outreach.casework import offers
from outreach.casework.attempts import KIND_BY_CHANNEL
from outreach.casework.models import Case, ContactAttempt, HelpOffer, Task
from outreach.core.ddas import ContactKind, Dagdeel
from outreach.core.models import Municipality
from outreach.demo.history import close_followed_up, registered_reached, task_outcome, text_reply
from outreach.demo.loader import DEMO_CONTACT, demo_contact_people
from outreach.intake.pipeline import import_rows
from outreach.intake.source_files import load_clients, load_register
from outreach.messaging.models import Message
from outreach.simulation.households import Address, Generated
from outreach.simulation.policy import Simulated
from outreach.simulation.response import Attempt, Person, ResponseModel

INTAKE_AT = time(8, 30)
HOUSEKEEPING_AT = (time(12, 0), time(18, 30))
POST_AT = time(11, 0)  # letters and cards answered
WORK_AT = time(14, 0)  # the day's calls and visits
REPLY_AT = time(16, 0)  # text messages and e-mails answered
EVENING_AT = time(19, 0)  # the evening's calls and visits
DAY_ENDS = time(22, 0)  # no step window runs later
POST_DAYS = 2  # a letter posted on Monday is read on Tuesday; the reader calls on Wednesday
ONE_MINUTE = timedelta(minutes=1)
TEXT_CHANNELS = (Message.Channel.SMS, Message.Channel.WHATSAPP, Message.Channel.EMAIL)
SENT_ON = (  # what left our hands: a failed or returned message reaches nobody
    Message.Status.SENDING,
    Message.Status.QUEUED,
    Message.Status.SENT,
    Message.Status.DELIVERED,
    Message.Status.READ,
)
TASK_KIND = {
    Task.Kind.PHONE: ContactKind.PHONE.value,
    Task.Kind.VISIT: ContactKind.HOME_VISIT.value,
}
ACCEPT, CALL_ME = "JA", "BEL MIJ"
CASEWORKER = "simulatie-consulent"

Progress = Callable[[int, int], None]  # (days done, days)


@dataclass(frozen=True)
class Setup:
    """What the simulated municipalities share besides their campaign."""

    start: date
    days: int
    seed: int = 1
    capacity: dict[str, int] = field(default_factory=dict)  # per task kind; {}: the defaults
    # The real municipality's own policy (thresholds, arrears_days, capacity, quiet_hours,
    # window_days) when her campaigns are simulated; {}: the service's defaults.
    policy: dict[str, Any] = field(default_factory=dict)


@dataclass
class Played:
    """What the engine reported along the way, per simulated municipality (by code)."""

    shortfall_peak: dict[str, int] = field(default_factory=dict)
    short_days: dict[str, int] = field(default_factory=dict)
    decisions: int = 0  # the response model's answers
    ticks: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "shortfall_peak": self.shortfall_peak,
            "short_days": self.short_days,
            "decisions": self.decisions,
            "ticks": self.ticks,
        }


# A municipality's own policy that the simulated ones copy when her campaigns are simulated.
POLICY_FIELDS = ("thresholds", "arrears_days", "capacity", "quiet_hours", "window_days")


def policy_of(code: str) -> dict[str, Any] | None:
    """The municipality's own settings of POLICY_FIELDS (read only); None when there is no
    municipality with this code."""
    found = Municipality.objects.filter(code=code).values(*POLICY_FIELDS).first()
    return None if found is None else {k: v for k, v in found.items() if v not in (None, "")}


def set_up(simulated: list[Simulated], generated: Generated, setup: Setup) -> list[Municipality]:
    """The simulated municipalities with invented contact details (a named contact person, a
    reply number of their own, so that a reply reaches the right one), the population register
    and the debt-help clients."""
    municipalities = []
    copied = {k: v for k, v in setup.policy.items() if k in POLICY_FIELDS and k != "capacity"}
    for sim in simulated:
        capacity = {**setup.policy.get("capacity", {}), **setup.capacity}
        municipality = Municipality.objects.create(
            code=sim.code,
            name=f"Simulatie {sim.campaign}"[:100],
            # A reply number of its own: a reply goes to the municipality it was sent to.
            contact={**DEMO_CONTACT, "reply_number": f"0612{int(sim.code):06d}"},
            capacity=capacity,
            **copied,
        )
        municipality.full_clean()
        demo_contact_people(municipality)
        load_register(generated.register, municipality)
        load_clients(generated.clients, municipality)
        municipalities.append(municipality)
    return municipalities


def simulate(
    municipalities: list[Municipality],
    generated: Generated,
    setup: Setup,
    model: ResponseModel,
    progress: Progress | None = None,
) -> Played:
    """Play `setup.days` days from `setup.start` (see the module's docstring)."""
    user, _ = get_user_model().objects.get_or_create(username=CASEWORKER)
    day_loop = _DayLoop(municipalities, generated.persons, model, user, setup.seed)
    deliveries = dict(generated.deliveries)
    with in_process():
        for offset in range(setup.days):
            day = setup.start + timedelta(days=offset)
            day_loop.play(day, deliveries.get(day, ()))
            if progress is not None:
                progress(offset + 1, setup.days)
    return day_loop.played


class _DayLoop:
    """One simulation's clock and memory: the people of its cases, the attempts each had of
    each kind, and what the engine reported."""

    def __init__(
        self,
        municipalities: list[Municipality],
        persons: dict[Address, Person],
        model: ResponseModel,
        user: Any,
        seed: int,
    ) -> None:
        self.municipalities = municipalities
        self.ids = [m.pk for m in municipalities]
        self.codes = {m.pk: m.code for m in municipalities}
        self.persons = persons
        self.model = model
        self.user = user
        self.rng = random.Random(f"outreach-simulation:{seed}")
        self.clock = timezone.make_aware(datetime.min.replace(year=2000))
        self.person_of: dict[int, Person] = {}  # case id -> person
        self.tried: Counter[tuple[int, str, str]] = Counter()  # (municipality, person, kind)
        self.replied_until: datetime | None = None
        self.played = Played(
            {m.code: 0 for m in municipalities}, {m.code: 0 for m in municipalities}
        )

    def at(self, day: date, moment: time) -> datetime:
        return timezone.make_aware(datetime.combine(day, moment))

    def play(self, day: date, rows: Iterable[Any]) -> None:
        rows = list(rows)
        if rows:
            now = self.at(day, INTAKE_AT)
            for municipality in self.municipalities:
                import_rows(rows, municipality=municipality, now=now, source="simulatie")
            self.tick(now)  # the minute tick starts the new cases
        self.run_until(self.at(day, POST_AT))
        self.post(day)
        self.run_until(self.at(day, HOUSEKEEPING_AT[0]))
        self.housekeeping(self.at(day, HOUSEKEEPING_AT[0]))
        self.run_until(self.at(day, WORK_AT))
        self.work(day, evening=False)
        for municipality in self.municipalities:
            close_followed_up(municipality, day, self.user, self.rng, self.at(day, WORK_AT))
        self.run_until(self.at(day, REPLY_AT))
        self.texts(self.at(day, REPLY_AT))
        self.run_until(self.at(day, HOUSEKEEPING_AT[1]))
        self.housekeeping(self.at(day, HOUSEKEEPING_AT[1]))
        self.run_until(self.at(day, EVENING_AT))
        self.work(day, evening=True)
        self.run_until(self.at(day, DAY_ENDS))

    # --- the engine ----------------------------------------------------------------------

    def tick(self, now: datetime) -> None:
        tick_now(now.isoformat())
        self.clock = now
        self.played.ticks += 1

    def run_until(self, until: datetime) -> None:
        """Tick at every moment a step falls due up to `until` (at least a minute apart), as
        the minute tick would; then at `until`."""
        while True:
            due = (
                PlannedStep.objects.filter(status=PlannedStep.Status.PLANNED, due_at__lt=until)
                .aggregate(first=Min("due_at"))
                .get("first")
            )
            if due is None:
                break
            self.tick(max(due, self.clock + ONE_MINUTE))
            if self.clock >= until:
                return
        if self.clock < until:
            self.tick(until)

    def housekeeping(self, now: datetime) -> None:
        report = run_housekeeping(now.isoformat())
        short: Counter[str] = Counter()
        for plan in report.get("capacity", []):
            short[str(plan["municipality"])] += int(plan["late"]) + int(plan["unplanned"])
        for code in self.played.shortfall_peak:
            self.played.shortfall_peak[code] = max(self.played.shortfall_peak[code], short[code])
            self.played.short_days[code] += now.time() == HOUSEKEEPING_AT[-1] and short[code] > 0

    # --- the response model ---------------------------------------------------------------

    def person(self, case_ids: Iterable[int]) -> None:
        """Look up (once) the generated person of each case, by its household's address."""
        wanted = [pk for pk in set(case_ids) if pk not in self.person_of]
        for start in range(0, len(wanted), 2000):
            rows = Case.objects.filter(pk__in=wanted[start : start + 2000]).values_list(
                "pk", "household__postcode", "household__house_number"
            )
            for pk, postcode, number in rows:
                # An address the generator did not make cannot occur; kept apart if it did.
                found = self.persons.get((postcode, number))
                self.person_of[pk] = found or Person(key=f"{postcode}|{number}")

    def reaches(self, case: Case, kind: str, dagdeel: str) -> bool:
        person = self.person_of[case.pk]
        key = (case.municipality_id, person.key, kind)
        self.tried[key] += 1
        self.played.decisions += 1
        return self.model.reaches(person, Attempt(kind, dagdeel, self.tried[key]))

    def accepts(self, case: Case) -> bool:
        return self.model.accepts(self.person_of[case.pk])

    def offer(self, case: Case, day: date, kind: str, now: datetime) -> None:
        answer = HelpOffer.Answer.ACCEPTED if self.accepts(case) else HelpOffer.Answer.DECLINED
        offers.register_offer(case, made_on=day, kind=kind, answer=answer, now=now, user=self.user)

    # --- what people and the caseworker do ------------------------------------------------

    def post(self, day: date) -> None:
        """Letters posted POST_DAYS ago and cards left yesterday: some readers call."""
        now = self.at(day, POST_AT)
        posted = day - timedelta(days=POST_DAYS)
        letters = list(
            Message.objects.filter(
                case__municipality_id__in=self.ids,
                case__state=Case.State.ACTIVE,
                channel=Message.Channel.LETTER,
                step_id__isnull=False,
                status__in=SENT_ON,
                created_at__gte=self.at(posted, time.min),
                created_at__lt=self.at(posted + timedelta(days=1), time.min),
            )
            .select_related("case")
            .order_by("pk")
        )
        cards = list(
            ContactAttempt.objects.filter(
                case__municipality_id__in=self.ids,
                case__state=Case.State.ACTIVE,
                kind=ContactKind.CARD,
                date=day - timedelta(days=1),
            )
            .select_related("case")
            .order_by("pk")
        )
        items = [(m.case, ContactKind.LETTER.value) for m in letters]
        items += [(a.case, ContactKind.CARD.value) for a in cards]
        self.person(case.pk for case, _ in items)
        reached: set[int] = set()
        for case, kind in items:
            if case.pk in reached or not self.reaches(case, kind, Dagdeel.AFTERNOON):
                continue
            reached.add(case.pk)
            if registered_reached(case, kind, now, self.user):
                self.offer(case, day, ContactKind.PHONE.value, now)

    def texts(self, now: datetime) -> None:
        """The text messages and e-mails sent since the last time: some people answer."""
        since = self.replied_until or now - timedelta(days=1)
        self.replied_until = now
        sent = list(
            Message.objects.filter(
                case__municipality_id__in=self.ids,
                case__state=Case.State.ACTIVE,
                channel__in=TEXT_CHANNELS,
                step_id__isnull=False,
                status__in=SENT_ON,
                created_at__gte=since,
                created_at__lt=now,
            )
            .select_related("case__municipality")
            .order_by("pk")
        )
        self.person(m.case_id for m in sent)
        answered: set[int] = set()
        for message in sent:
            case = message.case
            kind = KIND_BY_CHANNEL[message.channel]
            if case.pk in answered or not self.reaches(case, kind, Dagdeel.AFTERNOON):
                continue
            answered.add(case.pk)
            if message.channel == Message.Channel.EMAIL:
                if registered_reached(case, kind, now, self.user):
                    self.offer(case, timezone.localdate(now), ContactKind.MAIL.value, now)
                continue
            body = ACCEPT if self.accepts(case) else CALL_ME
            # The provider's message id: unique, and no draw of the seeded generator.
            text_reply(message, case.municipality, body, now, uuid.uuid4().int)

    def work(self, day: date, evening: bool) -> None:
        """The calls and visits planned for today (the evening's, or the day's)."""
        now = self.at(day, EVENING_AT if evening else WORK_AT)
        dagdeel = Dagdeel.EVENING if evening else Dagdeel.AFTERNOON
        tasks = list(
            Task.objects.filter(
                municipality_id__in=self.ids,
                status=Task.Status.OPEN,
                planned_for=day,
                evening=evening,
                created_at__lte=now,
            )
            .select_related("case")
            .order_by("pk")
        )
        self.person(task.case_id for task in tasks)
        reached: set[int] = set()  # the case objects are as read before the first call
        for task in tasks:
            case = task.case
            kind = TASK_KIND[Task.Kind(task.kind)]
            if case.pk in reached:
                continue  # a second task of the day: the engine cancelled it with the offer
            if case.state == Case.State.HELP_OFFER:
                # The person answered already and asked for this call: she is reached, and
                # the offer is made in it unless her answer is in.
                record_task_outcome(task, Task.Outcome.REACHED, now, self.user)
                reached.add(case.pk)
                answered = HelpOffer.objects.filter(case=case).exclude(
                    answer=HelpOffer.Answer.PENDING
                )
                if not answered.exists():
                    self.offer(case, day, kind, now)
                continue
            if case.state != Case.State.ACTIVE:
                continue
            made_it = self.reaches(case, kind, dagdeel)
            record_task_outcome(task, task_outcome(task, made_it), now, self.user)
            if made_it:
                reached.add(case.pk)
                self.offer(case, day, kind, now)

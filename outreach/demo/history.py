"""A demo with a past: partner files received week by week over the last months, the engine run
day by day on a moving clock, a caseworker who makes the calls and visits it plans, and people
who answer about as often as the national figures say (DOMAIN.md). The supervisor's dashboard,
the DDAS export and the case pages then show a service that has been running, not an empty one.

Everything goes through the real code: intake, the engine's tick and housekeeping, the recorded
outcome of a call or visit, the registered offer, and replies through the inbound handling.
Tasks run in this process whatever the broker: the history is written before the service starts.
"""

import random
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from outreach.cadence.in_process import in_process
from outreach.cadence.outcomes import record_task_outcome
from outreach.cadence.periodic import run_housekeeping
from outreach.cadence.tasks import tick_now
from outreach.casework import offers, steering
from outreach.casework.models import Case, HelpOffer, Task
from outreach.casework.steering import SteeringError
from outreach.core.ddas import ContactKind, Dagdeel, EndResult
from outreach.core.models import Municipality
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import RawRow
from outreach.messaging.inbound.handling import Inbound, receive
from outreach.messaging.models import Message

# Per attempt, the share that makes contact (Divosa 2022, DOMAIN.md): phone 38%, home visit 37%;
# an SMS is answered "JA" by 7%; after a letter 5% call the team themselves.
REACH = {Task.Kind.PHONE: 0.38, Task.Kind.VISIT: 0.37}
SMS_ANSWERED = 0.07
LETTER_ANSWERED = 0.05
# Of the people reached and offered help, 35-39% accept (DOMAIN.md); some say no, the rest think
# it over and answer later or not at all.
ACCEPTS = 0.37
DECLINES = 0.25
# A busy team misses some of its planned calls and visits; those expire at the window's end.
MISSED = 0.08
# Days after an accepted offer the caseworker closes the case with what followed, and how often.
FOLLOWED_AFTER_DAYS = 5
FOLLOW_UPS = (
    (0.55, EndResult.FOLLOW_UP_FINANCIAL),
    (0.30, EndResult.ADVICE_OR_QUICK_FIX),
    (0.15, EndResult.FOLLOW_UP_NON_FINANCIAL),
)
TASK_KIND = {Task.Kind.PHONE: ContactKind.PHONE, Task.Kind.VISIT: ContactKind.HOME_VISIT}
# The hours of the day things happen: a delivery is read in, the scheduler ticks, calls are made.
INTAKE_AT, TICK_AT, DAY_WORK_AT, EVENING_WORK_AT, REPLY_AT = (
    time(8, 30),
    time(10, 0),
    time(14, 0),
    time(19, 0),
    time(16, 0),
)


@dataclass
class HistoryReport:
    days: int = 0
    deliveries: int = 0
    signals: int = 0
    rejected: int = 0
    duplicates: int = 0
    calls_and_visits: int = 0
    replies: int = 0
    letters_answered: int = 0
    offers: int = 0
    followed_up: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def play(
    municipality: Municipality,
    deliveries: Sequence[tuple[date, Sequence[RawRow]]],
    until: datetime,
    caseworker: Any,
    seed: int = 7,
) -> HistoryReport:
    """Run the service from the first delivery's day up to `until`: each delivery is read in on
    its day, the engine ticks once a day, `caseworker` makes the day's calls and visits."""
    if not deliveries:
        return HistoryReport()
    rng = random.Random(f"outreach-demo-history:{seed}")
    by_day = {day: rows for day, rows in deliveries}
    report = HistoryReport()
    first = min(by_day)
    last = timezone.localdate(until)
    with in_process():
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            rows = by_day.get(day)
            if rows:
                imported = import_rows(
                    rows,
                    municipality=municipality,
                    now=moment_of(day, INTAKE_AT, until),
                    source="demo",
                )
                report.deliveries += 1
                report.signals += imported.accepted
                report.rejected += imported.rejected
                report.duplicates += imported.duplicates
            ticked = moment_of(day, TICK_AT, until)
            tick_now(ticked.isoformat())
            run_housekeeping(ticked.isoformat())
            if ticked == until:
                break  # the present: the rest of today has not happened yet
            report.calls_and_visits += _work(municipality, day, caseworker, rng, report, until)
            report.replies += _replies(municipality, day, rng, until)
            report.letters_answered += _letters_answered(municipality, day, caseworker, rng, until)
            report.followed_up += close_followed_up(municipality, day, caseworker, rng, until)
            report.days += 1
    return report


def moment_of(day: date, moment: time, until: datetime) -> datetime:
    """`day` at `moment`, never later than `until` (the history stops at the present)."""
    return min(timezone.make_aware(datetime.combine(day, moment)), until)


def _work(
    municipality: Municipality,
    day: date,
    caseworker: Any,
    rng: random.Random,
    report: HistoryReport,
    until: datetime,
) -> int:
    """The caseworker makes the calls and visits planned for `day` and offers help to whoever
    she reaches."""
    done = 0
    tasks = Task.objects.filter(municipality=municipality, status=Task.Status.OPEN, planned_for=day)
    for task in tasks.select_related("case").order_by("pk"):
        moment = moment_of(day, EVENING_WORK_AT if task.evening else DAY_WORK_AT, until)
        if moment < task.created_at or rng.random() < MISSED:
            continue
        reached = rng.random() < REACH[Task.Kind(task.kind)]
        record_task_outcome(task, task_outcome(task, reached), moment, caseworker)
        done += 1
        if reached:
            _offer(task.case, day, TASK_KIND[Task.Kind(task.kind)], rng, moment, caseworker)
            report.offers += 1
    return done


def task_outcome(task: Task, reached: bool) -> str:
    """What the caseworker records: reached, or not reached (a visit: nobody home)."""
    if reached:
        return Task.Outcome.REACHED
    return Task.Outcome.NOT_HOME if task.kind == Task.Kind.VISIT else Task.Outcome.NOT_REACHED


def _offer(
    case: Case, day: date, kind: str, rng: random.Random, now: datetime, caseworker: Any
) -> None:
    draw = rng.random()
    if draw < ACCEPTS:
        answer = HelpOffer.Answer.ACCEPTED
    elif draw < ACCEPTS + DECLINES:
        answer = HelpOffer.Answer.DECLINED
    else:
        answer = HelpOffer.Answer.PENDING
    offers.register_offer(case, made_on=day, kind=kind, answer=answer, now=now, user=caseworker)


def _replies(municipality: Municipality, day: date, rng: random.Random, until: datetime) -> int:
    """Some people answer the day's text messages with "JA", through the real inbound handling."""
    sent = Message.objects.filter(
        case__municipality=municipality,
        channel__in=(Message.Channel.SMS, Message.Channel.WHATSAPP),
        step_id__isnull=False,
        created_at__date=day,
    ).order_by("pk")
    answered = 0
    moment = moment_of(day, REPLY_AT, until)
    for message in sent:
        if rng.random() >= SMS_ANSWERED or moment <= message.created_at:
            continue
        text_reply(message, municipality, "JA", moment, rng.getrandbits(128))
        answered += 1
    return answered


def text_reply(
    message: Message, municipality: Municipality, body: str, now: datetime, sid: int
) -> None:
    """The person answers our SMS or WhatsApp `message` with `body`, through the real inbound
    handling; `sid` (128 bits) makes the provider's message id."""
    inbound = Inbound(
        message_sid="SM" + uuid.UUID(int=sid).hex,
        channel=message.channel,
        from_number=message.to,
        to_number=municipality.contact.get("reply_number", ""),
        body=body,
    )
    receive(inbound, now)


def _letters_answered(
    municipality: Municipality, day: date, caseworker: Any, rng: random.Random, until: datetime
) -> int:
    """A few people call the team after the day's letter: the caseworker registers the letter as
    the attempt that reached them, and offers help."""
    letters = Message.objects.filter(
        case__municipality=municipality,
        channel=Message.Channel.LETTER,
        step_id__isnull=False,
        created_at__date=day,
    ).select_related("case")
    answered = 0
    moment = moment_of(day, DAY_WORK_AT, until)
    for letter in letters.order_by("pk"):
        if rng.random() >= LETTER_ANSWERED or moment <= letter.created_at:
            continue
        if not registered_reached(letter.case, ContactKind.LETTER, moment, caseworker):
            continue
        _offer(letter.case, day, ContactKind.PHONE, rng, moment, caseworker)
        answered += 1
    return answered


def registered_reached(case: Case, kind: str, now: datetime, caseworker: Any) -> bool:
    """The person calls the team after our letter (or card, or e-mail): the caseworker
    registers it as the attempt of `kind` that reached them. False when the case moved on
    meanwhile (reached otherwise, closed)."""
    try:
        steering.register_attempt(
            case,
            kind=kind,
            on=timezone.localdate(now),
            dagdeel=Dagdeel.AFTERNOON,
            reached=True,
            now=now,
            user=caseworker,
        )
    except SteeringError:
        return False
    return True


def close_followed_up(
    municipality: Municipality, day: date, caseworker: Any, rng: random.Random, until: datetime
) -> int:
    """Cases whose offer was accepted a few days ago close with what followed."""
    accepted = Case.objects.filter(
        municipality=municipality,
        state=Case.State.HELP_OFFER,
        offer__answer=HelpOffer.Answer.ACCEPTED,
        offer__answered_on__lte=day - timedelta(days=FOLLOWED_AFTER_DAYS),
    ).order_by("pk")
    moment = moment_of(day, DAY_WORK_AT, until)
    closed = 0
    for case in accepted:
        draw, result = rng.random(), FOLLOW_UPS[-1][1]
        for share, outcome in FOLLOW_UPS:
            if draw < share:
                result = outcome
                break
            draw -= share
        steering.close(case, result, "Hulp gestart.", moment, caseworker)
        closed += 1
    return closed

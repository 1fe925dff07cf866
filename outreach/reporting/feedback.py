"""The feedback sweep (housekeeping, every ten minutes): partner feedback made and kept true.

A signal's record is made at the earlier of its case closing and 28 days after the municipality
received it, and changed when the case closes or help is accepted later. Each sweep looks only at
what may have become due or changed, every set found through an index:

- closed cases whose close the feedback does not show yet (`Case.feedback_at` null: the partial
  index `case_feedback_due`; the offer code clears it when a closed case's offer is answered
  later): every signal of the case gets the case's fact, made or changed;
- cases in the offer state (the partial index `case_help_offer`): their records follow the
  offer's answer, so an acceptance after the 28 days makes "wants help";
- signals whose 28 days ran out since the last sweep: the cutoff moves once a local day.
  `received_at` has no index of its own (every index costs each insert of a million-row
  delivery), but ids are taken at intake: a signal stored after a moment has a higher id than
  every signal stored at that moment. So the day's first sweep notes the highest id (a
  checkpoint), and the daily pass reads, through the primary key, only ids above the
  checkpoint from before the last cutoff: about the last four weeks of signals, never the
  table. A file taken over with an earlier `--received` is stored with new ids, so it is found
  (and is due at once) too.

The whole sweep holds the lock on its own row, so change numbers are handed out in the order
they become visible to partners reading "everything after N".
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.utils import timezone

from outreach.casework.models import Case
from outreach.core.ddas import FOLLOWED_UP
from outreach.intake.deadlines import CONTACT_WINDOW_DAYS
from outreach.intake.models import Signal
from outreach.reporting.facts import signal_fact
from outreach.reporting.models import FeedbackSweep, PartnerFeedback

# The partner hears back 28 days after the municipality received the signal (DOMAIN.md, §6.3).
FEEDBACK_DAYS = CONTACT_WINDOW_DAYS
BATCH = 2000
# A checkpoint serves a window that starts at least this long after it (clocks of the web and
# worker machines may differ a little).
CHECKPOINT_MARGIN = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Due:
    """A signal's fact, with what a new record needs."""

    signal_id: int
    case_id: int
    partner_id: int
    municipality_id: int
    fact: str


def due_cutoff(now: datetime) -> datetime:
    """Signals received before this moment are due: local date of receipt + 28 days <= today."""
    day = timezone.localdate(now) - timedelta(days=FEEDBACK_DAYS - 1)
    return timezone.make_aware(datetime.combine(day, time.min))


def record_feedback(now: datetime, limit: int = 5000) -> int:
    """Make and change partner feedback as of `now`; returns the records made or changed.
    At most `limit` closed cases a sweep (the rest follow in the next)."""
    cutoff = due_cutoff(now)
    _sweep_row()
    with transaction.atomic():
        sweep = FeedbackSweep.objects.select_for_update().get(pk=1)
        # Locked, so an offer answered meanwhile waits (and clears feedback_at after us).
        closed = list(
            Case.objects.select_for_update(skip_locked=True)
            .filter(state=Case.State.CLOSED, feedback_at__isnull=True)
            .order_by("closed_at")
            .values_list("id", flat=True)[:limit]
        )
        make = {d.signal_id: d for d in _facts(Signal.objects.filter(case_id__in=closed))}
        due = _newly_due(sweep, cutoff)
        if due is not None:
            make.update((d.signal_id, d) for d in _facts(due))
            sweep.due_before = cutoff
        _checkpoint(sweep, now)
        changed = _write(make, _offer_facts(), sweep, now)
        Case.objects.filter(id__in=closed).update(feedback_at=now)
        sweep.save(update_fields=["last_change", "due_before", "checkpoints"])
    return changed


def _newly_due(sweep: FeedbackSweep, cutoff: datetime) -> QuerySet[Signal] | None:
    """The signals without a record received between the last cutoff and this one; None while
    the cutoff has not moved (the rest of the day)."""
    if sweep.due_before is not None and cutoff <= sweep.due_before:
        return None
    # Intake gives every signal a case (a closed one when screened out).
    due = Signal.objects.filter(received_at__lt=cutoff, feedback__isnull=True, case__isnull=False)
    if sweep.due_before is None:
        return due
    # Received after a checkpoint's moment means an id above its id: read only those.
    start = sweep.due_before - CHECKPOINT_MARGIN
    stored = (i for at, i in sweep.checkpoints if datetime.fromisoformat(at) <= start)
    # No lower bound on `received_at`: a file taken over with an earlier `--received` is due at
    # once.
    return due.filter(id__gt=max(stored, default=0))


def _checkpoint(sweep: FeedbackSweep, now: datetime) -> None:
    """The day's first sweep notes the highest signal id; checkpoints older than the 28-day
    window and its margin are dropped."""
    today = timezone.localdate(now)
    taken = [datetime.fromisoformat(at) for at, _ in sweep.checkpoints]
    if taken and timezone.localdate(max(taken)) >= today:
        return
    highest = Signal.objects.aggregate(highest=Max("id"))["highest"] or 0
    keep_after = now - timedelta(days=FEEDBACK_DAYS + 7)
    sweep.checkpoints = [
        [at, i] for at, i in sweep.checkpoints if datetime.fromisoformat(at) > keep_after
    ] + [[now.isoformat(), highest]]


def _sweep_row() -> None:
    """The sweep's row, made once; numbering continues after any record already there."""
    if FeedbackSweep.objects.filter(pk=1).exists():
        return
    last = PartnerFeedback.objects.aggregate(last=Max("change"))["last"] or 0
    FeedbackSweep.objects.get_or_create(pk=1, defaults={"last_change": last})


def _facts(signals: QuerySet[Signal]) -> Iterable[Due]:
    followed_up = Signal.objects.filter(case_id=OuterRef("case_id"), status__in=FOLLOWED_UP)
    rows = signals.annotate(case_followed=Exists(followed_up)).values_list(
        "id",
        "case_id",
        "partner_id",
        "municipality_id",
        "status",
        "case_followed",
        "case__state",
        "case__result",
        "case__offer__answer",
    )
    for row in rows.iterator(chunk_size=BATCH):
        signal_id, case_id, partner, municipality, status, followed, state, result, answer = row
        fact = signal_fact(status, followed, state, result, answer)
        yield Due(signal_id, case_id, partner, municipality, fact)


def _offer_facts() -> dict[int, str]:
    """Records of cases in the offer state whose fact the offer's answer has changed."""
    answers = dict(
        Case.objects.filter(state=Case.State.HELP_OFFER).values_list("id", "offer__answer")
    )
    ids = list(answers)
    facts = {}
    for start in range(0, len(ids), BATCH):
        rows = PartnerFeedback.objects.filter(case_id__in=ids[start : start + BATCH])
        for signal_id, case_id, outcome, status in rows.values_list(
            "signal_id", "case_id", "outcome", "signal__status"
        ):
            # A case in the offer state was followed up: it has followed-up signals.
            fact = signal_fact(status, True, Case.State.HELP_OFFER, None, answers[case_id])
            if fact != outcome:
                facts[signal_id] = fact
    return facts


def _write(
    make: dict[int, Due], follow: dict[int, str], sweep: FeedbackSweep, now: datetime
) -> int:
    """Make the records in `make` that do not exist; change those of `make` and `follow` whose
    fact differs. Each gets the next change number, in signal order."""
    wanted = {signal_id: due.fact for signal_id, due in make.items()}
    wanted.update(follow)
    ids = sorted(wanted)
    existing: dict[int, tuple[int, str]] = {}
    for start in range(0, len(ids), BATCH):
        rows = PartnerFeedback.objects.filter(signal_id__in=ids[start : start + BATCH])
        existing.update(
            (signal_id, (pk, outcome))
            for pk, signal_id, outcome in rows.values_list("pk", "signal_id", "outcome")
        )
    new: list[PartnerFeedback] = []
    changed: list[PartnerFeedback] = []
    for signal_id in ids:
        fact = wanted[signal_id]
        if signal_id in existing:
            pk, outcome = existing[signal_id]
            if outcome == fact:
                continue
            sweep.last_change += 1
            changed.append(
                PartnerFeedback(pk=pk, outcome=fact, change=sweep.last_change, changed_at=now)
            )
        elif signal_id in make:
            due = make[signal_id]
            sweep.last_change += 1
            new.append(
                PartnerFeedback(
                    signal_id=signal_id,
                    case_id=due.case_id,
                    partner_id=due.partner_id,
                    municipality_id=due.municipality_id,
                    outcome=fact,
                    created_at=now,
                    changed_at=now,
                    change=sweep.last_change,
                )
            )
    PartnerFeedback.objects.bulk_create(new, batch_size=BATCH)
    PartnerFeedback.objects.bulk_update(
        changed, ["outcome", "change", "changed_at"], batch_size=BATCH
    )
    return len(new) + len(changed)

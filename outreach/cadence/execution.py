"""Executing claimed steps: each exactly once, and no message handed over twice.

1. Decide, in one transaction with the batch's steps locked (`FOR UPDATE SKIP LOCKED`, only
   those still `claimed`): tasks, skips and the like are written; each message is committed
   as `sending` (persist, then send: `outreach.messaging.sending`). Its step stays claimed.
2. Hand the messages over, outside any transaction and row lock.
3. Record the results in a second short transaction: the messages' status and attempts, and
   each step done, postponed (retry, held back) or failed (its failure path).

A worker that dies after 1 leaves its steps claimed and their messages `sending`. When the
lease ends the tick claims the steps again, and this module finds their messages: each is
looked up at its transport before anything is sent (`_resume`), so a hand-over that happened
is recorded, one that certainly did not is made now, and one nobody can tell waits for a
person. `Message.step_id` is unique: a step never has two messages.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outreach.cadence import steps
from outreach.cadence.campaigns import Campaign, Step, default_template
from outreach.cadence.closing import close_all_exhausted
from outreach.cadence.delivery import apply_provider_error
from outreach.cadence.library import campaign_step, sibling_key
from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import CLOSE, ESCALATION, fallback_for
from outreach.cadence.recipients import Recipient, load_recipients
from outreach.cadence.versions import campaigns_of, with_versions
from outreach.cadence.windows import PHONE_CHANNELS, in_window, is_evening, next_free_slot
from outreach.casework.attempts import KIND_BY_CHANNEL, new_attempt
from outreach.casework.models import Case, ContactAttempt, Task
from outreach.core import bulk
from outreach.core.logsafe import exception_summary
from outreach.messaging.models import Message
from outreach.messaging.sending import (
    hand_over,
    lease,
    outgoing_of,
    persist,
    record,
    to_check,
)
from outreach.messaging.status import FAILURES
from outreach.messaging.texts.compose import ComposeError, PublishedTexts, Reader, compose
from outreach.messaging.texts.experiments import Household
from outreach.messaging.transports.base import (
    ABSENT,
    HANDED_OVER,
    PERMANENT,
    QUEUED,
    SENT,
    UNKNOWN,
    Outgoing,
    Result,
    Transport,
    lookup,
)
from outreach.messaging.transports.ratelimit import DEFERRED, in_quiet_hours, quiet_hours_of
from outreach.messaging.transports.registry import default_transport

MESSAGES = frozenset({"letter", "sms", "whatsapp", "email"})
TASKS = {"phone_task": Task.Kind.PHONE, "visit_task": Task.Kind.VISIT}
Status = PlannedStep.Status
MessageStatus = Message.Status
WAITING = "wacht op verzending"
CHECK_NOTE = "verzending controleren"
log = logging.getLogger(__name__)


@dataclass
class Execution:
    """What one batch did, for the task's log line and the tests."""

    now: datetime
    done: list[PlannedStep] = field(default_factory=list)
    changed: list[PlannedStep] = field(default_factory=list)
    attempts: list[ContactAttempt] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    fallbacks: list[PlannedStep] = field(default_factory=list)
    # Messages to hand over (committed as `sending`), and what became of each hand-over.
    outgoing: list[tuple[PlannedStep, Step | None, Outgoing]] = field(default_factory=list)
    results: list[tuple[PlannedStep, Step | None, Outgoing, Result]] = field(default_factory=list)
    # Steps claimed again whose message an earlier run committed: to look up.
    unsettled: list[tuple[PlannedStep, Step | None, Message]] = field(default_factory=list)
    checks: list[tuple[PlannedStep, Outgoing, str]] = field(default_factory=list)  # a person
    later: list[tuple[PlannedStep, str]] = field(default_factory=list)  # look up again later
    # Refusals whose code says something about the number or the person (21211, 21610 ...).
    refusals: list[tuple[Outgoing, str]] = field(default_factory=list)
    texts: PublishedTexts = field(default_factory=PublishedTexts)
    visits: dict[int, datetime] = field(default_factory=dict)  # announcement step -> visit
    # Step id -> the campaign it follows: the version it was planned from (versions.py).
    campaigns: dict[int, Campaign | None] = field(default_factory=dict)

    def spec(self, step: PlannedStep) -> Step | None:
        """The campaign step `step` performs; None for the engine's own steps."""
        campaign = self.campaigns.get(step.pk)
        return campaign_step(campaign, step.key) if campaign is not None else None

    def finish(self, step: PlannedStep, status: str, note: str = "") -> None:
        steps.finish(step, status, self.now, note)
        if status == Status.DONE:
            self.done.append(step)
        self.changed.append(step)

    def postpone(self, step: PlannedStep, due_at: datetime, note: str = "") -> None:
        steps.postpone(step, due_at, note)
        self.changed.append(step)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for step in self.changed:
            status = str(step.status)  # the plain value, not the enum member, in logs and JSON
            counts[status] = counts.get(status, 0) + 1
        return counts


def execute_steps(
    ids: Sequence[int], now: datetime, transport: Transport | None = None
) -> dict[str, int]:
    """Perform the claimed steps among `ids`; returns how many ended in each status."""
    run = Execution(now)
    with transaction.atomic():
        steps = list(
            with_versions(
                # Only the steps are locked: their campaign version is outer-joined.
                PlannedStep.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(id__in=list(ids), status=Status.CLAIMED)
                .order_by("id")
            )
        )
        if not steps:
            return {}
        run.campaigns = campaigns_of(steps)
        earlier = {
            m.step_id: m
            for m in Message.objects.filter(step_id__in=[s.pk for s in steps]).annotate(
                own_quiet_hours=F("case__municipality__quiet_hours")
            )
        }
        recipients = load_recipients({s.case_id for s in steps if s.pk not in earlier})
        # The variants the batch's households have in text experiments: one query, if any.
        run.texts.expect(who.household_id for who in recipients.values())
        run.visits = _visit_times(run, steps)
        for step in steps:
            if step.pk in earlier:
                _resume(run, step, earlier[step.pk])
            else:
                _decide(run, step, recipients[step.case_id])
        if run.outgoing:
            items = persist([item for _, _, item in run.outgoing], now, counts=True)
            run.outgoing = [
                (step, spec, item)
                for (step, spec, _), item in zip(run.outgoing, items, strict=True)
            ]
        _write(run)
    transport = transport or default_transport()
    _look_up(run, transport)
    _hand_over(run, transport)
    _settle(run)
    _close([s.pk for s in steps if s.key == CLOSE], now)
    return run.counts()


def _decide(run: Execution, step: PlannedStep, who: Recipient) -> None:
    campaign = run.campaigns.get(step.pk)
    spec = run.spec(step)
    window = spec.window if spec else None
    if step.key == CLOSE:
        return  # decided after the rest of the batch is written: see close_all_exhausted
    if who.state == Case.State.PAUSED:
        run.finish(step, Status.PAUSED, "gepauzeerd")  # planned again when the case resumes
        return
    if who.state != Case.State.ACTIVE:
        run.finish(step, Status.CANCELLED, f"zaak is {Case.State(who.state).label}")
        return
    if not in_window(run.now, step.channel, window):
        # Late (the service was down, or a retry): never at night, never on a holiday.
        later = next_free_slot(run.now, step.channel, window, who.quiet_hours)
        run.postpone(step, later, "buiten het tijdvenster")
        return
    if step.channel in PHONE_CHANNELS and in_quiet_hours(run.now, who.quiet_hours):
        # The municipality's own quiet hours may begin before the window closes.
        later = next_free_slot(run.now, step.channel, window, who.quiet_hours)
        run.postpone(step, later, f"stille uren ({who.quiet_hours})")
        return
    unmet = _unmet_condition(spec, who)
    if unmet:
        run.finish(step, Status.SKIPPED, unmet)
        return
    if step.channel in MESSAGES:
        _message(run, step, campaign, spec, who)
    elif step.channel in TASKS:
        _task(run, step, spec, who)
    elif step.channel == "not_home_card":
        run.attempts.append(new_attempt(who.case_id, KIND_BY_CHANNEL[step.channel], False, run.now))
        run.finish(step, Status.DONE, "kaartje achtergelaten")
    else:
        run.finish(step, Status.FAILED, f"onbekend kanaal {step.channel}")


def _unmet_condition(spec: Step | None, who: Recipient) -> str:
    if spec is None:
        return ""
    if "has_mobile" in spec.requires and not who.mobile:
        return "geen mobiel nummer bekend"
    if "has_email" in spec.requires and not who.email:
        return "geen e-mailadres bekend"
    if spec.languages and who.language not in spec.languages:
        return f"voorkeurstaal {who.language} niet in {', '.join(spec.languages)}"
    return ""


# The text of a message step the campaign does not know (an upgrade's leftover).
FALLBACK_TEXT = {"letter": "follow_up", "sms": "reminder", "whatsapp": "whatsapp"}


def _message(
    run: Execution,
    step: PlannedStep,
    campaign: Campaign | None,
    spec: Step | None,
    who: Recipient,
) -> None:
    to = who.address_for(step.channel)
    if not to:
        _failed(run, step, spec, f"geen {'nummer' if step.channel != 'email' else 'adres'}")
        return
    name = default_template(campaign, spec) if campaign and spec else None
    name = name or FALLBACK_TEXT.get(step.channel, "reminder")
    if name == "first_single" and len(who.partner_types) > 1:
        name = "first_multiple"
    reader = Reader(
        who.name, who.language, who.address.splitlines(), list(who.partner_types), who.reference
    )
    try:
        text = compose(
            name,
            reader,
            who.municipality or {},
            timezone.localdate(run.now),
            run.texts,
            run.visits.get(step.pk),
            municipality_id=who.municipality_id,
            household=Household(who.household_id, who.household_key),
        )
    except ComposeError as exc:
        # Our fault, not the reader's: nothing is sent, the failure path reaches them instead.
        _failed(run, step, spec, f"tekst niet te maken: {exc}")
        return
    item = Outgoing(
        step.pk, who.case_id, step.channel, to, text.body, text.language, text.template,
        text.version, text.template_municipality, variables=text.variables,
        quiet_hours=who.quiet_hours, text_experiment=text.text_experiment,
        text_variant=text.text_variant,
    )  # fmt: skip
    run.outgoing.append((step, spec, item))


def _visit_times(run: Execution, steps: Sequence[PlannedStep]) -> dict[int, datetime]:
    """For each announcement among `steps`, when the visit it announces is planned: one query
    for the batch. The visit is keyed like its announcement (an upgrade prefixes both)."""
    wanted: dict[tuple[int, str], int] = {}
    for step in steps:
        spec = run.spec(step)
        if spec is not None and spec.announces:
            wanted[(step.case_id, sibling_key(step.key, spec.announces))] = step.pk
    if not wanted:
        return {}
    visits = PlannedStep.objects.filter(
        case_id__in={case for case, _ in wanted}, key__in={key for _, key in wanted}
    ).values_list("case_id", "key", "due_at")
    return {
        wanted[(case, key)]: timezone.localtime(due)
        for case, key, due in visits
        if (case, key) in wanted
    }


def _task(run: Execution, step: PlannedStep, spec: Step | None, who: Recipient) -> None:
    run.tasks.append(
        Task(
            municipality_id=who.municipality_id,
            case_id=who.case_id,
            step_key=step.key,
            kind=TASKS[step.channel],
            priority=who.score + (1000 if step.key == ESCALATION else 0),
            crisis=who.crisis,
            deadline=who.deadline,
            due_on=timezone.localdate(run.now),
            evening=is_evening(step.channel, spec.window if spec else None),
            created_at=run.now,
            assignee_id=who.assignee_id,  # the case's owner makes its calls and visits
        )
    )
    run.finish(step, Status.DONE, "taak gepland")


def _resume(run: Execution, step: PlannedStep, message: Message) -> None:
    """A step claimed again while its message exists: an earlier run committed it and died
    before recording its hand-over (or its result was recorded after the step's lease ran
    out). Never compose or send anew: settle what is there."""
    spec = run.spec(step)
    status = message.status
    if status == MessageStatus.SENDING:
        if message.sending_until is not None and message.sending_until > run.now:
            run.postpone(step, message.sending_until, "wordt nog verstuurd")
            return
        # This run settles it now: its lease keeps every other process off meanwhile.
        message.sending_until = lease(run.now)
        message.save(update_fields=["sending_until"])
        run.unsettled.append((step, spec, message))
    elif status == MessageStatus.CHECK:
        run.finish(step, Status.DONE, CHECK_NOTE)
    elif status in FAILURES:
        _failed(run, step, spec, "verzenden mislukt")
    else:
        run.finish(step, Status.DONE, "" if status != MessageStatus.QUEUED else WAITING)


def _look_up(run: Execution, transport: Transport) -> None:
    """Outside any transaction (it may ask the provider): what became of each earlier
    hand-over."""
    for step, spec, message in run.unsettled:
        # Its municipality's own quiet hours, read with the batch's messages (blank: default).
        item = outgoing_of(message, getattr(message, "own_quiet_hours", "") or None)
        found = lookup(transport, item, message.created_at, run.now)
        if found.answer == HANDED_OVER and found.result is not None:
            run.results.append((step, spec, item, found.result))
        elif found.answer == ABSENT:
            run.outgoing.append((step, spec, item))  # certainly never left: hand it over now
        elif found.answer == UNKNOWN:
            run.checks.append((step, item, found.note or "niet na te gaan of het verstuurd is"))
        else:  # wait: ask again once the provider's window has passed
            run.later.append((step, found.note or "wacht op nazoeken"))


def _hand_over(run: Execution, transport: Transport) -> None:
    if not run.outgoing:
        return
    try:
        results = hand_over(transport, [item for _, _, item in run.outgoing])
    except Exception as exc:
        # Whether anything left is unknown: the messages stay `sending` and their steps
        # claimed, and the next claim looks them up. Not the text: it may hold a number.
        log.error("hand-over of %d messages failed: %s", len(run.outgoing), exception_summary(exc))
        return
    for (step, spec, item), result in zip(run.outgoing, results, strict=True):
        run.results.append((step, spec, item, result))


def _settle(run: Execution) -> None:
    """The second short transaction: the messages' results, then their steps (still claimed by
    this run: a step another run claimed meanwhile is that run's to settle)."""
    if not (run.results or run.checks or run.later):
        return
    # The claim each step had when this run took it: a step claimed since is another run's.
    settling = [r[0] for r in run.results] + [c[0] for c in run.checks]
    claims = {step.pk: step.claims for step in settling + [w[0] for w in run.later]}
    with transaction.atomic():
        recorded = record(
            [item for _, _, item, _ in run.results],
            [result for *_, result in run.results],
            run.now,
            keep_failed=False,
        )
        for _, item, note in run.checks:
            to_check([item.message_id or 0], run.now, note)
        ours = {
            step.pk: step
            for step in PlannedStep.objects.select_for_update().filter(
                pk__in=list(claims), status=Status.CLAIMED
            )
            if step.claims == claims[step.pk]
        }
        after = Execution(run.now, campaigns=run.campaigns)
        for (step, spec, item, result), done in zip(run.results, recorded, strict=True):
            if step.pk in ours and done.applied:
                _settle_step(after, ours[step.pk], spec, item, result)
        for step, _, note in run.checks:
            if step.pk in ours:
                after.finish(ours[step.pk], Status.DONE, f"{CHECK_NOTE}: {note}")
        for step, note in run.later:
            if step.pk in ours:
                after.postpone(ours[step.pk], run.now + timedelta(minutes=1), note)
        _write(after)
        for item, code in after.refusals:
            apply_provider_error(item.case_id, item.to, code, run.now)
    run.changed += after.changed


def _settle_step(
    run: Execution, step: PlannedStep, spec: Step | None, item: Outgoing, result: Result
) -> None:
    if result.outcome in (SENT, QUEUED):
        # A queued letter's attempt counts when the print batch is handed over.
        run.finish(step, Status.DONE, "" if result.outcome == SENT else WAITING)
    elif result.error_code in DEFERRED and result.outcome != PERMANENT:
        # Held back (quiet hours, the sender's rate): nothing failed, no retry counted.
        later = run.now + timedelta(minutes=1)
        window = spec.window if spec else None
        hours = quiet_hours_of(item.quiet_hours)
        run.postpone(step, next_free_slot(later, step.channel, window, hours), result.error)
    elif result.outcome == PERMANENT or step.retries >= settings.OUTREACH_MAX_RETRIES:
        _failed(run, step, spec, result.error or "verzenden mislukt")
        if result.outcome == PERMANENT and result.error_code:
            run.refusals.append((item, result.error_code))
    else:
        # Backoff of 1, 2, 4 ... minutes, inside the window; other cases go on meanwhile.
        step.retries += 1
        later = run.now + timedelta(minutes=2 ** (step.retries - 1))
        window = spec.window if spec else None
        hours = quiet_hours_of(item.quiet_hours)
        run.postpone(step, next_free_slot(later, step.channel, window, hours), result.error)


def _close(ids: list[int], now: datetime) -> None:
    """The campaigns' closing checks, once the batch's other steps are settled."""
    if not ids:
        return
    with transaction.atomic():
        checks = list(
            PlannedStep.objects.select_for_update().filter(pk__in=ids, status=Status.CLAIMED)
        )
        close_all_exhausted(checks, now)


def _failed(run: Execution, step: PlannedStep, spec: Step | None, reason: str) -> None:
    run.finish(step, Status.FAILED, reason)
    campaign = run.campaigns.get(step.pk)
    if spec is not None and spec.on_failure and campaign is not None:
        run.fallbacks.append(fallback_for(step, campaign, spec, run.now))


def _write(run: Execution) -> None:
    if run.changed:
        bulk.update_objects(run.changed, steps.FIELDS)
    if run.attempts:
        ContactAttempt.objects.bulk_create(run.attempts)
    if run.tasks:
        Task.objects.bulk_create(run.tasks, ignore_conflicts=True)
    if run.fallbacks:
        PlannedStep.objects.bulk_create(run.fallbacks, ignore_conflicts=True)

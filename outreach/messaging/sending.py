"""Persist, then send (GOV.UK Notify's `persist_notification`, then `deliver_sms`): the one place
where a message's hand-over is recorded, for every send path (the engine, answers to replies,
resends).

1. `persist` writes the message as `sending` (with whether it will count as a contact
   attempt), in the caller's transaction, which commits before anything leaves.
2. The hand-over happens outside any transaction and row lock (`hand_over`).
3. `record` writes the transport's result in its own short transaction: the status, the
   provider's id, the contact attempt.

A process that dies between 1 and 3 leaves the message `sending`. It is never resent blindly:
once its lease (`sending_until`) has run out it is looked up at its transport (`settle`; the
engine does the same for its steps).
Handed over: the result is recorded. Certainly absent: it is handed over now. The transport
cannot tell: the message waits as `check` on a list a person works through
(`confirm_checked`, `resend_checked`, `cancel_checked`).
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from outreach.casework.attempts import KIND_BY_CHANNEL, new_attempt
from outreach.casework.models import Case, ContactAttempt
from outreach.core import bulk
from outreach.messaging import signals
from outreach.messaging.models import Message
from outreach.messaging.status import UNSETTLED, status_for
from outreach.messaging.transports.base import (
    QUEUED,
    SENT,
    TRANSIENT,
    Outgoing,
    Result,
    Transport,
    lookup,
)

log = logging.getLogger(__name__)

S = Message.Status
TAKEN = (SENT, QUEUED)
FIELDS = ["status", "status_at", "transport_id", "error_code", "sending_until", "note"]


def lease(now: datetime) -> datetime:
    """Until when a committed message belongs to the process handing it over. Longer than any
    hand-over takes (a batch's requests time out well before), so a look-up never races it."""
    return now + timedelta(seconds=settings.OUTREACH_SEND_LEASE_SECONDS)


def persist(items: Sequence[Outgoing], now: datetime, *, counts: bool) -> list[Outgoing]:
    """Step 1, in the caller's transaction: each item as a `sending` row; returns the items
    with their `message_id`."""
    rows = [
        Message(
            case_id=item.case_id,
            step_id=item.step_id,
            channel=item.channel,
            to=item.to,
            body=item.body,
            language=item.language,
            template=item.template,
            template_version=item.template_version,
            template_municipality_id=item.template_municipality_id,
            text_experiment=item.text_experiment,
            text_variant=item.text_variant,
            status=S.SENDING,
            created_at=now,
            status_at=now,
            sending_until=lease(now),
            counts_as_attempt=counts,
        )
        for item in items
    ]
    _copy_experiments(rows)
    Message.objects.bulk_create(rows)
    return [replace(item, message_id=row.pk) for item, row in zip(items, rows, strict=True)]


def _copy_experiments(rows: Sequence[Message]) -> None:
    """Each message records its case's campaign experiment and variant as they are now
    (Case.experiment, Case.variant): one query for the batch."""
    arms = {
        pk: (experiment, variant)
        for pk, experiment, variant in Case.objects.filter(
            id__in={row.case_id for row in rows}
        ).values_list("id", "experiment", "variant")
    }
    for row in rows:
        row.experiment, row.variant = arms.get(row.case_id, ("", ""))


def hand_over(transport: Transport, items: Sequence[Outgoing]) -> list[Result]:
    """Step 2, outside any transaction. A transport answers every message with a result; one
    that raises or answers short leaves the messages `sending`, for the look-up to settle."""
    if not items:
        return []
    results = transport.send(list(items))
    if len(results) != len(items):
        raise RuntimeError(f"{type(transport).__name__} must answer every message")
    return results


@dataclass(frozen=True)
class Recorded:
    """What `record` did with one result."""

    item: Outgoing
    result: Result
    # False: the message was no longer this process's to settle (another one recorded it).
    applied: bool
    status: str  # the message's status now ("" when its row was removed)

    @property
    def message_id(self) -> int:
        if self.item.message_id is None:
            raise ValueError("a recorded message has a row")
        return self.item.message_id


def record(
    items: Sequence[Outgoing], results: Sequence[Result], now: datetime, *, keep_failed: bool
) -> list[Recorded]:
    """Step 3, in the caller's (short) transaction: each result onto its `sending` (or
    `check`) message. Taken (sent, queued): the status and the provider's id; a sent message
    that counts registers its contact attempt. Not taken (transient, permanent): with
    `keep_failed` the message stays as `failed` with the code (an answer to a reply: never
    retried); otherwise its row goes, as nothing left (the engine retries the step or takes
    its failure path)."""
    ids = [item.message_id for item in items if item.message_id is not None]
    rows = {
        m.pk: m
        for m in Message.objects.select_for_update().filter(pk__in=ids, status__in=UNSETTLED)
    }
    changed: list[Message] = []
    removed: list[int] = []
    attempts: list[ContactAttempt] = []
    done: list[Recorded] = []
    for item, result in zip(items, results, strict=True):
        message = rows.get(item.message_id or 0)
        if message is None:
            done.append(Recorded(item, result, False, ""))
            continue
        if result.outcome in TAKEN or keep_failed:
            message.status = status_for(result.outcome)
            message.status_at = now
            message.transport_id = result.transport_id[:64]
            message.sending_until = None
            if result.outcome not in TAKEN:
                message.error_code = (result.error_code or result.outcome)[:16]
                message.note = result.error[:200]
            changed.append(message)
            if result.outcome == SENT and message.counts_as_attempt:
                attempts.append(
                    new_attempt(message.case_id, KIND_BY_CHANNEL[item.channel], False, now)
                )
            done.append(Recorded(item, result, True, message.status))
        else:
            removed.append(message.pk)
            done.append(Recorded(item, result, True, ""))
    if changed:
        bulk.update_objects(changed, FIELDS)
    if removed:
        Message.objects.filter(pk__in=removed).delete()
    if attempts:
        ContactAttempt.objects.bulk_create(attempts)
    return done


def send_now(
    items: Sequence[Outgoing], transport: Transport, now: datetime, *, counts: bool
) -> list[Recorded]:
    """All three steps for messages outside a campaign batch (an answer, a resend): a result
    that is not taken stays as a `failed` message."""
    with transaction.atomic():
        persisted = persist(items, now, counts=counts)
    try:
        results = hand_over(transport, persisted)
    except Exception as exc:  # a transport answers with results; this one raised
        log.error("the transport raised for %d messages: %s", len(items), type(exc).__name__)
        # Left `sending`: whether it left is unknown, so the look-up settles it.
        lost = Result(TRANSIENT, error=type(exc).__name__, error_code="exception")
        return [Recorded(item, lost, False, S.SENDING) for item in persisted]
    with transaction.atomic():
        return record(persisted, results, now, keep_failed=True)


# --- After a crash: look up, never resend blindly --------------------------------------------


def outgoing_of(message: Message, quiet_hours: str | None = None) -> Outgoing:
    """The hand-over of a committed message; `quiet_hours`: its municipality's own (None: the
    default), as `Outgoing.quiet_hours`."""
    return Outgoing(
        message.step_id, message.case_id, message.channel, message.to, message.body,
        message.language, message.template, message.template_version,
        message.template_municipality_id, message_id=message.pk, quiet_hours=quiet_hours,
    )  # fmt: skip


def own_quiet_hours(case_id: int) -> str | None:
    """The quiet hours the municipality of a case sets itself (None: it keeps the default),
    for a single message sent again outside a batch."""
    own = Case.objects.filter(pk=case_id).values_list("municipality__quiet_hours", flat=True)
    return own.first() or None


def claim_unsettled(now: datetime, limit: int, *, stepless: bool) -> list[Message]:
    """`sending` messages whose lease ran out (with or without a campaign step), claimed for
    a look-up: their lease is renewed, so two processes never settle one message at once."""
    with transaction.atomic():
        query = Message.objects.select_for_update(skip_locked=True).filter(
            status=S.SENDING, sending_until__lte=now, step_id__isnull=stepless
        )
        messages = list(query.order_by("sending_until")[:limit])
        for message in messages:
            message.sending_until = lease(now)
        Message.objects.bulk_update(messages, ["sending_until"])
    return messages


def to_check(message_ids: Sequence[int], now: datetime, note: str) -> int:
    """In the caller's transaction: these `sending` messages wait for a person."""
    return Message.objects.filter(pk__in=message_ids, status=S.SENDING).update(
        status=S.CHECK, status_at=now, sending_until=None, note=note[:200]
    )


def settle(message: Message, transport: Transport, now: datetime) -> str:
    """Settle one claimed `sending` message: look it up, then record what the transport had,
    hand it over when it certainly has none, or put it on the list to check. Returns the
    look-up's answer."""
    item = outgoing_of(message)
    found = lookup(transport, item, message.created_at, now)
    if found.answer == "handed_over" and found.result is not None:
        with transaction.atomic():
            record([item], [found.result], now, keep_failed=True)
    elif found.answer == "absent":
        send_again(item, transport, now)
    elif found.answer == "unknown":
        with transaction.atomic():
            to_check([message.pk], now, found.note or "niet na te gaan of het verstuurd is")
    # wait: the lease just renewed brings it back later
    return found.answer


def send_again(item: Outgoing, transport: Transport, now: datetime) -> Recorded | None:
    """Hand a committed message over again, once its transport said it never had it."""
    try:
        (result,) = hand_over(transport, [item])
    except Exception as exc:
        log.error("message %s: the transport raised: %s", item.message_id, type(exc).__name__)
        return None
    with transaction.atomic():
        (done,) = record([item], [result], now, keep_failed=True)
    return done


def reconcile_stepless(now: datetime, transport: Transport, limit: int = 500) -> dict[str, int]:
    """Every minute: settle the lost hand-overs of messages without a campaign step (answers,
    resends). The engine settles its own when it claims their steps again."""
    counts: dict[str, int] = {}
    for message in claim_unsettled(now, limit, stepless=True):
        answer = settle(message, transport, now)
        counts[answer] = counts.get(answer, 0) + 1
    return counts


# --- The list a person checks -----------------------------------------------------------------


def _checked(message_id: int) -> Message | None:
    return Message.objects.select_for_update().filter(pk=message_id, status=S.CHECK).first()


def confirm_checked(message_id: int, now: datetime, by: str) -> bool:
    """A person found it was sent (the provider's portal, the reader said so): record it as
    sent, with its contact attempt."""
    with transaction.atomic():
        message = _checked(message_id)
        if message is None:
            return False
        record([outgoing_of(message)], [Result(SENT)], now, keep_failed=True)
        Message.objects.filter(pk=message_id).update(note=f"verstuurd volgens {by}"[:200])
    return True


def resend_checked(
    message_id: int, transport: Transport, now: datetime, by: str = ""
) -> Recorded | None:
    """A person (`by`, named in the note) found it was not sent: hand it over now. None when
    it no longer waits for a check (someone else decided).

    A hand-over that is not taken fails the message, and a campaign's step takes its failure
    path, as a status callback's failure would. A transport that raises leaves it unknown
    whether the message left: it goes back on the list (the engine never claims a settled
    step again, so a `sending` message of a step would wait for nobody)."""
    with transaction.atomic():
        message = _checked(message_id)
        if message is None:
            return None
        message.status = S.SENDING
        message.sending_until = lease(now)
        fields = ["status", "sending_until"]
        if by:  # kept when the hand-over is taken; a failure's error replaces it
            message.note = f"opnieuw verstuurd door {by}"[:200]
            fields.append("note")
        message.save(update_fields=fields)
    item = outgoing_of(message, own_quiet_hours(message.case_id))
    done = send_again(item, transport, now)
    if done is None:
        with transaction.atomic():
            to_check([message_id], now, "opnieuw versturen gaf een fout: niet bekend of het weg is")
        lost = Result(TRANSIENT, error="the transport raised", error_code="exception")
        return Recorded(item, lost, False, S.CHECK)
    if done.applied and done.status == S.FAILED:
        reason = f"opnieuw versturen mislukt: {done.result.error or done.result.outcome}"
        code = done.result.error_code
        signals.failed(message.step_id, message.case_id, message.to, code, now, reason[:300])
    return done


def cancel_checked(message_id: int, now: datetime, by: str) -> Message | None:
    """A person decided not to send it: it fails (a campaign's step takes its failure path,
    `outreach.messaging.signals.message_failed`)."""
    with transaction.atomic():
        message = _checked(message_id)
        if message is None:
            return None
        message.status = S.FAILED
        message.status_at = now
        message.error_code = "not_sent"
        message.note = f"niet verstuurd, besloten door {by}"[:200]
        message.save(update_fields=["status", "status_at", "error_code", "note"])
    signals.failed(message.step_id, message.case_id, message.to, "", now, message.note)
    return message

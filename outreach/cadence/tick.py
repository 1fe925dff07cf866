"""One tick of the scheduler: claim what is due and hand it to the workers.

The tick itself performs nothing: it claims new cases and due steps in batches and enqueues
their ids, so its cost follows the work that is due, not the work that is waiting.
"""

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings

from outreach.cadence.claims import claim_due_steps, claim_new_cases

Enqueue = Callable[[Sequence[int]], object]

CASE_BATCH = 100
CASE_LIMIT = 10_000


@dataclass
class TickReport:
    cases: int = 0
    steps: int = 0
    tasks: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def chunks(ids: Sequence[int], size: int) -> list[Sequence[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def tick(now: datetime, start_cases: Enqueue, execute_steps: Enqueue) -> TickReport:
    lease = timedelta(seconds=settings.OUTREACH_STEP_LEASE_SECONDS)
    report = TickReport()
    case_ids = claim_new_cases(now, lease, CASE_LIMIT)
    for batch in chunks(case_ids, CASE_BATCH):
        start_cases(batch)
        report.tasks += 1
    report.cases = len(case_ids)
    step_ids = claim_due_steps(now, lease, settings.OUTREACH_TICK_LIMIT)
    for batch in chunks(step_ids, settings.OUTREACH_STEP_BATCH):
        execute_steps(batch)
        report.tasks += 1
    report.steps = len(step_ids)
    return report

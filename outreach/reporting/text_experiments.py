"""The households of a text experiment (outreach.messaging.texts.experiments) as rows for the
experiments' results view: one row per household of the municipality that got a message in the
experiment, with its variant, its segments, and whether it was reached and accepted help.

The rows have the shape the campaign experiments' counting takes (variant, segments, reached,
accepted), so one results view serves both. Definitions, the same as for a campaign
experiment and the dashboard's (outreach.reporting.casefacts):
- the household's variant: the one recorded on its messages in the experiment (a household
  stays in its variant, so they agree; the first message's counts);
- its cases: those that got a message in the experiment by `now`;
- reached: one of those cases is followed up and has an attempt registered as reached (DDAS
  `bereikt`) by `now`; accepted: one of them is followed up and its offer of help was
  accepted (whenever, by `now`). Both are fractions of all the variant's households;
- segments: "kind", the kind of its first case in the experiment (single, multiple,
  consecutive: Case.Kind), and "age", the age group of that case's first signal's person on
  the day the case came in (AGE_GROUPS; "unknown" without a birth date, and after
  anonymisation).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from outreach.casework.models import Case, ContactAttempt, HelpOffer
from outreach.core.ddas import FOLLOWED_UP
from outreach.core.models import Municipality
from outreach.intake.matching import age_on
from outreach.intake.models import Signal
from outreach.messaging.models import Message
from outreach.reporting.segments import UNKNOWN

KIND, AGE = "kind", "age"
# (upper bound in whole years, exclusive; key): the young (up to 27, who get other texts and
# channels), the pensioners (67 and older) and everyone in between.
AGE_GROUPS: tuple[tuple[int | None, str], ...] = (
    (27, "under_27"),
    (67, "27_66"),
    (None, "67_plus"),
)


def age_group(age: int | None) -> str:
    """The group of an age in whole years; UNKNOWN without one."""
    if age is None:
        return UNKNOWN
    return next(key for limit, key in AGE_GROUPS if limit is None or age < limit)


@dataclass(frozen=True, slots=True)
class HouseholdRow:
    """One household of an experiment: its variant, its segments (dimension -> value), and
    whether it was reached and accepted help."""

    variant: str
    segments: dict[str, str]
    reached: bool
    accepted: bool


def text_experiment_rows(
    municipality: Municipality, experiment: str, now: datetime
) -> list[HouseholdRow]:
    """The rows of the municipality's households in the text experiment named `experiment`,
    as of `now`, ordered by household (see the module's docstring). Five queries, however many
    households."""
    today = timezone.localdate(now)
    messages = Message.objects.filter(
        text_experiment=experiment, case__municipality=municipality, created_at__lte=now
    )
    variant_of: dict[int, str] = {}
    first_case: dict[int, int] = {}
    cases_of: dict[int, set[int]] = {}
    for household, case, variant in messages.order_by("created_at", "pk").values_list(
        "case__household_id", "case_id", "text_variant"
    ):
        variant_of.setdefault(household, variant)
        first_case.setdefault(household, case)
        cases_of.setdefault(household, set()).add(case)
    in_it = messages.values("case_id")
    followed = set(
        Signal.objects.filter(case_id__in=in_it, status__in=FOLLOWED_UP).values_list(
            "case_id", flat=True
        )
    )
    reached = (
        set(
            ContactAttempt.objects.filter(case_id__in=in_it, reached=True, date__lte=today)
            .values_list("case_id", flat=True)
            .distinct()
        )
        & followed
    )
    accepted = (
        set(
            HelpOffer.objects.filter(case_id__in=in_it, answer=HelpOffer.Answer.ACCEPTED)
            .filter(Q(answered_on__isnull=True) | Q(answered_on__lte=today))
            .values_list("case_id", flat=True)
        )
        & followed
    )
    firsts = set(first_case.values())
    kinds = dict(Case.objects.filter(id__in=firsts).values_list("id", "kind"))
    ages = _ages(firsts)
    return [
        HouseholdRow(
            variant=variant_of[household],
            segments={
                KIND: kinds.get(first_case[household], UNKNOWN),
                AGE: age_group(ages.get(first_case[household])),
            },
            reached=bool(cases_of[household] & reached),
            accepted=bool(cases_of[household] & accepted),
        )
        for household in sorted(variant_of)
    ]


def _ages(case_ids: set[int]) -> dict[int, int | None]:
    """Per case, the age of its first signal's person on the day it came in (the rule of
    outreach.intake.received: the earliest followed-up signal, else the earliest)."""
    first: dict[int, tuple[bool, datetime, int, date | None]] = {}
    for case, status, received, pk, birth in Signal.objects.filter(
        case_id__in=case_ids
    ).values_list("case_id", "status", "received_at", "id", "person__birth_date"):
        key = (status not in FOLLOWED_UP, received, pk, birth)
        if case not in first or key[:3] < first[case][:3]:
            first[case] = key
    return {
        case: age_on(birth, timezone.localdate(received)) if birth is not None else None
        for case, (_, received, _, birth) in first.items()
    }

"""The groups a supervisor compares cases by, and how the dashboard names them (in Dutch).

Choices (the issue leaves them to us):
- partner type: the partner type of the case's first signal (outreach.intake.received), the
  signal the statutory clock runs from; a case with signals of several partners is a
  "meervoudig" case and shows as such by its kind.
- age band: the age of the first signal's person on the day the case was received, from
  Person.birth_date; unknown when the partner gave no birth date, and once the person is
  anonymised (after the retention period; outreach.privacy.retention).
- language: the first signal's person's preferred language; none recorded is Dutch (the
  default every text is sent in) or unknown, and so is an anonymised person.
- postcode area: the four digits of the household's postcode (kept after anonymisation).
"""

from outreach.casework.models import Case
from outreach.core.ddas import Dagdeel
from outreach.core.languages import LANGUAGE_NAMES

# (upper bound in whole years, exclusive; key). The last band has no upper bound.
AGE_BANDS: tuple[tuple[int | None, str], ...] = (
    (27, "under_27"),
    (45, "27_44"),
    (67, "45_66"),
    (None, "67_plus"),
)
UNKNOWN = "unknown"
AGE_LABELS = {
    "under_27": "jonger dan 27",
    "27_44": "27 tot en met 44",
    "45_66": "45 tot en met 66",
    "67_plus": "67 en ouder",
    UNKNOWN: "onbekend",
}
AGE_ORDER = [key for _, key in AGE_BANDS] + [UNKNOWN]


def age_band(age: int | None) -> str:
    """The band of an age in whole years; UNKNOWN without one."""
    if age is None:
        return UNKNOWN
    return next(key for limit, key in AGE_BANDS if limit is None or age < limit)


LANGUAGE_LABELS = {"": "Nederlands of onbekend", **LANGUAGE_NAMES}

ATTEMPT_BUCKETS = ("0", "1", "2", "3", "4+")
DAGDEEL_ORDER = list(Dagdeel.values)
SYSTEM = "systeem"  # attempts the engine registered (ContactAttempt.made_by None)


# Looked up once: the late cases' list names a state for each of its hundreds of rows.
KIND_LABELS = {kind.value: str(kind.label) for kind in Case.Kind}
STATE_LABELS = {state.value: str(state.label) for state in Case.State}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state)


def language_label(code: str) -> str:
    return LANGUAGE_LABELS.get(code, code)


def campaign_label(campaign: str) -> str:
    return campaign or "geen campagne"


def area_label(area: str) -> str:
    return area or "onbekend"

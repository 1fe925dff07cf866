"""The response model: whether a contact attempt reaches the person, and whether a reached person
accepts help. The simulator asks it where a real citizen would answer; nothing in the engine
knows it is simulated, and another model with the same two methods replaces this one.

The defaults are calibrated on the national figures (DOMAIN.md, "What reaches people"):

- 42% of households can be reached at all (`open_share`); the rest cannot by any means (moved,
  wrong details, never answer). With the other defaults a persistent mixed sequence (letter,
  SMS, two calls, a visit) then reaches about 40%: four or more attempts reach 37% (Divosa 2022).
- A first attempt reaches an open person with `first_contact[kind]`. For letters 0.119, so that
  one letter makes contact 5% of the time (0.42 x 0.119), the national share for letters; in
  the same way SMS/WhatsApp 0.167 (7%) and e-mail 0.238 (10%).
- A repeat of the same kind reaches less (`repeat_factor[kind]`): the second letter is mostly
  left unopened. With 0.2 for letters, two letters reach 5.9% (letters only: 6%, Divosa 2022).
- Calls and visits reach an open person at 0.55 a first attempt. The national 38% (phone) and
  37% (visit) per attempt count attempts on people chosen for them; the simulator tries them
  on everyone still unreached, closed households included, so its share per attempt is lower.
- The dagdeel matters for calls and visits (`dagdeel_factor`): evenings find the working
  (Ombudsman 2024, §5.2: vary the time of day, also outside office hours). An assumption, not a
  national figure.
- Segments: young people answer SMS/WhatsApp and ignore letters; pensioners pick up the phone
  (`segment_factor`). Assumptions from the same report, not national figures.
- A reached person accepts help with `acceptance` 0.37 (35-39% of those reached, §5.4-5.5).

Every draw is a hash of the seed, the household and the attempt (common random numbers): the
same household in two campaigns answers the same first letter the same way, so a comparison of
campaigns is paired and its difference is not noise of the draws.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Protocol

from outreach.core.ddas import ContactKind, Dagdeel

YOUNG, ADULT, SENIOR = "young", "adult", "senior"
SEGMENTS = (YOUNG, ADULT, SENIOR)


@dataclass(frozen=True)
class Person:
    """What the model knows of a generated household's contact person."""

    key: str  # stable across campaigns: the pairing of the comparison
    segment: str = ADULT


@dataclass(frozen=True)
class Attempt:
    kind: str  # a DDAS ContactKind value
    dagdeel: str  # a DDAS Dagdeel value
    repeat: int = 1  # 1 for the first attempt of this kind on this person, 2 for the second...


class ResponseModel(Protocol):
    def reaches(self, person: Person, attempt: Attempt) -> bool: ...

    def accepts(self, person: Person) -> bool: ...


def _first_contact() -> dict[str, float]:
    return {
        ContactKind.LETTER.value: 0.119,
        ContactKind.CARD.value: 0.119,
        ContactKind.MAIL.value: 0.238,
        ContactKind.SMS_WHATSAPP.value: 0.167,
        ContactKind.PHONE.value: 0.55,
        ContactKind.HOME_VISIT.value: 0.55,
        ContactKind.OTHER.value: 0.30,
        ContactKind.ADMINISTRATIVE.value: 0.0,
    }


def _repeat_factor() -> dict[str, float]:
    return {
        ContactKind.LETTER.value: 0.2,
        ContactKind.CARD.value: 0.2,
        ContactKind.MAIL.value: 0.5,
        ContactKind.SMS_WHATSAPP.value: 0.6,
        ContactKind.PHONE.value: 0.8,
        ContactKind.HOME_VISIT.value: 0.8,
        ContactKind.OTHER.value: 0.5,
        ContactKind.ADMINISTRATIVE.value: 0.0,
    }


def _dagdeel_factor() -> dict[tuple[str, str], float]:
    return {
        (ContactKind.PHONE.value, Dagdeel.MORNING.value): 0.9,
        (ContactKind.PHONE.value, Dagdeel.EVENING.value): 1.15,
        (ContactKind.HOME_VISIT.value, Dagdeel.MORNING.value): 0.85,
        (ContactKind.HOME_VISIT.value, Dagdeel.EVENING.value): 1.2,
    }


def _segment_factor() -> dict[tuple[str, str], float]:
    return {
        (YOUNG, ContactKind.SMS_WHATSAPP.value): 2.0,
        (YOUNG, ContactKind.LETTER.value): 0.6,
        (SENIOR, ContactKind.SMS_WHATSAPP.value): 0.5,
        (SENIOR, ContactKind.PHONE.value): 1.1,
    }


@dataclass(frozen=True)
class CalibratedModel:
    """The default model; see the module's docstring for what calibrates each parameter."""

    seed: int = 0
    open_share: float = 0.42
    first_contact: dict[str, float] = field(default_factory=_first_contact)
    repeat_factor: dict[str, float] = field(default_factory=_repeat_factor)
    dagdeel_factor: dict[tuple[str, str], float] = field(default_factory=_dagdeel_factor)
    segment_factor: dict[tuple[str, str], float] = field(default_factory=_segment_factor)
    acceptance: float = 0.37

    def chance(self, person: Person, attempt: Attempt) -> float:
        """The chance that this attempt reaches this person, if the person is open to contact."""
        chance = self.first_contact.get(attempt.kind, 0.0)
        chance *= self.repeat_factor.get(attempt.kind, 1.0) ** (attempt.repeat - 1)
        chance *= self.dagdeel_factor.get((attempt.kind, attempt.dagdeel), 1.0)
        chance *= self.segment_factor.get((person.segment, attempt.kind), 1.0)
        return min(1.0, chance)

    def is_open(self, person: Person) -> bool:
        return self._draw("open", person.key) < self.open_share

    def reaches(self, person: Person, attempt: Attempt) -> bool:
        if not self.is_open(person):
            return False
        draw = self._draw("reach", person.key, attempt.kind, str(attempt.repeat))
        return draw < self.chance(person, attempt)

    def accepts(self, person: Person) -> bool:
        return self._draw("accept", person.key) < self.acceptance

    def _draw(self, *parts: str) -> float:
        """A uniform number in [0, 1), the same for the same seed and parts."""
        text = "\x00".join((str(self.seed), *parts))
        digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2**64

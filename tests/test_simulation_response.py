"""The response model on its own: calibrated on the national figures, paired across campaigns."""

from outreach.core.ddas import ContactKind, Dagdeel
from outreach.simulation.response import ADULT, YOUNG, Attempt, CalibratedModel, Person

LETTER, PHONE, SMS = (
    ContactKind.LETTER.value,
    ContactKind.PHONE.value,
    ContactKind.SMS_WHATSAPP.value,
)
AFTERNOON, EVENING = Dagdeel.AFTERNOON.value, Dagdeel.EVENING.value
PEOPLE = [Person(f"household-{i}") for i in range(40_000)]


def reach(model: CalibratedModel, attempts: list[Attempt], people=PEOPLE) -> float:
    reached = sum(any(model.reaches(p, a) for a in attempts) for p in people)
    return reached / len(people)


def test_two_letters_reach_about_six_percent_as_letters_only_do_nationally() -> None:
    letters = [Attempt(LETTER, AFTERNOON, 1), Attempt(LETTER, AFTERNOON, 2)]
    # 40,000 households: a standard error of 0.12 percentage points around the model's 5.9%.
    assert 0.055 <= reach(CalibratedModel(seed=1), letters) <= 0.065


def test_one_letter_makes_contact_about_five_percent_of_the_time() -> None:
    assert 0.045 <= reach(CalibratedModel(seed=2), [Attempt(LETTER, AFTERNOON)]) <= 0.055


def test_persistent_mixed_attempts_reach_far_more_but_not_the_closed_half() -> None:
    intensive = [
        Attempt(LETTER, AFTERNOON),
        Attempt(SMS, AFTERNOON),
        Attempt(PHONE, AFTERNOON),
        Attempt(PHONE, EVENING, 2),
        Attempt(ContactKind.HOME_VISIT.value, EVENING),
    ]
    found = reach(CalibratedModel(seed=3), intensive)
    assert 0.35 <= found <= 0.42  # 4+ attempts reach about 37% nationally; the closed never


def test_the_same_household_answers_the_same_attempt_alike_in_every_campaign() -> None:
    model = CalibratedModel(seed=4)
    first = [model.reaches(p, Attempt(LETTER, AFTERNOON)) for p in PEOPLE[:2_000]]
    again = [model.reaches(p, Attempt(LETTER, AFTERNOON)) for p in PEOPLE[:2_000]]
    assert first == again and any(first)
    # Another seed is another population.
    other = CalibratedModel(seed=5)
    assert first != [other.reaches(p, Attempt(LETTER, AFTERNOON)) for p in PEOPLE[:2_000]]


def test_segments_and_dagdelen_change_the_chance_as_documented() -> None:
    model = CalibratedModel()
    young, adult = Person("a", YOUNG), Person("b", ADULT)
    assert model.chance(young, Attempt(SMS, AFTERNOON)) == 2 * model.chance(
        adult, Attempt(SMS, AFTERNOON)
    )
    assert model.chance(adult, Attempt(PHONE, EVENING)) > model.chance(
        adult, Attempt(PHONE, AFTERNOON)
    )


def test_about_37_percent_of_those_reached_accept_help() -> None:
    model = CalibratedModel(seed=6)
    accepted = sum(model.accepts(p) for p in PEOPLE) / len(PEOPLE)
    assert 0.36 <= accepted <= 0.38

"""The generated households: the issue's mix, the same rows for the same seed."""

from collections import Counter
from datetime import date

from outreach.simulation.households import delivery_day, generate, segment, signal_days
from outreach.simulation.response import ADULT, SENIOR, YOUNG


def test_two_thirds_of_the_households_get_a_single_signal_and_deliveries_are_working_days(tmp_path):
    generated = generate(3000, date(2026, 2, 2), 120, seed=4, folder=tmp_path)
    assert generated.signals == 3000
    per_household = Counter()
    for day, rows in generated.deliveries:
        assert day.weekday() < 5
        for row in rows:
            f = row.fields
            per_household[(f["postcode"].replace(" ", "").upper(), f["huisnummer"])] += 1
    # Addresses as partners write them vary a little; the share is about the households.
    singles = sum(1 for n in Counter(per_household.values()).elements() if n == 1)
    share = Counter(per_household.values())[1] / len(per_household)
    assert 0.6 <= share <= 0.75, share
    assert singles
    last = max(day for day, _ in generated.deliveries)
    assert (last - date(2026, 2, 2)).days <= signal_days(120) + 3


def test_the_same_seed_gives_the_same_rows_another_seed_others(tmp_path):
    one = generate(200, date(2026, 2, 2), 60, seed=1, folder=tmp_path / "a")
    two = generate(200, date(2026, 2, 2), 60, seed=1, folder=tmp_path / "b")
    three = generate(200, date(2026, 2, 2), 60, seed=2, folder=tmp_path / "c")
    assert (tmp_path / "a" / "signals.csv").read_bytes() == (
        tmp_path / "b" / "signals.csv"
    ).read_bytes()
    assert one.persons == two.persons != three.persons


def test_segments_and_delivery_days():
    on = date(2026, 2, 2)
    assert segment(date(2000, 1, 1), on) == YOUNG
    assert segment(date(1990, 1, 1), on) == ADULT
    assert segment(date(1955, 1, 1), on) == SENIOR
    assert delivery_day(date(2026, 2, 6)) == date(2026, 2, 9)  # Friday's signal: Monday
    assert signal_days(120) == 85 and signal_days(30) == 15

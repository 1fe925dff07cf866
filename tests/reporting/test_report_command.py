"""`outreach report`: the figures of a period, agreeing with `outreach cases --json` for the same
cases; and its errors."""

import json
from collections import Counter
from datetime import date, datetime
from typing import Any

import pytest
from django.core.management.base import CommandError

from outreach.cadence.outcomes import record_task_outcome
from outreach.casework.models import Case, Task
from outreach.casework.offers import register_offer
from outreach.casework.steering import register_attempt
from outreach.core.ddas import FOLLOWED_UP
from outreach.intake.models import Signal
from outreach.reporting.stats import Rate
from tests.cadence.conftest import campaign_dir, engine, ingest  # noqa: F401  (fixtures)
from tests.casework.conftest import sanne  # noqa: F401  (fixture)
from tests.conftest import AMSTERDAM, municipality_with_contact, signal_row

START, END = "2026-03-01", "2026-04-30"


def at(day: str, clock: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMSTERDAM)


def receive(municipality, when: datetime, **values: Any) -> Case:
    """One signal taken in through the intake at `when`; its case."""
    row = signal_row(signaaldatum=when.date().isoformat(), ontstaansdatum="2026-01-05", **values)
    ingest([row], municipality, when)
    return Signal.objects.get(partner_ref=row["id"]).case


def address(n: int) -> dict[str, str]:
    return {"postcode": f"35{n:02d}AB", "huisnummer": str(n), "achternaam": f"Jansen{n}"}


@pytest.fixture
def period_data(municipality, campaign_dir, engine, sanne):  # noqa: F811
    """Cases received before, in and after March-April 2026 in Utrecht, one in Amersfoort;
    attempts of every kind the engine and caseworkers make, reached and not, in every dagdeel;
    an accepted offer, a crisis case, a late one and one closed at screening."""
    other = municipality_with_contact("0307", "Amersfoort")
    before = receive(municipality, at("2026-02-27"), **address(1))
    receive(other, at("2026-03-02"), **address(2))
    accepted = receive(municipality, at("2026-03-02"), **address(3))
    unreached = receive(municipality, at("2026-03-02", "11:00"), **address(4))
    receive(municipality, at("2026-03-03"), bedrag="10,00", **address(5))  # under the threshold
    engine(at("2026-03-02", "11:30"))  # letters
    engine(at("2026-03-05", "14:00"))  # SMS
    engine(at("2026-03-09", "09:30"))  # calls planned
    for task in Task.objects.filter(case=unreached, kind="phone"):
        record_task_outcome(task, "not_reached", at("2026-03-09", "16:00"), sanne)
    register_attempt(accepted, kind="Telefoon", on=date(2026, 3, 9), dagdeel="Avond",
                     reached=True, now=at("2026-03-09", "19:30"), user=sanne)  # fmt: skip
    register_offer(accepted, made_on=date(2026, 3, 9), kind="Telefoon", answer="accepted",
                   now=at("2026-03-09", "19:40"), user=sanne)  # fmt: skip
    crisis = receive(municipality, at("2026-03-20"), crisissignaal="ja", **address(6))
    engine(at("2026-03-20", "10:30"))
    register_attempt(crisis, kind="Huisbezoek", on=date(2026, 3, 24), dagdeel="Middag",
                     reached=False, now=at("2026-03-24", "15:00"), user=sanne)  # fmt: skip
    engine(at("2026-04-01", "09:30"))
    receive(municipality, at("2026-04-10"), **address(9))  # never approached: late
    # Received on the period's last day, late in the evening: it counts.
    receive(municipality, at("2026-04-30", "23:30"), **address(7))
    receive(municipality, at("2026-05-01", "08:00"), **address(8))  # after the period
    assert before.pk
    return municipality


def recompute(cases: list[dict[str, Any]], today: date) -> dict[str, Any]:
    """The report's numbers worked out from `outreach cases --json` alone (and, for whether a
    case is followed up, its signals' statuses)."""
    chosen = [
        c for c in cases if c["municipality"] == "0344" and START <= (c["received"] or "") <= END
    ]
    attempts = [a for c in chosen for a in c["attempts"]]
    per_case = Counter(min(len(c["attempts"]), 4) for c in chosen)

    def tallies(key: str) -> dict[str, dict[str, int]]:
        counts = Counter(a[key] for a in attempts)
        reached = Counter(a[key] for a in attempts if a["reached"])
        return {k: {"attempts": n, "reached": reached[k]} for k, n in counts.items()}

    followed = [
        c
        for c in chosen
        if Signal.objects.filter(partner_ref__in=c["signals"], status__in=FOLLOWED_UP).exists()
    ]
    due = met = 0
    for c in followed:
        first = min((a["date"] for a in c["attempts"]), default=None)
        if first is not None or date.fromisoformat(c["deadline"]) < today:
            due += 1
            met += first is not None and first <= c["deadline"]

    def reached(c: dict[str, Any]) -> bool:
        return any(a["reached"] for a in c["attempts"])

    def accepted(c: dict[str, Any]) -> bool:
        return (c["offer"] or {}).get("answer") == "accepted"

    return {
        "cases": len(chosen),
        "followed_up": len(followed),
        "attempts": len(attempts),
        "attempts_per_case": {
            "0": per_case[0],
            "1": per_case[1],
            "2": per_case[2],
            "3": per_case[3],
            "4+": per_case[4],
        },
        "per_channel": tallies("kind"),
        "per_dagdeel": tallies("dagdeel"),
        "reached_cases": sum(reached(c) for c in chosen),
        "accepted_cases": sum(accepted(c) for c in chosen),
        "reached": Rate(sum(reached(c) for c in followed), len(followed)).as_dict(),
        "accepted": Rate(sum(accepted(c) for c in followed), len(followed)).as_dict(),
        "deadline_met": met / due if due else None,
        "late_cases": due - met,
    }


def test_report_agrees_with_the_cases_listing(period_data, run_command, now):
    cases = json.loads(run_command("cases", "--json"))
    out = run_command("report", "--municipality", "0344", "--from", START, "--to", END,
                      "--now", now.isoformat(), "--json")  # fmt: skip
    figures = json.loads(out)
    expected = recompute(cases, now.date())
    assert {key: figures[key] for key in expected} == {
        **expected,
        "per_channel": figures["per_channel"],  # compared below, order aside
        "per_dagdeel": figures["per_dagdeel"],
    }
    assert figures["per_channel"] == expected["per_channel"]
    assert figures["per_dagdeel"] == expected["per_dagdeel"]
    # The data is as varied as the test means it to be.
    assert figures["cases"] == 6 and figures["followed_up"] == 5
    assert {"Brief", "SMS/Whatsapp", "Telefoon", "Huisbezoek"} <= set(figures["per_channel"])
    assert set(figures["per_dagdeel"]) == {"Ochtend", "Middag", "Avond"}
    assert figures["reached_cases"] == 1 and figures["accepted_cases"] == 1
    assert figures["deadline_met"] == 0.75 and figures["late_cases"] == 1
    assert len({c["municipality"] for c in cases}) == 2
    assert any(c["received"] < START for c in cases) and any(c["received"] > END for c in cases)


def test_report_without_json_prints_a_summary(period_data, run_command, now):
    out = run_command("report", "--municipality", "0344", "--from", START, "--to", END,
                      "--now", now.isoformat())  # fmt: skip
    assert "0344, cases received 2026-03-01 to 2026-04-30" in out
    assert "cases: 6 (5 followed up)" in out
    assert "Telefoon 1/" in out and "help accepted: 1 of 5" in out


def test_an_empty_period_reports_zeros(run_command, municipality, now):
    figures = json.loads(
        run_command("report", "--municipality", "0344", "--from", START, "--to", END, "--json")
    )
    assert figures["cases"] == 0 and figures["attempts"] == 0
    assert figures["attempts_per_case"] == {"0": 0, "1": 0, "2": 0, "3": 0, "4+": 0}
    assert figures["per_channel"] == {} and figures["deadline_met"] is None
    assert figures["reached"]["fraction"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--municipality", "9998", "--from", START, "--to", END], "no municipality with code"),
        (["--municipality", "0344", "--from", END, "--to", START], "after it ends"),
        (["--municipality", "0344", "--from", "1-3-2026", "--to", END], "--from '1-3-2026'"),
        (["--municipality", "0344", "--from", START, "--to", "2026-04-31"], "--to '2026-04-31'"),
        (["--municipality", "0344", "--from", START, "--to", END, "--now", "gisteren"], "--now"),
    ],
)
def test_report_errors_are_clear(run_command, municipality, args, message):
    with pytest.raises(CommandError, match=message):
        run_command("report", *args)

"""The dashboard's simulation form: the command's bounds, the municipality's campaigns, and an
error per field that says which field and why."""

from pathlib import Path

import pytest
from django.conf import settings

from outreach.simulation import options
from outreach.simulation.forms import SimulationForm
from outreach.simulation.runs import Choice

pytestmark = pytest.mark.django_db

VALID = {"campaigns": ["letters-only", "intensive"], "signals": "300", "days": "30", "seed": "7"}


def form(**changes: object) -> SimulationForm:
    data = {**VALID, **changes}
    return SimulationForm(
        {k: v for k, v in data.items() if v is not None}, municipality_code="0344"
    )


def test_a_valid_form_gives_the_options_with_the_capacity_in_the_engines_words():
    valid = form(calls="25", visits="")
    assert valid.is_valid(), valid.errors
    assert valid.choice() == Choice(
        campaigns=["letters-only", "intensive"],
        signals=300,
        days=30,
        seed=7,
        capacity={"phone": 25},
    )


def test_without_a_capacity_the_municipalitys_own_applies():
    valid = form()
    assert valid.is_valid(), valid.errors
    assert valid.choice().capacity == {}


def test_the_campaigns_offered_are_the_municipalitys_effective_ones(tmp_path: Path, settings):
    shipped = Path(settings.BASE_DIR) / "campaigns"
    folder = tmp_path / "campaigns"
    folder.mkdir()
    for path in shipped.glob("*.toml"):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "0344").mkdir()
    (folder / "0344" / "utrechtse-aanpak.toml").write_bytes((shipped / "light.toml").read_bytes())
    (folder / "0307").mkdir()
    (folder / "0307" / "amersfoortse-aanpak.toml").write_bytes(
        (shipped / "light.toml").read_bytes()
    )
    settings.CAMPAIGNS_DIR = folder
    offered = [
        value for value, _ in SimulationForm(municipality_code="0344").fields["campaigns"].choices
    ]
    assert "utrechtse-aanpak" in offered and "letters-only" in offered
    assert "amersfoortse-aanpak" not in offered
    refused = form(campaigns=["amersfoortse-aanpak"])
    assert refused.errors["campaigns"] == [
        "Campagnes: amersfoortse-aanpak is geen campagne van deze gemeente."
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"campaigns": None}, "campaigns", "Campagnes: kies ten minste één campagne."),
        (
            {"signals": "0"},
            "signals",
            "Aantal signalen: vul een heel getal in van 1 tot en met 500.",
        ),
        (
            {"signals": "501"},
            "signals",
            "Aantal signalen: vul een heel getal in van 1 tot en met 500.",
        ),
        (
            {"signals": None},
            "signals",
            "Aantal signalen: dit veld is verplicht; vul een heel getal in van 1 tot en met 500.",
        ),
        (
            {"days": str(options.MIN_DAYS - 1)},
            "days",
            f"Aantal dagen: vul een heel getal in van {options.MIN_DAYS} tot en met "
            f"{options.MAX_DAYS}.",
        ),
        (
            {"days": "een maand"},
            "days",
            f"Aantal dagen: vul een heel getal in van {options.MIN_DAYS} tot en met "
            f"{options.MAX_DAYS}.",
        ),
        (
            {"calls": "-1"},
            "calls",
            "Telefoongesprekken per dag: vul een heel getal in van 0 tot en met 10.000.",
        ),
        (
            {"visits": "10001"},
            "visits",
            "Huisbezoeken per dag: vul een heel getal in van 0 tot en met 10.000.",
        ),
        (
            {"seed": "1,5"},
            "seed",
            "Startgetal: vul een heel getal in van 0 tot en met 999.999.999.",
        ),
    ],
)
def test_each_mistake_names_its_field_and_what_it_takes(settings, changes, field, message):
    settings.OUTREACH_SIMULATE_MAX_SIGNALS = 500
    refused = form(**changes)
    assert not refused.is_valid()
    assert refused.errors == {field: [message]}


def test_the_signals_are_never_capped_above_the_commands_own_limit(settings):
    settings.OUTREACH_SIMULATE_MAX_SIGNALS = options.MAX_SIGNALS * 10
    assert not form(signals=str(options.MAX_SIGNALS + 1)).is_valid()
    assert form(signals=str(options.MAX_SIGNALS)).is_valid()


def test_the_default_cap_is_twenty_thousand_signals():
    assert settings.OUTREACH_SIMULATE_MAX_SIGNALS == 20_000
    assert form(signals="20000").is_valid()
    assert not form(signals="20001").is_valid()

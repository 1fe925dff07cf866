"""The simulation's campaigns folder: every named campaign forced through the real framework."""

import tomllib
from pathlib import Path

import pytest
from django.conf import settings

from outreach.intake.weighing import load_framework
from outreach.simulation.policy import FRAMEWORK_FILE, PolicyError, forced, known_campaigns, prepare

SHARED = Path(settings.BASE_DIR) / "campaigns"


def test_each_campaign_gets_a_municipality_whose_framework_names_only_it(tmp_path):
    placed = prepare(SHARED, tmp_path, ["letters-only", "intensive"])
    assert [(p.campaign, p.code) for p in placed] == [
        ("letters-only", "9901"),
        ("intensive", "9902"),
    ]
    real = tomllib.loads((SHARED / FRAMEWORK_FILE).read_text())
    for sim in placed:
        text = (tmp_path / sim.code / FRAMEWORK_FILE).read_text()
        framework = tomllib.loads(text)
        assert {t["campaign"] for t in framework["tier"]} == {sim.campaign}
        assert {o["campaign"] for o in framework["override"]} == {sim.campaign}
        # Everything else is the real framework: rules, weights, tiers' names and scores.
        assert framework["rule"] == real["rule"]
        assert [(t["name"], t["min_score"]) for t in framework["tier"]] == [
            (t["name"], t["min_score"]) for t in real["tier"]
        ]
        assert load_framework(tmp_path / sim.code / FRAMEWORK_FILE).tiers
    assert (tmp_path / "intensive.toml").read_bytes() == (SHARED / "intensive.toml").read_bytes()


def test_a_municipality_s_own_campaigns_and_framework_are_what_is_simulated(tmp_path):
    source = tmp_path / "campaigns"
    source.mkdir()
    for path in SHARED.glob("*.toml"):
        (source / path.name).write_bytes(path.read_bytes())
    own = source / "0344"
    own.mkdir()
    (own / "huisbezoek.toml").write_bytes((SHARED / "intensive.toml").read_bytes())
    framework = (
        (SHARED / FRAMEWORK_FILE).read_text().replace("weight = 30\nlabel", "weight = 35\nlabel")
    )
    (own / FRAMEWORK_FILE).write_text(framework)
    assert "huisbezoek" in known_campaigns(source, "0344")
    assert "huisbezoek" not in known_campaigns(source, None)
    placed = prepare(source, tmp_path / "out", ["huisbezoek"], "0344")
    folder = tmp_path / "out" / placed[0].code
    assert (folder / "huisbezoek.toml").is_file()
    rules = tomllib.loads((folder / FRAMEWORK_FILE).read_text())["rule"]
    assert {r["id"]: r["weight"] for r in rules}["multiple_partners"] == 35


def test_an_unknown_campaign_is_named_with_the_known_ones(tmp_path):
    with pytest.raises(PolicyError) as error:
        prepare(SHARED, tmp_path, ["letters-only", "intensiv"])
    assert "'intensiv'" in str(error.value)
    assert "known: crisis, intensive, letters-only, light, standard, young" in str(error.value)
    with pytest.raises(PolicyError, match="named twice: light"):
        prepare(SHARED, tmp_path, ["light", "light"])
    with pytest.raises(PolicyError, match="four-digit"):
        prepare(SHARED, tmp_path, ["light"], "344")


def test_a_framework_the_rewrite_cannot_force_is_refused():
    inline = 'tier = [{name = "low", min_score = 0, campaign = "light"}]\n'
    with pytest.raises(PolicyError):
        forced(inline, "intensive")
    assert 'campaign = "intensive"  # kept' in forced(
        '[[tier]]\nname = "low"\nmin_score = 0\ncampaign = "light"  # kept\n', "intensive"
    )

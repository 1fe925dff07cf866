"""An experiment in a campaign file: its own checks, those across the set of files, and that
every variant meets the minimums of the campaign it stands in for; `check-campaigns` fails on
any of them. The example in docs/experiments passes on the shipped campaigns."""

import shutil
from pathlib import Path

import pytest

from outreach.cadence.campaigns import Experiment, Variant, parse_campaign
from outreach.cadence.checking import check_folder
from outreach.core.tomlfile import Problem
from tests.cadence.test_campaigns import SHIPPED
from tests.cadence.test_check_campaigns import check

# check-campaigns also reads the registered municipalities' contact details.
pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "experiments"
STEPS = """
label = "Twee brieven"
[[step]]
id = "letter"
channel = "letter"
after_days = 0
[[step]]
id = "letter2"
channel = "letter"
after_days = 7
"""


def experiment(*variants: str, head: str = 'id = "proef"') -> str:
    tables = "".join(f"\n[[experiment.variant]]\n{v}\n" for v in variants)
    return f"{STEPS}\n[experiment]\n{head}\n{tables}"


def variant(name: str, campaign: str, share: object = 1) -> str:
    return f'name = "{name}"\ncampaign = "{campaign}"\nshare = {share}'


def problems_of(text: str) -> list[tuple[str, str, str]]:
    found, problems = parse_campaign(text, "standard", "standard.toml")
    assert (found is None) == bool(problems)
    return [(p.location, p.field, p.message) for p in problems]


def test_an_experiment_is_read_with_its_variants_in_order():
    text = experiment(variant("controle", "standard"), variant("sms", "sms-first", 2.5))
    campaign, problems = parse_campaign(
        text.replace('id = "proef"', 'id = "proef"\nlabel = "Sms eerst?"'), "standard", "x.toml"
    )
    assert not problems and campaign is not None
    assert campaign.experiment == Experiment(
        "proef",
        "Sms eerst?",
        (Variant("controle", "standard", 1.0), Variant("sms", "sms-first", 2.5)),
    )
    assert campaign.experiment.shares() == [("controle", 1.0), ("sms", 2.5)]


def test_every_problem_of_an_experiment_is_reported_at_once():
    text = experiment(
        variant("Controle", "standard"),
        variant("sms", "Sms First", 0),
        variant("sms", "other", '"half"'),
        'name = "x"\ncampaign = "other"\nshare = 1\nweight = 2',
        head=f'id = "{"p" * 65}"\nowner = "me"',
    )
    assert problems_of(text) == [
        (
            "top level",
            "experiment.owner",
            "unknown key; allowed in an experiment: id, label, variant",
        ),
        ("top level", "experiment.id", "must be 64 characters or fewer, got 65"),
        (
            "experiment.variant[1] (name 'Controle')",
            "name",
            "must be lower case letters, digits, _ or -, got 'Controle'",
        ),
        (
            "experiment.variant[2] (name 'sms')",
            "campaign",
            "'Sms First' is not a campaign name like 'standard'",
        ),
        ("experiment.variant[2] (name 'sms')", "share", "must be above 0, got 0"),
        ("experiment.variant[3] (name 'sms')", "share", "must be a number, got 'half'"),
        (
            "experiment.variant[4] (name 'x')",
            "weight",
            "unknown key; allowed in a variant: name, campaign, share",
        ),
    ]


def test_an_experiment_needs_an_id_and_two_variants_named_once():
    assert problems_of(experiment(head='label = "x"')) == [
        ("top level", "experiment.id", "missing; must be a non-empty string"),
        (
            "top level",
            "experiment.variant",
            "missing; an experiment needs two or more [[experiment.variant]]",
        ),
    ]
    assert problems_of(experiment(variant("a", "standard"))) == [
        ("top level", "experiment.variant", "an experiment needs two or more variants to compare")
    ]
    assert problems_of(experiment(variant("a", "standard"), variant("a", "other"))) == [
        ("top level", "experiment.variant", "variant 'a' is named twice")
    ]


def write(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.toml").write_text(text)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "campaigns"
    shutil.copytree(SHIPPED, target)
    return target


def problems_in(folder: Path, municipality: str | None = None) -> list[Problem]:
    return list(check_folder(folder, municipality).problems)


def test_the_documented_example_passes_on_the_shipped_campaigns(folder):
    (folder / "standard.toml").write_text(
        (folder / "standard.toml").read_text()
        + (EXAMPLE / "experiment-for-standard.toml").read_text()
    )
    shutil.copy(EXAMPLE / "standard-sms-first.toml", folder)
    assert problems_in(folder) == []
    out, error = check("--dir", folder)
    assert error is None, out


def test_a_variant_must_exist_in_the_municipalitys_set_and_run_no_experiment_itself(folder):
    write(
        folder,
        "light",
        experiment(variant("a", "light"), variant("b", "standrad"), variant("c", "young")),
    )
    write(
        folder,
        "young",
        (folder / "young.toml").read_text()
        + '\n[experiment]\nid = "proef"\n[[experiment.variant]]\n'
        + variant("a", "young")
        + "\n[[experiment.variant]]\n"
        + variant("b", "standard"),
    )
    light = str(folder / "light.toml")
    young = str(folder / "young.toml")
    assert [(p.file, p.location, p.field, p.message) for p in problems_in(folder)] == [
        (
            light,
            "experiment.variant[2] (name 'b')",
            "campaign",
            "no campaign 'standrad' for this municipality; did you mean 'standard'? "
            "a variant runs a campaign file of the same set of files",
        ),
        (
            light,
            "experiment.variant[3] (name 'c')",
            "campaign",
            "'young' runs an experiment of its own ('proef'); a variant's campaign must not: "
            "no experiment within an experiment",
        ),
        (
            young,
            "experiment",
            "id",
            f"'proef' is already the id of the experiment in {light}; each experiment of a "
            "municipality needs an id of its own",
        ),
    ]
    _, error = check("--dir", folder)
    assert error is not None


def test_a_variant_may_name_a_campaign_of_the_municipalitys_own_folder(folder):
    write(folder, "light", (folder / "light.toml").read_text() + experiment_tail("eigen"))
    problem = "no campaign 'eigen' for this municipality"
    assert any(problem in p.message for p in problems_in(folder, "0344"))
    own = folder / "0344"
    own.mkdir()
    shutil.copy(folder / "standard.toml", own / "eigen.toml")
    assert problems_in(folder, "0344") == []
    # The shared set still lacks it: the municipalities without a folder of their own.
    assert any(problem in p.message for p in problems_in(folder))


def experiment_tail(other: str, control: str = "light", experiment_id: str = "proef") -> str:
    """An [experiment] for the end of the file of campaign `control`: it, and `other`."""
    return (
        f'\n[experiment]\nid = "{experiment_id}"\n[[experiment.variant]]\n'
        + variant("controle", control)
        + "\n[[experiment.variant]]\n"
        + variant("b", other)
    )


def test_every_variant_meets_the_minimums_of_the_campaign_it_stands_in_for(folder):
    # "light" passes as itself, but as a variant of the crisis campaign it is too slow and has
    # no call or visit; as a variant of "intensive" it lacks the personal attempt.
    for name in ("crisis", "intensive"):
        text = (folder / f"{name}.toml").read_text()
        write(folder, name, text + experiment_tail("light", name, f"proef-{name}"))
    found = [p for p in problems_in(folder) if p.file.endswith("light.toml")]
    as_crisis = (
        "; it runs as variant 'b' of experiment 'proef-crisis' in place of campaign 'crisis'"
    )
    as_intensive = (
        "; it runs as variant 'b' of experiment 'proef-intensive' in place of campaign 'intensive'"
    )
    messages = [(p.location, p.field, p.message) for p in found]
    assert (
        "top level",
        "step",
        "needs a planned personal attempt, a phone_task or visit_task "
        "(personal_attempt_for in requirements.toml)" + as_intensive,
    ) in messages
    assert any(m.endswith(as_crisis) and "crisis_max_days" in m for _, _, m in messages)
    _, error = check("--dir", folder)
    assert error is not None


def test_a_variant_that_falls_short_on_its_own_is_reported_once(folder):
    write(
        folder,
        "thin",
        STEPS.replace("after_days = 7\n", 'after_days = 7\nrequires = ["has_mobile"]\n'),
    )
    write(folder, "light", (folder / "light.toml").read_text() + experiment_tail("thin"))
    found = [p for p in problems_in(folder) if p.file.endswith("thin.toml")]
    assert len(found) == 1 and "min_attempts" in found[0].message

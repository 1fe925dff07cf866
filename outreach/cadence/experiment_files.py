"""What an experiment (a campaign's `[experiment]`, outreach.cadence.campaigns) asks of the
other files of a municipality's set: each variant's campaign exists in the same set (the
municipality's own folder overlaid on the shared one) and runs no experiment of its own, and
no two files of the set declare the same experiment id. The minimums every variant must meet
are outreach.cadence.requirements's.

Pure Python on purpose (no Django).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from outreach.cadence.campaigns import Campaign
from outreach.core.tomlfile import Problem, located, suggestion


def variant_location(index: int, name: str) -> str:
    """`experiment.variant[2] (name 'sms-eerst')`: 1-based, as the [[experiment.variant]] tables."""
    return located(f"experiment.variant[{index}]", "name", {"name": name})


def experiment_problems(
    campaigns: Mapping[str, Campaign], existing: Collection[str] | None = None
) -> list[Problem]:
    """Every way the experiments of one municipality's set of `campaigns` (by name) reach past
    their own file wrongly. `existing` names every campaign file of the set, also the invalid
    ones not in `campaigns` (default: the keys of `campaigns`): a variant naming an invalid file
    is that file's problem, not a second one here."""
    names = set(campaigns) if existing is None else set(existing)
    problems: list[Problem] = []
    declared: dict[str, str] = {}  # experiment id -> the file that declares it first
    for name in sorted(campaigns):
        campaign = campaigns[name]
        experiment = campaign.experiment
        if experiment is None:
            continue
        first = declared.setdefault(experiment.id, campaign.source)
        if first != campaign.source:
            problems.append(
                Problem(
                    campaign.source,
                    "experiment",
                    "id",
                    f"'{experiment.id}' is already the id of the experiment in {first}; "
                    "each experiment of a municipality needs an id of its own",
                )
            )
        for index, variant in enumerate(experiment.variants, start=1):
            if variant.campaign == name:
                continue  # the file itself: the campaign as it is
            where = variant_location(index, variant.name)
            other = campaigns.get(variant.campaign)
            if variant.campaign not in names:
                hint = suggestion(variant.campaign, sorted(names))
                problems.append(
                    Problem(
                        campaign.source,
                        where,
                        "campaign",
                        f"no campaign '{variant.campaign}' for this municipality; {hint}"
                        "a variant runs a campaign file of the same set of files",
                    )
                )
            elif other is not None and other.experiment is not None:
                problems.append(
                    Problem(
                        campaign.source,
                        where,
                        "campaign",
                        f"'{variant.campaign}' runs an experiment of its own "
                        f"('{other.experiment.id}'); a variant's campaign must not: "
                        "no experiment within an experiment",
                    )
                )
    return problems

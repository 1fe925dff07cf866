"""Everything `outreach check-campaigns` checks in a campaigns folder, every problem at once:

- every campaign file is valid (`outreach.cadence.campaigns`);
- every campaign the weighing framework (`afwegingskader.toml`) names has its file;
- `requirements.toml` is valid and the campaigns meet it (`outreach.cadence.requirements`):
  for one municipality, or the defaults and every municipality's overrides.

Pure Python on purpose (no Django).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from outreach.cadence.campaigns import (
    FRAMEWORK_FILE,
    REQUIREMENTS_FILE,
    CampaignError,
    campaign_files,
    read_campaigns,
)
from outreach.cadence.requirements import check_all, load_requirements
from outreach.core.tomlfile import Problem
from outreach.intake.weighing import FrameworkError, load_framework


@dataclass(frozen=True)
class CheckResult:
    campaigns: tuple[str, ...]  # every campaign file's name, valid or not, sorted
    problems: tuple[Problem, ...]  # grouped by file, in the order found within a file

    @property
    def ok(self) -> bool:
        return not self.problems


def check_folder(folder: Path, municipality: str | None = None) -> CheckResult:
    if not folder.is_dir():
        return CheckResult((), (Problem(str(folder), "", "", "no such directory"),))
    names = tuple(path.stem for path in campaign_files(folder))
    campaigns, problems = read_campaigns(folder)
    problems += framework_problems(folder / FRAMEWORK_FILE, names)
    try:
        requirement_set = load_requirements(folder / REQUIREMENTS_FILE)
    except CampaignError as exc:
        problems += exc.problems
    else:
        problems += check_all(campaigns, requirement_set, municipality, existing=names)
    return CheckResult(names, tuple(sorted(problems, key=lambda p: p.file)))


def framework_problems(path: Path, names: Collection[str]) -> list[Problem]:
    """The framework's own problems, or a problem for every campaign it names that is missing."""
    try:
        framework = load_framework(path)
    except FrameworkError as exc:
        return exc.problems
    named = [
        (f"tier[{i}] (name '{tier.name}')", tier.campaign)
        for i, tier in enumerate(framework.tiers, start=1)
    ] + [
        (f"override[{i}] (rule '{override.rule}')", override.campaign)
        for i, override in enumerate(framework.overrides, start=1)
    ]
    return [
        Problem(
            str(path),
            where,
            "campaign",
            f"names campaign '{name}' but there is no {name}.toml next to this file",
        )
        for where, name in named
        if name not in names
    ]

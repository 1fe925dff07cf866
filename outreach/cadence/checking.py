"""Everything `outreach check-campaigns` checks in a campaigns folder, every problem at once:

- every campaign file is valid (`outreach.cadence.campaigns`);
- every experiment's variants are campaigns of the same set that run no experiment of their
  own, and no two files declare one experiment id (`outreach.cadence.experiment_files`);
- every campaign the weighing framework (`afwegingskader.toml`) names has its file;
- `requirements.toml` is valid and the campaigns meet it (`outreach.cadence.requirements`);
- a municipality's own folder (`campaigns/<CBS code>/`, outreach.core.policy_folders) holds
  only its framework and campaign files, and its effective set (the shared files overlaid by
  its own) passes the same checks against its requirements.

For one municipality: its effective set. Without one: the shared set against the defaults and
the requirements of every municipality without a folder of its own, then every municipality
folder's effective set against its requirements (problems already found are not repeated).

Pure Python on purpose (no Django).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from outreach.cadence.campaigns import (
    FRAMEWORK_FILE,
    REQUIREMENTS_FILE,
    Campaign,
    CampaignError,
    load_campaign,
)
from outreach.cadence.experiment_files import experiment_problems
from outreach.cadence.overlay import effective_campaign_files
from outreach.cadence.requirements import RequirementSet, check_all, load_requirements
from outreach.core.policy_folders import effective_file, subfolders
from outreach.core.tomlfile import Problem
from outreach.intake.weighing import FrameworkError, load_framework


@dataclass(frozen=True)
class CheckResult:
    campaigns: tuple[str, ...]  # every campaign file's name, valid or not, sorted
    problems: tuple[Problem, ...]  # grouped by file, in the order found within a file
    # The municipality folders checked (with no municipality asked for).
    municipalities: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def check_folder(folder: Path, municipality: str | None = None) -> CheckResult:
    if not folder.is_dir():
        return CheckResult((), (Problem(str(folder), "", "", "no such directory"),))
    requirement_set, problems = _requirements(folder)
    codes, others = subfolders(folder)
    if municipality is not None:
        names, found = _check_set(folder, municipality, requirement_set, municipality)
        problems += found + _own_folder_problems(folder, municipality)
        return CheckResult(names, _ordered(problems))
    problems += [_not_a_code(folder, name) for name in others]
    # The shared set, against the requirements of everyone who uses it as it is.
    shared_users = None
    if requirement_set is not None:
        shared_users = RequirementSet(
            requirement_set.defaults,
            {c: r for c, r in requirement_set.municipalities.items() if c not in codes},
        )
    names, found = _check_set(folder, None, shared_users, None)
    problems += found
    for code in codes:
        problems += _check_set(folder, code, requirement_set, code)[1]
        problems += _own_folder_problems(folder, code)
    return CheckResult(names, _ordered(problems), tuple(codes))


def _check_set(
    folder: Path,
    code: str | None,
    requirement_set: RequirementSet | None,
    municipality: str | None,
) -> tuple[tuple[str, ...], list[Problem]]:
    """The campaign names and the problems of the set that applies to `code` (None: shared)."""
    files = effective_campaign_files(folder, code)
    names = tuple(files)
    campaigns: dict[str, Campaign] = {}
    problems: list[Problem] = []
    for name, path in files.items():
        campaign, found = load_campaign(path)
        problems += found
        if campaign is not None:
            campaigns[name] = campaign
    problems += experiment_problems(campaigns, names)
    framework = effective_file(folder, FRAMEWORK_FILE, code)
    shared = folder if framework.parent != folder else None
    problems += framework_problems(framework, names, shared)
    if requirement_set is not None:
        problems += check_all(campaigns, requirement_set, municipality, existing=names)
    return names, problems


def _requirements(folder: Path) -> tuple[RequirementSet | None, list[Problem]]:
    try:
        return load_requirements(folder / REQUIREMENTS_FILE), []
    except CampaignError as exc:
        return None, list(exc.problems)


def _own_folder_problems(folder: Path, code: str) -> list[Problem]:
    """What does not belong in a municipality's folder: the requirements are shared."""
    own = folder / code / REQUIREMENTS_FILE
    if not own.exists():
        return []
    return [
        Problem(
            str(own),
            "",
            "",
            f"requirements are shared, not per folder: move these values into "
            f'[municipality."{code}"] of {folder / REQUIREMENTS_FILE}',
        )
    ]


def _not_a_code(folder: Path, name: str) -> Problem:
    return Problem(
        str(folder / name),
        "",
        "",
        f"folder '{name}' is not a municipality: a municipality's own files go in a folder "
        "named by its four-digit CBS code, like 0363",
    )


def _ordered(problems: list[Problem]) -> tuple[Problem, ...]:
    """Each problem once (a municipality's set shares files with the shared set), by file."""
    return tuple(sorted(dict.fromkeys(problems), key=lambda p: p.file))


def framework_problems(
    path: Path, names: Collection[str], shared: Path | None = None
) -> list[Problem]:
    """The framework's own problems, or a problem for every campaign it names that is missing.
    `shared`: the shared folder, when `path` is a municipality's own framework."""
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
    where = "next to this file" if shared is None else f"next to this file or in {shared}"
    return [
        Problem(
            str(path),
            location,
            "campaign",
            f"names campaign '{name}' but there is no {name}.toml {where}",
        )
        for location, name in named
        if name not in names
    ]

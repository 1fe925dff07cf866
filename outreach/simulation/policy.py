"""The simulation's campaigns folder: each campaign named gets a simulated municipality of its
own, whose weighing framework is the real one with every tier and override naming that
campaign.

The real framework still decides everything else (the score, the tier, crisis and its three
working days, which signals make one case), so the simulated cases are weighed as the real
ones would be; only the campaign they get is forced. With a municipality's code, her own
folder (`campaigns/<code>/`: her own campaigns and framework) is copied into every simulated
municipality, so her campaigns are what is simulated.

Pure Python on purpose (no Django): the parent process prepares the folder before the
simulation's own process starts.
"""

import re
import shutil
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from outreach.cadence.overlay import effective_campaign_files
from outreach.core.policy_folders import effective_file, own_folder

FRAMEWORK_FILE = "afwegingskader.toml"
# The simulated municipalities' codes: 9901, 9902, ... (no CBS code starts with 99).
FIRST_CODE = 9901
_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"-]+)\s*\]\]?\s*(#.*)?$")
_CAMPAIGN = re.compile(r"^(\s*campaign\s*=\s*)(\"[^\"]*\"|'[^']*')(.*)$")
FORCED_TABLES = ("tier", "override")


class PolicyError(ValueError):
    """A campaign or a municipality the simulation cannot use, in words the command prints."""


@dataclass(frozen=True)
class Simulated:
    """A campaign and the simulated municipality that gets it."""

    campaign: str
    code: str


def known_campaigns(folder: Path, municipality: str | None) -> list[str]:
    """The campaigns a municipality (None: the shared set) can run, by name."""
    return sorted(effective_campaign_files(folder, municipality))


def prepare(
    source: Path,
    target: Path,
    campaigns: Sequence[str],
    municipality: str | None = None,
    first_code: int = FIRST_CODE,
) -> list[Simulated]:
    """Fill `target` (empty or absent) from the campaigns folder `source`: the shared files,
    and a folder per campaign named, as a simulated municipality. A municipality without a
    folder of her own runs the shared set. PolicyError when a campaign is unknown, named
    twice, or the framework cannot be forced."""
    try:
        own = own_folder(source, municipality)
    except ValueError as problem:
        raise PolicyError(str(problem)) from None
    known = known_campaigns(source, municipality)
    whose = f" for municipality {municipality}" if municipality else ""
    unknown = [name for name in campaigns if name not in known]
    if unknown:
        raise PolicyError(
            f"unknown campaign {', '.join(repr(n) for n in unknown)}{whose}; "
            f"known: {', '.join(known)}"
        )
    twice = sorted({name for name in campaigns if list(campaigns).count(name) > 1})
    if twice:
        raise PolicyError(f"campaign named twice: {', '.join(twice)}")
    framework = effective_file(source, FRAMEWORK_FILE, municipality).read_text(encoding="utf-8")
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.toml")):
        shutil.copy2(path, target / path.name)
    simulated = []
    for number, name in enumerate(campaigns):
        code = f"{first_code + number}"
        folder = target / code
        if own is not None and own.is_dir():
            shutil.copytree(own, folder, ignore=shutil.ignore_patterns(".*"))
        folder.mkdir(exist_ok=True)
        (folder / FRAMEWORK_FILE).write_text(forced(framework, name), encoding="utf-8")
        simulated.append(Simulated(name, code))
    return simulated


def forced(framework: str, campaign: str) -> str:
    """The framework's text with the campaign of every [[tier]] and [[override]] replaced by
    `campaign`; its rules, weights, tiers and comments unchanged."""
    lines = []
    table = ""
    for line in framework.splitlines(keepends=True):
        header = _HEADER.match(line)
        if header:
            table = header.group(1)
        elif table in FORCED_TABLES:
            found = _CAMPAIGN.match(line.rstrip("\r\n"))
            if found:
                ending = line[len(line.rstrip("\r\n")) :]
                line = f'{found.group(1)}"{campaign}"{found.group(3)}{ending}'
        lines.append(line)
    text = "".join(lines)
    _check_forced(text, campaign)
    return text


def _check_forced(text: str, campaign: str) -> None:
    """Every tier and override names `campaign`; else the file is written in a way this
    rewrite does not know (an inline table, a multi-line string)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        raise PolicyError(f"the weighing framework is not valid TOML: {problem}") from None
    for table in FORCED_TABLES:
        for entry in document.get(table, []):
            if isinstance(entry, dict) and entry.get("campaign", campaign) != campaign:
                raise PolicyError(
                    f"cannot force campaign {campaign!r}: a [[{table}]] of the weighing "
                    "framework names its campaign in a form the simulator does not rewrite "
                    '(write it as campaign = "name" on a line of its own)'
                )

"""The validated campaigns of `settings.CAMPAIGNS_DIR`, per municipality, loaded once per
version of the files.

A municipality's set is the shared files overlaid by its own folder (outreach.cadence.overlay);
a set whose experiments name campaigns it lacks is invalid as a whole
(outreach.cadence.experiment_files).
Each set is read again when one of its files is added, removed or changed (modification time
or size), so new plans follow an edited file without a restart; `reload()` forgets all. A
running plan does not follow: its steps keep the version they were planned from
(outreach.cadence.versions).
"""

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from outreach.cadence.campaigns import Campaign, CampaignError, Step, load_campaign
from outreach.cadence.experiment_files import experiment_problems
from outreach.cadence.overlay import effective_campaign_files
from outreach.core.policy_folders import relative_name
from outreach.intake.weighing import Problem


@dataclass(frozen=True)
class Snapshot:
    """One campaign file as read: what plans are made from and what their steps keep."""

    campaign: Campaign
    file: str  # relative to CAMPAIGNS_DIR: "intensive.toml", "0363/intensive.toml"
    digest: str  # SHA-256 of the bytes, hex
    text: str


Stamp = tuple[tuple[str, int, int], ...]

# (folder, code) -> (stamp of its files, its snapshots by campaign name)
_sets: dict[tuple[str, str | None], tuple[Stamp, dict[str, Snapshot]]] = {}
# (file, digest) -> campaign: every version this process read, for outreach.cadence.versions.
_versions: dict[tuple[str, str], Campaign] = {}
_lock = threading.Lock()


def snapshots_for(code: str | None = None) -> dict[str, Snapshot]:
    """The campaigns that apply to the municipality with this CBS code (None: the shared
    set), by name; CampaignError with every problem when one of its files is invalid."""
    folder = Path(settings.CAMPAIGNS_DIR)
    files = effective_campaign_files(folder, code)
    stamp = _stamp(files)
    key = (str(folder), code)
    cached = _sets.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    snapshots: dict[str, Snapshot] = {}
    problems: list[Problem] = []
    for name, path in files.items():
        snapshot, found = _read(folder, path)
        problems += found
        if snapshot is not None:
            snapshots[name] = snapshot
    if not problems:
        problems = experiment_problems({n: s.campaign for n, s in snapshots.items()})
    if problems:
        raise CampaignError(problems)
    with _lock:
        _sets[key] = (stamp, snapshots)
        for snapshot in snapshots.values():
            _versions[(snapshot.file, snapshot.digest)] = snapshot.campaign
    return snapshots


def campaigns_for(code: str | None = None) -> dict[str, Campaign]:
    return {name: s.campaign for name, s in snapshots_for(code).items()}


def all_campaigns() -> dict[str, Campaign]:
    """The shared campaigns (no municipality's own files)."""
    return campaigns_for(None)


def get_snapshot(name: str, code: str | None = None) -> Snapshot:
    snapshots = snapshots_for(code)
    if name not in snapshots:
        known = ", ".join(sorted(snapshots))
        whose = f" for municipality {code}" if code else ""
        raise LookupError(
            f"no campaign {name!r}{whose} in {settings.CAMPAIGNS_DIR} (known: {known})"
        )
    return snapshots[name]


def get_campaign(name: str, code: str | None = None) -> Campaign:
    return get_snapshot(name, code).campaign


def known_version(file: str, digest: str) -> Campaign | None:
    """The campaign of this version of a file, when this process read it."""
    return _versions.get((file, digest))


def remember_version(file: str, digest: str, campaign: Campaign) -> None:
    with _lock:
        _versions[(file, digest)] = campaign


def campaign_step(campaign: Campaign, key: str) -> Step | None:
    """The campaign's step by its key: the step id, after a switch "<campaign>.<id>" or
    "<campaign>#2.<id>" (outreach.cadence.upgrade; step ids have no dot); None for the
    engine's own steps (close, escalation)."""
    key = key.rpartition(".")[2]
    for step in campaign.steps:
        if step.id == key:
            return step
    return None


def sibling_key(key: str, step_id: str) -> str:
    """The key of another step of the same plan as the step keyed `key`."""
    prefix, dot, _ = key.rpartition(".")
    return f"{prefix}{dot}{step_id}"


def reload() -> None:
    """Read every set anew on next use."""
    with _lock:
        _sets.clear()
        _versions.clear()


def _stamp(files: dict[str, Path]) -> Stamp:
    stamp = []
    for path in files.values():
        try:
            info = path.stat()
        except OSError:
            stamp.append((str(path), -1, -1))  # gone meanwhile: the read reports it
        else:
            stamp.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(stamp)


def _read(folder: Path, path: Path) -> tuple[Snapshot | None, list[Problem]]:
    """The file's campaign with the exact bytes it was parsed from: read again when the file
    changed while it was parsed."""
    for _ in range(3):
        try:
            before = path.read_bytes()
        except OSError:
            before = b""
        campaign, problems = load_campaign(path)
        try:
            after = path.read_bytes()
        except OSError:
            after = b""
        if campaign is None or before != after:
            if before == after:
                return None, problems
            continue
        digest = hashlib.sha256(after).hexdigest()
        return Snapshot(campaign, relative_name(folder, path), digest, after.decode()), []
    return None, [Problem(str(path), "", "", "the file kept changing while it was read")]

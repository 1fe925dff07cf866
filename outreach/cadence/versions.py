"""Which campaign a planned step follows: the version of the file it was planned from.

Planning records each campaign file it uses as a `CampaignVersion` (its relative name, the
digest of its bytes, its text) and every step points at it, so an edited file changes new plans
only: a running plan keeps its templates, fallbacks and timings. Only an upgrade or a
caseworker's switch (outreach.cadence.upgrade) replaces a running plan, with the file as it is
then.

The engine resolves a batch of steps at once: the version's name and digest come with the
steps' own query (`with_versions`), and a version is parsed once per process (the library's
own reads count), so the engine adds no query per step and, in the steady state, none per batch.
Steps without a version (planned before versions were kept, and the escalation call) follow
the shared library by name.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db.models import F, QuerySet

from outreach.cadence import library
from outreach.cadence.campaigns import Campaign, CampaignError, parse_campaign
from outreach.cadence.library import Snapshot
from outreach.cadence.models import CampaignVersion, PlannedStep

log = logging.getLogger(__name__)

Version = tuple[str, str]  # (file, digest)


def version_ids(snapshots: Iterable[Snapshot], now: datetime) -> dict[Version, int]:
    """The version row of each snapshot, written the first time a plan uses it: one query when
    all exist, three when some are new."""
    wanted = {(s.file, s.digest): s for s in snapshots}
    if not wanted:
        return {}
    found = _existing(wanted)
    new = [s for key, s in wanted.items() if key not in found]
    if new:
        CampaignVersion.objects.bulk_create(
            [
                CampaignVersion(file=s.file, digest=s.digest, text=s.text, first_seen_at=now)
                for s in new
            ],
            ignore_conflicts=True,  # another process recorded it meanwhile
        )
        found = _existing(wanted)
    return found


def _existing(wanted: dict[Version, Snapshot]) -> dict[Version, int]:
    rows = CampaignVersion.objects.filter(digest__in={d for _, d in wanted}).values_list(
        "id", "file", "digest"
    )
    return {(file, digest): pk for pk, file, digest in rows if (file, digest) in wanted}


def with_versions(steps: QuerySet[PlannedStep]) -> QuerySet[PlannedStep]:
    """The steps with their version's file and digest, for `campaigns_of`, in the same query.
    (With `select_for_update`, lock `of=("self",)`: the version is outer-joined.)"""
    return steps.annotate(version_file=F("version__file"), version_digest=F("version__digest"))


def campaigns_of(steps: Sequence[PlannedStep]) -> dict[int, Campaign | None]:
    """Step id -> the campaign the step follows (None: the step's campaign is known nowhere,
    as an escalation of a campaign since removed; such a step has no campaign step)."""
    versions: dict[int, Version] = {}
    unannotated = [s.version_id for s in steps if s.version_id and not hasattr(s, "version_file")]
    if unannotated:
        versions = {
            pk: (file, digest)
            for pk, file, digest in CampaignVersion.objects.filter(
                id__in=set(unannotated)
            ).values_list("id", "file", "digest")
        }
    keys: dict[int, Version | None] = {}
    for step in steps:
        if step.version_id is None:
            keys[step.pk] = None
        elif hasattr(step, "version_file"):
            file, digest = step.version_file, getattr(step, "version_digest", "")
            keys[step.pk] = (file, digest) if file is not None else None
        else:
            keys[step.pk] = versions.get(step.version_id)
    parsed = _parsed({key for key in keys.values() if key is not None})
    by_name: dict[str, Campaign | None] = {}
    result: dict[int, Campaign | None] = {}
    for step in steps:
        key = keys[step.pk]
        campaign = parsed.get(key) if key is not None else None
        if campaign is None:
            if step.campaign not in by_name:
                by_name[step.campaign] = _by_name(step.campaign)
            campaign = by_name[step.campaign]
        result[step.pk] = campaign
    return result


def campaign_of(step: PlannedStep) -> Campaign | None:
    """The campaign one step follows (one query at most): see `campaigns_of`."""
    return campaigns_of([step])[step.pk]


def _parsed(keys: set[Version]) -> dict[Version, Campaign]:
    """The campaign of each version: as this process read it, else parsed from its text."""
    found: dict[Version, Campaign] = {}
    missing: set[Version] = set()
    for key in keys:
        campaign = library.known_version(*key)
        if campaign is None:
            missing.add(key)
        else:
            found[key] = campaign
    if missing:
        rows = CampaignVersion.objects.filter(digest__in={d for _, d in missing}).values_list(
            "file", "digest", "text"
        )
        for file, digest, text in rows:
            if (file, digest) not in missing:
                continue
            campaign = parse_version(file, text)
            if campaign is not None:
                library.remember_version(file, digest, campaign)
                found[(file, digest)] = campaign
    return found


def parse_version(file: str, text: str) -> Campaign | None:
    """A campaign from the text of a version of `file` ("0363/intensive.toml"); None, logged,
    when it no longer validates (a rule this version of the code added)."""
    campaign, problems = parse_campaign(text, Path(file).stem, file)
    if campaign is None:
        # No personal data in a campaign file: the problems may be logged.
        log.error("campaign version %s no longer validates: %s", file, problems)
        return None
    return replace(campaign, source=str(Path(settings.CAMPAIGNS_DIR) / file))


def _by_name(name: str) -> Campaign | None:
    try:
        return library.get_campaign(name)
    except (LookupError, CampaignError):
        return None

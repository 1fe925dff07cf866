"""The validated campaigns of `settings.CAMPAIGNS_DIR`, loaded once per process."""

from functools import cache

from django.conf import settings

from outreach.cadence.campaigns import Campaign, Step, load_campaigns


@cache
def _campaigns(folder: str) -> dict[str, Campaign]:
    from pathlib import Path

    return load_campaigns(Path(folder))


def all_campaigns() -> dict[str, Campaign]:
    return _campaigns(str(settings.CAMPAIGNS_DIR))


def get_campaign(name: str) -> Campaign:
    campaigns = all_campaigns()
    if name not in campaigns:
        known = ", ".join(sorted(campaigns))
        raise LookupError(f"no campaign {name!r} in {settings.CAMPAIGNS_DIR} (known: {known})")
    return campaigns[name]


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
    _campaigns.cache_clear()

"""Campaign experiments at work: the variant a starting case runs, and stopping an experiment.

A case whose campaign declares an `[experiment]` (outreach.cadence.campaigns) runs the campaign
of its household's variant instead, decided when the campaign starts
(outreach.cadence.planning.start_cases), in this order:

1. the experiment was stopped (`ExperimentDecision`): the variant the supervisor chose, marked
   `variant_after_stop` so the results count only the drawn cases;
2. the household had a drawn case in this experiment before (a repeat signal): that case's
   variant, also when the shares changed since (while the variant still exists);
3. otherwise the draw: `outreach.core.variants.assign(experiment id, household key, shares)`,
   with the household's key, its normalised address ("1234AB|12|A", Household.key): stable
   across signals, partners and persons, never a database id or a BSN.

A campaign a caseworker chose for the case (at launch or by a switch: the events of
CAMPAIGN_CHOSEN) is not put in an experiment: her choice stands, and the case is not counted.
A running case that changes campaign (an upgrade, a switch) is not put in one either: a case
enters an experiment when its campaign starts, or never.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from outreach.cadence.campaigns import CampaignError, Experiment
from outreach.cadence.library import Snapshot, snapshots_for
from outreach.cadence.models import ExperimentDecision
from outreach.casework.events import CAMPAIGN_CHOSEN
from outreach.casework.models import Case, CaseEvent
from outreach.core import audit
from outreach.core.models import Municipality
from outreach.core.variants import assign
from outreach.intake.models import Household

# The case history's action for the variant a case got.
EXPERIMENT_EVENT = "experiment"


class ExperimentError(ValueError):
    """An experiment cannot be stopped this way; the message is Dutch, for the page."""


@dataclass(frozen=True, slots=True)
class Arm:
    """What an experiment gives one starting case."""

    experiment: str
    variant: str
    campaign: str  # the variant's campaign: the one the case runs
    after_stop: bool = False  # the supervisor's chosen variant, not a draw

    def event_detail(self, label: str) -> str:
        how = "gekozen variant na het stoppen" if self.after_stop else "variant"
        return f"Experiment {label}: {how} {self.variant}, campagne {self.campaign}."


def declared_experiments(code: str) -> dict[str, tuple[str, Experiment]]:
    """The experiments of the municipality's campaign files by id, each with the campaign that
    declares it; none while its files are invalid (check-campaigns tells why)."""
    try:
        snapshots = snapshots_for(code)
    except CampaignError:
        return {}
    return {
        s.campaign.experiment.id: (name, s.campaign.experiment)
        for name, s in snapshots.items()
        if s.campaign.experiment is not None
    }


def arms(cases: Sequence[Case], snapshots: Mapping[int, Mapping[str, Snapshot]]) -> dict[int, Arm]:
    """The arm of each of `cases` (new, about to start) whose campaign runs an experiment, by
    case id; `snapshots`: each municipality's campaigns (by municipality id). Three queries
    for the batch, whatever its size."""
    wanted: dict[int, Experiment] = {}
    for case in cases:
        snapshot = snapshots.get(case.municipality_id, {}).get(case.campaign)
        if snapshot is not None and snapshot.campaign.experiment is not None:
            wanted[case.pk] = snapshot.campaign.experiment
    if not wanted:
        return {}
    chosen = set(
        CaseEvent.objects.filter(case_id__in=wanted, action__in=CAMPAIGN_CHOSEN).values_list(
            "case_id", flat=True
        )
    )
    for case_id in chosen:
        del wanted[case_id]
    in_play = [case for case in cases if case.pk in wanted]
    ids = {experiment.id for experiment in wanted.values()}
    places = {case.municipality_id for case in in_play}
    decisions = {
        (d.municipality_id, d.experiment): d.variant
        for d in ExperimentDecision.objects.filter(municipality_id__in=places, experiment__in=ids)
    }
    households = [case.household_id for case in in_play]
    earlier: dict[tuple[int, str], str] = {}
    for household_id, experiment_id, variant in (
        Case.objects.filter(
            municipality_id__in=places,
            experiment__in=ids,
            household_id__in=households,
            variant_after_stop=False,
        )
        .exclude(variant="")
        .order_by("-id")  # the first case's variant wins: it is written last
        .values_list("household_id", "experiment", "variant")
    ):
        earlier[(household_id, experiment_id)] = variant
    keys = dict(Household.objects.filter(id__in=households).values_list("id", "key"))
    found: dict[int, Arm] = {}
    for case in in_play:
        experiment = wanted[case.pk]
        found[case.pk] = arm_for(
            experiment,
            keys.get(case.household_id, str(case.household_id)),
            decisions.get((case.municipality_id, experiment.id)),
            earlier.get((case.household_id, experiment.id)),
        )
    return found


def arm_for(
    experiment: Experiment, household_key: str, decided: str | None, earlier: str | None
) -> Arm:
    """The arm of one household: the decision, else its earlier variant, else the draw (see
    the module's docstring). A decided or earlier variant that the file no longer has is
    passed over."""
    if decided is not None and (variant := experiment.variant(decided)) is not None:
        return Arm(experiment.id, variant.name, variant.campaign, after_stop=True)
    if earlier is not None and (variant := experiment.variant(earlier)) is not None:
        return Arm(experiment.id, variant.name, variant.campaign)
    name = assign(experiment.id, household_key, experiment.shares())
    variant = experiment.variant(name)
    assert variant is not None, "assign returns one of the names it was given"
    return Arm(experiment.id, variant.name, variant.campaign)


def record_arms(found: Mapping[int, Arm], labels: Mapping[str, str], now: datetime) -> None:
    """One line in each case's history: which experiment and variant it runs."""
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case_id=case_id,
            at=now,
            action=EXPERIMENT_EVENT,
            detail=arm.event_detail(labels.get(arm.experiment, arm.experiment))[:300],
        )
        for case_id, arm in found.items()
    )


# --- stopping ---------------------------------------------------------------------------------


def decision_for(municipality: Municipality, experiment_id: str) -> ExperimentDecision | None:
    return ExperimentDecision.objects.filter(
        municipality=municipality, experiment=experiment_id
    ).first()


def stop_experiment(
    municipality: Municipality, experiment_id: str, variant: str, user: Any, now: datetime
) -> ExperimentDecision:
    """Stop the municipality's experiment with the variant `variant`: cases that start from now
    on run its campaign; running cases keep theirs. Audit-logged. ExperimentError (Dutch) for
    an experiment its files do not declare, a variant it does not have, or one stopped before."""
    declared = declared_experiments(municipality.code).get(experiment_id)
    if declared is None:
        raise ExperimentError(
            f"Gemeente {municipality.name} heeft geen lopend experiment '{experiment_id}' "
            "in haar campagnebestanden."
        )
    _, experiment = declared
    if experiment.variant(variant) is None:
        names = ", ".join(v.name for v in experiment.variants)
        raise ExperimentError(f"Kies een variant om mee verder te gaan: {names}.")
    earlier = decision_for(municipality, experiment_id)
    if earlier is not None:
        raise ExperimentError(_stopped_text(earlier))
    try:
        with transaction.atomic():
            decision = ExperimentDecision.objects.create(
                municipality=municipality,
                experiment=experiment_id,
                variant=variant,
                decided_by=user if user is not None and user.is_authenticated else None,
                decided_at=now,
            )
            audit.record(
                user,
                audit.Action.CREATED,
                audit.Kind.EXPERIMENT,
                decision.pk,
                municipality,
                "experiment gestopt",
                now,
            )
    except IntegrityError:
        # Someone else stopped it at the same moment: hers stands.
        earlier = decision_for(municipality, experiment_id)
        raise ExperimentError(
            _stopped_text(earlier) if earlier else "Het experiment is al gestopt."
        ) from None
    return decision


def _stopped_text(decision: ExperimentDecision) -> str:
    return (
        f"Dit experiment is al gestopt op {timezone.localtime(decision.decided_at):%d-%m-%Y}, "
        f"met variant {decision.variant}."
    )

"""The engine's side of a caseworker's steering: launch a waiting case, switch its campaign,
stop the sequence, record an opt-out given by phone or at the door. Plain functions taking
`now`; each writes one line of the case's history, and changes the state only through
outreach.casework.workflow. Refusals raise `SteeringError` (Dutch, for the case page)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from outreach.cadence.campaigns import CampaignError
from outreach.cadence.closing import STOPPED, stop_outreach
from outreach.cadence.library import Snapshot, snapshots_for
from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import CLOSE
from outreach.cadence.upgrade import switch_plan
from outreach.casework import workflow
from outreach.casework.events import LAUNCHED, SWITCHED, User, record_event
from outreach.casework.models import Case
from outreach.casework.steering import SteeringError, locked, require
from outreach.intake.corrections import case_persons
from outreach.intake.models import OptOut

State = Case.State

# Where an opt-out given to a caseworker came from (OptOut.source).
OPT_OUT_SOURCES = ("telefoon", "aan de deur")


def municipal_campaigns(code: str) -> dict[str, Snapshot]:
    """The campaigns a caseworker may choose for a case of this municipality: its own files
    and the shared ones; none while its files are invalid (check-campaigns tells why)."""
    try:
        return snapshots_for(code)
    except CampaignError:
        return {}


def campaign_label(name: str, code: str) -> str:
    snapshot = municipal_campaigns(code).get(name)
    label = snapshot.campaign.label if snapshot else ""
    return f"{label} ({name})" if label else name


def _known_campaign(name: str, code: str) -> Snapshot:
    snapshot = municipal_campaigns(code).get(name)
    if snapshot is None:
        raise SteeringError(f"Er is geen campagne '{name}' voor gemeente {code}.")
    return snapshot


def launch(case: Case, campaign: str, now: datetime, user: User) -> Case:
    """A waiting case starts with the campaign the caseworker confirmed or chose: the next tick
    plans it."""
    code = case.municipality.code
    _known_campaign(campaign, code)
    with transaction.atomic():
        case = locked(case)
        require(case, "launch", "starten")
        proposed = case.campaign
        workflow.move(
            case,
            State.NEW,
            now,
            "gestart door consulent",
            campaign=campaign,
            at_risk=False,
            at_risk_reason="",
        )
        detail = f"Gestart met campagne {campaign_label(campaign, code)}"
        if proposed and proposed != campaign:
            detail += f" (voorgesteld: {proposed})"
        record_event(case, now, user, LAUNCHED, detail + ".")
    return case


def switch_campaign(case: Case, campaign: str, now: datetime, user: User) -> Case:
    """Another campaign, planned from now. The caseworker's choice counts, stronger or not; a
    new case that has not started yet simply starts with it."""
    code = case.municipality.code
    snapshot = _known_campaign(campaign, code)
    with transaction.atomic():
        case = locked(case)
        require(case, "switch", "van campagne wisselen")
        old = case.campaign
        if campaign == old:
            raise SteeringError(f"De zaak heeft al campagne {campaign_label(campaign, code)}.")
        if case.state == State.ACTIVE:
            switch_plan(case, snapshot, now)
            case.replan = False  # the caseworker's choice replaces a pending upgrade
            case.save(update_fields=["campaign", "campaign_file", "window_ends", "replan"])
            when = f", gepland vanaf {timezone.localtime(now):%d-%m-%Y %H:%M}"
        else:
            case.campaign = campaign
            case.save(update_fields=["campaign"])
            when = ""
        record_event(
            case,
            now,
            user,
            SWITCHED,
            f"Campagne gewisseld van {old or 'geen'} naar {campaign_label(campaign, code)}{when}.",
        )
    return case


def stop(case: Case, now: datetime, user: User) -> int:
    """No more contact attempts: every open step and open task is cancelled, only the closing
    check stays, so the case still ends by itself. A paused case resumes for that check.
    Returns the steps cancelled."""
    with transaction.atomic():
        case = locked(case)
        require(case, "stop", "stoppen")
        if case.state == State.PAUSED:
            workflow.move(case, State.ACTIVE, now, "hervat om te sluiten")
        cancelled = stop_outreach([case.pk], now, STOPPED, keep_close_check=True)
        check = PlannedStep.objects.filter(
            case=case, key=CLOSE, status__in=PlannedStep.OPEN
        ).first()
        ends = (
            f"; de zaak sluit vanzelf op {timezone.localtime(check.due_at):%d-%m-%Y}"
            if check
            else ""
        )
        record_event(case, now, user, "gestopt", f"Campagne gestopt{ends}.")
    return cancelled


def record_opt_out(case: Case, source: str, now: datetime, user: User) -> Case:
    """The person told a caseworker (by phone, at the door) they want no help: they go on the
    opt-out list and the case closes ("Inwoner hoeft geen hulp vanuit vroegsignalering")."""
    if source not in OPT_OUT_SOURCES:
        raise SteeringError(f"Kies hoe de afmelding binnenkwam: {', '.join(OPT_OUT_SOURCES)}.")
    with transaction.atomic():
        case = locked(case)
        require(case, "opt_out", "afmelden")
        for person in case_persons(case):
            OptOut.objects.get_or_create(
                municipality_id=case.municipality_id,
                person=person,
                defaults={"source": source, "created_at": now},
            )
        workflow.opt_out(case, now)
        record_event(case, now, user, "afgemeld", f"Inwoner afgemeld ({source}); zaak gesloten.")
    return case

"""The one place that says which fact a partner gets back about a signal (DOMAIN.md: wants help /
not reached or no help wanted / not picked up / already known): only the fact, never the reason.
"""

from outreach.casework.models import Case, HelpOffer
from outreach.core.ddas import FOLLOWED_UP, EndResult
from outreach.reporting.models import PartnerFeedback

Outcome = PartnerFeedback.Outcome

OUTCOME_BY_RESULT: dict[str, str] = {
    EndResult.ADVICE_OR_QUICK_FIX: Outcome.HELPED,
    EndResult.FOLLOW_UP_FINANCIAL: Outcome.HELPED,
    EndResult.FOLLOW_UP_NON_FINANCIAL: Outcome.HELPED,
    EndResult.REFERRAL_WITHOUT_CONTACT: Outcome.HELPED,
    EndResult.NO_CONTACT: Outcome.NOT_REACHED,
    EndResult.NO_RESPONSE_AFTER_CONTACT: Outcome.NOT_REACHED,
    EndResult.NO_HELP_WANTED: Outcome.NOT_REACHED,
    EndResult.ALREADY_PAID: Outcome.NOT_REACHED,
    EndResult.REPEAT: Outcome.NOT_PICKED_UP,
    EndResult.UNJUSTIFIED: Outcome.NOT_PICKED_UP,
    EndResult.OTHER_REASON: Outcome.NOT_PICKED_UP,
    EndResult.DECEASED: Outcome.NOT_PICKED_UP,
    EndResult.NOT_RESIDENT: Outcome.NOT_PICKED_UP,
    EndResult.KNOWN_TO_DEBT_HELP: Outcome.ALREADY_KNOWN,
    EndResult.OTHER_TRAJECTORY: Outcome.ALREADY_KNOWN,
}


def partner_fact(state: str, result: str | None, answer: str | None) -> str:
    """The fact for a signal whose case is in `state` with end `result` and offer `answer`.

    An accepted offer means the person wants help, whenever it was accepted (late successes
    count, also after the case closed). A closed case tells its end result; an open one (28
    days passed) has not reached anyone who wants help yet."""
    if answer == HelpOffer.Answer.ACCEPTED:
        return Outcome.HELPED
    if state == Case.State.CLOSED:
        return OUTCOME_BY_RESULT.get(result or "", Outcome.NOT_PICKED_UP)
    return Outcome.NOT_REACHED


def signal_fact(
    status: str, case_followed: bool, state: str, result: str | None, answer: str | None
) -> str:
    """The fact for one signal: a screened-out signal that joined a followed-up case was not
    picked up itself, whatever became of the case; any other has its case's fact."""
    if status not in FOLLOWED_UP and case_followed:
        return Outcome.NOT_PICKED_UP
    return partner_fact(state, result, answer)

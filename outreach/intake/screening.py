"""Step 1 of the process: decide whether a signal is followed up at all, and say why not."""

from dataclasses import dataclass
from decimal import Decimal

from outreach.core.ddas import EndResult, SignalStatus
from outreach.core.models import ArrearsBounds
from outreach.intake.sources import RegisterOutcome, Residency
from outreach.intake.validation import SignalRecord
from outreach.intake.weighing import format_euro


@dataclass(frozen=True, slots=True)
class ScreenedOut:
    status: str  # the signal's DDAS status
    result: str  # the DDAS end result of the case it closes
    reason: str  # for the caseworker


def screen(
    record: SignalRecord,
    *,
    known_client: bool,
    register: RegisterOutcome,
    opted_out: bool,
    threshold: int,
    arrears_bounds: ArrearsBounds,
) -> ScreenedOut | None:
    """None when the signal is to be followed up; repeats are decided at matching."""
    if known_client:
        return ScreenedOut(
            SignalStatus.OTHER_REASON,
            EndResult.KNOWN_TO_DEBT_HELP,
            "Al cliënt van schuldhulpverlening: doorgezet naar de consulent, geen outreach.",
        )
    if register.residency is Residency.DECEASED:
        return ScreenedOut(
            SignalStatus.DECEASED,
            EndResult.DECEASED,
            "Volgens de BRP is deze inwoner overleden.",
        )
    if register.residency is Residency.NOT_RESIDENT:
        return ScreenedOut(
            SignalStatus.NOT_RESIDENT,
            EndResult.NOT_RESIDENT,
            "Niet (meer) op dit adres in de gemeente ingeschreven volgens de BRP.",
        )
    if opted_out:
        return ScreenedOut(
            SignalStatus.OTHER_REASON,
            EndResult.NO_HELP_WANTED,
            "Staat op de opt-outlijst: vastgelegd, niet opgevolgd.",
        )
    if record.crisis:
        return None  # a crisis signal is always followed up, whatever its amount or age
    if record.amount < threshold:
        return ScreenedOut(
            SignalStatus.UNJUSTIFIED,
            EndResult.UNJUSTIFIED,
            f"Bedrag {format_euro(record.amount)} ligt onder de drempel van "
            f"{format_euro(Decimal(threshold))} voor {record.partner_type}.",
        )
    days = arrears_days(record)
    if days is not None and not arrears_bounds.admits(days):
        return ScreenedOut(
            SignalStatus.UNJUSTIFIED,
            EndResult.UNJUSTIFIED,
            f"Achterstand van {days} dagen valt buiten {describe(arrears_bounds)}.",
        )
    return None


def arrears_days(record: SignalRecord) -> int | None:
    """Days of arrears on the signal date (DDAS: signaaldatum minus ontstaansdatum), if known."""
    if record.arrears_start is None:
        return None
    return (record.signal_date - record.arrears_start).days


def describe(bounds: ArrearsBounds) -> str:
    """The municipality's bounds as the caseworker reads them."""
    if bounds.min is not None and bounds.max is not None:
        return f"de grenzen van de gemeente ({bounds.min} tot en met {bounds.max} dagen)"
    if bounds.min is not None:
        return f"de grens van de gemeente (minstens {bounds.min} dagen)"
    return f"de grens van de gemeente (hoogstens {bounds.max} dagen)"

"""Dangling references among the intake's tables, which carry no foreign-key constraints."""

from django.db import connection

from outreach.casework.models import Case
from outreach.core.models import Municipality
from outreach.intake.models import Household, Person, PhoneNumber, Signal, SignalPartner

CHECKS = {
    "signal.municipality": (Signal, "municipality_id", Municipality, False),
    "signal.partner": (Signal, "partner_id", SignalPartner, False),
    "signal.person": (Signal, "person_id", Person, False),
    "signal.household": (Signal, "household_id", Household, False),
    "signal.case": (Signal, "case_id", Case, True),
    "person.household": (Person, "household_id", Household, False),
    "phone.person": (PhoneNumber, "person_id", Person, False),
    "case.household": (Case, "household_id", Household, False),
    "case.municipality": (Case, "municipality_id", Municipality, False),
    "person.municipality": (Person, "municipality_id", Municipality, False),
}


def dangling_references() -> dict[str, int]:
    """For each reference, how many rows point at a row that does not exist."""
    counts = {}
    with connection.cursor() as cursor:
        for name, (model, column, target, nullable) in CHECKS.items():
            child, parent = model._meta.db_table, target._meta.db_table
            cursor.execute(
                f"SELECT COUNT(*) FROM {child} c LEFT JOIN {parent} p ON p.id = c.{column} "
                f"WHERE p.id IS NULL{' AND c.' + column + ' IS NOT NULL' if nullable else ''}"
            )
            counts[name] = cursor.fetchone()[0]
    return counts

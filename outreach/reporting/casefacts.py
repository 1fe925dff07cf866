"""Per case facts, worked out once per report in the database: the figures' engine.

For every case of the period the database works out what the figures ask of a case: its
received day, whether it is followed up, its attempts (how many, the first, the first that
reached someone), the offer and its answer, its segments (campaign, partner type, kind, age
band, language, postcode area, state) and the deadline flags. `case_facts` keeps them in a
temporary table for the length of one report (a year of a large municipality: some 80,000 rows,
a few MB), so the signals are ranked and the attempts tallied once, however many figures are
read from them. `case_groups` counts the cases per group of every dimension in one statement
(GROUPING SETS on PostgreSQL, a UNION ALL elsewhere): only a few hundred grouped rows come back
to Python.

Definitions (the README's "outreach report" section repeats them):
- followed up: the case has a followed-up signal (core.ddas.FOLLOWED_UP). A case closed at
  screening is counted among the cases (with 0 attempts) but not in any rate or deadline.
- reached: at least one attempt registered as reached (DDAS `bereikt`).
- accepted: the case's offer of help (HelpOffer) was accepted, whenever that was.
- deadline due / met: a followed-up case whose first attempt has been made, or whose deadline
  (Case.deadline: 28 days after receipt, a crisis 3 working days) has passed by today (today is
  after it); met when the first attempt came on or before the deadline.
- offer due / met: the same for the offer of help (HelpOffer.made_on).
- first day due / met: the same for a first attempt within 1 working day of receipt
  (outreach.core.calendar).
- days to first attempt / to contact: from the received day to the first attempt / the first
  reached attempt, for the followed-up cases that have one.
"""

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime

from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from outreach.casework.models import Case, ContactAttempt, HelpOffer
from outreach.core.calendar import add_working_days
from outreach.intake.models import Household, Person
from outreach.reporting.dialect import Sql, as_day, days_between, is_postgres, whole_years
from outreach.reporting.period import Period, first_signals
from outreach.reporting.segments import age_band


@dataclass(frozen=True, slots=True)
class Counts:
    """What all the period's cases add up to; every field a count of cases (attempts: of
    attempts)."""

    cases: int = 0
    followed: int = 0
    attempts: int = 0
    reached_cases: int = 0  # among all the cases
    accepted_cases: int = 0  # among all the cases
    reached: int = 0  # among the followed-up cases
    accepted: int = 0  # among the followed-up cases
    deadline_due: int = 0
    deadline_met: int = 0
    offer_due: int = 0
    offer_met: int = 0
    first_day_due: int = 0
    first_day_met: int = 0
    at_risk: int = 0


@dataclass(frozen=True, slots=True)
class Group:
    """What one group of cases (a campaign, an age band ...) adds up to."""

    cases: int = 0
    followed: int = 0
    attempts: int = 0
    reached_attempts: int = 0
    reached: int = 0  # followed-up cases reached
    accepted: int = 0  # followed-up cases whose offer was accepted
    at_risk: int = 0

    def __add__(self, other: "Group") -> "Group":
        return Group(*(getattr(self, f) + getattr(other, f) for f in GROUP_METRICS))


TOTAL_METRICS = tuple(f.name for f in fields(Counts))
GROUP_METRICS = tuple(f.name for f in fields(Group))
# Each dimension: its name and its column of the facts (never user input).
DIMENSIONS: dict[str, str] = {
    "attempts": "bucket",
    "campaign": "campaign",
    "partner_type": "partner_type",
    "kind": "kind",
    "age": "age",  # whole years on the received day; the bands are made in Python
    "language": "language",
    "area": "area",
    "state": "state",
    "days_to_first": "days_to_first",
    "days_to_contact": "days_to_contact",
}
# What only the dashboard's segments need: left out of the report's facts.
PERSON_DIMENSIONS = ("age", "language", "area")


@dataclass(frozen=True, slots=True)
class CaseGroups:
    """The period's totals, and per dimension, per value (as text), the group's counts."""

    total: Counts
    groups: dict[str, dict[str, Group]]

    def of(self, dimension: str) -> dict[str, Group]:
        return self.groups.get(dimension, {})

    def histogram(self, dimension: str) -> dict[int, int]:
        """Followed-up cases per whole number of days (days_to_first, days_to_contact)."""
        return {int(value): g.followed for value, g in self.of(dimension).items() if g.followed}


def today_of(now: datetime) -> date:
    return timezone.localdate(now)


def facts_sql(today: date, cases: str, days: list[date], segments: bool = True) -> Sql:
    """A SELECT of one row a case, with the columns the figures count (see the module's
    docstring), from the table `cases` (the period's cases with their first signal:
    outreach.reporting.period.first_signals) whose received days are `days`. Without
    `segments` the person's age and language and the postcode area are left out (null and
    empty), and so are their joins."""
    # The day by which a first attempt is within 1 working day, for each received day.
    days = days or [today]  # VALUES needs a row
    workdays = ", ".join(["(%s, %s)"] * len(days))
    workday_params = [
        connection.ops.adapt_datefield_value(value)
        for day in days
        for value in (day, add_working_days(day, 1))
    ]
    person_columns = (
        f"{whole_years('p.received_on', 'pe.birth_date')} AS age, "
        "COALESCE(pe.preferred_language, '') AS language, "
        "SUBSTR(COALESCE(h.postcode, ''), 1, 4) AS area"
        if segments
        else "CAST(NULL AS INTEGER) AS age, '' AS language, '' AS area"
    )
    person_joins = (
        f"LEFT JOIN {Person._meta.db_table} pe ON pe.id = p.person_id "
        f"LEFT JOIN {Household._meta.db_table} h ON h.id = c.household_id"
        if segments
        else ""
    )
    sql = f"""
WITH tally AS (
  SELECT a.case_id, COUNT(*) AS attempts,
         COUNT(*) FILTER (WHERE a.reached) AS reached_attempts,
         MIN(a.date) AS first_on,
         MIN(a.date) FILTER (WHERE a.reached) AS contact_on
  FROM {ContactAttempt._meta.db_table} a
  WHERE a.case_id BETWEEN (SELECT MIN(case_id) FROM {cases})
                      AND (SELECT MAX(case_id) FROM {cases})
  GROUP BY a.case_id
),
workday (received_on, cutoff) AS (VALUES {workdays}),
facts AS (
  SELECT c.id, p.received_on, p.followed, p.partner_type,
         c.kind, c.campaign, c.state, c.deadline,
         CASE WHEN c.at_risk THEN 1 ELSE 0 END AS at_risk,
         COALESCE(t.attempts, 0) AS attempts, COALESCE(t.reached_attempts, 0) AS reached_attempts,
         t.first_on, t.contact_on, o.made_on AS offer_on, o.answer,
         {person_columns}
  FROM {cases} p
  JOIN {Case._meta.db_table} c ON c.id = p.case_id
  -- Tallied before the join (the period's cases lie in one range of ids, the attempts of
  -- other cases in it drop out here): a year of attempts is not probed one by one.
  LEFT JOIN tally t ON t.case_id = c.id
  LEFT JOIN {HelpOffer._meta.db_table} o ON o.case_id = c.id
  {person_joins}
),
flagged AS (
  SELECT f.id, f.received_on, f.followed, f.partner_type, f.kind, f.campaign, f.state,
         f.deadline, f.at_risk, f.attempts, f.reached_attempts, f.first_on, f.language,
         f.area,
         CASE WHEN f.attempts >= 4 THEN '4+' ELSE CAST(f.attempts AS TEXT) END AS bucket,
         CASE WHEN f.reached_attempts > 0 THEN 1 ELSE 0 END AS reached_cases,
         CASE WHEN f.answer = %s THEN 1 ELSE 0 END AS accepted_cases,
         CASE WHEN f.followed = 1 AND f.reached_attempts > 0 THEN 1 ELSE 0 END AS reached,
         CASE WHEN f.followed = 1 AND f.answer = %s THEN 1 ELSE 0 END AS accepted,
         CASE WHEN f.followed = 1 AND (f.first_on IS NOT NULL OR f.deadline < %s)
              THEN 1 ELSE 0 END AS deadline_due,
         CASE WHEN f.followed = 1 AND f.first_on <= f.deadline THEN 1 ELSE 0 END
              AS deadline_met,
         CASE WHEN f.followed = 1 AND (f.offer_on IS NOT NULL OR f.deadline < %s)
              THEN 1 ELSE 0 END AS offer_due,
         CASE WHEN f.followed = 1 AND f.offer_on <= f.deadline THEN 1 ELSE 0 END AS offer_met,
         CASE WHEN f.followed = 1 AND (f.first_on IS NOT NULL OR w.cutoff < %s)
              THEN 1 ELSE 0 END AS first_day_due,
         CASE WHEN f.followed = 1 AND f.first_on <= w.cutoff THEN 1 ELSE 0 END
              AS first_day_met,
         CASE WHEN f.followed = 1 THEN {days_between("f.first_on", "f.received_on")} END
              AS days_to_first,
         CASE WHEN f.followed = 1 THEN {days_between("f.contact_on", "f.received_on")} END
              AS days_to_contact,
         f.age
  FROM facts f
  LEFT JOIN workday w ON w.received_on = f.received_on
)
SELECT * FROM flagged"""
    accepted = HelpOffer.Answer.ACCEPTED.value
    day = connection.ops.adapt_datefield_value(today)
    params = [
        *workday_params,
        accepted,
        accepted,
        day,
        day,
        day,
    ]
    return sql, params


# Temporary tables, one of each a connection at a time: reports run one after the other on it.
PERIOD_TABLE = "reporting_period_cases"
FACTS_TABLE = "reporting_case_facts"


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """The period's per case facts, in FACTS_TABLE while `case_facts` lasts."""

    period: Period
    now: datetime
    segments: bool = True  # with the person's age and language and the postcode area
    table: str = FACTS_TABLE  # one row a case: the facts (see the module's docstring)
    cases: str = PERIOD_TABLE  # one row a case: case_id and its first signal

    def case_ids(self) -> RawSQL:
        """The period's case ids as a subquery: `case_id__in=facts.case_ids()`."""
        return RawSQL(f"SELECT case_id FROM {self.cases}", [])


@contextmanager
def case_facts(period: Period, now: datetime, segments: bool = True) -> Iterator[CaseFacts]:
    """The period's facts in a temporary table, dropped again at the end of the block (and
    with the transaction, should anything fail). `segments=False` leaves out what only the
    dashboard's segments need (the person's age and language, the postcode area).

    The period's cases go into a table of their own first: the planner then knows how many
    there are when it joins a year of attempts to them (a filter on ranked rows it would
    guess at a few hundred)."""
    first_sql, first_params = first_signals(period)
    with transaction.atomic(), connection.cursor() as cursor:
        if is_postgres():
            # A year of cases ranks and tallies in memory, not in temporary files; and
            # compiling the plan (JIT) would cost more than running it.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL jit = off")
        for table in (PERIOD_TABLE, FACTS_TABLE):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMPORARY TABLE {PERIOD_TABLE} AS {first_sql}", first_params)
        if is_postgres():
            # Its size and its distinct ids (autovacuum never sees a temporary table):
            # unknown, the planner would take a year of cases for a few hundred and join them
            # one index probe at a time. The key column alone costs a tenth. Every join and
            # subquery on the period's cases reads this table; the facts are only scanned.
            # A sample of 3,000 rows tells a column of distinct ids as well as the default
            # 30,000 do, at a fifth of the cost.
            cursor.execute("SET LOCAL default_statistics_target = 10")
            cursor.execute(f"ANALYZE {PERIOD_TABLE} (case_id)")
        cursor.execute(f"SELECT DISTINCT received_on FROM {PERIOD_TABLE}")
        days = sorted(as_day(day) for (day,) in cursor.fetchall())
        sql, params = facts_sql(today_of(now), PERIOD_TABLE, days, segments)
        cursor.execute(f"CREATE TEMPORARY TABLE {FACTS_TABLE} AS {sql}", params)
        yield CaseFacts(period, now, segments)
        # On an error the transaction's rollback takes them away.
        for table in (FACTS_TABLE, PERIOD_TABLE):
            cursor.execute(f"DROP TABLE {table}")


def _sums(metrics: tuple[str, ...]) -> str:
    return ", ".join(
        "COUNT(*)" if name == "cases" else f"COALESCE(SUM({name}), 0)" for name in metrics
    )


def case_groups(facts: CaseFacts) -> CaseGroups:
    """The period's totals, and its cases counted per group of every dimension (DIMENSIONS):
    on PostgreSQL with GROUPING SETS (one pass over the facts), elsewhere as a UNION ALL of
    one GROUP BY a dimension."""
    sums = _sums(GROUP_METRICS)
    dimensions = {
        name: column
        for name, column in DIMENSIONS.items()
        if facts.segments or name not in PERSON_DIMENSIONS
    }
    if is_postgres():
        columns = ", ".join(dimensions.values())
        # GROUPING(...) has a bit per dimension, 0 for the one the row is grouped by.
        every = (1 << len(dimensions)) - 1
        names = " ".join(
            f"WHEN {every ^ (1 << (len(dimensions) - 1 - i))} THEN '{name}'"
            for i, name in enumerate(dimensions)
        )
        values = ", ".join(f"CAST({column} AS TEXT)" for column in dimensions.values())
        sets = ", ".join(f"({column})" for column in dimensions.values())
        statement = (
            f"SELECT CASE GROUPING({columns}) {names} END, COALESCE({values}), {sums} "
            f"FROM {facts.table} GROUP BY GROUPING SETS ({sets})"
        )
    else:
        statement = "\nUNION ALL\n".join(
            f"SELECT '{name}', CAST({column} AS TEXT), {sums} FROM {facts.table} GROUP BY {column}"
            for name, column in dimensions.items()
        )
    groups: dict[str, dict[str, Group]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_sums(TOTAL_METRICS)} FROM {facts.table}")
        total = Counts(*(int(n) for n in cursor.fetchone() or ()))
        cursor.execute(statement)
        for dimension, value, *numbers in cursor.fetchall():
            group = Group(*(int(n) for n in numbers))
            if dimension == "age":  # None: no birth date
                band = age_band(None if value is None else int(value))
                groups["age_band"][band] = groups["age_band"].get(band, Group()) + group
            elif value is not None:  # None: no attempt yet (days_to_first), no contact yet
                groups[dimension][value] = group
    return CaseGroups(total, dict(groups))

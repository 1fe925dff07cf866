"""The work queue's filters and sorts: a form that reads them from the query string, the
filters it yields, and the function that narrows and orders the queue in the database."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from outreach.casework.models import Case
from outreach.core.ddas import PartnerType
from outreach.core.languages import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES
from outreach.desk.summaries import DEADLINE_ORDER, PRIORITY_ORDER
from outreach.intake.models import Signal
from outreach.intake.pipeline import weighing_framework

# The queue's tabs (the `show` parameter): which states it lists.
SHOW_CHOICES = (
    ("open", "Open"),
    ("waiting", "Wacht op start"),
    ("closed", "Afgesloten"),
    ("all", "Alle"),
)

PRIORITY, DEADLINE = "priority", "deadline"
SORT_CHOICES = ((PRIORITY, "Prioriteit"), (DEADLINE, "Termijn (dichtstbij eerst)"))

# Far enough for any statutory window and a late follow-up; a typo of many digits is an error.
MAX_DAYS = 366


@dataclass(frozen=True)
class QueueFilters:
    """What the caseworker asked the queue for; empty text and None mean "any"."""

    show: str = "open"
    tier: str = ""
    partner_type: str = ""
    kind: str = ""
    language: str = ""
    area: str = ""
    mine: bool = False
    days: int | None = None
    at_risk: bool = False
    sort: str = PRIORITY

    @property
    def narrowed(self) -> bool:
        """Whether any filter beyond the tab narrows the queue."""
        defaults = QueueFilters(show=self.show, sort=self.sort)
        return self != defaults


def tier_choices(codes: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The weighing framework's tiers, most urgent first: the overrides' own tiers (crisis)
    before the score tiers, those from the highest minimum score down. With municipality
    codes: the shared framework's tiers, then those the municipalities' own frameworks add."""
    names: list[str] = []
    for code in (None, *sorted(set(codes))):
        framework = weighing_framework(code)
        by_score = [t.name for t in sorted(framework.tiers, key=lambda t: -t.min_score)]
        overrides = [o.tier for o in framework.overrides if o.tier and o.tier not in by_score]
        names += overrides + by_score
    return [(name, name) for name in dict.fromkeys(names)]


def _any(label: str, choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", f"Alle {label}"), *choices]


class QueueFilterForm(forms.Form):
    """The queue's filters as the query string carries them; errors in Dutch, per field."""

    show = forms.ChoiceField(
        label="Status",
        choices=SHOW_CHOICES,
        required=False,
        error_messages={
            "invalid_choice": "Kies een van de tabbladen: open, wacht op start, afgesloten of alle."
        },
    )
    tier = forms.ChoiceField(label="Prioriteit", required=False)
    partner = forms.ChoiceField(
        label="Signaalpartner",
        choices=_any("signaalpartners", [(value, value) for value in PartnerType.values]),
        required=False,
        error_messages={"invalid_choice": "'%(value)s' is geen signaalpartner van de DDAS."},
    )
    kind = forms.ChoiceField(
        label="Soort zaak",
        choices=_any("soorten", list(Case.Kind.choices)),
        required=False,
        error_messages={"invalid_choice": "'%(value)s' is geen soort zaak."},
    )
    language = forms.ChoiceField(
        label="Taal",
        choices=_any("talen", [(code, LANGUAGE_NAMES.get(code, code)) for code in LANGUAGES]),
        required=False,
        error_messages={"invalid_choice": "'%(value)s' is geen taal van de teksten."},
    )
    area = forms.RegexField(
        label="Postcodegebied",
        regex=r"^\d{4}$",
        required=False,
        max_length=4,
        help_text="De vier cijfers van de postcode, bijvoorbeeld 3511.",
        error_messages={
            "invalid": "Vul de vier cijfers van een postcode in, bijvoorbeeld 3511.",
            "max_length": "Vul de vier cijfers van een postcode in, bijvoorbeeld 3511.",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 5, "autocomplete": "off"}),
    )
    days = forms.IntegerField(
        label="Termijn binnen (dagen)",
        min_value=0,
        max_value=MAX_DAYS,
        required=False,
        help_text="Ook zaken over tijd.",
        error_messages={
            "invalid": "Vul een aantal dagen in, een heel getal zoals 7.",
            "min_value": "Vul 0 of meer dagen in.",
            "max_value": f"Vul hoogstens {MAX_DAYS} dagen in.",
        },
        # Text, not type=number: a browser empties a number field it cannot read, and the
        # caseworker would not see what she typed next to the error.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4, "autocomplete": "off"}),
    )
    mine = forms.BooleanField(label="Aan mij toegewezen", required=False)
    at_risk = forms.BooleanField(label="In gevaar", required=False)
    sort = forms.ChoiceField(
        label="Sorteren op",
        choices=SORT_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Sorteer op prioriteit of op termijn."},
    )

    def __init__(self, *args: Any, codes: Iterable[str] = (), **kwargs: Any) -> None:
        """`codes`: the municipalities whose weighing frameworks give the tiers to choose."""
        super().__init__(*args, **kwargs)
        tier = self.fields["tier"]
        assert isinstance(tier, forms.ChoiceField)
        tier.choices = _any("prioriteiten", tier_choices(codes))
        tier.error_messages["invalid_choice"] = (
            "'%(value)s' is geen prioriteit van het afwegingskader."
        )

    def filters(self) -> QueueFilters:
        """The filters of a valid form (call is_valid() first)."""
        data = self.cleaned_data
        return QueueFilters(
            show=data["show"] or "open",
            tier=data["tier"],
            partner_type=data["partner"],
            kind=data["kind"],
            language=data["language"],
            area=data["area"],
            mine=data["mine"],
            days=data["days"],
            at_risk=data["at_risk"],
            sort=data["sort"] or PRIORITY,
        )


def filter_queue(
    cases: QuerySet[Case], filters: QueueFilters, *, user: Any, now: datetime
) -> QuerySet[Case]:
    """The queue (`outreach.desk.summaries.queue`, whose `closed` annotation the orders
    use) narrowed by `filters` and sorted as they ask, all in the database.

    Partner type and language look through the case's signals with EXISTS, so a case with two
    signals of the asked kind is listed once. A person without a preferred language reads
    Dutch. "Deadline within N days" counts from `now`'s local date and keeps the cases already
    over time: they are the most urgent of all.
    """
    if filters.show == "open":
        cases = cases.exclude(state=Case.State.CLOSED)
    elif filters.show == "waiting":  # new cases waiting for a caseworker to launch them
        cases = cases.filter(state=Case.State.WAITING)
    elif filters.show == "closed":
        cases = cases.filter(state=Case.State.CLOSED)
    if filters.tier:
        cases = cases.filter(tier=filters.tier)
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.partner_type:
        cases = cases.filter(
            Exists(Signal.objects.filter(case=OuterRef("pk"), partner_type=filters.partner_type))
        )
    if filters.language:
        speaks = Q(person__preferred_language=filters.language)
        if filters.language == DEFAULT_LANGUAGE:
            speaks |= Q(person__preferred_language="")
        cases = cases.filter(Exists(Signal.objects.filter(speaks, case=OuterRef("pk"))))
    if filters.area:
        cases = cases.filter(household__postcode__startswith=filters.area)
    if filters.mine:
        # filter(assignee_id=None) would mean "unassigned": a user without a pk has none.
        cases = cases.filter(assignee_id=user.pk) if user.pk is not None else cases.none()
    if filters.days is not None:
        today = timezone.localdate(now)
        cases = cases.filter(deadline__lte=today + timedelta(days=filters.days))
    if filters.at_risk:
        cases = cases.filter(at_risk=True)
    return cases.order_by(*(DEADLINE_ORDER if filters.sort == DEADLINE else PRIORITY_ORDER))

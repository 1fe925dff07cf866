"""Looking up and registering municipalities."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from outreach.core.models import Municipality


class UnknownMunicipality(LookupError):
    pass


def resolve_municipality(code: str | None) -> Municipality:
    """The municipality with this code; without a code, the only one there is."""
    if code:
        try:
            return Municipality.objects.get(code=code)
        except Municipality.DoesNotExist:
            raise UnknownMunicipality(
                f"no municipality with code {code!r}; add it with "
                f"`outreach add-municipality {code} NAME`"
            ) from None
    municipalities = list(Municipality.objects.all()[:2])
    if len(municipalities) == 1:
        return municipalities[0]
    if not municipalities:
        raise UnknownMunicipality(
            "no municipality registered yet; add one with `outreach add-municipality CODE NAME`"
        )
    raise UnknownMunicipality("several municipalities are registered: name one with --municipality")


def municipalities_option(code: str | None) -> QuerySet[Municipality]:
    """All municipalities, or the one a command's --municipality names."""
    if not code:
        return Municipality.objects.all()
    return Municipality.objects.filter(pk=resolve_municipality(code).pk)


# What letters and messages print (outreach.messaging.context): the team's letterhead, the
# named contact person with a direct number, and the number SMS and WhatsApp replies go to.
CONTACT_KEYS = (
    "team",
    "phone",
    "email",
    "website",
    "address",
    "postal",
    "worker_name",
    "worker_phone",
    "reply_number",
)


def add_municipality(
    code: str,
    name: str,
    thresholds: dict[str, int],
    contact: dict[str, str] | None = None,
    manual_launch_tiers: list[str] | None = None,
) -> Municipality:
    """Register or update a municipality. `manual_launch_tiers`, when given, replaces the tiers
    whose new cases wait for a caseworker to launch them."""
    municipality = Municipality.objects.filter(code=code).first() or Municipality(code=code)
    municipality.name = name
    if manual_launch_tiers is not None:
        municipality.manual_launch_tiers = sorted(set(manual_launch_tiers))
    municipality.thresholds = {**municipality.thresholds, **thresholds}
    for key, value in (contact or {}).items():
        if key not in CONTACT_KEYS:
            raise ValueError(f"contact: unknown detail {key!r}; one of {', '.join(CONTACT_KEYS)}")
        # Postal address lines are written "Postbus 100|1000 AA  STAD".
        municipality.contact[key] = value.split("|") if key == "postal" else value
    try:
        municipality.full_clean()
    except ValidationError as exc:
        problems = (f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise ValueError("; ".join(problems)) from None
    municipality.save()
    return municipality

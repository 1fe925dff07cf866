"""A municipality's settings are checked where they are saved (the admin, add-municipality)."""

import pytest
from django.core.exceptions import ValidationError

from outreach.core.models import ArrearsBounds, Municipality


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"min": -1}, "min must be a whole number of days"),
        ({"max": "veel"}, "max must be a whole number of days"),
        ({"min": 10.5}, "min must be a whole number of days"),
        ({"min": 100, "max": 30}, "min (100) is more than max (30)"),
        ({"minimum": 30}, "unknown key 'minimum'"),
        ([30, 60], "use an object"),
    ],
)
@pytest.mark.django_db
def test_bad_arrears_days_are_refused(value, problem):
    municipality = Municipality(code="0307", name="Amersfoort", arrears_days=value)
    with pytest.raises(ValidationError) as info:
        municipality.full_clean()
    assert any(problem in message for message in info.value.message_dict["arrears_days"])


def test_arrears_bounds_take_the_defaults_for_missing_keys(settings):
    settings.OUTREACH_ARREARS_DAYS_MIN = 30
    settings.OUTREACH_ARREARS_DAYS_MAX = 400
    assert Municipality(arrears_days={}).arrears_bounds() == ArrearsBounds(30, 400)
    assert Municipality(arrears_days={"max": 100}).arrears_bounds() == ArrearsBounds(30, 100)
    assert Municipality(arrears_days={"min": None}).arrears_bounds() == ArrearsBounds(None, 400)


@pytest.mark.parametrize(
    ("bounds", "days", "admitted"),
    [
        (ArrearsBounds(), 0, True),
        (ArrearsBounds(30, None), 29, False),
        (ArrearsBounds(30, None), 30, True),
        (ArrearsBounds(None, 100), 100, True),
        (ArrearsBounds(None, 100), 101, False),
    ],
)
def test_bounds_include_their_ends(bounds, days, admitted):
    assert bounds.admits(days) is admitted

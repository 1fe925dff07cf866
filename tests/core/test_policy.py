"""A municipality's own policy (thresholds, capacity, quiet hours, retention, outreach window):
what it sets itself, the environment's default otherwise, and a clear error for a bad value in
the model, the admin and the quiet-hours reader."""

from datetime import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from outreach.core.models import Municipality
from outreach.core.quiet_hours import (
    BadQuietHours,
    in_quiet_hours,
    parse_quiet_hours,
    quiet_hours_end,
)
from tests.conftest import AMSTERDAM, CONTACT


def at(clock: str, day: str = "2026-05-18") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMSTERDAM)


# --- quiet hours -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "clock", "quiet"),
    [
        ("21:00-08:00", "20:59", False),
        ("21:00-08:00", "21:00", True),
        ("21:00-08:00", "03:00", True),
        ("21:00-08:00", "08:00", False),
        ("20:00-08:30", "20:30", True),
        ("20:00-08:30", "08:15", True),
        ("12:00-13:00", "12:30", True),
        ("12:00-13:00", "13:00", False),
        ("", "03:00", False),
    ],
)
def test_a_moment_is_quiet_by_local_time(hours, clock, quiet):
    assert in_quiet_hours(at(clock), hours) is quiet
    assert in_quiet_hours(at(clock).astimezone(tz=None), hours) is quiet


@pytest.mark.parametrize(
    ("hours", "moment", "end"),
    [
        ("20:00-08:00", at("20:30"), at("08:00", "2026-05-19")),
        ("20:00-08:00", at("06:00"), at("08:00")),
        ("12:00-13:00", at("12:10"), at("13:00")),
        ("20:00-08:00", at("10:00"), at("10:00")),  # not quiet: now
        ("", at("23:00"), at("23:00")),
    ],
)
def test_the_quiet_hours_end_the_next_morning(hours, moment, end):
    assert quiet_hours_end(moment, hours) == end


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("21-8", "use HH:MM-HH:MM"),
        ("21:00", "use HH:MM-HH:MM"),
        ("24:00-08:00", "is not a time of day"),
        ("21:60-08:00", "is not a time of day"),
        ("08:00-08:00", "starts and ends at the same time"),
    ],
)
def test_a_bad_quiet_hours_text_says_why(text, problem):
    with pytest.raises(BadQuietHours, match=problem):
        parse_quiet_hours(text)


# --- the model: own value or default; clean() -------------------------------------------------


def test_each_setting_falls_back_to_the_environment(settings):
    settings.OUTREACH_QUIET_HOURS = "22:00-07:00"
    settings.OUTREACH_RETENTION_DAYS = 183
    settings.OUTREACH_WINDOW_DAYS = 7
    settings.OUTREACH_DEFAULT_THRESHOLD = 50
    settings.OUTREACH_DEFAULT_CAPACITY = {"phone": 40, "visit": 12}
    plain = Municipality(code="0307", name="Amersfoort")
    assert plain.quiet_hours_in_force() == "22:00-07:00"
    assert (plain.retention_days_in_force(), plain.window_days_in_force()) == (183, 7)
    assert (plain.threshold_for("Huur"), plain.capacity_for("phone")) == (50, 40)
    own = Municipality(
        code="0344", name="Utrecht", quiet_hours="20:00-08:00", retention_days=365,
        window_days=0, thresholds={"Huur": 100}, capacity={"phone": 30},
    )  # fmt: skip
    assert own.quiet_hours_in_force() == "20:00-08:00"
    assert (own.retention_days_in_force(), own.window_days_in_force()) == (365, 0)
    assert (own.threshold_for("Huur"), own.threshold_for("Zorg")) == (100, 50)
    assert (own.capacity_for("phone"), own.capacity_for("visit")) == (30, 12)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"quiet_hours": "21u-8u"}, "quiet_hours", "use HH:MM-HH:MM, e.g. 21:00-08:00"),
        ({"quiet_hours": "21:00-21:00"}, "quiet_hours", "starts and ends at the same time"),
        ({"retention_days": 0}, "retention_days", "must be from 1 to 3650 days, got 0"),
        ({"retention_days": 5000}, "retention_days", "must be from 1 to 3650 days"),
        ({"window_days": 366}, "window_days", "must be from 0 to 365 days, got 366"),
        ({"thresholds": {"Bakker": 5}}, "thresholds", "unknown partner type 'Bakker'"),
        ({"thresholds": {"Huur": "veel"}}, "thresholds", "Huur: must be a whole number"),
        ({"thresholds": [100]}, "thresholds", 'use an object such as {"Huur": 100}'),
        ({"capacity": {"desk": 3}}, "capacity", "unknown kind 'desk'; use phone and visit"),
        ({"capacity": {"phone": -1}}, "capacity", "phone: must be a whole number, 0 or more"),
    ],
)
def test_clean_names_the_field_and_what_is_wrong(values, field, message):
    place = Municipality(code="0307", name="Amersfoort", **values)
    with pytest.raises(ValidationError) as info:
        place.clean()
    assert list(info.value.message_dict) == [field]
    assert message in " ".join(info.value.message_dict[field])


def test_clean_accepts_a_full_policy_and_the_defaults():
    Municipality(code="0307", name="Amersfoort").clean()
    Municipality(
        code="0307", name="Amersfoort", quiet_hours="20:00-08:30", retention_days=1,
        window_days=0, thresholds={"Huur": 0, "Zorg": 100}, capacity={"phone": 0, "visit": 8},
    ).clean()  # fmt: skip


# --- the admin ---------------------------------------------------------------------------------


def admin_form(data: dict[str, str], instance: Municipality | None = None):
    request = RequestFactory().get("/")
    request.user = User(is_superuser=True, is_staff=True)
    model_admin = admin.site._registry[Municipality]
    form_class = model_admin.get_form(request, instance)
    base = {
        "code": "0307", "name": "Amersfoort", "thresholds": "{}", "arrears_days": "{}",
        "capacity": "{}", "contact": "{}", "manual_launch_tiers": "[]",
    }  # fmt: skip
    return form_class(data={**base, **data}, instance=instance)


@pytest.mark.django_db
def test_the_admin_shows_the_settings_with_dutch_help_and_refuses_bad_values():
    form = admin_form({"quiet_hours": "9 tot 5", "retention_days": "0", "window_days": "x"})
    assert not form.is_valid()
    assert "use HH:MM-HH:MM" in " ".join(form.errors["quiet_hours"])
    assert "must be from 1 to 3650 days" in " ".join(form.errors["retention_days"])
    assert form.errors["window_days"]  # not a number at all
    for name, words in [
        ("quiet_hours", "Stille uren"),
        ("retention_days", "Bewaartermijn"),
        ("window_days", "Outreachvenster"),
        ("thresholds", "OUTREACH_DEFAULT_THRESHOLD"),
        ("capacity", "OUTREACH_PHONE_CAPACITY"),
    ]:
        assert words in str(form.fields[name].help_text)


@pytest.mark.django_db
def test_the_admin_saves_a_municipality_s_own_settings_and_blank_is_the_default():
    form = admin_form(
        {
            "quiet_hours": "20:00-08:00",
            "retention_days": "365",
            "window_days": "",
            "capacity": '{"phone": 30, "visit": 8}',
            "contact": f'{{"worker_name": "{CONTACT["worker_name"]}"}}',
        }
    )
    assert form.is_valid(), form.errors
    place = form.save()
    assert (place.quiet_hours, place.retention_days, place.window_days) == (
        "20:00-08:00",
        365,
        None,
    )
    assert place.capacity_for("visit") == 8


def test_check_refuses_unreadable_default_quiet_hours(settings):
    from outreach.core.checks import policy_defaults

    settings.OUTREACH_QUIET_HOURS = "21:00-08:00"
    assert policy_defaults() == []
    settings.OUTREACH_QUIET_HOURS = "9pm-8am"
    (error,) = policy_defaults()
    assert (
        error.id == "core.E001" and "OUTREACH_QUIET_HOURS '9pm-8am': use HH:MM-HH:MM" in error.msg
    )

"""Campaign files: the shipped campaigns, and every problem the loader reports, precisely."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from outreach.cadence.campaigns import (
    CHANNELS,
    Campaign,
    CampaignError,
    Window,
    default_template,
    load_campaign,
    load_campaigns,
)
from outreach.intake.weighing import Problem
from outreach.messaging.texts.catalogue import TEMPLATES

SHIPPED = Path(__file__).resolve().parents[2] / "campaigns"

LETTER = '[[step]]\nid = "letter"\nchannel = "letter"\nafter_days = 0\n'


def write(folder: Path, text: str, name: str = "test.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(folder: Path, text: str, name: str = "test.toml") -> list[Problem]:
    path = write(folder, text, name)
    campaign, found = load_campaign(path)
    assert campaign is None
    return found


def only_problem(folder: Path, text: str) -> Problem:
    found = problems(folder, text)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def load(folder: Path, text: str) -> Campaign:
    campaign, found = load_campaign(write(folder, text))
    assert found == [], [str(p) for p in found]
    assert campaign is not None
    return campaign


def step(
    step_id: str, channel: str, window: dict[str, object] | None = None, **keys: object
) -> str:
    """A [[step]] table; `window` becomes its [step.window]."""
    lines = [f'[[step]]\nid = "{step_id}"\nchannel = "{channel}"']
    lines += [f"{key} = {_toml(value)}" for key, value in keys.items()]
    if window is not None:
        lines.append("[step.window]")
        lines += [f"{key} = {_toml(value)}" for key, value in window.items()]
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def campaign(*steps: str, top: str = "") -> str:
    return f'label = "Test"\n{top}\n' + "".join(steps)


# --- the shipped campaigns ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> dict[str, Campaign]:
    return load_campaigns(SHIPPED)


def test_shipped_campaigns_load(shipped: dict[str, Campaign]) -> None:
    assert sorted(shipped) == ["crisis", "intensive", "letters-only", "light", "standard", "young"]
    for c in shipped.values():
        assert c.label
        assert c.close_after_days == 7
        assert max(c.days.values()) <= 28, c.name
        for s in c.steps:
            assert s.channel in CHANNELS
            if s.channel == "sms" and s.on_failure:
                assert c.steps[[x.id for x in c.steps].index(s.on_failure)].channel == "letter"


def test_shipped_intensive_has_four_attempts_with_a_call_and_an_announced_visit(
    shipped: dict[str, Campaign],
) -> None:
    intensive = shipped["intensive"]
    planned = intensive.planned_attempts()
    assert len(planned) >= 4
    channels = [s.channel for s in planned]
    assert "phone_task" in channels
    (visit,) = [s for s in planned if s.channel == "visit_task"]
    announcements = [s for s in planned if s.announces == visit.id]
    assert announcements and all(s.channel in ("letter", "sms") for s in announcements)
    assert all(intensive.days[s.id] < intensive.days[visit.id] for s in announcements)
    card = next(s for s in intensive.steps if s.id == visit.on_failure)
    assert card.channel == "not_home_card"
    assert intensive.fallbacks() == {"letter_no_sms", "not_home_card"}


def test_shipped_crisis_counts_working_days_and_is_not_letters_only(
    shipped: dict[str, Campaign],
) -> None:
    crisis = shipped["crisis"]
    assert crisis.day_unit == "working"
    assert max(crisis.days.values()) <= 3
    channels = {s.channel for s in crisis.planned_attempts()}
    assert {"phone_task", "visit_task", "sms"} <= channels


def test_shipped_young_starts_with_whatsapp_falling_back_to_sms_then_letter(
    shipped: dict[str, Campaign],
) -> None:
    young = shipped["young"]
    first = young.steps[0]
    assert first.channel == "whatsapp" and young.days[first.id] == 0
    sms = next(s for s in young.steps if s.id == first.on_failure)
    assert sms.channel == "sms"
    assert next(s for s in young.steps if s.id == sms.on_failure).channel == "letter"


def test_shipped_light_and_standard_are_calendar_days(shipped: dict[str, Campaign]) -> None:
    assert shipped["light"].day_unit == shipped["standard"].day_unit == "calendar"
    assert shipped["standard"].days["call"] == 7


# --- what a step means -------------------------------------------------------------------------


def test_step_fields_and_days(tmp_path: Path) -> None:
    text = campaign(
        LETTER,
        step(
            "sms",
            "sms",
            after_days=3,
            requires=["has_mobile", "no_reply"],
            languages=["nl", "en"],
            on_failure="letter2",
            window={"days": ["mon", "tue"], "hours": "09:30-18:00"},
        ),
        step("letter2", "letter"),
        step("call", "phone_task", after_days=4, window={"hours": "17:00-21:00"}),
        step("announce", "sms", announces="visit", days_before=2),
        step("visit", "visit_task", after_days=5, on_failure="card"),
        step("card", "not_home_card"),
        step("late", "letter", after="start", after_days=20),
        top='days = "working"\nclose_after_days = 10',
    )
    c = load(tmp_path, text)
    assert c.name == "test"
    assert c.day_unit == "working"
    assert c.close_after_days == 10
    sms = c.steps[1]
    assert sms.requires == ("has_mobile", "no_reply")
    assert sms.languages == ("nl", "en")
    assert sms.window == Window(("mon", "tue"), (9 * 60 + 30, 18 * 60))
    assert c.steps[3].window == Window(hours=(17 * 60, 21 * 60))
    # Fallbacks fall on the day of their step and are left out of the "previous" chain;
    # announcements come days_before their visit.
    assert dict(c.days) == {
        "letter": 0,
        "sms": 3,
        "letter2": 3,
        "call": 7,
        "announce": 10,
        "visit": 12,
        "card": 12,
        "late": 20,
    }
    assert c.fallbacks() == {"letter2", "card"}
    assert [s.id for s in c.planned_attempts()] == [
        "letter",
        "sms",
        "call",
        "announce",
        "visit",
        "late",
    ]


def test_defaults_of_days_and_close_after_days(tmp_path: Path) -> None:
    c = load(tmp_path, campaign(LETTER))
    assert (c.day_unit, c.close_after_days) == ("calendar", 7)
    assert c.steps[0].window is None
    assert c.steps[0].after == "previous"


# --- every problem, precisely ------------------------------------------------------------------


def test_bad_channel_with_suggestion(tmp_path: Path) -> None:
    p = only_problem(tmp_path, campaign(step("first", "letterr", after_days=0)))
    assert p == Problem(
        str(tmp_path / "test.toml"),
        "step[1] (id 'first')",
        "channel",
        "unknown value 'letterr'; did you mean 'letter'? use one of: letter, sms, whatsapp, "
        "email, phone_task, visit_task, not_home_card",
    )


def test_unknown_key_with_suggestion(tmp_path: Path) -> None:
    found = problems(tmp_path, campaign(LETTER, step("sms", "sms", after_day=3)))
    assert [(p.location, p.field, p.message) for p in found] == [
        (
            "step[2] (id 'sms')",
            "after_day",
            "unknown key; did you mean 'after_days'? allowed in a step: id, channel, "
            "after_days, after, requires, languages, window, on_failure, announces, "
            "days_before, template",
        ),
        ("step[2] (id 'sms')", "after_days", "missing; must be an integer of 0 or more"),
    ]


def test_unknown_top_level_key(tmp_path: Path) -> None:
    p = only_problem(tmp_path, campaign(LETTER, top="lable = 'x'"))
    assert (p.location, p.field) == ("top level", "lable")
    assert p.message.startswith("unknown key; did you mean 'label'? allowed in a campaign: ")


def test_missing_after_days(tmp_path: Path) -> None:
    p = only_problem(tmp_path, campaign(LETTER, step("sms", "sms")))
    assert (p.location, p.field, p.message) == (
        "step[2] (id 'sms')",
        "after_days",
        "missing; must be an integer of 0 or more",
    )


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("9-17", "must look like '09:00-17:00', got '9-17'"),
        ("25:00-26:00", "'25:00-26:00' is not a time of day"),
        ("09:60-17:00", "'09:60-17:00' is not a time of day"),
        ("17:00-09:00", "'17:00-09:00' ends before it starts (a window cannot cross midnight)"),
    ],
)
def test_bad_hours(tmp_path: Path, hours: str, message: str) -> None:
    text = campaign(step("call", "phone_task", after_days=0, window={"hours": hours}))
    p = only_problem(tmp_path, text)
    assert (p.location, p.field, p.message) == ("step[1] (id 'call')", "window.hours", message)


def test_message_at_night(tmp_path: Path) -> None:
    text = campaign(step("sms", "sms", after_days=0, window={"hours": "07:30-20:00"}))
    p = only_problem(tmp_path, text)
    assert (p.location, p.field, p.message) == (
        "step[1] (id 'sms')",
        "window.hours",
        "sms is never sent between 21:00 and 08:00, got '07:30-20:00'",
    )


def test_calls_may_be_in_the_evening_but_not_at_night(tmp_path: Path) -> None:
    load(
        tmp_path,
        campaign(step("call", "phone_task", after_days=0, window={"hours": "17:00-21:00"})),
    )
    p = only_problem(
        tmp_path,
        campaign(step("call", "phone_task", after_days=0, window={"hours": "18:00-21:30"})),
    )
    assert (p.field, p.message) == (
        "window.hours",
        "phone_task is never planned between 21:00 and 08:00, got '18:00-21:30'",
    )


def test_bad_window_days_and_keys(tmp_path: Path) -> None:
    text = campaign(step("sms", "sms", after_days=0, window={"days": ["mon", "tues"], "hour": "x"}))
    found = problems(tmp_path, text)
    assert [(p.field, p.message) for p in found] == [
        ("window.hour", "unknown key; did you mean 'hours'? allowed in a window: days, hours"),
        (
            "window.days",
            "unknown value 'tues'; did you mean 'tue'? use one of: mon, tue, wed, thu, fri, sat, "
            "sun",
        ),
    ]


def test_on_failure_to_unknown_step(tmp_path: Path) -> None:
    text = campaign(LETTER, step("sms", "sms", after_days=3, on_failure="leter"))
    p = only_problem(tmp_path, text)
    assert (p.location, p.field, p.message) == (
        "step[2] (id 'sms')",
        "on_failure",
        "no step with id 'leter'; did you mean 'letter'?",
    )


def test_announcement_of_a_non_visit(tmp_path: Path) -> None:
    text = campaign(
        step("call", "phone_task", after_days=3),
        step("announce", "letter", announces="call", days_before=2),
    )
    p = only_problem(tmp_path, text)
    assert (p.location, p.field, p.message) == (
        "step[2] (id 'announce')",
        "announces",
        "'call' is a phone_task; only a visit is announced",
    )


def test_announcement_before_day_0(tmp_path: Path) -> None:
    text = campaign(
        step("announce", "letter", announces="visit", days_before=3),
        step("visit", "visit_task", after_days=1),
    )
    p = only_problem(tmp_path, text)
    assert (p.location, p.field, p.message) == (
        "step[1] (id 'announce')",
        "days_before",
        "the visit 'visit' is on day 1: 3 days before it is before the campaign starts",
    )


@pytest.mark.parametrize(
    ("announce", "field", "message"),
    [
        (
            step("announce", "sms", announces="visit", days_before=1, after_days=1),
            "after_days",
            "not allowed in an announcement: it is due `days_before` earlier",
        ),
        (
            step("announce", "sms", announces="visit"),
            "days_before",
            "missing; an announcement says how many days before (1+)",
        ),
    ],
)
def test_announcement_timing(tmp_path: Path, announce: str, field: str, message: str) -> None:
    p = only_problem(tmp_path, campaign(announce, step("visit", "visit_task", after_days=5)))
    assert (p.location, p.field, p.message) == ("step[1] (id 'announce')", field, message)


def test_only_a_message_announces(tmp_path: Path) -> None:
    text = campaign(
        step("announce", "phone_task", announces="visit", days_before=1),
        step("visit", "visit_task", after_days=5),
    )
    p = only_problem(tmp_path, text)
    assert (p.field, p.message) == (
        "channel",
        "only a message can announce a visit, not phone_task",
    )


def test_a_planned_visit_is_announced(tmp_path: Path) -> None:
    p = only_problem(tmp_path, campaign(LETTER, step("visit", "visit_task", after_days=5)))
    assert (p.location, p.field, p.message) == (
        "step[2] (id 'visit')",
        "channel",
        "a visit is announced first: add a letter or sms step with announces = 'visit' and "
        "days_before",
    )


def test_a_fallback_visit_cannot_be_announced(tmp_path: Path) -> None:
    text = campaign(
        step("call", "phone_task", after_days=0, on_failure="visit"),
        step("announce", "letter", announces="visit", days_before=1),
        step("visit", "visit_task"),
    )
    p = only_problem(tmp_path, text)
    assert (p.location, p.field, p.message) == (
        "step[2] (id 'announce')",
        "announces",
        "'visit' is the fallback of 'call'; only a planned visit is announced",
    )


def test_not_home_card_only_as_a_visits_fallback(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        campaign(
            LETTER,
            step("card", "not_home_card", after_days=1),
            step("sms", "sms", after_days=1, on_failure="card2"),
            step("card2", "not_home_card"),
        ),
    )
    assert [(p.location, p.field, p.message) for p in found] == [
        (
            "step[2] (id 'card')",
            "channel",
            "a not_home_card is left when nobody is home: name it in a visit's on_failure",
        ),
        (
            "step[3] (id 'sms')",
            "on_failure",
            "'card2' is a not_home_card; only a visit falls back to one",
        ),
    ]


def test_a_fallback_has_no_timing_of_its_own(tmp_path: Path) -> None:
    text = campaign(
        step("sms", "sms", after_days=0, on_failure="letter"),
        step("letter", "letter", after_days=2, after="start"),
    )
    found = problems(tmp_path, text)
    assert [(p.location, p.field, p.message) for p in found] == [
        (
            "step[2] (id 'letter')",
            "after",
            "not allowed: a fallback is taken as soon as 'sms' fails",
        ),
        (
            "step[2] (id 'letter')",
            "after_days",
            "a fallback is taken as soon as 'sms' fails; leave after_days out (or 0), got 2",
        ),
    ]


def test_fallbacks_in_a_circle(tmp_path: Path) -> None:
    text = campaign(
        LETTER,
        step("sms", "sms", on_failure="mail"),
        step("mail", "email", on_failure="sms"),
    )
    found = problems(tmp_path, text)
    assert [(p.location, p.field) for p in found] == [
        ("step[2] (id 'sms')", "id"),
        ("step[3] (id 'mail')", "id"),
    ]
    assert found[0].message == (
        "only the fallback of 'mail', which no planned step leads to "
        "(the on_failure steps go round in a circle)"
    )


def test_on_failure_naming_itself_or_an_announcement(tmp_path: Path) -> None:
    text = campaign(
        step("sms", "sms", after_days=0, on_failure="sms"),
        step("announce", "letter", announces="visit", days_before=1),
        step("visit", "visit_task", after_days=5, on_failure="announce"),
    )
    found = problems(tmp_path, text)
    assert [(p.location, p.field, p.message) for p in found] == [
        ("step[1] (id 'sms')", "on_failure", "names the step itself"),
        (
            "step[3] (id 'visit')",
            "on_failure",
            "'announce' announces a visit; an announcement cannot be a fallback",
        ),
    ]


def test_duplicate_ids(tmp_path: Path) -> None:
    text = campaign(LETTER, step("sms", "sms", after_days=2), LETTER.replace("0", "5"))
    p = only_problem(tmp_path, text)
    assert (p.location, p.field, p.message) == (
        "step[3] (id 'letter')",
        "id",
        "duplicate step id 'letter', first used at step[1]",
    )


def test_toml_syntax_error(tmp_path: Path) -> None:
    p = only_problem(tmp_path, 'label = "Test"\n[[step]]\nid = "letter\nchannel = "letter"\n')
    assert p.file == str(tmp_path / "test.toml")
    assert p.location == "line 3, column 13"
    assert p.field == ""
    assert p.message.startswith("TOML syntax error: ")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "test.toml"
    path.write_bytes(b'label = "Test"\n# caf\xe9\n')
    campaign_, found = load_campaign(path)
    assert campaign_ is None
    assert [(p.location, p.message) for p in found] == [("line 2", "not valid UTF-8")]


@pytest.mark.parametrize(
    ("top", "field", "message"),
    [
        ('days = "weekdays"', "days", "unknown value 'weekdays'; use one of: calendar, working"),
        ("close_after_days = -1", "close_after_days", "must be 0 or more, got -1"),
        ('close_after_days = "7"', "close_after_days", "must be an integer, got '7'"),
    ],
)
def test_campaign_level_keys(tmp_path: Path, top: str, field: str, message: str) -> None:
    p = only_problem(tmp_path, campaign(LETTER, top=top))
    assert (p.location, p.field, p.message) == ("top level", field, message)


@pytest.mark.parametrize(
    ("keys", "field", "message"),
    [
        ({"after_days": -1}, "after_days", "must be 0 or more, got -1"),
        (
            {"after_days": 1, "after": "begin"},
            "after",
            "unknown value 'begin'; use one of: start, previous",
        ),
        (
            {"after_days": 1, "requires": ["has_phone"]},
            "requires",
            "unknown value 'has_phone'; did you mean 'has_mobile'? "
            "use one of: has_mobile, has_email, no_reply",
        ),
        ({"after_days": 1, "languages": ["NL"]}, "languages", "'NL' is not a language like 'nl'"),
        ({"after_days": 1, "languages": ["nl", "nl"]}, "languages", "lists a value twice"),
        ({"after_days": 1, "days_before": 2}, "days_before", "only allowed with `announces`"),
    ],
)
def test_step_field_problems(
    tmp_path: Path, keys: dict[str, Any], field: str, message: str
) -> None:
    p = only_problem(tmp_path, campaign(step("sms", "sms", **keys)))
    assert (p.location, p.field, p.message) == ("step[1] (id 'sms')", field, message)


def test_no_steps_no_label_bad_file_name(tmp_path: Path) -> None:
    found = problems(tmp_path, "", name="Bad Name.toml")
    assert [(p.location, p.field, p.message) for p in found] == [
        ("", "", "file name must be lower case letters, digits, _ or -"),
        ("top level", "label", "missing; must be a non-empty string"),
        ("top level", "step", "must have at least one step, written as [[step]]"),
    ]


def test_several_problems_at_once_across_files(tmp_path: Path) -> None:
    write(tmp_path, campaign(LETTER), "good.toml")
    write(
        tmp_path,
        campaign(
            step("first", "fax", after_days=0),
            step("sms", "sms", window={"hours": "06:00-09:00"}),
            step("sms", "sms", after_days=1, on_failure="nothing"),
        ),
        "bad.toml",
    )
    write(tmp_path, "label = [", "broken.toml")
    write(tmp_path, "not = 'a campaign'", "afwegingskader.toml")  # skipped: not a campaign
    with pytest.raises(CampaignError) as info:
        load_campaigns(tmp_path)
    found = [(Path(p.file).name, p.location, p.field) for p in info.value.problems]
    assert found == [
        ("bad.toml", "step[1] (id 'first')", "channel"),
        ("bad.toml", "step[2] (id 'sms')", "after_days"),
        ("bad.toml", "step[2] (id 'sms')", "window.hours"),
        ("bad.toml", "step[3] (id 'sms')", "id"),
        ("bad.toml", "step[3] (id 'sms')", "on_failure"),
        ("broken.toml", "line 1 (end of file)", ""),
    ]
    assert str(info.value).splitlines() == [str(p) for p in info.value.problems]


def test_each_message_step_gets_a_text(tmp_path: Path, shipped: dict[str, Campaign]) -> None:
    text = campaign(
        step("first", "letter", after_days=0),
        step("sms", "sms", after_days=2, on_failure="no_sms"),
        step("no_sms", "letter"),
        step("again", "sms", after_days=3),
        step("wa", "whatsapp", after_days=1),
        step("own", "letter", after_days=1, template="first_multiple"),
        step("tell", "sms", announces="visit", days_before=1),
        step("visit", "visit_task", after_days=4, on_failure="card"),
        step("card", "not_home_card"),
        step("call", "phone_task", after_days=1),
    )
    c = load(tmp_path, text)
    texts = {s.id: default_template(c, s) for s in c.steps}
    assert texts == {
        "first": "first_single",
        "sms": "invitation",
        "no_sms": "follow_up",
        "again": "reminder",
        "wa": "whatsapp",
        "own": "first_multiple",
        "tell": "visit_announcement_sms",
        "visit": None,
        "card": "not_home_card",
        "call": None,
    }
    # Every message step of the shipped campaigns names a text that exists.
    for shipped_campaign in shipped.values():
        for s in shipped_campaign.steps:
            name = default_template(shipped_campaign, s)
            assert (name is None) == (s.channel in ("phone_task", "visit_task")), s
            assert name is None or name in TEMPLATES


@pytest.mark.parametrize(
    ("channel", "template", "message"),
    [
        ("letter", "aanmaning", "unknown text 'aanmaning'; "),
        ("letter", "invitatoin", "did you mean 'invitation'?"),
        ("sms", "first_single", "'first_single' is a letter text; a sms step sends a sms"),
        ("phone_task", "invitation", "a phone_task sends no text; leave `template` out"),
    ],
)
def test_a_wrong_text_is_reported(tmp_path: Path, channel: str, template: str, message: str):
    p = only_problem(tmp_path, campaign(step("s", channel, after_days=0, template=template)))
    assert (p.location, p.field) == ("step[1] (id 's')", "template")
    assert message in p.message

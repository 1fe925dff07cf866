"""The simulator's options: each mistake says which part is wrong."""

import re

import pytest

from outreach.simulation import options


def test_capacity_reads_calls_and_visits_as_the_engine_s_task_kinds():
    assert options.capacity("calls=40,visits=12") == {"phone": 40, "visit": 12}
    assert options.capacity(" visits = 3 ") == {"visit": 3}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("calls40", "'calls40' is not KIND=NUMBER"),
        ("calls=40,", "'' is not KIND=NUMBER"),
        ("calls=40,bezoek=2", "unknown kind 'bezoek'; use calls or visits"),
        ("calls=veel", "calls='veel' is not a whole number"),
        ("calls=-1", "calls='-1' is not a whole number"),
        ("calls=1,calls=2", "calls is given twice"),
    ],
)
def test_bad_capacity_says_which_part(text, message):
    with pytest.raises(ValueError, match=message):
        options.capacity(text)


def test_campaign_names():
    assert options.campaign_names("letters-only, intensive") == ["letters-only", "intensive"]
    with pytest.raises(ValueError, match="empty name"):
        options.campaign_names("a,,b")
    with pytest.raises(ValueError, match="names no campaign"):
        options.campaign_names(" , ")
    with pytest.raises(ValueError, match=re.escape("'../x' is not a campaign name")):
        options.campaign_names("../x")

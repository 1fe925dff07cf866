"""The run page lists the campaigns in the order the supervisor asked for them, whatever order
the stored figures come back in (PostgreSQL's jsonb sorts its keys)."""

from outreach.simulation.views import in_asked_order, result_rows


def test_campaigns_come_in_the_order_asked_not_the_stored_order() -> None:
    stored = {"campaigns": {"young": {"signals": 1}, "intensive": {"signals": 2}, "light": {}}}
    names = [name for name, _ in in_asked_order(stored, ["intensive", "young", "light"])]
    assert names == ["intensive", "young", "light"]


def test_a_stored_campaign_not_asked_for_is_still_shown_last() -> None:
    stored = {"campaigns": {"young": {}, "intensive": {}}}
    assert [name for name, _ in in_asked_order(stored, ["intensive"])] == ["intensive", "young"]


def test_the_rows_follow_the_asked_order() -> None:
    figures = {"signals": 10, "reach": 0.5, "acceptance": 0.4}
    stored = {"campaigns": {"young": figures, "intensive": figures}}
    assert [row.campaign for row in result_rows(stored, ["intensive", "young"])] == [
        "intensive",
        "young",
    ]

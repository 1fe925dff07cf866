"""The deadline as the pages say it: never a negative number of days."""

import pytest

from outreach.core.templatetags.deadlines import deadline_text


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (5, "nog 5 dagen"),
        (1, "nog 1 dag"),
        (0, "vandaag"),
        (-1, "1 dag over tijd"),
        (-5, "5 dagen over tijd"),
    ],
)
def test_days_to_the_deadline_in_words(days, text):
    assert deadline_text(days) == text

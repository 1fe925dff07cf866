"""What one API request may hold: at most a number of signals, refused whole beyond it.

A partner splits a larger delivery over several requests. A JSON body is judged before it is
parsed: a body of a million empty signals (`[{}, {}, ...]`) would otherwise become a million
objects and a million rejections before its size could be noticed.
"""

from collections.abc import Iterator
from itertools import islice

from outreach.intake.readers import RawRow

# A DDAS signal has about 30 JSON values (fields, objects and lists); this leaves room for
# partners' own extra fields.
VALUES_PER_SIGNAL = 100


class TooManySignals(Exception):
    """The request holds more signals than one request may; str() says what to do."""

    def __init__(self, limit: int, why: str) -> None:
        super().__init__(
            f"{why}; a request may hold at most {limit} signals: split the delivery over "
            "several requests"
        )
        self.limit = limit


def json_values_at_most(data: bytes) -> int:
    """An upper bound of the values in a JSON text, counted without parsing it: every value
    after the first follows a comma or opens an object or a list. Commas and brackets inside
    strings count too, which only makes the bound safer."""
    return data.count(b",") + data.count(b"[") + data.count(b"{") + 1


def check_json_size(data: bytes, limit: int) -> None:
    """TooManySignals when the JSON text holds more values than `limit` signals could have."""
    if json_values_at_most(data) > limit * VALUES_PER_SIGNAL:
        raise TooManySignals(
            limit, f"the request holds more than {limit * VALUES_PER_SIGNAL} JSON values"
        )


def take_rows(rows: Iterator[RawRow], limit: int) -> list[RawRow]:
    """The rows of a delivery of at most `limit` signals; reads no further than one past it."""
    taken = list(islice(rows, limit + 1))
    if len(taken) > limit:
        raise TooManySignals(limit, f"the request holds more than {limit} signals")
    return taken

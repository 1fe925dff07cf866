"""The dashboard's SVG bar chart: well-formed, one bar per group that has one, the interval as
a whisker, no bar for a small group, every text escaped, and accessible by its title and desc."""

import xml.etree.ElementTree as ET

import pytest

from outreach.reporting.charts import BAR_WIDTH, bar_chart, nice_top
from outreach.reporting.stats import Rate
from outreach.reporting.tables import Column, Table

SVG = "{http://www.w3.org/2000/svg}"
SCRIPT = "<script>alert(1)</script>"


def rate_table(*rows) -> Table:
    return Table(
        slug="bereik",
        title="Bereik & acceptatie",
        columns=(Column("group", "Groep"), Column("reached", "Bereikt")),
        rows=tuple(rows),
        chart_column="reached",
    )


def parse(table: Table) -> ET.Element:
    svg = bar_chart(table)
    assert svg is not None
    return ET.fromstring(str(svg))


def bars(root: ET.Element) -> list[ET.Element]:
    return root.findall(f".//{SVG}rect[@class='bar']")


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_a_rate_column_draws_a_bar_per_group_as_its_fraction():
    root = parse(rate_table(("Energie", Rate(12, 40)), ("Huur", Rate(25, 50))))
    widths = [float(bar.get("width", "")) for bar in bars(root)]
    assert widths == pytest.approx([0.3 * BAR_WIDTH, 0.5 * BAR_WIDTH], abs=0.1)
    assert "30% (12/40)" in texts(root) and "50% (25/50)" in texts(root)


def test_the_interval_is_a_whisker_from_its_low_to_its_high_end():
    rate = Rate(12, 40)
    root = parse(rate_table(("Energie", rate)))
    (whisker,) = root.findall(f".//{SVG}g[@class='interval']")
    line = whisker.findall(f"{SVG}line")[0]
    bar = bars(root)[0]
    start = float(bar.get("x", ""))
    low, high = rate.interval or (0.0, 0.0)
    assert float(line.get("x1", "")) == pytest.approx(start + low * BAR_WIDTH, abs=0.1)
    assert float(line.get("x2", "")) == pytest.approx(start + high * BAR_WIDTH, abs=0.1)


def test_a_group_under_ten_cases_gets_no_bar_but_says_n_under_10():
    root = parse(rate_table(("Energie", Rate(12, 40)), ("Water", Rate(3, 7))))
    assert len(bars(root)) == 1
    assert len(root.findall(f".//{SVG}g[@class='interval']")) == 1
    assert "n < 10 (3/7)" in texts(root)
    assert not any("%" in text for text in texts(root) if "3/7" in text)


def test_a_count_column_draws_the_counts_against_a_rounded_scale():
    table = Table(
        slug="pogingen",
        title="Pogingen",
        columns=(Column("kind", "Soort"), Column("n", "Pogingen")),
        rows=(("Brief", 60), ("Telefoon", 30), ("Huisbezoek", None)),
        chart_column="n",
    )
    root = parse(table)
    widths = [float(bar.get("width", "")) for bar in bars(root)]
    assert widths == pytest.approx([0.6 * BAR_WIDTH, 0.3 * BAR_WIDTH], abs=0.1)  # scale 0-100
    assert {"0", "50", "100", "60", "30", "n.v.t."} <= set(texts(root))


def test_labels_and_titles_are_escaped_text():
    table = rate_table((SCRIPT, Rate(12, 40)), ("Huur", Rate(1, 20)))
    svg = str(bar_chart(table))
    assert "<script" not in svg
    root = ET.fromstring(svg)
    assert root.find(f".//{SVG}script") is None
    assert root.findtext(f"{SVG}title") == "Bereik & acceptatie"
    label = next(n for n in root.iter(f"{SVG}text") if n.get("class") == "label")
    assert label.text == SCRIPT


def test_a_long_label_is_cut_and_keeps_its_whole_text_as_a_title():
    long = "Woningcorporatie " * 5
    root = parse(rate_table((long, Rate(12, 40))))
    label = next(n for n in root.iter(f"{SVG}text") if n.get("class") == "label")
    assert (label.text or "").endswith("…") and len(label.text or "") < len(long)
    assert label.findtext(f"{SVG}title") == long


def test_the_chart_is_an_image_labelled_by_its_title_and_description():
    root = parse(rate_table(("Energie", Rate(12, 40))))
    assert root.get("role") == "img" and root.get("width") == "100%"
    assert root.get("viewBox", "").startswith("0 0 400 ")
    ids = root.get("aria-labelledby", "").split()
    assert [root.find(f"{SVG}title"), root.find(f"{SVG}desc")] == [
        root.find(f".//*[@id='{name}']") for name in ids
    ]
    assert "tabel" in (root.findtext(f"{SVG}desc") or "")


def test_a_table_without_a_chart_column_has_no_chart():
    table = Table(slug="x", title="X", columns=(Column("a", "A"),), rows=(("1",),))
    assert bar_chart(table) is None


@pytest.mark.parametrize(
    ("largest", "top"), [(0, 1), (1, 1), (3, 5), (60, 100), (101, 200), (0.4, 0.5)]
)
def test_the_scale_ends_at_one_two_or_five_times_a_power_of_ten(largest, top):
    assert nice_top(largest) == pytest.approx(top)

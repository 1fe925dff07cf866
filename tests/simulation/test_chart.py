"""The reach chart: valid SVG, a line per campaign, every text escaped."""

import xml.etree.ElementTree as ET

from outreach.simulation.chart import reach_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_one_named_line_per_campaign_from_day_zero():
    series = {"letters-only": [0.0, 0.02, 0.06], "<intensief>": [0.1, 0.3, 0.45]}
    svg = ET.fromstring(reach_chart(series))
    groups = svg.findall(f".//{SVG}g[@class='series']")
    assert [g.get("data-campaign") for g in groups] == ["letters-only", "<intensief>"]
    for group in groups:
        points = group.find(f"{SVG}polyline").get("points").split()
        assert len(points) == 4  # day 0 and the three days
    text = ET.tostring(svg, encoding="unicode")
    assert "45%" in text
    assert "<intensief>" not in reach_chart(series)  # escaped in the document
    assert svg.find(f"{SVG}title").text

"""Server-drawn charts: valid SVG, named for screen readers, figures as text, content escaped."""

import xml.etree.ElementTree as ET
from datetime import date

from register.charts import bar_chart, fill_months, month_chart

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script> "&\' Fön & Co'


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def assert_named_image(root: ET.Element, title: str) -> None:
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith("0 0 ")
    title_element = root.find(f"{SVG}title")
    assert title_element is not None and title_element.text == title
    assert root.get("aria-labelledby") == title_element.get("id")


def assert_no_inline_style(markup) -> None:
    root = parse(markup)
    assert all("style" not in element.attrib for element in root.iter())
    assert root.find(f".//{SVG}style") is None
    assert "<script" not in str(markup)


def test_bar_chart_writes_each_label_and_value_as_text():
    chart = bar_chart(
        [("Trafikverket", 12), ("Sveriges Kommuner och Regioner", 7), ("Volvo", 0)],
        title="Organisations met most",
        value_label="Meetings",
    )
    root = parse(chart)
    assert_named_image(root, "Organisations met most")
    written = texts(root)
    for label, value in [("Trafikverket", "12"), ("Sveriges Kommuner och Regioner", "7")]:
        assert label in written and value in written
    assert "0" in written and "Meetings" in written
    widths = [float(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > widths[2] == 0
    assert_no_inline_style(chart)


def test_bar_chart_escapes_a_hostile_label():
    chart = bar_chart([(HOSTILE, 3)], title='Top "10" <b>', value_label="Meetings & more")
    source = str(chart)
    assert "<script>" not in source and "<b>" not in source
    assert "&lt;script&gt;" in source and "&amp;" in source and "&#34;" in source
    root = parse(chart)  # still well-formed XML
    assert HOSTILE in texts(root)
    assert root.find(f"{SVG}title").text == 'Top "10" <b>'
    assert_no_inline_style(chart)


def test_a_long_label_takes_two_lines_and_a_longer_one_is_shortened():
    name = "Regeringskansliet – Landsbygds- och infrastrukturdepartementet"
    longer = "Föreningen för en mycket lång organisationsbeteckning " * 3 + "AB"
    root = parse(bar_chart([(name, 5), (longer, 2)], title="Top", value_label="Meetings"))
    labels = [
        element.text for element in root.iter(f"{SVG}text") if element.get("class") == "chart-label"
    ]
    assert " ".join(labels[:2]) == name
    assert len(labels) == 4 and labels[3].endswith("…") and longer.startswith(labels[2])
    tooltips = [element.text for element in root.iter(f"{SVG}title")]
    assert f"{name}: 5" in tooltips and f"{longer}: 2" in tooltips
    label_bottom = max(
        float(text.get("y")) for text in root.iter(f"{SVG}text") if text.text == labels[1]
    )
    first_bar = next(root.iter(f"{SVG}rect"))
    assert float(first_bar.get("y")) >= label_bottom  # the bar is below both lines


def test_charts_on_one_page_have_distinct_ids():
    first = parse(bar_chart([("A", 1)], title="By kind", value_label="Meetings"))
    second = parse(bar_chart([("A", 1)], title="By format", value_label="Meetings"))
    chosen = parse(bar_chart([("A", 1)], title="By kind", value_label="M", chart_id="kinds"))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")
    assert chosen.get("aria-labelledby") == "kinds-title"


def test_empty_data_gives_no_chart():
    assert not bar_chart([], title="Top", value_label="Meetings")
    assert not month_chart([], title="Per month", value_label="Meetings")


def test_month_chart_fills_the_missing_months_with_zero():
    counts = [(date(2025, 11, 1), 4), (date(2026, 2, 1), 9)]
    assert fill_months(counts) == [
        (date(2025, 11, 1), 4),
        (date(2025, 12, 1), 0),
        (date(2026, 1, 1), 0),
        (date(2026, 2, 1), 9),
    ]
    chart = month_chart(counts, title="Meetings per month", value_label="Meetings")
    root = parse(chart)
    assert_named_image(root, "Meetings per month")
    columns = root.findall(f"{SVG}g")
    assert len(columns) == 4
    tooltips = [column.find(f"{SVG}title").text for column in columns]
    assert tooltips == ["2025-11: 4", "2025-12: 0", "2026-01: 0", "2026-02: 9"]
    written = texts(root)
    assert {"2025-11", "2025-12", "2026-01", "2026-02"} <= set(written)
    assert "4" in written and "9" in written  # the values, above their columns
    assert_no_inline_style(chart)


def test_month_chart_labels_every_nth_month_when_there_are_many():
    counts = [(date(2015 + i // 12, i % 12 + 1, 1), i) for i in range(120)]
    root = parse(month_chart(counts, title="Ten years", value_label="Meetings"))
    assert len(root.findall(f"{SVG}g")) == 120
    month_labels = [text for text in texts(root) if len(text) == 7 and text[4] == "-"]
    assert 3 <= len(month_labels) <= 10
    assert all(label.endswith("-01") for label in month_labels)  # each on a January


def test_month_chart_scale_covers_the_highest_value_with_a_few_gridlines():
    root = parse(
        month_chart([(date(2026, 1, 1), 37), (date(2026, 3, 1), 5)], title="T", value_label="M")
    )
    gridlines = root.findall(f"{SVG}line")
    assert 3 <= len(gridlines) <= 7
    scale = [
        int(element.text)
        for element in root.iter(f"{SVG}text")
        if element.get("class") == "chart-scale" and element.text.isdigit()
    ]
    assert len(scale) == len(gridlines) and scale[0] == 0 and 37 <= scale[-1] < 2 * 37


def test_month_chart_adds_up_dates_within_one_month():
    counts = [(date(2026, 3, 14), 2), (date(2026, 3, 1), 3)]
    assert fill_months(counts) == [(date(2026, 3, 1), 5)]

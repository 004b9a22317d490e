"""The statistics page (/stats) and its CSV files, on a small register with known answers."""

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from register.extensions import db
from register.models import Meeting

CHARTS = ("months", "kinds", "organisations", "officials", "issues", "initiatives", "formats")
HOSTILE = '<script>alert("x")</script> & "Co"'


def at(day: str, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


@pytest.fixture
def register(records):
    """Four published meetings, a draft, a withdrawn record; ids by name.

    held         officials  organisations      issues      format     initiative   days
    2025-01-10   A          Trafik, SKR        railway     in person  region        2
    2025-01-20   A, B       Trafik             railway     video      counterpart  21 (late)
    2025-03-05   B          SKR, Volvo, Secret care        in person  region        1
    2025-03-25   C          hostile name       -           phone      third party  14
    """
    ids = {
        "board": records.unit(name="Regionstyrelsen"),
        "transit": records.unit(name="Kollektivtrafiknämnden", kind="committee"),
    }
    ids["a"] = records.official(name="Anna Andersson", unit_id=ids["board"])
    ids["b"] = records.official(name="Bo Berg", title="ordförande", unit_id=ids["transit"])
    ids["c"] = records.official(name="Cecilia Ceder", title="sekreterare")
    ids["trafik"] = records.organisation(name="Trafikverket", kind="public_authority")
    ids["skr"] = records.organisation(name="SKR", kind="local_government")
    ids["volvo"] = records.organisation(name="Volvo", kind="company")
    ids["hostile"] = records.organisation(name=HOSTILE, kind="ngo")
    ids["secret"] = records.organisation(name="Hemliga Bolaget AB", kind="union", public=False)
    ids["railway"] = records.issue()
    ids["care"] = records.issue(title="Kompetensförsörjning i vården", slug="kompetens")

    def meeting(held, published, officials, organisations, issues=(), **fields):
        return records.meeting(
            held_on=date.fromisoformat(held),
            published_at=published,
            official_ids=[ids[name] for name in officials],
            organisation_ids=[ids[name] for name in organisations],
            issue_ids=[ids[name] for name in issues],
            **fields,
        )

    ids["m1"] = meeting("2025-01-10", at("2025-01-12"), "a", ["trafik", "skr"], ["railway"])
    ids["m2"] = meeting(
        "2025-01-20",
        at("2025-02-10", 22, 30),  # 23:30 in Stockholm (winter time): still the 10th
        "ab",
        ["trafik"],
        ["railway"],
        format="video",
        initiative="counterpart",
    )
    ids["m3"] = meeting("2025-03-05", at("2025-03-06"), "b", ["skr", "volvo", "secret"], ["care"])
    ids["m4"] = meeting(
        "2025-03-25",
        at("2025-04-08", 22, 30),  # 00:30 on the 9th in Stockholm (summer time)
        "c",
        ["hostile"],
        format="phone",
        initiative="third_party",
    )
    # Neither a draft nor a withdrawn record counts anywhere.
    ids["draft"] = meeting(
        "2025-02-15", None, "a", ["secret", "trafik"], ["railway"], status="draft"
    )
    ids["withdrawn"] = meeting(
        "2025-02-20", at("2025-02-21"), "b", ["volvo"], ["care"], status="withdrawn"
    )
    return ids


def csv_rows(client, chart: str, **args) -> list[dict]:
    response = client.get(f"/stats/{chart}.csv", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def counts(rows: list[dict], key: str) -> dict[str, int]:
    return {row[key]: int(row["meetings"]) for row in rows}


def test_meetings_per_month_fill_the_months_between(client, register):
    rows = csv_rows(client, "months")
    assert counts(rows, "month") == {"2025-01": 2, "2025-02": 0, "2025-03": 2}


def test_organisations_met_most_are_ranked_with_public_ones_only(client, register):
    rows = csv_rows(client, "organisations")
    assert counts(rows, "organisation") == {"SKR": 2, "Trafikverket": 2, "Volvo": 1, HOSTILE: 1}
    assert [row["organisation"] for row in rows[:2]] == ["SKR", "Trafikverket"]
    assert rows[0]["organisation_id"] == str(register["skr"])
    assert not any("Hemliga" in row["organisation"] for row in rows)


def test_officials_kinds_issues_initiatives_and_formats(client, register):
    assert counts(csv_rows(client, "officials"), "official") == {
        "Anna Andersson": 2,
        "Bo Berg": 2,
        "Cecilia Ceder": 1,
    }
    # A meeting with two kinds counts for both; the private organisation's kind (union)
    # and the withdrawn record's company are nowhere.
    assert counts(csv_rows(client, "kinds"), "kind") == {
        "public_authority": 2,
        "local_government": 2,
        "company": 1,
        "ngo": 1,
    }
    issues = csv_rows(client, "issues")
    assert counts(issues, "issue") == {"dubbelspar-goteborg-boras": 2, "kompetens": 1}
    assert counts(csv_rows(client, "initiatives"), "initiative") == {
        "region": 2,
        "counterpart": 1,
        "third_party": 1,
    }
    assert counts(csv_rows(client, "formats"), "format") == {
        "in_person": 2,
        "video": 1,
        "phone": 1,
        "written": 0,
        "other": 0,
    }


def test_timeliness_share_and_median_overall_and_by_unit(client, register):
    overall, *units = csv_rows(client, "timeliness")
    rows = {row["unit_id"]: row for row in units}
    # Days 2, 21, 1 and 14: the deadline (14) is kept by three; the median is (2 + 14) / 2.
    assert (overall["published"], overall["within_deadline"]) == ("4", "3")
    assert (overall["share_within_deadline"], overall["median_days_to_publish"]) == ("0.75", "8")
    board = rows[str(register["board"])]
    assert board["unit"] == "Regionstyrelsen"
    assert (board["published"], board["within_deadline"], board["median_days_to_publish"]) == (
        "2",
        "1",
        "11.5",
    )
    transit = rows[str(register["transit"])]
    assert (
        transit["published"],
        transit["within_deadline"],
        transit["median_days_to_publish"],
    ) == (
        "2",
        "1",
        "11",
    )
    no_unit = rows[""]  # the official of no unit: m4, 14 days
    assert (
        no_unit["published"],
        no_unit["within_deadline"],
        no_unit["median_days_to_publish"],
    ) == (
        "1",
        "1",
        "14",
    )
    assert len(units) == 3


def test_timeliness_counts_days_as_meeting_days_to_publish_does(app, client, register):
    """Days are counted between local dates: 22:30 UTC is the next day in Stockholm in
    summer time (m4: 15 days, late) but the same day in winter time (m2: 21 days)."""
    app.config["TIMEZONE"] = "Europe/Stockholm"
    overall = csv_rows(client, "timeliness")[0]
    assert overall["within_deadline"] == "2"  # m4 took 15 days in Stockholm
    with app.app_context():
        days = [
            meeting.days_to_publish
            for meeting in db.session.scalars(select(Meeting).where(Meeting.status == "published"))
        ]
    assert sorted(days) == [1, 2, 15, 21]
    assert overall["median_days_to_publish"] == "8.5"


def test_records_without_a_publication_date_are_left_out_of_timeliness(app, client, register):
    with app.app_context():
        db.session.execute(
            update(Meeting).where(Meeting.id == register["m2"]).values(published_at=None)
        )
        db.session.commit()
    overall = csv_rows(client, "timeliness")[0]
    assert (overall["published"], overall["within_deadline"]) == ("3", "3")
    assert sum(counts(csv_rows(client, "months"), "month").values()) == 4


def test_issue_filter_agrees_with_the_register_list(client, register):
    listed = client.get("/meetings.csv?issue=dubbelspar-goteborg-boras").get_data(as_text=True)
    listed_count = len(list(csv.DictReader(io.StringIO(listed))))
    assert listed_count == 2
    args = {"issue": "dubbelspar-goteborg-boras"}
    assert sum(counts(csv_rows(client, "months", **args), "month").values()) == listed_count
    assert counts(csv_rows(client, "months", **args), "month") == {"2025-01": 2}
    assert counts(csv_rows(client, "organisations", **args), "organisation") == {
        "Trafikverket": 2,
        "SKR": 1,
    }
    assert csv_rows(client, "timeliness", **args)[0]["published"] == "2"


def test_other_filters_apply(client, register):
    assert counts(csv_rows(client, "formats", kind="company"), "format")["in_person"] == 1
    unit = csv_rows(client, "officials", unit=str(register["transit"]))
    assert counts(unit, "official") == {"Bo Berg": 2, "Anna Andersson": 1}
    dated = csv_rows(client, "months", **{"from": "2025-03-01", "to": "2025-03-31"})
    assert counts(dated, "month") == {"2025-03": 2}


def test_page_shows_every_chart_with_its_table_and_csv_link(client, register):
    response = client.get("/stats?issue=dubbelspar-goteborg-boras")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 8
    assert html.count("<figure") == 8 and html.count("<table") == 8
    for chart in CHARTS + ("timeliness",):
        assert f"/stats/{chart}.csv?issue=dubbelspar-goteborg-boras" in html
    assert f'href="/organisations/{register["trafik"]}"' in html
    assert f'href="/officials/{register["a"]}"' in html
    assert "Volvo" not in html  # not met about this issue
    assert "Hemliga" not in html


def test_a_hostile_organisation_name_is_escaped_in_the_charts(client, register):
    html = client.get("/stats").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;Co&#34;" in html
    assert ' style="' not in html and "<style" not in html


def test_csv_cells_cannot_run_as_formulas(client, records):
    official = records.official()
    organisation = records.organisation(name='=HYPERLINK("http://evil")', kind="company")
    records.meeting(official_ids=[official], organisation_ids=[organisation])
    rows = csv_rows(client, "organisations")
    assert rows[0]["organisation"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["meetings"] == "1"


def test_empty_register_shows_the_page_without_charts(client):
    response = client.get("/stats")
    assert response.status_code == 200
    assert "<svg" not in response.get_data(as_text=True)
    assert csv_rows(client, "months") == []


def test_unknown_chart_is_not_found(client):
    assert client.get("/stats/secrets.csv").status_code == 404


def test_bad_filter_is_a_400_naming_its_field_and_keeping_the_others(client, register):
    response = client.get("/stats?from=yesterday&issue=kompetens")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert '<a href="#stats-from">Från datum: ”yesterday”' in html  # the field, by its label
    assert 'name="from" value="yesterday" aria-invalid="true"' in html
    assert '<option value="kompetens" selected' in html
    assert "<svg" not in html
    csv_response = client.get("/stats/months.csv?kind=castle")
    assert csv_response.status_code == 400
    assert csv_response.get_data(as_text=True).startswith("kind: ”castle”")


def test_form_keeps_filters_it_has_no_field_for_and_several_values(client, register):
    organisation = register["trafik"]
    html = client.get(
        f"/stats?organisation={organisation}&issue=kompetens&issue=dubbelspar-goteborg-boras"
    ).get_data(as_text=True)
    assert f'<input type="hidden" name="organisation" value="{organisation}">' in html
    assert 'name="issue" multiple' in html
    assert '<option value="kompetens" selected' in html
    assert '<option value="dubbelspar-goteborg-boras" selected' in html
    # Trafikverket met about either issue: m1 and m2 (railway); the care meeting is SKR's.
    assert f"/stats/months.csv?organisation={organisation}&amp;issue=kompetens" in html
    rows = csv_rows(
        client,
        "months",
        organisation=str(organisation),
        issue=["kompetens", "dubbelspar-goteborg-boras"],
    )
    assert counts(rows, "month") == {"2025-01": 2}


def test_search_filter_agrees_with_the_register_list(client, register):
    listed = client.get("/meetings.csv?q=trafikverket").get_data(as_text=True)
    listed_count = len(list(csv.DictReader(io.StringIO(listed))))
    assert listed_count == 2  # m1 and m2 name Trafikverket
    rows = csv_rows(client, "months", q="trafikverket")
    assert sum(counts(rows, "month").values()) == listed_count


def test_a_record_counts_once_per_unit_however_many_of_its_officials(client, records, register):
    colleague = records.official(name="Astrid Åberg", unit_id=register["board"])
    other_without_unit = records.official(name="Dan Dahl", title="sekreterare")
    records.meeting(
        held_on=date(2025, 3, 26),
        published_at=at("2025-03-28"),
        official_ids=[register["a"], colleague, register["c"], other_without_unit],
        organisation_ids=[register["volvo"]],
    )
    overall, *units = csv_rows(client, "timeliness")
    rows = {row["unit_id"]: row for row in units}
    assert overall["published"] == "5"
    assert rows[str(register["board"])]["published"] == "3"  # m1, m2 and this one, once
    assert rows[""]["published"] == "2"  # m4 and this one, once for its two of no unit


def test_figures_follow_the_register_as_it_changes(client, records, register):
    def published(path: str) -> str:
        html = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
        return re.search(r"Published meetings</dt><dd>([\d\s,]+)</dd>", html).group(1)

    before = {path: published(path) for path in ("/stats", "/")}
    assert published("/stats") == before["/stats"]  # the kept figures
    records.meeting(subject="Ytterligare ett möte")
    after = {path: published(path) for path in ("/stats", "/")}
    assert {path: int(n) for path, n in after.items()} == {
        path: int(n) + 1 for path, n in before.items()
    }

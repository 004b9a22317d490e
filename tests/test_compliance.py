"""Publication compliance on a constructed register whose answers are known: overdue
drafts, late publications and the median days to publish per unit and per official."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from .conftest import utc_today


def published(day: date, after_days: int) -> dict:
    """A meeting held on `day` and published `after_days` days later, at noon UTC."""
    moment = datetime.combine(day + timedelta(days=after_days), datetime.min.time(), UTC)
    return {"held_on": day, "published_at": moment + timedelta(hours=12)}


@pytest.fixture
def constructed(records, world):
    """The known answers:

    - 2024-03, Regionstyrelsen (Anna): published after 2, 5 and 20 days → median 5;
    - 2024-04, Kollektivtrafiknämnden (Cecilia): 1 (later withdrawn), 4 and 10 → median 4;
    - 2024-05, one record with Anna and Bertil (both Regionstyrelsen) after 30 days →
      the unit counts it once, each official once;
    - late: record 7 (30 days), then record 3 (20 days);
    - overdue: Anna's draft held 40 days ago (26 days overdue), then the registrar's
      draft held 20 days ago (6 days overdue); a draft held 5 days ago is not overdue.
    """
    registrar = records.user(
        email="registrar@example.org", role="registrar", name="Rita Registrator"
    )
    records.user(email="admin@example.org", role="admin", name="Ada Admin")
    unit = records.unit(name="Kollektivtrafiknämnden", kind="committee")
    cecilia = records.official(name="Cecilia Nämnd", title="ordförande", unit_id=unit)
    anna, bertil = world["official"], world["colleague"]
    organisations = [world["organisation"]]
    for day, after in ((date(2024, 3, 1), 2), (date(2024, 3, 5), 5), (date(2024, 3, 6), 20)):
        records.meeting(
            official_ids=[anna], organisation_ids=organisations, **published(day, after)
        )
    records.meeting(
        status="withdrawn",
        official_ids=[cecilia],
        organisation_ids=organisations,
        **published(date(2024, 4, 3), 1),
    )
    for day, after in ((date(2024, 4, 1), 4), (date(2024, 4, 2), 10)):
        records.meeting(
            official_ids=[cecilia], organisation_ids=organisations, **published(day, after)
        )
    records.meeting(
        official_ids=[anna, bertil],
        organisation_ids=organisations,
        **published(date(2024, 5, 1), 30),
    )
    today = utc_today()
    records.meeting(
        status="draft",
        subject="Bortglömt utkast",
        held_on=today - timedelta(days=40),
        created_by_id=world["user"],
        official_ids=[anna],
    )
    records.meeting(
        status="draft",
        subject="Registratorns utkast",
        held_on=today - timedelta(days=20),
        created_by_id=registrar,
        official_ids=[cecilia],
    )
    records.meeting(
        status="draft",
        subject="Färskt utkast",
        held_on=today - timedelta(days=5),
        created_by_id=world["user"],
        official_ids=[anna],
    )


def download(client, table, query=""):
    response = client.get(f"/admin/compliance/{table}.csv{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.mimetype_params["charset"] == "utf-8"
    text = response.get_data(as_text=True)
    assert "\r\n" in text and not text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_median_days_per_unit_by_month(client, auth, constructed):
    auth.login(email="registrar@example.org")
    assert download(client, "units") == [
        ["month", "unit", "published", "median_days_to_publish"],
        ["2024-03", "Regionstyrelsen", "3", "5"],
        ["2024-04", "Kollektivtrafiknämnden", "3", "4"],
        ["2024-05", "Regionstyrelsen", "1", "30"],
    ]


def test_median_days_per_official_by_month(client, auth, constructed):
    auth.login(email="registrar@example.org")
    assert download(client, "officials") == [
        ["month", "official", "published", "median_days_to_publish"],
        ["2024-03", "Anna Regionråd", "3", "5"],
        ["2024-04", "Cecilia Nämnd", "3", "4"],
        ["2024-05", "Anna Regionråd", "1", "30"],
        ["2024-05", "Bertil Kollega", "1", "30"],
    ]


def test_late_publications_newest_first(client, auth, constructed):
    auth.login(email="admin@example.org")
    assert download(client, "late") == [
        ["id", "date", "published_on", "days_to_publish", "status"],
        ["7", "2024-05-01", "2024-05-31", "30", "published"],
        ["3", "2024-03-06", "2024-03-26", "20", "published"],
    ]


def test_overdue_drafts_oldest_first_with_who_is_responsible(client, auth, constructed):
    auth.login(email="registrar@example.org")
    header, *rows = download(client, "overdue")
    assert header[:5] == ["id", "held_on", "subject", "days_since_meeting", "days_overdue"]
    today = utc_today()
    assert [row[1:] for row in rows] == [
        [
            (today - timedelta(days=40)).isoformat(),
            "Bortglömt utkast",
            "40",
            "26",
            "Anna Regionråd",
            "Test User",
            "official@example.org",
        ],
        [
            (today - timedelta(days=20)).isoformat(),
            "Registratorns utkast",
            "20",
            "6",
            "Cecilia Nämnd",
            "Rita Registrator",
            "registrar@example.org",
        ],
    ]


def test_compliance_page_shows_every_table(client, auth, constructed):
    auth.login(email="registrar@example.org")
    response = client.get("/admin/compliance")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Bortglömt utkast" in html and "Registratorns utkast" in html
    assert "Färskt utkast" not in html
    assert html.index("Bortglömt utkast") < html.index("Registratorns utkast")
    assert "Test User" in html and "official@example.org" in html
    assert html.count("<caption>") == 4 and 'scope="col"' in html
    assert "Kollektivtrafiknämnden" in html and "Cecilia Nämnd" in html
    for table in ("overdue", "late", "units", "officials"):
        assert f"/admin/compliance/{table}.csv" in html
    # the start page of the administration links here
    assert "/admin/compliance" in client.get("/admin/").get_data(as_text=True)


def test_months_narrow_the_tables(client, auth, constructed):
    auth.login(email="registrar@example.org")
    query = "?from=2024-04&to=2024-05"
    units = download(client, "units", query)
    assert [row[:2] for row in units[1:]] == [
        ["2024-04", "Kollektivtrafiknämnden"],
        ["2024-05", "Regionstyrelsen"],
    ]
    assert [row[0] for row in download(client, "late", "?to=2024-04")[1:]] == ["3"]
    page = client.get("/admin/compliance" + query).get_data(as_text=True)
    assert "/admin/compliance/units.csv?from=2024-04&amp;to=2024-05" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?from=2024-13", "är inte en månad"),
        ("?to=24-01", "är inte en månad"),
        ("?from=2024-05&to=2024-04", "Den sista månaden är före den första"),
    ],
)
def test_bad_months_are_a_clear_400(client, auth, constructed, query, message):
    auth.login(email="registrar@example.org")
    page = client.get("/admin/compliance" + query)
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)
    data = client.get("/admin/compliance/units.csv" + query)
    assert data.status_code == 400
    assert message in data.get_data(as_text=True)


def test_unknown_table_is_not_found(client, auth, constructed):
    auth.login(email="registrar@example.org")
    assert client.get("/admin/compliance/accounts.csv").status_code == 404


def test_csv_cells_cannot_run_as_formulas(client, auth, records, world):
    records.user(email="registrar@example.org", role="registrar")
    records.meeting(
        status="draft",
        subject="=HYPERLINK(1)",
        held_on=utc_today() - timedelta(days=30),
        created_by_id=world["user"],
    )
    auth.login(email="registrar@example.org")
    (row,) = download(client, "overdue")[1:]
    assert row[2] == "'=HYPERLINK(1)"


PATHS = ["/admin/compliance", "/admin/compliance/units.csv", "/admin/compliance/overdue.csv"]


@pytest.mark.parametrize("path", PATHS)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("path", PATHS)
def test_officials_may_not_see_compliance(client, auth, world, path):
    auth.login()
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("who", ["registrar", "admin"])
def test_registrars_and_admins_see_compliance(client, auth, records, who):
    records.user(email=f"{who}@example.org", role=who)
    auth.login(email=f"{who}@example.org")
    response = client.get("/admin/compliance")
    assert response.status_code == 200
    assert "Inget utkast är försenat" in response.get_data(as_text=True)


def test_desk_highlights_the_users_own_overdue_drafts(client, auth, constructed):
    auth.login()
    html = client.get("/desk/").get_data(as_text=True)
    assert "Dina försenade utkast" in html
    callout = html[html.index("Dina försenade utkast") : html.index("Mina utkast")]
    assert "Bortglömt utkast" in callout
    assert "Färskt utkast" not in callout  # not yet overdue
    assert "Registratorns utkast" not in callout  # someone else's


def test_desk_has_no_callout_without_overdue_drafts(client, auth, records, world):
    records.meeting(
        status="draft",
        subject="Färskt utkast",
        held_on=utc_today() - timedelta(days=5),
        created_by_id=world["user"],
    )
    auth.login()
    html = client.get("/desk/").get_data(as_text=True)
    assert "Färskt utkast" in html and "Dina försenade utkast" not in html

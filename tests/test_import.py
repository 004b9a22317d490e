"""`flask import-meetings` (SPEC §5): the register's own CSV back in, a messy spreadsheet
through a mapping file, and nothing written when a row is wrong."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from register import compliance, fulltext, statistics
from register.extensions import db
from register.models import AuditEntry, Issue, Meeting, Official, Organisation, Revision
from register.search import MeetingFilters

from .conftest import history_chain_breaks, utc_today

IMPORTS = Path(__file__).parent / "imports"
MESSY = IMPORTS / "moten-2019.csv"
MESSY_MAP = IMPORTS / "moten-2019.toml"
# The source register's internal ids: a new register gives its own (documented).
SOURCE_IDS = ("official_ids", "organisation_ids")


def export(client) -> list[dict[str, str]]:
    response = client.get("/meetings.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


def counts(app) -> dict[str, int]:
    """Rows in every table, the search index's too."""
    with app.app_context():
        tables = [table.name for table in db.metadata.sorted_tables] + [fulltext.INDEX]
        return {name: db.session.scalar(text(f'SELECT count(*) FROM "{name}"')) for name in tables}


def empty_register(app) -> None:
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text(f"DELETE FROM {fulltext.INDEX}"))
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


def run(runner, *args):
    return runner.invoke(args=["import-meetings", *map(str, args)])


def csv_file(tmp_path: Path, content: str, name: str = "in.csv") -> Path:
    """A file of the given CSV text, with CRLF line ends as spreadsheets write them."""
    path = tmp_path / name
    path.write_bytes(content.replace("\n", "\r\n").encode("utf-8"))
    return path


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


# -- the register's own CSV ------------------------------------------------------------


@pytest.fixture
def source(app, records):
    """A register with everything an export carries: units, titles, organisations' ids,
    countries, websites and EU ids, a renamed issue whose slug stayed, start times,
    outcomes, representatives, clients, documents, an amended and a late record, a record
    imported earlier without a publication date, a withdrawn and a withheld stub, and
    text that the export must protect from spreadsheets."""
    board = records.unit(name="Regionstyrelsen", kind="council")
    transit = records.unit(name="Kollektivtrafiknämnden", kind="committee")
    anna = records.official(name="Anna Regionråd", title="regionråd", unit_id=board)
    bertil = records.official(name="Bertil Kollega", title="regiondirektör", unit_id=board)
    cecilia = records.official(name="Cecilia Ceder", title="ordförande", unit_id=transit)
    loner = records.official(name="=Dora Utan Enhet", title="sekreterare")
    trafikverket = records.organisation(org_number="202100-6297")
    boras = records.organisation(
        name="Borås Stad", kind="local_government", org_number="212000-1561"
    )
    commission = records.organisation(name="Europeiska kommissionen", kind="eu_institution")
    lobby = records.organisation(name="Lobbybyrån AB", kind="consultancy")
    with app.app_context():
        db.session.execute(
            update(Organisation)
            .where(Organisation.id == commission)
            .values(country="BE", website="https://commission.europa.eu")
        )
        db.session.execute(
            update(Organisation)
            .where(Organisation.id == lobby)
            .values(eu_transparency_id="7714905406-52", country="SE")
        )
        db.session.commit()
    railway = records.issue()
    renamed = records.issue(title="Kompetensförsörjning i vården", slug="vardens-kompetens")
    day = utc_today() - timedelta(days=40)
    records.meeting(
        subject="Dubbelspåret, tidplan",
        summary='Rad ett,\n"citat" och –tankstreck',
        outcome="Ny avstämning i maj.",
        representatives="Eva Ek (projektledare)",
        location="Borås",
        start_time=datetime(2000, 1, 1, 9, 30).time(),
        document_links=["https://example.se/a.pdf", "https://example.se/b.pdf"],
        official_ids=[anna, bertil],
        organisation_ids=[trafikverket, boras],
        issue_ids=[railway],
        held_on=day,
        published_at=at(day + timedelta(days=2)),
    )
    records.meeting(
        subject="-Minus i början av ämnet",
        summary="=SUMMA(A1)",
        format="video",
        initiative="counterpart",
        client="Västtrafik AB",
        official_ids=[cecilia, loner],
        organisation_ids=[lobby, commission],
        issue_ids=[railway, renamed],
        held_on=day + timedelta(days=1),
        published_at=at(day + timedelta(days=30)),  # late
        amended_at=at(day + timedelta(days=35), 15),
    )
    withdrawn = records.meeting(
        subject="Dubblett",
        official_ids=[anna],
        organisation_ids=[boras],
        held_on=day + timedelta(days=2),
        published_at=at(day + timedelta(days=3)),
    )
    withheld = records.meeting(
        subject="Säkerhetsfrågor",
        official_ids=[anna],
        organisation_ids=[trafikverket],
        held_on=day + timedelta(days=3),
        published_at=at(day + timedelta(days=4)),
    )
    undated = records.meeting(
        subject="Möte ur det gamla registret",
        format="phone",
        initiative="third_party",
        official_ids=[bertil],
        organisation_ids=[commission],
        held_on=date(2019, 5, 2),
    )
    with app.app_context():
        for meeting_id, status, reason, ground in (
            (withdrawn, "withdrawn", "Registrerat två gånger.", ""),
            (withheld, "withheld", "Uppgifterna rör säkerhet.", "OSL 18 kap. 8 §"),
        ):
            db.session.execute(
                update(Meeting)
                .where(Meeting.id == meeting_id)
                .values(
                    status=status,
                    withdrawal_reason=reason,
                    withheld_ground=ground,
                    withdrawn_at=at(day + timedelta(days=10)),
                )
            )
        db.session.execute(
            update(Meeting)
            .where(Meeting.id == undated)
            .values(published_at=None, imported_at=at(day))
        )
        db.session.commit()


def test_an_export_imported_into_an_empty_register_is_the_same_register(
    app, client, runner, source, tmp_path
):
    before = export(client)
    assert [row["status"] for row in before].count("withheld") == 1
    path = tmp_path / "export.csv"
    path.write_bytes(client.get("/meetings.csv").data)
    empty_register(app)
    assert export(client) == []

    result = run(runner, path)

    assert result.exit_code == 0, result.output
    assert "Imported 5 of 5 rows as records 1–5." in result.output
    assert "ids are not kept" not in result.output
    after = export(client)
    for row in (*before, *after):
        for name in SOURCE_IDS:
            row.pop(name)
    assert after == before
    # Numbers, dates, names, titles, units, organisations' facts, issues by slug, the
    # neutralised cells read back as their values and neutralised again, the stubs.
    assert {row["id"] for row in after} == {"1", "2", "3", "4", "5"}
    second = next(row for row in after if row["subject"] == "'-Minus i början av ämnet")
    assert second["summary"] == "'=SUMMA(A1)"
    assert second["issue_slugs"] == "dubbelspar-goteborg-boras; vardens-kompetens"
    assert history_chain_breaks(app) == []


def test_round_trip_keeps_the_linked_records_and_their_facts(app, client, runner, source, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(client.get("/meetings.csv").data)
    empty_register(app)
    run(runner, path)
    with app.app_context():
        dora = db.session.scalar(select(Official).filter_by(title="sekreterare"))
        assert (dora.name, dora.unit_id) == ("=Dora Utan Enhet", None)
        cecilia = db.session.scalar(select(Official).filter_by(name="Cecilia Ceder"))
        assert cecilia.unit.name == "Kollektivtrafiknämnden"
        lobby = db.session.scalar(select(Organisation).filter_by(name="Lobbybyrån AB"))
        assert (lobby.kind, lobby.eu_transparency_id, lobby.country, lobby.public) == (
            "consultancy",
            "7714905406-52",
            "SE",
            True,
        )
        assert db.session.scalar(select(Issue.title).filter_by(slug="vardens-kompetens")) == (
            "Kompetensförsörjning i vården"
        )
        withheld = db.session.scalar(select(Meeting).filter_by(status="withheld"))
        assert withheld.withheld_ground == "OSL 18 kap. 8 §"
        assert [(r.action, r.reason) for r in withheld.revisions] == [
            ("withhold", "Uppgifterna rör säkerhet. (OSL 18 kap. 8 §)")
        ]
        # Every record came in through the import, at one moment.
        assert db.session.scalar(select(func.count()).where(Meeting.imported_at.is_(None))) == 0
    assert client.get("/meetings/4/history").status_code == 200


def test_records_are_numbered_after_those_the_register_has(app, client, runner, source, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(client.get("/meetings.csv").data)

    result = run(runner, path)

    assert result.exit_code == 0, result.output
    assert "as records 6–10" in result.output
    assert "The file's ids are not kept" in result.output
    # Everything was matched: no second Trafikverket, Anna or issue.
    assert "new" not in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Organisation.id))) == 4
        assert db.session.scalar(select(func.count(Official.id))) == 4
        # The search finds the copies beside the records the index had already.
        found = select(func.count(Meeting.id)).where(fulltext.matching("tidplan"))
        assert db.session.scalar(found) == 2


def test_imported_records_are_found_by_search_and_have_their_history(
    app, client, runner, tmp_path, world
):
    path = csv_file(
        tmp_path,
        """\
date,officials,organisations,subject,format,initiative
2024-02-01,Anna Regionråd,Trafikverket,Spårvagnsdepå i Angered,video,region
""",
    )
    assert run(runner, path).exit_code == 0
    assert "Spårvagnsdepå" in client.get("/meetings?q=sparvagnsdepa").get_data(as_text=True)
    assert history_chain_breaks(app) == []
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).filter_by(action="meetings_import"))
        assert entry.actor == "cli"
        assert entry.after["file"] == "in.csv"
        assert entry.after["numbers"] == [1, 1]
        revision = db.session.scalar(select(Revision))
        assert revision.action == "publish"
        assert revision.after["subject"] == "Spårvagnsdepå i Angered"


# -- a messy spreadsheet through a mapping file ---------------------------------------------


@pytest.fixture
def region(records):
    """What the register already knows before the office's log comes in."""
    board = records.unit(name="Regionstyrelsen", kind="council")
    records.official(name="Anna Andersson", title="regionråd", unit_id=board)
    records.issue(title="Dubbelspår Göteborg–Borås", slug="dubbelspar-goteborg-boras")
    return board


def test_messy_file_is_imported_and_its_bad_rows_reported(app, client, runner, region, tmp_path):
    report = tmp_path / "report.csv"

    result = run(runner, MESSY, "--map", MESSY_MAP, "--skip-invalid", "--report", report)

    assert result.exit_code == 0, result.output
    assert "Imported 5 of 10 rows as records 1–5." in result.output
    assert "5 had no publication date: they are marked as imported" in result.output
    rows = list(csv.reader(io.StringIO(report.read_text("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][:3] == ["line", "reason", "Datum"]
    reasons = {int(row[0]): row[1] for row in rows[1:]}
    assert set(reasons) == {7, 8, 9, 10, 13}
    assert reasons[7].startswith("subject (column “Ämne”): the subject must be 3 to 200")
    assert reasons[8] == "date (column “Datum”): required"
    assert "check digit" in reasons[9] and "Göteborgs Spårvägar AB" in reasons[9]
    assert reasons[10].startswith("date (column “Datum”): “31-02-2019” is not a date")
    assert reasons[13] == (
        "officials (column “Politiker”): “Cecilia Ny” is not in the register: give the "
        "official's title (official_titles (column “Roll”)) to add them, or add them in the "
        "administration first"
    )
    # The row's own cells follow, as the office typed them (read from Windows-1252).
    assert rows[2][2:5] == ["", "Anna Andersson", "regionråd"]

    with app.app_context():
        meetings = db.session.scalars(select(Meeting).order_by(Meeting.number)).all()
        assert [(m.held_on, m.format, m.initiative) for m in meetings] == [
            (date(2019, 3, 5), "video", "region"),  # "Online"
            (date(2019, 3, 12), "video", "counterpart"),  # "Teams", "Motparten"
            (date(2019, 4, 2), "in_person", "region"),  # a place; no initiative given
            (date(2019, 4, 15), "video", "third_party"),  # "online", "tredje part"
            (date(2019, 5, 20), "other", "region"),  # no place at all
        ]
        assert meetings[1].summary == "Priserna höjs.\r\nUppföljning i maj."
        assert meetings[2].location == "Regionens hus, Vänersborg"
        assert all(m.published_at is None and m.imported_at for m in meetings)
        assert all(m.status == "published" for m in meetings)
        # The same issue, typed with a hyphen instead of the register's dash.
        assert [i.slug for i in meetings[0].issues] == ["dubbelspar-goteborg-boras"]
        assert [i.slug for i in meetings[3].issues] == ["dubbelspar-goteborg-boras"]
        bo = db.session.scalar(select(Official).filter_by(name="Bo Ek"))
        assert (bo.title, bo.unit.name, bo.unit.kind) == (
            "trafikdirektör",
            "Kollektivtrafiknämnden",
            "administration",
        )
        assert db.session.scalar(select(func.count(Official.id))) == 2

        # The company spelt three ways: case and spacing fold into one; without "AB" it
        # is another name, so the register gets a second organisation to merge by hand.
        names = {m.number: [o.name for o in m.organisations] for m in meetings}
        assert names[1] == names[2] == names[3] == ["Västtrafik AB"]
        assert names[4] == ["Västtrafik"]
        vasttrafik = db.session.scalar(select(Organisation).filter_by(name="Västtrafik AB"))
        assert vasttrafik.org_number == "556558-5873" and vasttrafik.public
    assert "3 new organisations: Borås Stad, Västtrafik, Västtrafik AB." in result.output
    assert "1 new officials: Bo Ek." in result.output
    assert "new issues" not in result.output


def test_a_cp1252_file_without_its_encoding_is_refused_with_a_hint(app, runner, tmp_path):
    mapping = tmp_path / "utf8.toml"
    mapping.write_text(MESSY_MAP.read_text("utf-8").replace('"cp1252"', '"utf-8"'), "utf-8")
    before = counts(app)

    result = run(runner, MESSY, "--map", mapping)

    assert result.exit_code == 1
    assert "line 1: the file is not utf-8 text" in result.output
    assert 'encoding = "cp1252"' in result.output
    assert counts(app) == before


# -- nothing written unless all is well ---------------------------------------------------------


def bad_file(tmp_path) -> Path:
    future = (utc_today() + timedelta(days=3)).isoformat()
    return csv_file(
        tmp_path,
        f"""\
date,officials,official_titles,organisations,subject,format,initiative
2024-01-10,Ny Person,handläggare,Nytt Bolag AB,Ett bra möte,video,region
2024-01-11,Ny Person,handläggare,Nytt Bolag AB,Ok,video,region
2024-01-12,Ny Person,handläggare,Nytt Bolag AB,Ett möte till,zoom,us
{future},Ny Person,handläggare,X,Framtid,video,region
""",
        "bad.csv",
    )


def test_an_invalid_row_stops_the_import_and_nothing_is_written(app, runner, tmp_path, world):
    before = counts(app)

    result = run(runner, bad_file(tmp_path))

    assert result.exit_code == 1
    assert counts(app) == before
    output = result.output
    assert "line 3: subject: the subject must be 3 to 200 characters (this one has 2)" in output
    assert "line 4: format: “zoom” is not one of in_person, video, phone, written, other" in output
    assert "line 4: initiative: “us” is not one of region, counterpart, third_party" in output
    assert "line 5: date: " in output and "only meetings that have taken place" in output
    assert "line 2" not in output
    assert "Nothing was imported: 3 of 4 rows are invalid." in output


def test_dry_run_checks_and_writes_nothing(app, runner, tmp_path, world):
    good = csv_file(
        tmp_path,
        """\
date,officials,official_titles,organisations,subject,format,initiative
2024-01-10,Ny Person,handläggare,Nytt Bolag AB,Ett bra möte,video,region
""",
    )
    before = counts(app)

    checked = run(runner, good, "--dry-run")
    refused = run(runner, bad_file(tmp_path), "--dry-run", "--report", tmp_path / "r.csv")

    assert checked.exit_code == 0, checked.output
    assert "Would import 1 of 1 rows." in checked.output
    assert "1 new officials: Ny Person." in checked.output
    assert refused.exit_code == 1
    assert "\n3,subject: the subject must be" in (tmp_path / "r.csv").read_text("utf-8-sig")
    assert counts(app) == before


def test_skip_invalid_needs_a_report(runner, tmp_path):
    result = run(runner, bad_file(tmp_path), "--skip-invalid")
    assert result.exit_code == 2
    assert "--skip-invalid needs --report" in result.output


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ('[columns\ndate = "Datum"', "the mapping file is not valid TOML"),
        ('[columns]\nweather = "Väder"', "[columns]: 'weather' is not a field the register has"),
        (
            '[source]\nencoding = "cp1252"\n[columns]\ndate = "Dag"',
            "the file has no column headed 'Dag'; its columns are 'Datum', 'Politiker'",
        ),
        ('[sources]\nencoding = "utf-8"', "unknown key 'sources'"),
        ('[source]\nencoding = "latin-9"', "encoding must be one of utf-8, utf-8-sig, cp1252"),
        ('[split]\nsubject = ","', "[split] subject: only a field with several values"),
        (
            '[columns]\nformat = "Plats"\n[values.format]\ncolumn = "Plats"',
            "format is given by both [columns] and [values.format]",
        ),
    ],
)
def test_a_bad_mapping_file_is_refused_before_anything(app, runner, tmp_path, mapping, message):
    path = tmp_path / "map.toml"
    path.write_text(mapping, "utf-8")
    before = counts(app)

    result = run(runner, MESSY, "--map", path)

    assert result.exit_code == 1
    assert message in result.output
    assert counts(app) == before


def test_a_file_of_another_layout_needs_a_mapping(runner):
    result = run(runner, MESSY.with_suffix(".toml"))  # not even a CSV of ours
    assert result.exit_code == 1
    assert "--map" in result.output


# -- matching before creating ----------------------------------------------------------------


def test_organisations_match_by_number_first_then_by_folded_name(
    app, runner, records, tmp_path, world
):
    numbered = records.organisation(name="Västtrafik AB", kind="company", org_number="556558-5873")
    kept = records.organisation(name="Region Halland", kind="local_government")
    merged = records.organisation(name="Halland, Region", kind="local_government")
    private = records.organisation(name="Hemliga Bolaget AB", kind="company", public=False)
    with app.app_context():
        db.session.execute(
            update(Organisation).where(Organisation.id == merged).values(merged_into_id=kept)
        )
        db.session.commit()
    # 2: another name, the same number: the number decides; 3: no number: the name,
    # folded; 4: a merged duplicate's name leads to the one kept; 5: one that only a draft
    # named is matched, and public from now on; 6: the name of one with another number
    # is refused, not made into a silent duplicate.
    path = csv_file(
        tmp_path,
        """\
date,officials,organisations,organisation_numbers,subject,format,initiative
2024-01-10,Anna Regionråd,Västtrafik,5565585873,Möte ett,video,region
2024-01-11,anna  regionråd,VÄSTTRAFIK  ab,,Möte två,video,region
2024-01-12,Anna Regionråd,"halland, region",,Möte tre,video,region
2024-01-13,Anna Regionråd,Hemliga bolaget AB,,Möte fyra,video,region
2024-01-14,Anna Regionråd,Västtrafik AB,556036-0793,Möte fem,video,region
""",
    )
    report = tmp_path / "report.csv"

    result = run(runner, path, "--skip-invalid", "--report", report)

    assert result.exit_code == 0, result.output
    assert "new" not in result.output
    assert (
        "line 6: organisation_numbers: “Västtrafik AB” has the organisation number "
        "556558-5873 in the register, the file says 556036-0793"
    ) in result.output
    with app.app_context():
        linked = {
            m.subject: [o.id for o in m.organisations] for m in db.session.scalars(select(Meeting))
        }
        assert linked == {
            "Möte ett": [numbered],
            "Möte två": [numbered],
            "Möte tre": [kept],
            "Möte fyra": [private],
        }
        assert db.session.get(Organisation, private).public
        assert db.session.scalar(select(func.count(Official.id))) == 2


def test_officials_who_share_a_name_are_told_apart_by_title(app, runner, records, tmp_path, world):
    records.official(name="Anna Regionråd", title="nämndsekreterare")
    path = csv_file(
        tmp_path,
        """\
date,officials,official_titles,organisations,subject,format,initiative
2024-01-10,Anna Regionråd,Nämndsekreterare,Trafikverket,Möte ett,video,region
2024-01-11,Anna Regionråd,,Trafikverket,Möte två,video,region
""",
    )

    result = run(runner, path)

    assert result.exit_code == 1
    assert (
        "line 3: officials: the register has 2 officials called “Anna Regionråd”; "
        "give the title of the one who took part"
    ) in result.output
    assert "line 2" not in result.output


def test_issues_match_by_slug_or_folded_title_and_new_ones_are_made(
    app, client, runner, tmp_path, world
):
    path = csv_file(
        tmp_path,
        """\
date,officials,organisations,issues,subject,format,initiative
2024-01-10,Anna Regionråd,Trafikverket,dubbelspar-goteborg-boras,Möte ett,video,region
2024-01-11,Anna Regionråd,Trafikverket,DUBBELSPÅR GÖTEBORG - BORÅS,Möte två,video,region
2024-01-12,Anna Regionråd,Trafikverket,Vätgas i Västsverige,Möte tre,video,region
""",
    )

    result = run(runner, path)

    assert result.exit_code == 0, result.output
    assert "1 new issues: Vätgas i Västsverige." in result.output
    with app.app_context():
        slugs = {m.subject: [i.slug for i in m.issues] for m in db.session.scalars(select(Meeting))}
    assert slugs == {
        "Möte ett": ["dubbelspar-goteborg-boras"],
        "Möte två": ["dubbelspar-goteborg-boras"],
        "Möte tre": ["vatgas-i-vastsverige"],
    }
    assert client.get("/issues/vatgas-i-vastsverige").status_code == 200


# -- imported records are never late --------------------------------------------------------------


def test_imported_records_without_a_publication_date_are_never_late(
    app, client, runner, tmp_path, world
):
    held = utc_today() - timedelta(days=400)
    published = held + timedelta(days=30)
    path = csv_file(
        tmp_path,
        f"""\
date,officials,organisations,subject,format,initiative,published_at
{held},Anna Regionråd,Trafikverket,Gammalt möte,video,region,
{held},Anna Regionråd,Trafikverket,Sent publicerat,video,region,{published}
""",
    )

    assert run(runner, path).exit_code == 0

    rows = {row["subject"]: row for row in export(client)}
    undated, late = rows["Gammalt möte"], rows["Sent publicerat"]
    assert (undated["published_at"], undated["days_to_publish"]) == ("", "")
    # A publication date the file gives is the record's: late is late.
    assert late["days_to_publish"] == "30"
    # The record page (in Swedish, the register's language) says "imported", not days.
    page = client.get(f"/meetings/{undated['id']}").get_data(as_text=True)
    assert "Importerad " in page and "från ett tidigare register" in page
    assert "för sent" not in page and "efter mötet" not in page
    page = client.get(f"/meetings/{late['id']}").get_data(as_text=True)
    assert "30 dagar efter mötet" in page and "för sent" in page
    with app.app_context():
        assert [row.number for row in compliance.late_publications()] == [int(late["id"])]
        assert statistics.timeliness(MeetingFilters()).overall.published == 1


# -- reading files as they come -------------------------------------------------------------


def test_excel_s_bom_and_semicolons_are_read_like_the_export(app, client, runner, tmp_path, world):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufeffid;date;officials;organisations;subject;format;initiative\r\n"
        '7;2024-03-01;Anna Regionråd;Trafikverket;"Möte i Borås; igen";video;region\r\n'.encode()
    )

    result = run(runner, path)

    assert result.exit_code == 0, result.output
    assert [row["subject"] for row in export(client)] == ["Möte i Borås; igen"]


def test_a_tab_separated_file_is_read_without_saying_so(app, client, runner, tmp_path, world):
    path = tmp_path / "tabs.tsv"
    path.write_text(
        "Datum\tVem\tMed\tOm\n1/3/2024\tAnna Regionråd\tTrafikverket\tBanarbeten, tidplan\n",
        "utf-8",
    )
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        '[source]\ndate_formats = ["%d/%m/%Y"]\n'
        '[columns]\ndate = "Datum"\nofficials = "Vem"\norganisations = "Med"\nsubject = "Om"\n'
        '[defaults]\nformat = "in_person"\ninitiative = "counterpart"\n',
        "utf-8",
    )

    result = run(runner, path, "--map", mapping)

    assert result.exit_code == 0, result.output
    [row] = export(client)
    assert (row["date"], row["subject"], row["initiative"]) == (
        "2024-03-01",
        "Banarbeten, tidplan",
        "counterpart",
    )


def test_withdrawn_rows_come_only_with_the_registers_own_csv(app, runner, tmp_path, world):
    path = tmp_path / "sheet.csv"
    path.write_text("Datum,Status\n2024-03-01,withdrawn\n", "utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        '[columns]\ndate = "Datum"\nstatus = "Status"\n',
        "utf-8",
    )

    result = run(runner, path, "--map", mapping)

    assert result.exit_code == 1
    assert "line 2: status (column “Status”): a withdrawn record comes in only with the " in (
        result.output
    )


def test_a_csv_with_columns_of_its_own_needs_a_mapping(app, runner, tmp_path):
    path = csv_file(tmp_path, "date,Mötesdeltagare\n2024-01-01,Anna\n")
    result = run(runner, path)
    assert result.exit_code == 1
    assert "the file has columns the register's CSV does not: Mötesdeltagare" in result.output
    assert "give a mapping file with --map" in result.output


def test_the_importer_writes_every_column_of_a_meeting():
    # A column added to the model must be given a value by the importer too.
    from register.importer import MEETING_COLUMNS

    assert sorted(MEETING_COLUMNS) == sorted(c.name for c in Meeting.__table__.c if c.name != "id")


def test_progress_is_reported_for_each_step(app, tmp_path, world):
    from register import importer

    path = csv_file(
        tmp_path,
        """\
date,officials,organisations,subject,format,initiative
2024-02-01,Anna Regionråd,Trafikverket,Ett möte,video,region
""",
    )
    steps = []

    def progress(items, length, label):
        steps.append((label, length))
        return items

    with app.app_context():
        result = importer.import_meetings(path.read_bytes(), progress=progress)
    assert result.written
    assert steps == [("Checking", 1), ("Writing", 1), ("Indexing", 1)]

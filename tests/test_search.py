"""Search people can trust: words, not substrings, across every field of a published record
and the names it links to; folded alike on SQLite and PostgreSQL; kept up to date by every
write; never an error, never a draft's words."""

import csv
import io
import json
import random
import re
import string
from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select, text

from register import agenda, fulltext, organisations
from register import records as write
from register.demo import load_demo
from register.extensions import db
from register.models import Meeting, User
from register.records import MeetingInput, ReasonRequired
from register.search import with_links
from register.text import search_words

RAILWAY = "Dubbelspår Göteborg–Borås"


def found(client, q: str, **filters) -> set[int]:
    """The public numbers the list shows for a query (every page)."""
    numbers, args = set(), {"q": q, **filters}
    while True:
        response = client.get("/meetings", query_string=args)
        assert response.status_code == 200, (q, response.status_code)
        html = response.get_data(as_text=True)
        numbers |= {int(n) for n in re.findall(r'href="/meetings/(\d+)"', html)}
        cursor = re.search(r'rel="next" href="[^"]*cursor=([^"&]+)', html)
        if cursor is None:
            return numbers
        args["cursor"] = cursor.group(1)


def exported(client, q: str, **filters) -> tuple[set[int], set[int]]:
    """The record numbers of the CSV and the JSON export for a query."""
    args = {"q": q, **filters}
    response = client.get("/meetings.csv", query_string=args)
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True), newline=""))
    in_csv = {int(row["id"]) for row in rows}
    response = client.get("/meetings.json", query_string=args)
    assert response.status_code == 200
    in_json = {record["id"] for record in json.loads(response.get_data(as_text=True))["meetings"]}
    return in_csv, in_json


def everywhere(client, q: str, **filters) -> set[int]:
    """The list, the CSV and the JSON agree; their common answer."""
    listed = found(client, q, **filters)
    in_csv, in_json = exported(client, q, **filters)
    assert listed == in_csv == in_json, (q, listed, in_csv, in_json)
    return listed


@pytest.fixture(params=["few", "many"])
def plan(request, monkeypatch):
    """Both ways a search is planned: as for a rare word, and as for a common one."""
    if request.param == "many":
        monkeypatch.setattr(fulltext, "MANY", 1)
    return request.param


@pytest.fixture
def register(records, world):
    """Published records about the railway and others, and a registrar."""
    registrar = records.user(email="registrar@example.org", role="registrar", name="Rita")
    skr = records.organisation(name="SKR", kind="local_government")
    bus = records.organisation(name="Västtrafik", kind="public_authority")
    ids = {
        "railway": records.meeting(
            subject="Tidplan för utbyggnaden",
            summary="Vi gick igenom finansieringen av sträckan.",
            official_ids=[world["official"]],
            organisation_ids=[world["organisation"]],
            issue_ids=[world["issue"]],
        ),
        "skr": records.meeting(
            subject="Möte om vårdens kompetensförsörjning",
            official_ids=[world["colleague"]],
            organisation_ids=[skr],
        ),
        "landslide": records.meeting(
            subject="Skredrisk längs älven",
            summary="Geologen beskrev hur skred uppstår i lera.",
            outcome="Ny kartläggning beställd.",
            official_ids=[world["official"]],
            organisation_ids=[bus],
            representatives="Eva Ek, geolog",
            client="Kommunförbundet Väst",
        ),
    }
    numbers = {name: records.number(meeting_id) for name, meeting_id in ids.items()}
    return {"ids": ids, "numbers": numbers, "registrar": registrar, "skr": skr, "bus": bus}


# -- words and folding -------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "boras",
        "Borås",
        "Göteborg-Borås",
        "GÖTEBORG–BORÅS",
        "göteborg borås",
        "borås göteborg",
        "dubbelspar",
        '"göteborg borås"',
        "“Göteborg Borås”",
        "trafikverket",
        "TRAFIKVERKET",
    ],
)
def test_railway_is_found_however_it_is_typed(client, register, q, plan):
    assert everywhere(client, q) == {register["numbers"]["railway"]}


@pytest.mark.parametrize(
    "q",
    [
        "borås stockholm",  # every word is required
        '"borås göteborg"',  # a phrase keeps its order
        "borå",  # a word, not the start of one
        "orås",  # nor its end
        "göteborgborås",
    ],
)
def test_railway_is_not_found_by_what_it_does_not_say(client, register, q, plan):
    assert everywhere(client, q) == set()


def test_an_abbreviation_is_a_word_not_part_of_others(client, register):
    numbers = register["numbers"]
    assert everywhere(client, "SKR") == {numbers["skr"]}
    assert everywhere(client, "skr") == {numbers["skr"]}
    assert everywhere(client, "beskrev") == {numbers["landslide"]}
    assert everywhere(client, "skred") == {numbers["landslide"]}


def test_a_prefix_finds_the_words_it_begins(client, register, plan):
    numbers = register["numbers"]
    assert everywhere(client, "skr*") == {numbers["skr"], numbers["landslide"]}
    assert everywhere(client, "bor*") == {numbers["railway"]}
    assert everywhere(client, '"göteborg bor*"') == {numbers["railway"]}
    assert everywhere(client, "orås*") == set()  # the start of a word, not the middle


@pytest.mark.parametrize(
    ("q", "field"),
    [
        ("tidplan utbyggnaden", "subject"),
        ("finansieringen", "summary"),
        ("kartläggning", "outcome"),
        ("Västtrafik", "organisations"),
        ("Bertil Kollega", "officials"),
        ("Dubbelspår", "issues"),
        ("geolog", "representatives"),
        ("kommunförbundet", "client"),
    ],
)
def test_every_field_is_searched_and_named_as_the_match(app, client, register, q, field):
    numbers = everywhere(client, q)
    assert len(numbers) == 1
    with app.app_context():
        meeting = db.session.scalar(with_links(select(Meeting).filter_by(number=numbers.pop())))
        assert field in fulltext.matched_fields(q, [meeting])[meeting.id]


def test_matched_fields_names_each_field_holding_a_term(app, register):
    with app.app_context():
        meetings = db.session.scalars(with_links(select(Meeting).order_by(Meeting.id))).all()
        by_name = dict(zip(register["ids"], meetings, strict=True))
        matched = fulltext.matched_fields("anna skred", meetings)
        # "Skredrisk" in the subject is another word than "skred".
        assert matched[by_name["landslide"].id] == ["summary", "officials"]
        assert matched[by_name["skr"].id] == []
        assert fulltext.matched_fields("***", meetings) == {}


def test_location_and_document_links_are_not_searched(client, records, world):
    records.meeting(
        subject="Studiebesök",
        location="Sahlgrenska",
        document_links=["https://example.org/sahlgrenska.pdf"],
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    assert everywhere(client, "sahlgrenska") == set()


# -- malformed queries -------------------------------------------------------------------


MALFORMED = [
    '"',
    '"göteborg',
    'borås"',
    '""borås""',
    "*",
    "**",
    "borås*)",
    "(borås",
    "borås)",
    "^borås",
    "borås:",
    "subject:borås",
    "borås AND",
    "AND",
    "OR borås",
    "NOT",
    "NEAR(borås göteborg)",
    "borås NEAR göteborg",
    "'borås'",
    "borås & göteborg | !x",
    "borås <-> göteborg:*",
    "-borås",
    "+borås",
    "...",
    "!!!",
    "%_%",
    "\\",
    "\u200b",
    "borås\u00adgöteborg",
]


@pytest.mark.parametrize("q", MALFORMED)
def test_a_malformed_query_is_no_error(client, register, q):
    # Just words: what it finds, the list and the downloads agree on, and it is published.
    assert everywhere(client, q) <= set(register["numbers"].values())


def test_junk_queries_are_no_error(client, register):
    rng = random.Random(8)
    alphabet = string.printable + "åäöÅÄÖ–—“”«»^*:()\"'"
    for _ in range(10):
        junk = "".join(rng.choice(alphabet) for _ in range(200))
        assert everywhere(client, junk) <= set(register["numbers"].values())


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('"göteborg', {"railway"}),  # an unclosed quote runs to the end
        ("(borås)", {"railway"}),
        ("borås:", {"railway"}),
        ("^Borås", {"railway"}),
        ("-borås", {"railway"}),
        ("borås*)", {"railway"}),
        ("*", set()),  # no word: nothing to find
        ("!!!", set()),
        ("NOT", set()),  # an operator is just a word, found where it is written
    ],
)
def test_a_malformed_query_gets_a_sensible_answer(client, register, q, expected):
    numbers = register["numbers"]
    assert everywhere(client, q) == {numbers[name] for name in expected}


def test_an_operator_word_is_found_where_it_is_written(client, records, world):
    number = records.number(
        records.meeting(
            subject="Samråd om NEAR-projektet och OR-kartan",
            official_ids=[world["official"]],
            organisation_ids=[world["organisation"]],
        )
    )
    assert everywhere(client, "NEAR") == {number}
    assert everywhere(client, "or near") == {number}


def test_too_long_a_query_is_a_clear_400(client, register):
    response = client.get("/meetings", query_string={"q": "borås " * 40})
    assert response.status_code == 400
    assert "200" in response.get_data(as_text=True)


# -- only what is public ---------------------------------------------------------------


def test_a_drafts_words_find_nothing_until_it_is_published(app, client, register, world, plan):
    with app.app_context():
        author = db.session.get(User, world["user"])
        data = MeetingInput(
            held_on=db.session.scalar(select(func.min(Meeting.held_on))),
            format="video",
            initiative="region",
            subject="Hemligt ämne om spårvagnsdepån",
            summary="Lönsamhetskalkylen visades.",
            official_ids=(world["official"],),
            organisation_ids=(register["skr"],),
        )
        draft = write.create(data, author, publish=False)
        draft_id, version = draft.id, draft.version
    for q in ("spårvagnsdepån", "lönsamhetskalkylen", "spårvagn*", "hemligt"):
        assert everywhere(client, q) == set(), q
    # Its organisation is public, but the draft's link to it is not.
    assert everywhere(client, "skr") == {register["numbers"]["skr"]}

    with app.app_context():
        author = db.session.get(User, world["user"])
        saved = write.update_meeting(draft_id, data, author, version=version, publish=True)
        number = saved.meeting.number
    assert everywhere(client, "spårvagnsdepån") == {number}
    assert everywhere(client, "skr") == {register["numbers"]["skr"], number}


def amend(app, meeting_id, user_id, reason="Rättat.", **changes):
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        fields = {name: getattr(meeting, name) for name in Meeting.DESCRIPTIVE_FIELDS}
        fields |= {
            "document_links": tuple(meeting.document_links),
            "official_ids": tuple(o.id for o in meeting.officials),
            "organisation_ids": tuple(o.id for o in meeting.organisations),
            "issue_ids": tuple(i.id for i in meeting.issues),
        }
        author = db.session.get(User, user_id)
        return write.update_meeting(
            meeting_id,
            MeetingInput(**(fields | changes)),
            author,
            version=meeting.version,
            publish=True,
            reason=reason,
        )


def test_an_amendments_new_words_are_found_and_its_old_ones_no_longer(app, client, register):
    railway, number = register["ids"]["railway"], register["numbers"]["railway"]
    amend(
        app,
        railway,
        register["registrar"],
        subject="Tidplan för pendeltågen",
        organisation_ids=(register["bus"],),
    )
    assert everywhere(client, "pendeltågen") == {number}
    assert everywhere(client, "utbyggnaden") == set()
    assert everywhere(client, "trafikverket") == set()
    assert number in everywhere(client, "västtrafik")


def test_a_refused_amendment_leaves_the_index_as_it_was(app, client, register):
    railway, number = register["ids"]["railway"], register["numbers"]["railway"]
    with pytest.raises(ReasonRequired):
        amend(app, railway, register["registrar"], reason="", subject="Ett nytt ämne")
    assert everywhere(client, "utbyggnaden") == {number}
    assert everywhere(client, "nytt ämne") == set()


@pytest.mark.parametrize("action", ["withdraw", "withhold"])
def test_a_withdrawn_or_withheld_record_is_not_found(app, client, register, action):
    railway = register["ids"]["railway"]
    with app.app_context():
        registrar = db.session.get(User, register["registrar"])
        version = db.session.get(Meeting, railway).version
        if action == "withdraw":
            write.withdraw(railway, registrar, reason="Dubblett.", version=version)
        else:
            write.withhold(
                railway, registrar, ground="OSL 18 kap.", reason="Säkerhet.", version=version
            )
    for q in ("utbyggnaden", "borås", "trafikverket"):
        assert everywhere(client, q) == set(), q
    assert everywhere(client, "anna") == {register["numbers"]["landslide"]}
    # The stub is still in an unfiltered export, and only there.
    assert register["numbers"]["railway"] in exported(client, "")[0]


# -- renamed and merged names ----------------------------------------------------------


def test_a_renamed_organisation_is_found_by_its_new_name(app, client, register, world):
    number = register["numbers"]["railway"]
    with app.app_context():
        registrar = db.session.get(User, register["registrar"])
        organisations.update_organisation(
            world["organisation"],
            organisations.OrganisationInput(name="Statens järnvägsmyndighet", kind="company"),
            registrar,
        )
    assert everywhere(client, "järnvägsmyndighet") == {number}
    assert everywhere(client, "trafikverket") == set()


def test_a_merged_organisation_is_still_found_by_its_former_name(
    app, client, records, register, world
):
    duplicate = records.organisation(name="Trafikverket Region Väst", kind="public_authority")
    number = records.number(
        records.meeting(
            subject="Möte om Västlänken",
            official_ids=[world["official"]],
            organisation_ids=[duplicate],
        )
    )
    railway = register["numbers"]["railway"]
    assert everywhere(client, "region väst") == {number}
    with app.app_context():
        registrar = db.session.get(User, register["registrar"])
        organisations.merge(duplicate, world["organisation"], registrar)
    # Both records now name the kept organisation; the former name finds both.
    assert everywhere(client, "trafikverket") == {railway, number}
    assert everywhere(client, '"trafikverket region väst"') == {railway, number}
    with app.app_context():
        meeting = db.session.scalar(with_links(select(Meeting).filter_by(number=number)))
        assert [o.id for o in meeting.organisations] == [world["organisation"]]
        assert fulltext.matched_fields("region väst", [meeting]) == {meeting.id: ["organisations"]}


def test_merging_into_a_merged_ones_keeper_keeps_every_former_name(app, client, records, world):
    registrar_id = records.user(email="registrar@example.org", role="registrar")
    first, second, kept = (
        records.organisation(name=name) for name in ("Banverket", "Vägverket", "Trafikverket2")
    )
    number = records.number(
        records.meeting(
            subject="Gammalt möte",
            official_ids=[world["official"]],
            organisation_ids=[first],
        )
    )
    with app.app_context():
        registrar = db.session.get(User, registrar_id)
        organisations.merge(first, second, registrar)
        organisations.merge(second, kept, registrar)
    for q in ("banverket", "vägverket", "trafikverket2"):
        assert everywhere(client, q) == {number}, q


def test_a_private_organisations_name_is_not_found_through_a_merge(app, client, records, world):
    """A name only a draft used stays unknown, even merged into a public organisation."""
    registrar_id = records.user(email="registrar@example.org", role="registrar")
    private = records.organisation(name="Hemliga bolaget", kind="company", public=False)
    records.meeting(
        subject="Utkast",
        status="draft",
        official_ids=[world["official"]],
        organisation_ids=[private],
    )
    number = records.number(
        records.meeting(
            subject="Publicerat",
            official_ids=[world["official"]],
            organisation_ids=[world["organisation"]],
        )
    )
    with app.app_context():
        registrar = db.session.get(User, registrar_id)
        organisations.merge(private, world["organisation"], registrar)
    assert everywhere(client, "trafikverket") == {number}
    assert everywhere(client, "hemliga") == set()


def test_renamed_officials_and_retitled_issues_are_found_by_their_new_names(
    app, client, register, world
):
    railway = register["numbers"]["railway"]
    with app.app_context():
        registrar = db.session.get(User, register["registrar"])
        agenda.update_official(
            world["official"],
            agenda.OfficialInput(name="Anna Nyström", title="regionråd", unit_id=world["unit"]),
            registrar,
        )
        agenda.update_issue(
            world["issue"],
            agenda.IssueInput(title="Nya stambanan Göteborg–Borås"),
            registrar,
        )
    assert railway in everywhere(client, "nyström")
    assert everywhere(client, "regionråd") == set()  # a title is not a name
    assert everywhere(client, "stambanan") == {railway}
    assert everywhere(client, "dubbelspår") == set()


# -- filters together --------------------------------------------------------------------


def test_search_with_other_filters_gives_the_same_set_everywhere(client, records, world, plan):
    other = records.organisation(name="Jernhusen", kind="company")
    expected = set()
    for day, organisation in (
        ("2025-03-03", world["organisation"]),
        ("2025-03-04", other),
        ("2025-06-02", world["organisation"]),
        ("2025-06-03", other),
    ):
        number = records.number(
            records.meeting(
                subject=f"Stationen i Borås {day}",
                held_on=date.fromisoformat(day),
                official_ids=[world["official"]],
                organisation_ids=[organisation],
                issue_ids=[world["issue"]],
            )
        )
        if organisation == world["organisation"] and day < "2025-05-01":
            expected.add(number)
    filters = {
        "organisation": str(world["organisation"]),
        "to": "2025-04-30",
        "issue": "dubbelspar-goteborg-boras",
    }
    assert everywhere(client, "stationen borås", **filters) == expected
    assert everywhere(client, "stationen", kind="company") == everywhere(client, "jernhusen")
    assert everywhere(client, "jernhusen", organisation=str(world["organisation"])) == set()


def test_pages_of_a_search_walk_every_match_once(app, client, records, world, plan):
    app.config["PAGE_SIZE"] = 3
    numbers = {
        records.number(
            records.meeting(
                subject=f"Borås möte {n}",
                official_ids=[world["official"]],
                organisation_ids=[world["organisation"]],
            )
        )
        for n in range(8)
    }
    records.meeting(
        subject="Annat", official_ids=[world["official"]], organisation_ids=[world["organisation"]]
    )
    assert found(client, "borås") == numbers


# -- the index itself --------------------------------------------------------------------


def indexed(app) -> int:
    with app.app_context():
        return db.session.scalar(text(f"SELECT count(*) FROM {fulltext.INDEX}"))


def test_the_demo_register_is_indexed_completely_and_truly(app, client):
    with app.app_context():
        load_demo()
        published = db.session.scalar(
            select(func.count()).select_from(Meeting).filter_by(status="published")
        )
        meetings = db.session.scalars(
            with_links(select(Meeting).filter_by(status="published"))
        ).all()
        for q in ("trafikverket", "göteborg borås", '"kommuner och regioner"', "region*"):
            # What the index finds is what reading each record finds.
            expected = {meeting.number for meeting in meetings if _holds_every_term(q, meeting)}
            got = set(
                db.session.scalars(
                    select(Meeting.number).where(
                        Meeting.status == "published", fulltext.matching(q)
                    )
                )
            )
            assert got == expected and got, q
    assert indexed(app) == published


def _holds_every_term(q: str, meeting) -> bool:
    terms = re.findall(r'"[^"]*"|\S+', q)
    return all(fulltext.matched_fields(term, [meeting])[meeting.id] for term in terms)


def test_reindex_command_rebuilds_the_index(app, client, runner, register):
    with app.app_context():
        db.session.execute(text(f"DELETE FROM {fulltext.INDEX}"))
        db.session.commit()
    assert everywhere(client, "borås") == set()
    result = runner.invoke(args=["reindex-search"])
    assert result.exit_code == 0, result.output
    assert "Indexed 3 published meetings" in result.output
    assert everywhere(client, "borås") == {register["numbers"]["railway"]}
    assert indexed(app) == 3


def test_upgrading_an_existing_register_indexes_its_published_records(app, client, register):
    with app.app_context():
        downgrade(revision="f3925e29cb91")
        upgrade()
    assert everywhere(client, "borås") == {register["numbers"]["railway"]}
    assert indexed(app) == 3


def test_drafts_are_never_in_the_index(app, records, world):
    records.meeting(
        subject="Utkast",
        status="draft",
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    assert indexed(app) == 0


def test_both_databases_see_the_same_words():
    assert search_words("Göteborg–Borås, GÖTEBORG-BORÅS") == ["goteborg", "boras"] * 2
    assert search_words("Ærø Øresund Straße") == ["aero", "oresund", "strasse"]
    assert search_words("SKR:s e‑post") == ["skr", "s", "e", "post"]
    assert [term.words for term in fulltext.parse('"göteborg borås" skr* AND (x')] == [
        ("goteborg", "boras"),
        ("skr",),
        ("and",),
        ("x",),
    ]


@pytest.mark.parametrize(
    "q", ["borås", "skr*", "trafikverket göteborg", '"göteborg borås"', "anna", "qqq", "***"]
)
def test_the_index_counts_what_the_list_shows(app, client, register, q):
    listed = everywhere(client, q)
    with app.app_context():
        assert fulltext.count(q) == len(listed)


def test_the_index_count_can_stop_early(app, register):
    with app.app_context():
        assert fulltext.count("skr*") == 2
        assert fulltext.count("skr*", at_most=1) == 1
        assert fulltext.count("skr*", at_most=10) == 2

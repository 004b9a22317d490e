"""The pages of issues, organisations and officials, on a small register with known answers:
rankings and counts, months, concluded issues, the organisation list's search, filter, order
and pages, merged and private organisations, and no draft anywhere."""

import re
from dataclasses import replace
from datetime import date

import pytest

from register import profiles
from register.extensions import db
from register.models import Issue, Official, Organisation

DRAFT_SUBJECT = "Hemligt utkast om stationen"
DRAFT_LINK = "https://example.org/hemligt-utkast.pdf"
WITHDRAWN_SUBJECT = "Tillbakadraget möte"
HOSTILE = '<script>alert("x")</script> & Co'


def _set(app, model, record_id, **values):
    with app.app_context():
        record = db.session.get(model, record_id)
        for name, value in values.items():
            setattr(record, name, value)
        db.session.commit()


@pytest.fixture
def register(app, records):
    """Two units, five officials, five organisations (one private, one merged away), two
    issues (one concluded) and meetings with known counts; one draft and one withdrawn
    record name nearly everything and must count nowhere."""
    council = records.unit()
    traffic = records.unit(name="Trafiknämnden", kind="committee")
    anna = records.official(unit_id=council)
    bertil = records.official(name="Bertil Kollega", title="regiondirektör", unit_id=council)
    cecilia = records.official(name="Cecilia Ceder", title="trafikdirektör", unit_id=traffic)
    dora = records.official(name="Dora Dahl", title="utredare", unit_id=traffic)
    erik = records.official(name="Erik Ek", title="f.d. regionråd", unit_id=traffic)
    _set(app, Official, dora, active=False)
    _set(app, Official, erik, active=False)

    trafikverket = records.organisation()
    vasttrafik = records.organisation(name="Västtrafik AB", kind="company")
    consultancy = records.organisation(name="Konsultbyrån Påverkan AB", kind="consultancy")
    private = records.organisation(name="Privata Stiftelsen", kind="ngo", public=False)
    duplicate = records.organisation(name="Trafikverket Region Väst")
    _set(app, Organisation, duplicate, merged_into_id=trafikverket)
    _set(
        app,
        Organisation,
        trafikverket,
        org_number="202100-6297",
        eu_transparency_id="123456789012-34",
        website="https://www.trafikverket.se/",
        country="SE",
    )

    railway = records.issue()
    closed = records.issue(title="Nattåg till Berlin", slug="nattag-till-berlin")
    _set(
        app,
        Issue,
        railway,
        summary="Regionen vill ha dubbelspår mellan Göteborg och Borås.",
        outcome_sought="Att staten finansierar dubbelspåret i nästa nationella plan.",
        decision_makers="Regeringen, Trafikverket",
        unit_id=traffic,
        started_on=date(2024, 1, 1),
    )
    _set(app, Issue, closed, status="concluded", ended_on=date(2025, 1, 31))

    def meeting(subject, held_on, officials, organisations, issues, **fields):
        return records.meeting(
            subject=subject,
            held_on=held_on,
            official_ids=officials,
            organisation_ids=organisations,
            issue_ids=issues,
            **fields,
        )

    meeting(
        "Tidplan för dubbelspåret",
        date(2025, 1, 10),
        [anna, bertil],
        [trafikverket, vasttrafik],
        [railway],
        document_links=["https://example.org/tidplan.pdf"],
    )
    meeting("Finansiering", date(2025, 1, 20), [anna], [trafikverket], [railway])
    meeting(
        "Stationslägen",
        date(2025, 3, 5),
        [bertil],
        [trafikverket, consultancy],
        [railway],
        client="Byggbolaget Väst AB",
    )
    meeting(
        "Nattåg och tidtabeller",
        date(2024, 11, 2),
        [cecilia],
        [consultancy],
        [closed],
        client="Byggbolaget Väst AB",
    )
    meeting("Nattåget i budgeten", date(2024, 12, 1), [erik], [vasttrafik], [closed])
    meeting(
        DRAFT_SUBJECT,
        date(2025, 2, 15),
        [cecilia, dora],
        [private, trafikverket, consultancy],
        [railway, closed],
        status="draft",
        client="Hemlig klient AB",
        document_links=[DRAFT_LINK],
    )
    meeting(
        WITHDRAWN_SUBJECT,
        date(2025, 2, 10),
        [anna, dora],
        [trafikverket],
        [railway],
        status="withdrawn",
        withdrawal_reason="Dubblett.",
    )
    return {
        "council": council,
        "traffic": traffic,
        "anna": anna,
        "bertil": bertil,
        "cecilia": cecilia,
        "dora": dora,
        "erik": erik,
        "trafikverket": trafikverket,
        "vasttrafik": vasttrafik,
        "consultancy": consultancy,
        "private": private,
        "duplicate": duplicate,
        "railway": railway,
        "closed": closed,
    }


def page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.get_data(as_text=True)


def section(html, heading_id):
    """The part of a page under one section heading."""
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


RANK_ROW = re.compile(
    r'<tr>\s*<td><a href="([^"]+)"[^>]*>([^<]+)</a>.*?<td class="number"><a [^>]*>(\d+)<', re.S
)


def ranking(html, heading_id):
    """(link, name, meetings) for each row of a section's ranking, in order."""
    return [
        (link, name, int(count))
        for link, name, count in RANK_ROW.findall(section(html, heading_id))
    ]


def assert_no_draft(html):
    for secret in (DRAFT_SUBJECT, DRAFT_LINK, "Hemlig klient", "Privata Stiftelsen"):
        assert secret not in html
    assert WITHDRAWN_SUBJECT not in html


# -- counts and months, as the domain computes them -------------------------------------


def test_counts_and_months_are_over_published_meetings_only(app, register):
    with app.app_context():
        railway = profiles.issue_meetings(register["railway"])
        assert profiles.timeline(railway).months == [
            (date(2025, 1, 1), 2),
            (date(2025, 2, 1), 0),
            (date(2025, 3, 1), 1),
        ]
        organisations = profiles.organisations_met(railway)
        assert [(row.name, row.meetings) for row in organisations.rows] == [
            ("Trafikverket", 3),
            ("Konsultbyrån Påverkan AB", 1),
            ("Västtrafik AB", 1),
        ]
        assert organisations.total == 3
        officials = profiles.officials_on(railway)
        assert [(row.name, row.meetings) for row in officials.rows] == [
            ("Anna Regionråd", 2),
            ("Bertil Kollega", 2),
        ]
        documents = profiles.documents_of(railway)
        assert [(entry.subject, entry.links) for entry in documents] == [
            ("Tidplan för dubbelspåret", ["https://example.org/tidplan.pdf"])
        ]

        consultancy = profiles.organisation_meetings(register["consultancy"])
        assert profiles.clients_of(consultancy) == [("Byggbolaget Väst AB", 2)]
        assert [(row.key, row.meetings) for row in profiles.issues_on(consultancy).rows] == [
            ("dubbelspar-goteborg-boras", 1),
            ("nattag-till-berlin", 1),
        ]
        cecilia = profiles.official_meetings(register["cecilia"])
        assert profiles.timeline(cecilia).total == 1
        assert profiles.timeline(profiles.official_meetings(register["dora"])).months == []


def test_an_entitys_latest_meetings_are_the_same_however_they_are_found(app, register):
    """A small entity's meetings are looked up, a large one's found along the index: the
    answer is the same, newest first, published only."""
    with app.app_context():
        railway = profiles.issue_meetings(register["railway"])
        assert railway.links == 5  # the draft and the withdrawn record are linked too
        for links in (1, profiles.FEW * 10):
            found = replace(railway, links=links)
            subjects = [
                meeting.subject for meeting in db.session.scalars(profiles.latest(found, 10))
            ]
            assert subjects == ["Stationslägen", "Finansiering", "Tidplan för dubbelspåret"]
            assert [entry.number for entry in profiles.documents_of(found)] == [1]


def test_months_span_a_new_year(app, records, world):
    for held_on in (date(2024, 11, 30), date(2025, 2, 1), date(2025, 2, 28)):
        records.meeting(
            held_on=held_on,
            official_ids=[world["official"]],
            organisation_ids=[world["organisation"]],
        )
    with app.app_context():
        months = profiles.timeline(profiles.official_meetings(world["official"])).months
    assert months == [
        (date(2024, 11, 1), 1),
        (date(2024, 12, 1), 0),
        (date(2025, 1, 1), 0),
        (date(2025, 2, 1), 2),
    ]


# -- the agenda and an issue's page ---------------------------------------------------


def test_agenda_lists_active_and_concluded_issues_with_counts(client, register):
    html = page(client, "/issues")
    active, concluded = section(html, "active-heading"), section(html, "concluded-heading")
    assert 'href="/issues/dubbelspar-goteborg-boras"' in active
    assert "3 publicerade möten" in active
    assert 'datetime="2025-03-05"' in active
    assert "Trafiknämnden" in active
    assert "Regionen vill ha dubbelspår" in active
    assert 'href="/issues/nattag-till-berlin"' in concluded
    assert "nattag-till-berlin" not in active
    assert "2 publicerade möten" in concluded
    assert 'datetime="2024-12-01"' in concluded
    assert_no_draft(html)


def test_issue_page_says_what_the_region_wants_and_whom_it_met(client, register):
    html = page(client, "/issues/dubbelspar-goteborg-boras")
    assert html.count("<h1") == 1
    for text in (
        "Dubbelspår Göteborg–Borås",
        "Regionen vill ha dubbelspår mellan Göteborg och Borås.",
        "Att staten finansierar dubbelspåret i nästa nationella plan.",
        "Regeringen, Trafikverket",
        "Trafiknämnden",
        'datetime="2024-01-01"',
    ):
        assert text in html
    assert ranking(html, "organisations-heading") == [
        (f"/organisations/{register['trafikverket']}", "Trafikverket", 3),
        (f"/organisations/{register['consultancy']}", "Konsultbyrån Påverkan AB", 1),
        (f"/organisations/{register['vasttrafik']}", "Västtrafik AB", 1),
    ]
    assert ranking(html, "officials-heading") == [
        (f"/officials/{register['anna']}", "Anna Regionråd", 2),
        (f"/officials/{register['bertil']}", "Bertil Kollega", 2),
    ]
    # Each count leads to the meetings of both.
    assert (
        f'href="/meetings?issue=dubbelspar-goteborg-boras&amp;organisation={register["trafikverket"]}"'
        in html
    )
    # The month table: January 2, February 0, March 1.
    months = section(html, "timeline-heading")
    assert re.findall(
        r'<time datetime="(\d{4}-\d{2})">.*?<td class="number">(\d+)</td>', months
    ) == [
        ("2025-01", "2"),
        ("2025-02", "0"),
        ("2025-03", "1"),
    ]
    assert "<svg" in months
    documents = section(html, "documents-heading")
    assert 'href="https://example.org/tidplan.pdf"' in documents
    assert "Tidplan för dubbelspåret" in documents
    latest = section(html, "latest-heading")
    assert latest.index("Stationslägen") < latest.index("Finansiering") < latest.index("Tidplan")
    assert 'href="/meetings?issue=dubbelspar-goteborg-boras"' in html
    assert 'href="/meetings.csv?issue=dubbelspar-goteborg-boras"' in html
    assert 'href="/meetings.json?issue=dubbelspar-goteborg-boras"' in html
    assert_no_draft(html)
    assert "Cecilia" not in html and "Dora" not in html


def test_concluded_issue_has_its_page(client, register):
    html = page(client, "/issues/nattag-till-berlin")
    assert "Nattåg till Berlin" in html and "Avslutad" in html
    assert 'datetime="2025-01-31"' in html
    assert ranking(html, "officials-heading") == [
        (f"/officials/{register['cecilia']}", "Cecilia Ceder", 1),
        (f"/officials/{register['erik']}", "Erik Ek", 1),
    ]
    assert_no_draft(html)


@pytest.mark.parametrize(
    "path", ["/issues/no-such-issue", "/issues/" + "a" * 300, "/issues/%3Cscript%3E"]
)
def test_unknown_issue_is_not_found(client, register, path):
    html = page(client, path, status=404)
    assert html.count("<h1") == 1  # a real error page, not a bare status
    assert "<script>" not in html


# -- organisations --------------------------------------------------------------------


def test_organisation_page_shows_facts_timeline_issues_and_officials(client, register):
    html = page(client, f"/organisations/{register['trafikverket']}")
    assert html.count("<h1") == 1
    assert "Myndighet" in html  # the kind, in the interface's language
    assert "202100-6297" in html and "Sverige" in html
    assert (
        'href="https://transparency-register.europa.eu/searchregister-or-update/'
        'organisation-detail_en?id=123456789012-34"'
    ) in html
    assert '<a href="https://www.trafikverket.se/" rel="nofollow noopener">' in html
    assert "3 publicerade möten" in html
    assert ranking(html, "issues-heading") == [
        ("/issues/dubbelspar-goteborg-boras", "Dubbelspår Göteborg–Borås", 3)
    ]
    assert ranking(html, "officials-heading") == [
        (f"/officials/{register['anna']}", "Anna Regionråd", 2),
        (f"/officials/{register['bertil']}", "Bertil Kollega", 2),
    ]
    assert "clients-heading" not in html  # not a consultancy
    assert f'href="/meetings?organisation={register["trafikverket"]}"' in html
    assert_no_draft(html)


def test_consultancy_page_names_its_clients(client, register):
    html = page(client, f"/organisations/{register['consultancy']}")
    clients = section(html, "clients-heading")
    assert "Byggbolaget Väst AB" in clients and "2 möten" in clients
    assert_no_draft(html)


def test_website_that_is_not_a_web_address_is_not_a_link(app, client, register):
    _set(app, Organisation, register["vasttrafik"], website="javascript:alert(1)")
    html = page(client, f"/organisations/{register['vasttrafik']}")
    assert "javascript:alert(1)" in html
    assert 'href="javascript:' not in html


def test_merged_organisation_redirects_and_private_or_unknown_are_not_found(client, register):
    response = client.get(f"/organisations/{register['duplicate']}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/organisations/{register['trafikverket']}"
    page(client, f"/organisations/{register['private']}", status=404)
    page(client, "/organisations/99999", status=404)


def names_listed(html):
    return re.findall(r'class="entity-name" href="[^"]+"[^>]*>([^<]+)</a>', html)


def test_organisation_list_shows_public_ones_with_counts(client, register):
    html = page(client, "/organisations")
    assert names_listed(html) == ["Konsultbyrån Påverkan AB", "Trafikverket", "Västtrafik AB"]
    assert "1–3 av 3 organisationer" in html
    assert "3 publicerade möten" in html
    assert_no_draft(html)
    assert "Trafikverket Region Väst" not in html  # merged away


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=trafik", ["Trafikverket"]),  # a word's beginning, not inside "Västtrafik"
        ("q=VASTTRAFIK", ["Västtrafik AB"]),  # case and Ä folded
        ("q=ab+konsult", ["Konsultbyrån Påverkan AB"]),  # every word, in any order
        ("q=region+vast", ["Trafikverket"]),  # a former name of a merged duplicate
        ("q=2021006297", ["Trafikverket"]),  # the organisation number, without its hyphen
        ("q=privata", []),
        ("kind=consultancy", ["Konsultbyrån Påverkan AB"]),
        ("kind=company&kind=public_authority", ["Trafikverket", "Västtrafik AB"]),
        ("sort=meetings", ["Trafikverket", "Konsultbyrån Påverkan AB", "Västtrafik AB"]),
        ("q=ab&sort=meetings", ["Konsultbyrån Påverkan AB", "Västtrafik AB"]),
    ],
)
def test_organisation_list_searches_filters_and_sorts(client, register, query, expected):
    assert names_listed(page(client, f"/organisations?{query}")) == expected


def test_a_private_duplicates_name_finds_nothing(app, client, register, records):
    secret = records.organisation(name="Hemliga Banverket", public=False)
    _set(app, Organisation, secret, merged_into_id=register["trafikverket"])
    assert names_listed(page(client, "/organisations?q=hemliga")) == []


def test_short_names_in_brackets_are_found_as_words(client, records):
    records.organisation(name="Sveriges Kommuner och Regioner (SKR)", kind="local_government")
    records.organisation(name="Beskrivarna AB", kind="company")
    assert names_listed(page(client, "/organisations?q=skr")) == [
        "Sveriges Kommuner och Regioner (SKR)"
    ]


def test_organisation_list_pages(client, records):
    for number in range(53):
        records.organisation(name=f"Förening {number:02d}", kind="ngo")
    first = page(client, "/organisations")
    assert len(names_listed(first)) == 50
    assert "1–50 av 53 organisationer" in first
    assert 'href="/organisations?page=2"' in first
    second = page(client, "/organisations?page=2")
    assert names_listed(second) == ["Förening 50", "Förening 51", "Förening 52"]
    assert "51–53 av 53 organisationer" in second
    assert '<a rel="prev" href="/organisations">' in second  # the previous page: the first
    beyond = page(client, "/organisations?page=9")
    assert names_listed(beyond) == []
    assert "Det finns ingen sida 9" in beyond


def test_most_met_come_first_then_the_others_by_name_across_pages(client, records, world):
    for number in range(53):
        records.organisation(name=f"Förening {number:02d}", kind="ngo")
    met = {"Förening 52": 2, "Förening 07": 1, "Trafikverket": 1}
    with client.application.app_context():
        ids = dict(db.session.execute(db.select(Organisation.name, Organisation.id)).all())
    for name, count in met.items():
        for _ in range(count):
            records.meeting(official_ids=[world["official"]], organisation_ids=[ids[name]])
    records.meeting(  # a draft counts for nothing
        status="draft", official_ids=[world["official"]], organisation_ids=[ids["Förening 50"]]
    )
    first = names_listed(page(client, "/organisations?sort=meetings"))
    assert first[:3] == ["Förening 52", "Förening 07", "Trafikverket"]
    assert first[3:6] == ["Förening 00", "Förening 01", "Förening 02"]
    assert len(first) == 50
    second = names_listed(page(client, "/organisations?sort=meetings&page=2"))
    assert second == ["Förening 48", "Förening 49", "Förening 50", "Förening 51"]
    only_met = names_listed(page(client, "/organisations?sort=meetings&q=forening+52"))
    assert only_met == ["Förening 52"]


@pytest.mark.parametrize(
    ("query", "field", "kept"),
    [
        ("kind=bank&q=trafik", "Slag av organisation", ["Trafikverket"]),
        ("sort=largest&q=trafik", "Ordning", ["Trafikverket"]),
        ("page=%C2%B2&q=trafik", "Sida", ["Trafikverket"]),
        ("page=-1", "Sida", ["Konsultbyrån Påverkan AB", "Trafikverket", "Västtrafik AB"]),
        ("q=" + "x" * 101, "Namn eller organisationsnummer", []),
    ],
)
def test_bad_arguments_are_named_and_the_others_kept(client, register, query, field, kept):
    html = page(client, f"/organisations?{query}", status=400)
    assert field in section_of_errors(html)
    assert names_listed(html) == kept


def section_of_errors(html):
    start = html.index('class="error-summary"')
    return html[start : html.index("</div>", start)]


# -- officials ------------------------------------------------------------------------


def test_officials_are_listed_by_unit_with_counts(client, register):
    html = page(client, "/officials")
    assert html.count("<h1") == 1
    council, traffic = html.index("Regionstyrelsen"), html.index("Trafiknämnden")
    assert council < html.index("Anna Regionråd") < html.index("Bertil Kollega") < traffic
    assert traffic < html.index("Cecilia Ceder") < html.index("Erik Ek")
    listed = dict(
        re.findall(
            r'href="/officials/(\d+)"[^>]*>[^<]+</a>.*?class="entity-count">(\d+) ', html, re.S
        )
    )
    assert listed == {
        str(register["anna"]): "2",
        str(register["bertil"]): "2",
        str(register["cecilia"]): "1",
        str(register["erik"]): "1",
    }
    # An inactive official with no published meeting is left out of the list.
    assert "Dora Dahl" not in html
    assert "inte längre aktiv" in html  # Erik: inactive, with a meeting
    assert_no_draft(html)


def test_official_page_shows_whom_they_met_and_about_what(client, register):
    html = page(client, f"/officials/{register['anna']}")
    assert html.count("<h1") == 1
    assert "regionråd" in html and "Regionstyrelsen" in html
    assert "2 publicerade möten" in html
    assert ranking(html, "organisations-heading") == [
        (f"/organisations/{register['trafikverket']}", "Trafikverket", 2),
        (f"/organisations/{register['vasttrafik']}", "Västtrafik AB", 1),
    ]
    assert ranking(html, "issues-heading") == [
        ("/issues/dubbelspar-goteborg-boras", "Dubbelspår Göteborg–Borås", 2)
    ]
    assert f'href="/meetings?official={register["anna"]}"' in html
    assert_no_draft(html)


def test_official_without_published_meetings_still_has_a_page(client, register):
    html = page(client, f"/officials/{register['dora']}")
    assert "Dora Dahl" in html and "0 publicerade möten" in html
    assert_no_draft(html)
    assert "Cecilia" not in html
    page(client, "/officials/99999", status=404)


# -- links from meetings, escaping ----------------------------------------------------


def test_names_in_lists_and_records_lead_to_their_pages(client, register):
    listing = page(client, "/meetings")
    assert f'href="/organisations/{register["trafikverket"]}"' in listing
    assert f'href="/officials/{register["anna"]}"' in listing
    assert 'href="/issues/dubbelspar-goteborg-boras"' in listing
    record = page(client, "/meetings/1")
    assert f'href="/officials/{register["anna"]}"' in record
    assert 'href="/issues/dubbelspar-goteborg-boras"' in record
    start = page(client, "/")
    assert start.index('id="issues-heading"') < start.index('id="latest-heading"')
    assert 'href="/issues/dubbelspar-goteborg-boras"' in section(start, "issues-heading")


def test_hostile_names_are_escaped_everywhere(app, client, records, world):
    organisation = records.organisation(name=HOSTILE, kind="consultancy")
    issue = records.issue(title=HOSTILE, slug="fientlig")
    _set(app, Official, world["official"], name=HOSTILE, title=HOSTILE)
    records.meeting(
        official_ids=[world["official"]],
        organisation_ids=[organisation],
        issue_ids=[issue],
        client=HOSTILE,
        document_links=["https://example.org/x.pdf?a=<b>"],
    )
    for path in (
        "/issues",
        "/issues/fientlig",
        "/organisations",
        f"/organisations/{organisation}",
        "/officials",
        f"/officials/{world['official']}",
        "/meetings",
        "/",
    ):
        html = page(client, path)
        assert "<script>alert" not in html, path
        assert "&lt;script&gt;" in html, path


def test_pages_follow_the_register_as_it_changes(client, records, register):
    """Their figures are kept between requests only until the next public change."""
    pages = (
        "/issues/dubbelspar-goteborg-boras",
        f"/organisations/{register['trafikverket']}",
        f"/officials/{register['cecilia']}",
    )

    def timeline_totals():
        return [timeline_total(page(client, path)) for path in pages]

    before = timeline_totals()
    assert timeline_totals() == before
    records.meeting(
        subject="Ännu ett möte om dubbelspåret",
        official_ids=[register["cecilia"]],
        organisation_ids=[register["trafikverket"]],
        issue_ids=[register["railway"]],
    )
    assert timeline_totals() == [total + 1 for total in before]


def timeline_total(html: str) -> int:
    """The number of published meetings a page states in its facts."""
    facts = re.search(r"<dt>(?:Published meetings|Publicerade möten)</dt>\s*<dd>(\d+)", html)
    return int(facts.group(1))

"""The Atom feed (RFC 4287): valid, newest first, the same records as the list under every
filter, amendments with their reasons, withdrawals without content, drafts never."""

import re
from datetime import date
from xml.etree import ElementTree

import pytest
from flask import render_template_string

from register import records as write
from register.extensions import db
from register.models import Meeting, User
from register.records import MeetingInput

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def client(client):
    """A feed reader that asks for English, the language of these assertions."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def read_feed(client, query: str = "") -> ElementTree.Element:
    response = client.get(f"/feed.atom?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    return ElementTree.fromstring(response.data)


def entries(feed) -> list[ElementTree.Element]:
    return feed.findall(f"{ATOM}entry")


def numbers(feed) -> list[int]:
    """The public number of the record each entry links to, in the feed's order."""
    found = []
    for entry in entries(feed):
        href = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        found.append(int(re.fullmatch(r"http://localhost/meetings/(\d+)", href).group(1)))
    return found


def listed(client, query: str) -> set[int]:
    html = client.get(f"/meetings?{query}").get_data(as_text=True)
    return {int(n) for n in re.findall(r'class="meeting-subject"><a href="/meetings/(\d+)"', html)}


def meeting_input(meeting: Meeting, **changes) -> MeetingInput:
    """What the form would send for this meeting, with some fields changed."""
    fields = {name: getattr(meeting, name) for name in Meeting.DESCRIPTIVE_FIELDS}
    fields |= {
        "document_links": tuple(meeting.document_links),
        "official_ids": tuple(o.id for o in meeting.officials),
        "organisation_ids": tuple(o.id for o in meeting.organisations),
        "issue_ids": tuple(i.id for i in meeting.issues),
    }
    return MeetingInput(**(fields | changes))


def amend(app, meeting_id, user_id, reason, **changes):
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        author = db.session.get(User, user_id)
        write.update_meeting(
            meeting_id,
            meeting_input(meeting, **changes),
            author,
            version=meeting.version,
            publish=True,
            reason=reason,
        )


def withdraw(app, meeting_id, registrar_id, reason):
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        write.withdraw(
            meeting_id, db.session.get(User, registrar_id), reason=reason, version=meeting.version
        )


@pytest.fixture
def registrar(records):
    return records.user(email="registrar@example.org", role="registrar", name="Rut Registrator")


def test_feed_is_valid_atom_newest_first(client, records, world):
    for n in range(3):
        records.meeting(
            subject=f"Möte {n}",
            official_ids=[world["official"]],
            organisation_ids=[world["organisation"]],
        )
    feed = read_feed(client)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{name}").text, name
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Testregionen"
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("href") == "http://localhost/feed.atom"
    assert self_link.get("type") == "application/atom+xml"
    ids = []
    for entry in entries(feed):
        for name in ("id", "title", "updated", "summary"):
            assert entry.find(f"{ATOM}{name}").text, name
        ids.append(entry.find(f"{ATOM}id").text)
    assert len(set(ids)) == len(ids) == 3
    assert all(entry_id.startswith("tag:localhost,") for entry_id in ids)
    # Newest first, and the feed is as new as its newest entry.
    assert numbers(feed) == [3, 2, 1]
    updated = [entry.find(f"{ATOM}updated").text for entry in entries(feed)]
    assert updated == sorted(updated, reverse=True)
    assert feed.find(f"{ATOM}updated").text == updated[0]
    assert entries(feed)[0].find(f"{ATOM}title").text == "Möte 2"


def test_entry_ids_stay_the_same_from_one_reading_to_the_next(client, records, world):
    records.meeting(official_ids=[world["official"]], organisation_ids=[world["organisation"]])
    first = [e.find(f"{ATOM}id").text for e in entries(read_feed(client))]
    records.meeting(official_ids=[world["official"]], organisation_ids=[world["organisation"]])
    second = [e.find(f"{ATOM}id").text for e in entries(read_feed(client))]
    assert second[1:] == first


def test_an_amendment_is_an_entry_with_its_reason(app, client, records, world):
    meeting_id = records.meeting(
        subject="Tidplan för dubbelspåret",
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
        created_by_id=world["user"],
    )
    amend(
        app,
        meeting_id,
        world["user"],
        "Fel datum i sammanfattningen",
        summary="Rättad sammanfattning",
    )
    feed = read_feed(client)
    amendment, publication = entries(feed)
    assert amendment.find(f"{ATOM}title").text == "Amended: Tidplan för dubbelspåret"
    summary = amendment.find(f"{ATOM}summary").text
    assert "Reason for the amendment: Fel datum i sammanfattningen" in summary
    assert "Changed: Summary" in summary
    assert "Rättad sammanfattning" in summary
    history = amendment.find(f"{ATOM}link[@rel='related']").get("href")
    assert history == f"http://localhost/meetings/{meeting_id}/history"
    assert publication.find(f"{ATOM}title").text == "Tidplan för dubbelspåret"
    assert amendment.find(f"{ATOM}id").text != publication.find(f"{ATOM}id").text
    assert numbers(feed) == [meeting_id, meeting_id]


def test_a_withdrawn_record_shows_only_its_withdrawal(app, client, records, world, registrar):
    meeting_id = records.meeting(
        subject="Känsligt ämne",
        summary="Detaljer som inte längre är offentliga",
        held_on=date(2026, 3, 4),
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
        issue_ids=[world["issue"]],
    )
    withdraw(app, meeting_id, registrar, "Dubblett av post 7")
    body = client.get("/feed.atom").get_data(as_text=True)
    assert "Känsligt ämne" not in body
    assert "Detaljer som inte" not in body
    assert "Trafikverket" not in body
    (entry,) = entries(ElementTree.fromstring(body))
    assert entry.find(f"{ATOM}title").text == f"Record no. {meeting_id} withdrawn"
    summary = entry.find(f"{ATOM}summary").text
    assert "March 4, 2026" in summary
    assert "Reason: Dubblett av post 7" in summary
    # A filter on what the record said no longer finds it, as the list and the CSV do not.
    assert entries(read_feed(client, f"issue={'dubbelspar-goteborg-boras'}")) == []
    assert entries(read_feed(client, f"organisation={world['organisation']}")) == []


def test_drafts_never_appear(client, records, world):
    records.meeting(
        subject="Hemligt utkast",
        status="draft",
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    records.meeting(
        subject="Publicerat möte",
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    for query in ("", f"official={world['official']}", "q=utkast"):
        body = client.get(f"/feed.atom?{query}").get_data(as_text=True)
        assert "Hemligt utkast" not in body, query


@pytest.fixture
def register(records, world):
    """Meetings that differ in every filtered respect, and a draft."""
    union = records.organisation(name="Kommunal", kind="union")
    other_issue = records.issue(title="Kompetensförsörjning", slug="kompetens")
    unit = records.unit(name="Hälso- och sjukvården", kind="administration")
    nurse = records.official(
        name="Cecilia Chef", title="hälso- och sjukvårdsdirektör", unit_id=unit
    )
    made = {}
    for key, organisation, issue, official, fields in (
        ("rail", world["organisation"], world["issue"], world["official"], {}),
        ("union", union, other_issue, nurse, {"format": "video"}),
        ("both", union, world["issue"], world["colleague"], {"held_on": date(2025, 6, 1)}),
        ("phone", world["organisation"], None, nurse, {"format": "phone"}),
    ):
        made[key] = records.number(
            records.meeting(
                subject=f"Möte om {key}",
                official_ids=[official],
                organisation_ids=[organisation],
                issue_ids=[issue] if issue else [],
                **fields,
            )
        )
    records.meeting(
        subject="Utkast", status="draft", organisation_ids=[union], issue_ids=[other_issue]
    )
    return made | {"union": union, "unit": unit, "nurse": nurse}


FILTERS = (
    "",
    "issue=dubbelspar-goteborg-boras",
    "issue=dubbelspar-goteborg-boras&issue=kompetens",
    "kind=union",
    "kind=union&kind=public_authority",
    "format=video&format=phone",
    "from=2026-01-01",
    "to=2025-12-31",
    "q=rail",
    "kind=union&issue=dubbelspar-goteborg-boras",
    "organisation=ORGANISATION",
    "official=OFFICIAL",
    "unit=UNIT&format=phone",
)


def test_the_feed_has_the_same_records_as_the_list_under_every_filter(client, register):
    for query in FILTERS:
        query = (
            query.replace("ORGANISATION", str(register["union"]))
            .replace("OFFICIAL", str(register["nurse"]))
            .replace("UNIT", str(register["unit"]))
        )
        expected = listed(client, query)
        assert expected, query  # every case lists something, so the comparison means something
        assert set(numbers(read_feed(client, query))) == expected, query


def test_the_feed_title_names_the_filters(client, register, world):
    title = read_feed(client, f"issue=dubbelspar-goteborg-boras&official={register['nurse']}")
    text = title.find(f"{ATOM}title").text
    assert "Issue: Dubbelspår Göteborg–Borås" in text
    assert "Official: Cecilia Chef" in text
    text = read_feed(client, f"organisation={register['union']}").find(f"{ATOM}title").text
    assert text.startswith("Organisation: Kommunal · ")
    assert text.endswith("Testregionen")
    feed = read_feed(client, "kind=union&sort=published")
    # One feed per set of filters, whatever order or sort the link gave them in.
    assert feed.find(f"{ATOM}id").text == "http://localhost/feed.atom?kind=union"
    alternate = feed.find(f"{ATOM}link[@rel='alternate']").get("href")
    assert alternate == "http://localhost/meetings?kind=union&sort=published"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("issue=../../etc", "issue"),
        ("official=abc", "official"),
        ("kind=spy", "kind"),
        ("from=2024-13-01", "from"),
        ("sort=random", "sort"),
    ],
)
def test_a_bad_filter_is_a_plain_400_naming_the_field(client, query, field):
    response = client.get(f"/feed.atom?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/plain"
    assert f"\n{field}: " in response.get_data(as_text=True)


def test_hostile_text_cannot_break_the_feed(client, records, world):
    hostile = "</title><script>alert(1)</script> & ]]> \x0b\x1f ok"
    records.meeting(
        subject=hostile,
        summary='<entry><id>forged</id></entry> "quoted" & more',
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
    )
    feed = read_feed(client)
    (entry,) = entries(feed)
    assert entry.find(f"{ATOM}title").text == "</title><script>alert(1)</script> & ]]>  ok"
    assert "<entry><id>forged</id></entry>" in entry.find(f"{ATOM}summary").text
    body = client.get("/feed.atom").get_data(as_text=True)
    assert "<script>" not in body and "&lt;script&gt;" in body


def test_the_feed_is_bounded_to_the_latest_entries(client, records, world):
    for n in range(52):
        records.meeting(subject=f"Möte {n}", official_ids=[world["official"]])
    found = numbers(read_feed(client))
    assert found == list(range(52, 2, -1))


def test_an_unchanged_feed_is_not_sent_again(client, records, world):
    records.meeting(official_ids=[world["official"]])
    first = client.get("/feed.atom")
    again = client.get("/feed.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    # A new publication is news: the reader gets the feed with it.
    records.meeting(subject="Nytt möte", official_ids=[world["official"]])
    news = client.get("/feed.atom", headers={"If-None-Match": first.headers["ETag"]})
    assert news.status_code == 200
    assert "Nytt möte" in news.get_data(as_text=True)


def test_a_merged_organisations_feed_leads_to_the_kept_one(app, client, records):
    kept = records.organisation(name="Västtrafik AB", kind="public_authority")
    duplicate = records.organisation(name="Vasttrafik", kind="public_authority")
    with app.app_context():
        from register.models import Organisation

        db.session.get(Organisation, duplicate).merged_into_id = kept
        db.session.commit()
    response = client.get(f"/feed.atom?organisation={duplicate}&kind=public_authority")
    assert response.status_code == 301
    assert response.headers["Location"] == (f"/feed.atom?organisation={kept}&kind=public_authority")


def test_pages_point_feed_readers_to_the_feed(client):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r'<link rel="alternate" type="application/atom\+xml" href="/feed.atom"', html)


def test_follow_link_keeps_the_filters_but_not_the_page_or_the_order(app):
    template = (
        '{% from "_meetings.html" import follow_link, feed_head %}'
        "{{ follow_link(args) }}|{{ feed_head(args) }}"
    )
    args = {"issue": ["a", "b"], "kind": ["union"], "cursor": "abc", "sort": "published"}
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        link, head = render_template_string(template, args=args).split("|")
    expected = 'href="/feed.atom?issue=a&amp;issue=b&amp;kind=union"'
    assert expected in link and ">Follow<" in link
    assert expected in head and 'rel="alternate"' in head


def test_the_list_and_each_issue_organisation_and_official_page_offer_their_feed(
    client, records, world
):
    records.meeting(
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
        issue_ids=[world["issue"]],
    )
    organisation, official = world["organisation"], world["official"]
    pages = {
        "/meetings?kind=public_authority": "/feed.atom?kind=public_authority",
        "/issues/dubbelspar-goteborg-boras": "/feed.atom?issue=dubbelspar-goteborg-boras",
        f"/organisations/{organisation}": f"/feed.atom?organisation={organisation}",
        f"/officials/{official}": f"/feed.atom?official={official}",
    }
    for page, feed in pages.items():
        html = client.get(page).get_data(as_text=True)
        assert f'<link rel="alternate" type="application/atom+xml" href="{feed}"' in html, page
        assert f'class="follow-link" href="{feed}"' in html, page
        assert client.get(feed).status_code == 200

"""Calendar import: .ics files as Outlook, Google Calendar and Apple Calendar export them give
the right local dates and times; ticked events become drafts; bad files change nothing.

The fixtures in tests/calendars/ are written like real exports: Outlook names Windows time
zones and defines them in a VTIMEZONE, Google writes UTC with "Z" (and X-WR-TIMEZONE),
Apple writes floating times and a weekly RRULE with an EXDATE and a moved occurrence.
"""

import io
import re
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from register import calendar_import
from register.calendar_import import read_calendar
from register.extensions import db
from register.models import AuditEntry, Meeting, Organisation, User

from .conftest import csrf_token, utc_today
from .test_meeting_form import meeting_form

CALENDARS = Path(__file__).parent / "calendars"
STOCKHOLM = "Europe/Stockholm"
SPRING = {"from": "2025-03-01", "to": "2025-06-30"}
TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')

OUTLOOK_UID = (
    "040000008200E00074C5B7101A82E00800000000B0C3C1A1B28ADB01000000000000000010000000"
    "61B5F2D0D6D0A64F8E2F5A0A0A0A0A0A"
)
APPLE_UID = "6F1C2D3E-4A5B-4C6D-8E7F-901A2B3C4D5E"


def ics(name: str) -> bytes:
    return (CALENDARS / name).read_bytes()


def calendar_file(*events: str, timezones: str = "") -> bytes:
    """A small calendar around the given VEVENT bodies, CRLF as RFC 5545 has it."""
    body = "".join(f"BEGIN:VEVENT\n{event.strip()}\nEND:VEVENT\n" for event in events)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//EN\n{timezones}{body}END:VCALENDAR\n"
    return text.replace("\n", "\r\n").encode()


def read(data: bytes, first=date(2025, 3, 1), last=date(2025, 6, 30)):
    return read_calendar(data, first, last, STOCKHOLM)


def when(event):
    return (event.held_on, event.start_time)


@pytest.fixture(autouse=True)
def stockholm_time(app):
    """The register keeps Swedish time; the exports were made in it, in UTC and in London."""
    app.config["TIMEZONE"] = STOCKHOLM


@pytest.fixture
def counterparts(records):
    """Organisations whose websites the attendees' e-mail domains belong to."""
    with_site = {}
    for name, site in [
        ("Trafikverket", "https://www.trafikverket.se/"),
        ("Västsvenska Handelskammaren", "handelskammaren.net"),
        ("Västtrafik", "https://www.vasttrafik.se"),
        # The region itself: colleagues' addresses (example.org) never suggest it.
        ("Exempelregionen", "https://example.org"),
    ]:
        org_id = records.organisation(name=name, kind="company")
        with_site[name] = org_id
        with records.app.app_context():
            db.session.get(Organisation, org_id).website = site
            db.session.commit()
    return with_site


def upload(client, data: bytes, filename="calendar.ics", **fields):
    token = csrf_token(client.get("/desk/calendar"))
    form = {"csrf_token": token, "calendar": (io.BytesIO(data), filename), **SPRING, **fields}
    return client.post("/desk/calendar", data=form, content_type="multipart/form-data")


def listed_token(response) -> str:
    match = TOKEN.search(response.get_data(as_text=True))
    assert match, "the page lists no events to choose from"
    return match.group(1)


def make_drafts(client, response, *indices, token=None):
    return client.post(
        "/desk/calendar/drafts",
        data={
            "csrf_token": csrf_token(response),
            "token": listed_token(response) if token is None else token,
            "event": [str(i) for i in indices],
        },
    )


def meetings(app):
    with app.app_context():
        return db.session.scalars(select(Meeting).order_by(Meeting.held_on, Meeting.id)).all()


def count_meetings(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Meeting))


# -- Reading the exports -----------------------------------------------------------------


def test_outlook_export_with_windows_time_zone_names_gives_local_times():
    events = read(ics("outlook.ics")).events

    assert [(e.summary, *when(e)) for e in events] == [
        # "W. Europe Standard Time", defined by the file's VTIMEZONE: winter time …
        ("Tidplan för dubbelspåret Göteborg–Borås", date(2025, 3, 12), time(10, 0)),
        # "GMT Standard Time", with no VTIMEZONE in the file: London, an hour behind.
        ("Call with the London office", date(2025, 3, 20), time(10, 0)),
        # … and summer time after the last Sunday of March.
        ("Lunch med Västsvenska Handelskammaren", date(2025, 4, 3), time(12, 0)),
    ]
    teams, london, lunch = events
    assert teams.end_time == time(11, 0)
    assert teams.format == "video"  # the Teams link is in the description
    assert lunch.format == "in_person"
    assert lunch.location == "Restaurang Kometen, Vasagatan 58, Göteborg"
    assert london.format == "other"
    assert teams.key == f"{OUTLOOK_UID}|"  # a single event: no recurrence id
    assert [(a.name, a.email) for a in teams.attendees] == [
        ("Eva Ek", "eva.ek@trafikverket.se"),
        ("Bertil Kollega", "bertil.kollega@example.org"),
    ]
    assert teams.organizer.email == "eva.ek@trafikverket.se"


def test_google_export_in_utc_gives_local_dates_and_times():
    events = read(ics("google.ics")).events

    assert [(e.summary, *when(e)) for e in events] == [
        ("Digitalt möte om kollektivtrafiken", date(2025, 3, 12), time(10, 0)),  # 09:00Z
        ("Studiebesök hos Region Halland", date(2025, 3, 14), None),  # all day
        ("Nattligt samtal med flygplatsen", date(2025, 3, 16), time(0, 30)),  # 23:30Z the 15th
        ("Sommarmöte med Trafikverket", date(2025, 6, 12), time(10, 0)),  # 08:00Z in summer
    ]
    meet, all_day, _night, summer = events
    assert meet.format == "video"  # Google Meet
    assert all_day.format == "other"
    assert summer.format == "in_person"


def test_apple_weekly_series_in_floating_time_leaves_out_its_exdate():
    events = read(ics("apple.ics"), last=date(2025, 3, 31)).events

    assert [when(e) for e in events] == [
        (date(2025, 3, 3), time(9, 0)),
        (date(2025, 3, 10), time(9, 0)),
        # 17 March is an EXDATE; 24 March was moved to 13:00 in its own VEVENT.
        (date(2025, 3, 24), time(13, 0)),
        (date(2025, 3, 31), time(9, 0)),
    ]
    assert events[2].summary == "Veckoavstämning med Västtrafik (flyttad)"
    assert [e.key for e in events] == [
        f"{APPLE_UID}|20250303T090000",
        f"{APPLE_UID}|20250310T090000",
        f"{APPLE_UID}|20250324T090000",
        f"{APPLE_UID}|20250331T090000",
    ]


def test_recurring_events_are_expanded_only_within_the_range():
    events = read(ics("apple.ics"), first=date(2025, 3, 25), last=date(2025, 4, 30)).events
    # COUNT=6 ends the series on 7 April.
    assert [e.held_on for e in events] == [date(2025, 3, 31), date(2025, 4, 7)]


def test_a_made_up_time_zone_in_one_file_does_not_move_the_next_files_times():
    forged = calendar_file(
        'UID:forged\nDTSTART;TZID="W. Europe Standard Time":20250312T100000\nSUMMARY:Falsk',
        timezones=(
            "BEGIN:VTIMEZONE\nTZID:W. Europe Standard Time\nBEGIN:STANDARD\n"
            "DTSTART:16010101T000000\nTZOFFSETFROM:+0500\nTZOFFSETTO:+0500\n"
            "END:STANDARD\nEND:VTIMEZONE\n"
        ),
    )
    assert when(read(forged).events[0]) == (date(2025, 3, 12), time(6, 0))

    assert when(read(ics("outlook.ics")).events[0]) == (date(2025, 3, 12), time(10, 0))


@pytest.mark.parametrize(
    ("location", "description", "expected"),
    [
        ("Microsoft Teams Meeting", "", "video"),
        ("", "Join: https://teams.microsoft.com/l/meetup-join/19%3a", "video"),
        ("https://regionen.zoom.us/j/123456789", "", "video"),
        ("", "Anslut: https://meet.google.com/abc-defg-hij", "video"),
        ("", "https://regionen.webex.com/meet/anna", "video"),
        ("Regionens hus, Göteborg", "", "in_person"),
        ("Regionens hus", "Agenda: https://zoomtown.example.org/", "in_person"),
        ("", "", "other"),
    ],
)
def test_a_video_link_makes_the_format_video(location, description, expected):
    assert calendar_import.meeting_format(location, description) == expected


# -- Listing events and suggesting organisations -----------------------------------------


def test_official_sees_the_events_with_organisations_suggested(
    app, client, auth, world, counterparts
):
    auth.login()
    response = upload(client, ics("outlook.ics"))

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Tidplan för dubbelspåret Göteborg–Borås" in html
    assert '<time datetime="2025-03-12">2025-03-12</time>' in html
    assert "10:00–11:00" in html
    assert "Eva Ek &lt;eva.ek@trafikverket.se&gt;" in html
    # trafikverket.se (www. stripped) and a subdomain of handelskammaren.net match …
    assert "Organisationer: Trafikverket" in html
    assert "Organisationer: Västsvenska Handelskammaren" in html
    # … the region's own domain (the colleague's address) suggests nothing.
    assert "Exempelregionen" not in html
    assert count_meetings(app) == 0  # listing stores nothing


def test_suggestions_match_the_site_and_its_subdomains_only(app, records, world, counterparts):
    with app.app_context():
        user = db.session.get(User, world["user"])
        found = calendar_import.suggested_organisations(
            [
                "mail.trafikverket.se",
                "nottrafikverket.se",
                "trafikverket.se.example.net",
                "example.org",
                "sub.example.org",
            ],
            user,
            own_domains=["official@example.org"],
        )
    assert found == {"mail.trafikverket.se": [(counterparts["Trafikverket"], "Trafikverket")]}


def test_a_colleagues_private_organisation_is_never_suggested(app, client, auth, records, world):
    hidden = records.organisation(name="Hemligt Bolag AB", kind="company", public=False)
    colleague = records.user(email="colleague@example.org", official_id=world["colleague"])
    records.meeting(status="draft", organisation_ids=[hidden], created_by_id=colleague)
    with app.app_context():
        db.session.get(Organisation, hidden).website = "https://hemligt.se"
        db.session.commit()
    event = "UID:h1\nDTSTART:20250312T090000Z\nSUMMARY:Möte\nATTENDEE:mailto:vd@hemligt.se"

    auth.login()
    response = upload(client, calendar_file(event))

    assert response.status_code == 200
    assert "Hemligt Bolag AB" not in response.get_data(as_text=True)


# -- Making drafts ---------------------------------------------------------------------------


def test_ticked_events_become_prefilled_drafts_marked_on_the_next_upload(
    app, client, auth, world, counterparts
):
    auth.login()
    listing = upload(client, ics("outlook.ics"))
    # The list is in date order, numbered from 1: the Teams meeting, the call, the lunch.
    response = make_drafts(client, listing, 1, 3)

    assert response.status_code == 302
    assert response.headers["Location"] == "/desk/"
    assert "2 utkast skapades från din kalender" in client.get("/desk/").get_data(as_text=True)
    teams, lunch = meetings(app)
    with app.app_context():
        teams, lunch = (db.session.merge(m) for m in (teams, lunch))
        assert teams.status == lunch.status == "draft"
        assert teams.number is None
        assert teams.created_by_id == world["user"]
        assert (teams.held_on, teams.start_time) == (date(2025, 3, 12), time(10, 0))
        assert teams.subject == "Tidplan för dubbelspåret Göteborg–Borås"
        assert teams.location == "Microsoft Teams-möte"
        assert teams.format == "video"
        assert teams.initiative == "counterpart"  # Eva Ek of Trafikverket invited
        assert [o.id for o in teams.officials] == [world["official"]]
        assert [o.name for o in teams.organisations] == ["Trafikverket"]
        assert teams.calendar_event == f"{OUTLOOK_UID}|"
        assert (lunch.held_on, lunch.start_time, lunch.format) == (
            date(2025, 4, 3),
            time(12, 0),
            "in_person",
        )
        assert lunch.initiative == "region"  # the official invited
        assert [o.name for o in lunch.organisations] == ["Västsvenska Handelskammaren"]
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert actions.count("meeting_create") == 2

    again = upload(client, ics("outlook.ics")).get_data(as_text=True)
    assert again.count("Redan registrerat") == 2
    assert f'href="/desk/meetings/{teams.id}"' in again
    assert 'name="event" value="2"' in again  # the London call can still be chosen
    assert 'name="event" value="1"' not in again


def test_sending_the_same_choice_twice_makes_no_second_draft(app, client, auth, world):
    auth.login()
    listing = upload(client, ics("google.ics"))
    make_drafts(client, listing, 1)
    response = make_drafts(client, listing, 1)

    assert response.status_code == 302
    assert count_meetings(app) == 1
    assert "redan blivit utkast" in client.get("/desk/").get_data(as_text=True)


def test_each_occurrence_of_a_series_is_its_own_draft(app, client, auth, world, counterparts):
    auth.login()
    listing = upload(client, ics("apple.ics"))
    make_drafts(client, listing, 1, 2)

    drafts = meetings(app)
    assert [(m.held_on, m.start_time) for m in drafts] == [
        (date(2025, 3, 3), time(9, 0)),
        (date(2025, 3, 10), time(9, 0)),
    ]
    assert [m.calendar_event for m in drafts] == [
        f"{APPLE_UID}|20250303T090000",
        f"{APPLE_UID}|20250310T090000",
    ]
    again = upload(client, ics("apple.ics")).get_data(as_text=True)
    assert again.count("Redan registrerat") == 2


def test_a_draft_without_a_suggested_organisation_asks_for_one_when_published(
    app, client, auth, world
):
    held_on = utc_today() - timedelta(days=2)
    event = (
        f"UID:no-org\nDTSTART:{held_on:%Y%m%d}T090000\nDTEND:{held_on:%Y%m%d}T100000\n"
        "SUMMARY:Samtal med en okänd part\nATTENDEE;CN=Ny Person:mailto:ny@okand.example"
    )
    auth.login()
    listing = upload(
        client,
        calendar_file(event),
        **{"from": held_on.isoformat(), "to": held_on.isoformat()},
    )
    make_drafts(client, listing, 1)

    (draft,) = meetings(app)
    with app.app_context():
        assert db.session.merge(draft).organisations == []
    form = client.get(f"/desk/meetings/{draft.id}/edit")
    assert form.status_code == 200
    assert "Samtal med en okänd part" in form.get_data(as_text=True)

    publish = meeting_form(
        csrf_token(form),
        world,
        held_on=held_on.isoformat(),
        subject="Samtal med en okänd part",
        organisation_ids=[],
        new_organisations="",
        action="publish",
    )
    response = client.post(f"/desk/meetings/{draft.id}/edit", data=publish)
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Meeting, draft.id).status == "draft"


def test_an_untitled_event_gets_a_subject(app, client, auth, world):
    auth.login()
    listing = upload(client, calendar_file("UID:untitled\nDTSTART:20250312T090000Z"))
    make_drafts(client, listing, 1)
    assert [m.subject for m in meetings(app)] == ["Möte från kalendern"]


def test_no_event_ticked_is_refused(app, client, auth, world):
    auth.login()
    listing = upload(client, ics("google.ics"))
    response = make_drafts(client, listing)

    assert response.status_code == 400
    assert "Kryssa i minst en händelse." in response.get_data(as_text=True)
    assert count_meetings(app) == 0


def test_a_forged_or_foreign_list_makes_no_drafts(app, client, auth, records, world):
    records.user(email="other@example.org")
    auth.login(email="other@example.org")
    foreign = listed_token(upload(client, ics("google.ics")))
    auth.logout()

    auth.login()
    listing = upload(client, ics("google.ics"))
    token = listed_token(listing)
    for bad in (foreign, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), ""):
        response = make_drafts(client, listing, 1, token=bad)
        assert response.status_code == 400
        assert "Listan över händelser gäller inte längre" in response.get_data(as_text=True)
    assert count_meetings(app) == 0


def test_an_index_outside_the_list_is_refused(app, client, auth, world):
    auth.login()
    listing = upload(client, ics("google.ics"))
    response = make_drafts(client, listing, 99)
    assert response.status_code == 400
    assert count_meetings(app) == 0


# -- Bad files and ranges --------------------------------------------------------------------


def zipped_calendar() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("official@example.org.ics", ics("google.ics"))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Filen är tom."),
        (b"   \r\n", "Filen är tom."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Det här är ingen kalenderfil."),
        ("Datum;Möte\n2025-03-12;Trafikverket\n".encode(), "Det här är ingen kalenderfil."),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Eva Ek\r\nEND:VCARD\r\n", "ingen kalenderfil"),
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Avbruten\r\n", "ingen kalenderfil"),
        (zipped_calendar(), "packa upp det och välj .ics-filen"),
    ],
    ids=["empty", "blank", "image", "csv", "vcard", "truncated", "zip"],
)
def test_a_file_that_is_not_a_calendar_gets_a_clear_message(
    app, client, auth, world, data, message
):
    auth.login()
    response = upload(client, data)

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'id="calendar-errors"' in html
    assert count_meetings(app) == 0


def test_no_file_chosen_is_refused(client, auth, world):
    auth.login()
    token = csrf_token(client.get("/desk/calendar"))
    response = client.post(
        "/desk/calendar", data={"csrf_token": token, **SPRING}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "Välj den .ics-fil som du exporterade" in response.get_data(as_text=True)


def test_a_file_over_the_size_limit_gets_a_clear_message(app, client, auth, world):
    auth.login()
    big = ics("google.ics") + b"X-FILLER:" + b"x" * (3 * 1024 * 1024) + b"\r\n"
    response = upload(client, big)

    assert response.status_code == 413
    assert "Filen är större än 2 MB" in response.get_data(as_text=True)
    assert count_meetings(app) == 0


def test_events_without_a_date_or_with_an_unknown_time_zone_are_left_out_with_a_note(
    client, auth, world
):
    data = calendar_file(
        "UID:ok\nDTSTART:20250312T090000Z\nSUMMARY:Ett riktigt möte",
        "UID:nodate\nSUMMARY:Möte utan datum",
        "UID:baddate\nDTSTART:2025-03-12 kl 9\nSUMMARY:Möte med trasigt datum",
        "UID:timeonly\nDTSTART;VALUE=TIME:090000\nSUMMARY:Möte utan dag",
        "UID:mars\nDTSTART;TZID=Mars/Olympus_Mons:20250312T090000\nSUMMARY:Möte på Mars",
        "UID:often\nDTSTART:20250312T090000Z\nRRULE:FREQ=MINUTELY\nSUMMARY:Varje minut",
    )
    auth.login()
    response = upload(client, data)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ett riktigt möte" in html
    assert "5 händelser utelämnades" in html
    assert "”Möte utan dag”: den saknar datum." in html
    assert "”Möte utan datum”: den saknar datum." in html
    assert "”Möte med trasigt datum”: den saknar datum." in html
    assert "”Möte på Mars”: dess tidszon är okänd." in html
    assert "”Varje minut”: den upprepas oftare än dagligen." in html
    assert html.count('name="event"') == 1


def test_no_events_in_the_range_says_so(client, auth, world):
    auth.login()
    response = upload(client, ics("google.ics"), **{"from": "2024-01-01", "to": "2024-01-31"})

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Filen har inga händelser mellan de här datumen." in html
    assert 'name="token"' not in html


def test_too_many_events_in_the_range_is_refused(client, auth, world):
    daily = [
        f"UID:d{i}\nDTSTART:20250101T0{i}0000\nRRULE:FREQ=DAILY\nSUMMARY:Dag" for i in range(3)
    ]
    auth.login()
    response = upload(client, calendar_file(*daily), **{"from": "2025-01-01", "to": "2025-12-31"})

    assert response.status_code == 400
    assert "Det finns fler än 1000 händelser" in response.get_data(as_text=True)


def test_a_file_with_more_events_than_the_limit_is_refused(client, auth, world):
    single = [f"UID:s{i}\nDTSTART:20190101T090000Z\nSUMMARY:Gammalt" for i in range(5001)]
    auth.login()
    response = upload(client, calendar_file(*single))

    assert response.status_code == 400
    assert "Filen innehåller fler än 5000 händelser" in response.get_data(as_text=True)


def test_a_rule_that_would_take_too_long_to_expand_is_left_out():
    data = calendar_file(
        "UID:ancient\nDTSTART:00010101T090000\nRRULE:FREQ=DAILY\nSUMMARY:Sedan år 1",
        "UID:minutes\nDTSTART:20150101T000000Z\nRRULE:FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,"
        "10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,5,10,15,20,25,30,35,40,45,50,55\n"
        "SUMMARY:Var femte minut",
        "UID:weekly\nDTSTART:20150105T090000\nRRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\n"
        "SUMMARY:Morgonmöte",
    )
    reading = read(data, first=date(2025, 3, 3), last=date(2025, 3, 7))

    assert [s.reason for s in reading.skipped] == ["repeats_too_often"] * 2
    assert len(reading.events) == 5


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"from": "2025-04-01", "to": "2025-03-01"},
            "Slutdatumet får inte vara före startdatumet.",
        ),
        ({"from": "2024-01-01", "to": "2025-06-30"}, "Välj högst 366 dagar åt gången."),
        ({"from": "2024-01-01", "to": ""}, "Välj högst 366 dagar åt gången."),
        ({"from": "12/03/2025", "to": "2025-06-30"}, "ÅÅÅÅ-MM-DD"),
        ({"from": "2025-02-30", "to": "2025-06-30"}, "ÅÅÅÅ-MM-DD"),
    ],
)
def test_a_bad_range_is_refused_next_to_the_field(app, client, auth, world, fields, message):
    auth.login()
    response = upload(client, ics("google.ics"), **fields)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert 'name="token"' not in response.get_data(as_text=True)


def test_without_a_range_the_last_sixty_days_and_two_weeks_ahead_are_listed(client, auth, world):
    today = datetime.now(ZoneInfo(STOCKHOLM)).date()  # the register's today, not UTC's
    inside, outside = today - timedelta(days=59), today - timedelta(days=62)
    data = calendar_file(
        f"UID:in\nDTSTART;VALUE=DATE:{inside:%Y%m%d}\nSUMMARY:Inom perioden",
        f"UID:out\nDTSTART;VALUE=DATE:{outside:%Y%m%d}\nSUMMARY:Utanför perioden",
    )
    auth.login()
    page = client.get("/desk/calendar").get_data(as_text=True)
    assert f'value="{(today - timedelta(days=60)).isoformat()}"' in page
    response = upload(client, data, **{"from": "", "to": ""})

    html = response.get_data(as_text=True)
    assert "Inom perioden" in html
    assert "Utanför perioden" not in html


def test_a_windows_1252_file_from_an_old_outlook_is_read(client, auth, world):
    data = calendar_file("UID:w\nDTSTART:20250312T090000Z\nSUMMARY:Möte om Borås")
    auth.login()
    response = upload(client, data.decode().encode("cp1252"))
    assert "Möte om Borås" in response.get_data(as_text=True)


# -- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/desk/calendar"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_anonymous_post_makes_nothing(app, client, world):
    response = client.post("/desk/calendar/drafts", data={"token": "x", "event": ["0"]})
    assert response.status_code in (302, 400)
    assert count_meetings(app) == 0


@pytest.mark.parametrize("role", ["official", "registrar", "admin"])
def test_every_signed_in_role_may_import(client, auth, records, role):
    records.user(email=f"{role}@example.org", role=role)
    auth.login(email=f"{role}@example.org")
    page = client.get("/desk/calendar")
    assert page.status_code == 200
    assert 'name="calendar"' in page.get_data(as_text=True)
    assert 'href="/desk/calendar"' in client.get("/desk/").get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(app, client, auth, world):
    auth.login()
    response = client.post(
        "/desk/calendar",
        data={"calendar": (io.BytesIO(ics("google.ics")), "c.ics"), **SPRING},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert count_meetings(app) == 0

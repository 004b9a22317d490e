"""Hostile input at scale, generated: whatever arrives in the query string of any public
list, download or API call, in the meeting form, the admin's forms, the calendar upload or
an imported file, the answer is a clear refusal or a success, never a 500; and a refused
write stores nothing. Each test states how many cases it tries (`EXAMPLES`)."""

import io
from datetime import date

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from register import importer
from register.extensions import db
from register.models import (
    AuditEntry,
    Issue,
    Meeting,
    Official,
    Organisation,
    Revision,
    Unit,
    User,
)

from .conftest import AuthActions, csrf_token
from .test_meeting_form import meeting_form

EXAMPLES = 150
# Each example is a request or two on a fresh-enough register: the fixtures' records stay,
# and every test checks its own before and after.
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as people and attackers type it: any character but the surrogates, with the ones
# that break things more often than chance would give them.
HOSTILE = st.sampled_from(
    ["", " ", "\x00", "\u202e", "'; DROP TABLE meeting; --", "=1+1", "../../etc/passwd", "%"]
)
TEXT = st.one_of(HOSTILE, st.text(st.characters(exclude_categories=("Cs",)), max_size=300))
NUMBERISH = st.one_of(
    TEXT,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["0", "01", "1e3", "0x10", "9" * 40, "-1"]),
)
DATEISH = st.one_of(
    TEXT,
    st.dates(min_value=date(1, 1, 1)).map(date.isoformat),
    st.sampled_from(["2025-02-30", "2025-13-01", "99999-01-01", "2025-1-1", "20250101"]),
)

FILTERS = st.dictionaries(
    st.sampled_from(
        [
            "q",
            "official",
            "organisation",
            "organisation_name",
            "official_name",
            "issue",
            "kind",
            "unit",
            "from",
            "to",
            "format",
            "sort",
            "cursor",
            "limit",
            "page",
        ]
    ),
    st.one_of(TEXT, NUMBERISH, DATEISH, st.lists(TEXT, max_size=3)),
    max_size=6,
)
LISTS = [
    "/meetings",
    "/meetings.csv",
    "/meetings.json",
    "/meetings.xlsx",
    "/feed.atom",
    "/stats",
    "/stats/kinds.csv",
    "/organisations",
    "/api/v1/meetings",
    "/api/v1/organisations",
    "/lookup/organisations",
]


def stored(app) -> dict[str, int]:
    """How many of each kind of record the register holds."""
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Meeting, Revision, Organisation, Official, Issue, Unit, AuditEntry)
        }


@SETTINGS
@given(path=st.sampled_from(LISTS), args=FILTERS)
def test_no_query_string_breaks_a_list_a_download_or_the_api(client, world, path, args):
    response = client.get(path, query_string=args)
    event(f"answered {response.status_code}")
    assert response.status_code in (200, 301, 302, 400), (path, args, response.status_code)


@SETTINGS
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            "held_on": DATEISH,
            "start_time": TEXT,
            "format": TEXT,
            "location": TEXT,
            "initiative": TEXT,
            "subject": TEXT,
            "summary": TEXT,
            "outcome": TEXT,
            "official_ids": st.lists(NUMBERISH, max_size=3),
            "organisation_ids": st.lists(NUMBERISH, max_size=3),
            "new_organisations": TEXT,
            "issue_ids": st.lists(NUMBERISH, max_size=3),
            "representatives": TEXT,
            "client": TEXT,
            "document_links": TEXT,
            "action": st.sampled_from(["publish", "save_draft", "", "delete", "x"]),
            "version": NUMBERISH,
        },
    )
)
def test_the_meeting_form_saves_whole_records_or_nothing(app, client, world, fields):
    auth = AuthActions(client)
    if not client.get("/desk/").status_code == 200:
        auth.login()
    token = csrf_token(client.get("/desk/meetings/new"))
    before = stored(app)
    response = client.post("/desk/meetings/new", data=meeting_form(token, world, **fields))
    event(f"answered {response.status_code}")
    assert response.status_code in (200, 302, 400, 409), response.status_code
    after = stored(app)
    if response.status_code != 302:
        assert after == before  # refused: nothing written, not even half a record
    else:
        assert after["Meeting"] == before["Meeting"] + 1


ADMIN_FORMS = {
    "/admin/units/new": {"name": TEXT, "kind": TEXT},
    "/admin/officials/new": {"name": TEXT, "title": TEXT, "unit_id": NUMBERISH, "active": TEXT},
    "/admin/issues/new": {
        "title": TEXT,
        "summary": TEXT,
        "outcome_sought": TEXT,
        "decision_makers": TEXT,
        "status": TEXT,
        "unit_id": NUMBERISH,
        "started_on": DATEISH,
        "ended_on": DATEISH,
    },
}


@SETTINGS
@given(data=st.data())
def test_the_admin_forms_save_whole_records_or_nothing(app, client, records, world, data):
    if client.get("/admin/").status_code != 200:
        email = "registrar@example.org"
        with app.app_context():
            known = db.session.scalar(select(User.id).where(User.email == email))
        if known is None:
            records.user(email=email, role="registrar")
        AuthActions(client).login(email=email)
    path = data.draw(st.sampled_from(sorted(ADMIN_FORMS)))
    fields = data.draw(st.fixed_dictionaries({}, optional=ADMIN_FORMS[path]))
    token = csrf_token(client.get(path))
    before = stored(app)
    response = client.post(path, data={"csrf_token": token, **fields})
    event(f"answered {response.status_code}")
    assert response.status_code in (200, 302, 400, 409), (path, fields, response.status_code)
    if response.status_code != 302:
        assert stored(app) == before


@SETTINGS
@given(
    content=st.one_of(
        st.binary(max_size=2000),
        st.text(max_size=2000).map(str.encode),
        st.lists(
            st.sampled_from(
                [
                    "BEGIN:VCALENDAR",
                    "BEGIN:VEVENT",
                    "DTSTART:20251010T090000Z",
                    "DTSTART;TZID=Nowhere/City:20251010T090000",
                    "DTEND:20251010T080000Z",
                    "RRULE:FREQ=SECONDLY;COUNT=100000000",
                    "RRULE:FREQ=DAILY",
                    'SUMMARY:=HYPERLINK("x")',
                    "ATTENDEE:mailto:x@example.org",
                    "END:VEVENT",
                    "END:VCALENDAR",
                    "",
                ]
            ),
            max_size=20,
        ).map(lambda lines: "\r\n".join(lines).encode()),
    ),
    start=DATEISH,
    end=DATEISH,
)
def test_no_calendar_file_breaks_the_upload_or_stores_anything(
    app, client, world, content, start, end
):
    if client.get("/desk/").status_code != 200:
        AuthActions(client).login()
    token = csrf_token(client.get("/desk/calendar"))
    before = stored(app)
    response = client.post(
        "/desk/calendar",
        data={
            "csrf_token": token,
            "calendar": (io.BytesIO(content), "kalender.ics"),
            "from": start,
            "to": end,
        },
        content_type="multipart/form-data",
    )
    event(f"answered {response.status_code}")
    assert response.status_code in (200, 400), response.status_code
    assert stored(app) == before


HEADER = "id,date,officials,organisations,organisation_kinds,subject,format,initiative,status"


@SETTINGS
@given(
    rows=st.lists(
        st.lists(st.one_of(TEXT, NUMBERISH, DATEISH), min_size=0, max_size=11), max_size=8
    ),
    skip_invalid=st.booleans(),
)
def test_an_imported_file_is_written_whole_or_not_at_all(app, world, rows, skip_invalid):
    lines = [HEADER] + [
        ",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in rows
    ]
    data = "\r\n".join(lines).encode("utf-8", "surrogatepass")
    before = stored(app)
    with app.test_request_context():
        try:
            result = importer.import_meetings(data, skip_invalid=skip_invalid)
        except (importer.MappingError, importer.SourceError):
            result = None
    after = stored(app)
    event("written" if result is not None and result.written else "refused")
    if result is None or not result.written:
        assert after == before
    else:
        imported = after["Meeting"] - before["Meeting"]
        assert imported == result.rows - len(result.invalid) > 0
        assert not result.invalid or skip_invalid

"""Calendar import: the events of an iCalendar (.ics) file, and drafts made from them.

Outlook, Google Calendar and Apple Calendar export RFC 5545 files that differ in how they
write time: Outlook names Windows time zones ("W. Europe Standard Time") and defines them
in VTIMEZONEs, Google writes UTC ("…Z"), Apple often writes floating times that mean "the
local time wherever you are". `icalendar` reads the file and `recurring-ical-events`
expands repeating events within the chosen range; this module turns what they give into
plain events in the register's own time zone, suggests the organisations met from the
attendees' e-mail domains, and makes drafts through the meeting write path.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time as clock
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from icalendar.prop import vBroken
from sqlalchemy import or_, select

from . import records
from .extensions import db
from .models import Meeting, Organisation, User
from .text import BIDI_CONTROLS, normalise, single_line

MAX_RANGE_DAYS = 366
DEFAULT_DAYS_BACK = 60
DEFAULT_DAYS_AHEAD = 14
# Enough for a busy year of one person's calendar; more is a shared or generated calendar.
MAX_EVENTS = 1000
# Events in the whole file, about what the size limit lets in.
MAX_FILE_EVENTS = 5000
# A repeating event is expanded from its first occurrence on: one that would take more
# steps than this to reach the end of the range (a daily rule since the year 1, a daily
# rule at every minute) is left out rather than hold the worker.
MAX_RULE_STEPS = 50_000
PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365}
# The BY… parts of a rule that multiply its occurrences at each frequency (RFC 5545 3.3.10).
EXPANDING = {
    "BYMONTH": {"YEARLY"},
    "BYWEEKNO": {"YEARLY"},
    "BYYEARDAY": {"YEARLY"},
    "BYMONTHDAY": {"MONTHLY", "YEARLY"},
    "BYDAY": {"WEEKLY", "MONTHLY", "YEARLY"},
    "BYHOUR": set(PERIOD_DAYS),
    "BYMINUTE": set(PERIOD_DAYS),
    "BYSECOND": set(PERIOD_DAYS),
}
# Expanding the events stops after this long: a small file can describe a great many
# occurrences, and one upload must not hold a worker. (Reading a file of 5 000 events
# takes another two to four seconds before it.)
MAX_SECONDS = 5.0
MAX_SUBJECT = 200
MAX_LOCATION = 200
MAX_ATTENDEES_SHOWN = 20
MAX_DOMAINS = 100
CALENDAR_EVENT_LENGTH = 500  # Meeting.calendar_event

# A link to a video meeting in the location or the description makes the format "video".
VIDEO_LINK = re.compile(
    r"https?://(?:[a-z0-9-]+\.)*(?:teams\.microsoft\.com|teams\.live\.com|zoom\.us|zoom\.com"
    r"|meet\.google\.com|webex\.com)(?:[/:?#]|\b)",
    re.IGNORECASE,
)
# Outlook and Google name the service in the location when the link is in the description.
VIDEO_PLACE = re.compile(r"\b(?:microsoft teams|zoom|google meet|webex)\b", re.IGNORECASE)
# Properties in which Outlook and Google put the meeting link besides the description.
CONFERENCE_PROPERTIES = ("X-MICROSOFT-SKYPETEAMSMEETINGURL", "X-GOOGLE-CONFERENCE", "CONFERENCE")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
TOO_FREQUENT = {"SECONDLY", "MINUTELY", "HOURLY"}

# icalendar keeps the time zones of VTIMEZONE components it has read in one process-wide
# cache, keyed by their TZID and never replaced: one upload's made-up "W. Europe Standard
# Time" would then set the clocks of every later upload. Each reading starts with an empty
# cache (use_zoneinfo() makes a new one), under a lock so that readings never share it.
_READING = threading.Lock()


class CalendarError(Exception):
    """The file cannot be read as a calendar; `problem` says why, for the message."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


# The problems CalendarError names.
EMPTY = "empty"
NOT_A_CALENDAR = "not_a_calendar"
ZIP_ARCHIVE = "zip_archive"
TOO_MANY_EVENTS = "too_many_events"
TOO_MANY_IN_FILE = "too_many_in_file"
TOO_COMPLEX = "too_complex"

# Why an event of a readable file was left out (Skipped.reason).
NO_DATE = "no_date"
UNKNOWN_TIME_ZONE = "unknown_time_zone"
REPEATS_TOO_OFTEN = "repeats_too_often"
UNREADABLE = "unreadable"


class RangeError(ValueError):
    """The chosen date range is backwards or too long; `problem` says which."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True)
class Person:
    email: str
    name: str

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]

    def __str__(self) -> str:
        if self.name and self.email and self.name.lower() != self.email:
            return f"{self.name} <{self.email}>"
        return self.name or self.email


@dataclass(frozen=True)
class CalendarEvent:
    """One occurrence of a calendar event, with its times in the register's time zone."""

    uid: str
    recurrence_id: str  # "" for an event that does not repeat
    summary: str
    held_on: date
    start_time: time | None  # None: an all-day event
    ends_on: date | None
    end_time: time | None
    location: str
    description: str
    attendees: tuple[Person, ...]
    organizer: Person | None
    format: str

    @property
    def key(self) -> str:
        """What Meeting.calendar_event holds for a draft made from this event."""
        return event_key(self.uid, self.recurrence_id)


@dataclass(frozen=True)
class Skipped:
    summary: str
    reason: str


@dataclass(frozen=True)
class Reading:
    events: list[CalendarEvent]
    skipped: list[Skipped]


def event_key(uid: str, recurrence_id: str) -> str:
    """ "UID|RECURRENCE-ID"; a UID too long for the column is replaced by its hash."""
    key = f"{uid}|{recurrence_id}"
    if len(key) > CALENDAR_EVENT_LENGTH:
        key = f"sha256:{hashlib.sha256(uid.encode()).hexdigest()}|{recurrence_id}"
    return key


def default_range(today: date) -> tuple[date, date]:
    return today - timedelta(days=DEFAULT_DAYS_BACK), today + timedelta(days=DEFAULT_DAYS_AHEAD)


def check_range(first: date, last: date) -> None:
    if last < first:
        raise RangeError("backwards")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise RangeError("too_long")


def read_calendar(data: bytes, first: date, last: date, timezone: str) -> Reading:
    """The events of an .ics file held from `first` to `last` (local dates, inclusive).

    Times are given in `timezone` (the register's). Recurring events are expanded within
    the range, their exceptions (EXDATE) left out. Events that cannot be placed in time are
    skipped with a reason; a file that is no calendar at all raises CalendarError.
    """
    check_range(first, last)
    if not data.strip():
        raise CalendarError(EMPTY)
    if data.startswith(b"PK\x03\x04"):
        raise CalendarError(ZIP_ARCHIVE)  # Google Calendar exports a .zip of .ics files
    if data.upper().count(b"BEGIN:VEVENT") > MAX_FILE_EVENTS:
        raise CalendarError(TOO_MANY_IN_FILE)
    zone = ZoneInfo(timezone)
    with _READING:
        icalendar.use_zoneinfo()  # a fresh time-zone cache: see _READING
        try:
            # Always bytes: icalendar would take a one-line str for a file name.
            components = icalendar.Calendar.from_ical(_as_utf8(data), multiple=True)
        except Exception:  # noqa: BLE001 (any failure of the parser means the same to the user)
            raise CalendarError(NOT_A_CALENDAR) from None
        calendars = [c for c in components if c.name == "VCALENDAR"]
        if not calendars:
            raise CalendarError(NOT_A_CALENDAR)
        deadline = clock.monotonic() + MAX_SECONDS
        events: list[CalendarEvent] = []
        skipped: list[Skipped] = []
        for calendar in calendars:
            _read_one(calendar, first, last, zone, deadline, events, skipped)
    events.sort(key=lambda e: (e.held_on, e.start_time or time.min, e.summary, e.key))
    return Reading(events=events, skipped=skipped)


def _as_utf8(data: bytes) -> bytes:
    """RFC 5545 says UTF-8; older Outlook versions wrote Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace").encode("utf-8")
    return data


def _read_one(calendar, first, last, zone, deadline, events, skipped) -> None:
    kept, repeating, titles = [], set(), {}
    for component in calendar.subcomponents:
        if component.name != "VEVENT":
            kept.append(component)
            continue
        title = _line(component.get("SUMMARY"), MAX_SUBJECT)
        reason = _unusable(component, last)
        if reason:
            skipped.append(Skipped(title, reason))
            continue
        kept.append(component)
        # recurring-ical-events names a series without a UID by its component's id.
        uid = str(component.get("UID", str(id(component))))
        titles.setdefault(uid, title)
        if "RECURRENCE-ID" in component:
            repeating.add(_line(uid, 10_000))
    calendar.subcomponents = kept
    # Google names the calendar's zone; its times are UTC anyway, so a name that is no
    # known zone is dropped rather than refusing the file.
    if "X-WR-TIMEZONE" in calendar and not _known_zone(str(calendar["X-WR-TIMEZONE"])):
        del calendar["X-WR-TIMEZONE"]
    try:
        query = recurring_ical_events.of(
            calendar, keep_recurrence_attributes=True, skip_bad_series=True
        )
    except Exception:  # noqa: BLE001 (e.g. a calendar scale other than Gregorian)
        raise CalendarError(NOT_A_CALENDAR) from None
    read_uids = {str(series.uid) for series in query.series}
    for uid, title in titles.items():
        if uid not in read_uids:  # left out by skip_bad_series
            skipped.append(Skipped(title, UNREADABLE))
    # A day more on each side: an event's own time zone may put it on another local date.
    span_start = datetime.combine(first - timedelta(days=1), time.min)
    span_stop = datetime.combine(last + timedelta(days=2), time.min)
    for series in query.series:
        try:
            for occurrence in series.between(span_start, span_stop):
                if clock.monotonic() > deadline:
                    raise CalendarError(TOO_COMPLEX)
                event = _event(occurrence.as_component(True), zone, repeating)
                if event is None or not first <= event.held_on <= last:
                    continue
                events.append(event)
                if len(events) > MAX_EVENTS:
                    raise CalendarError(TOO_MANY_EVENTS)
        except CalendarError:
            raise
        except Exception:  # noqa: BLE001 (a broken rule, dates mixed with times …)
            skipped.append(Skipped(titles.get(str(series.uid), ""), UNREADABLE))
        if clock.monotonic() > deadline:
            raise CalendarError(TOO_COMPLEX)


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return False
    return True


def _unusable(component, last: date) -> str:
    """Why an event cannot be placed in time up to `last`, or "" when it can."""
    start = component.get("DTSTART")
    if start is None or isinstance(start, vBroken) or not hasattr(start, "dt"):
        return NO_DATE
    if not isinstance(start.dt, date):  # a bare time or a duration is no date
        return NO_DATE
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        if _unknown_zone(component.get(name)):
            return UNKNOWN_TIME_ZONE
    rule = component.get("RRULE")
    if rule is not None:
        rules = rule if isinstance(rule, list) else [rule]
        if any(isinstance(r, vBroken) for r in rules):
            return UNREADABLE
        frequencies = {str(f).upper() for r in rules for f in r.get("FREQ", [])}
        if frequencies & TOO_FREQUENT:
            return REPEATS_TOO_OFTEN
        first = start.dt.date() if isinstance(start.dt, datetime) else start.dt
        days = (last - first).days + 2
        if any(_rule_steps(r, days) > MAX_RULE_STEPS for r in rules):
            return REPEATS_TOO_OFTEN
    return ""


def _rule_steps(rule, days: int) -> float:
    """About how many occurrences a rule yields in `days` days from its start."""
    if days <= 0:
        return 0
    frequency = str((rule.get("FREQ") or ["DAILY"])[0]).upper()
    try:
        interval = max(int((rule.get("INTERVAL") or [1])[0]), 1)
    except (TypeError, ValueError):
        interval = 1
    steps = days / (PERIOD_DAYS.get(frequency, 1) * interval)
    for part, frequencies in EXPANDING.items():
        if frequency in frequencies:
            steps *= max(len(rule.get(part) or []), 1)
    return steps


def _unknown_zone(value) -> bool:
    """icalendar reads a time in a time zone it does not know as a floating time."""
    if value is None or not hasattr(value, "dt"):
        return False
    tzid = getattr(value, "params", {}).get("TZID")
    moment = value.dt
    return bool(tzid) and isinstance(moment, datetime) and moment.tzinfo is None


def _event(component, zone: ZoneInfo, repeating: set[str]) -> CalendarEvent | None:
    start = _local(component["DTSTART"].dt, zone)
    end_value = component.get("DTEND")
    end = _local(end_value.dt, zone) if end_value is not None and hasattr(end_value, "dt") else None
    uid = _line(component.get("UID"), 10_000) or _made_up_uid(component)
    recurrence_id = ""
    # recurring-ical-events gives every occurrence a RECURRENCE-ID; it names one only of a
    # repeating event (kept RRULE or RDATE) or of a changed occurrence of one.
    recurring = "RRULE" in component or "RDATE" in component or uid in repeating
    if recurring and component.get("RECURRENCE-ID") is not None:
        recurrence_id = _recurrence_id(component["RECURRENCE-ID"].dt)
    location = _line(component.get("LOCATION"), MAX_LOCATION)
    description = _text(component.get("DESCRIPTION"))
    attendees = tuple(
        person for person in map(_person, _all(component.get("ATTENDEE"))) if person is not None
    )
    links = " ".join(_text(component.get(name)) for name in CONFERENCE_PROPERTIES)
    return CalendarEvent(
        uid=uid,
        recurrence_id=recurrence_id,
        summary=_line(component.get("SUMMARY"), MAX_SUBJECT),
        held_on=start if not isinstance(start, datetime) else start.date(),
        start_time=start.time() if isinstance(start, datetime) else None,
        ends_on=(end.date() if isinstance(end, datetime) else end) if end is not None else None,
        end_time=end.time() if isinstance(end, datetime) else None,
        location=location,
        description=description,
        attendees=attendees,
        organizer=_person(component.get("ORGANIZER")),
        format=meeting_format(location, f"{description} {links}"),
    )


def _local(moment, zone: ZoneInfo):
    """A date stays a date (all day); a time with a zone is shown in the register's; a
    floating time is already local."""
    if not isinstance(moment, datetime):
        return moment
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(zone).replace(tzinfo=None)


def _recurrence_id(moment) -> str:
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        return moment.strftime("%Y%m%dT%H%M%S")
    return moment.strftime("%Y%m%d")


def _made_up_uid(component) -> str:
    """RFC 5545 requires a UID; for a file without one, the same event gets the same key."""
    seed = f"{component.get('SUMMARY', '')}|{component['DTSTART'].to_ical()!r}"
    return "no-uid-" + hashlib.sha256(seed.encode()).hexdigest()[:32]


def meeting_format(location: str, text: str) -> str:
    """ "video" for a Teams, Zoom, Meet or Webex meeting; "in_person" where a place is given."""
    if VIDEO_LINK.search(location) or VIDEO_LINK.search(text) or VIDEO_PLACE.search(location):
        return "video"
    return "in_person" if location else "other"


def _all(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _person(address) -> Person | None:
    if address is None or isinstance(address, vBroken):
        return None
    raw = _line(address, 500)
    email = raw[7:] if raw.lower().startswith("mailto:") else raw
    email = email.strip().lower() if "@" in email else ""
    params = getattr(address, "params", {})
    name = _line(params.get("CN", ""), 200).strip('"')
    if not email and not name:
        return None
    return Person(email=email, name=name)


def _text(value) -> str:
    """Text as the file gives it, without control characters a database or a page refuses."""
    if value is None or isinstance(value, list):
        value = " ".join(str(v) for v in _all(value))
    text = normalise(str(value))
    return "".join(
        char
        for char in text
        if char in "\n\t" or (unicodedata.category(char) != "Cc" and char not in BIDI_CONTROLS)
    )


def _line(value, limit: int) -> str:
    return single_line(_text(value).replace("\n", " "))[:limit].strip()


# -- Organisations met, suggested from the attendees' e-mail domains ---------------------


def mail_domain(email: str) -> str:
    domain = email.rpartition("@")[2].strip().rstrip(".").lower()
    return domain if DOMAIN.fullmatch(domain) else ""


def website_host(website: str | None) -> str:
    """The host of an organisation's website, without "www."."""
    if not website:
        return ""
    address = website.strip()
    if "//" not in address:
        address = "//" + address
    try:
        host = (urlsplit(address).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def within(domain: str, host: str) -> bool:
    """Whether a mail domain is the site's host or one of its subdomains."""
    return bool(host) and (domain == host or domain.endswith("." + host))


def suggested_organisations(
    domains: Iterable[str], user: User, own_domains: Iterable[str] = ()
) -> dict[str, list[tuple[int, str]]]:
    """For each mail domain, the organisations the user may know of whose website is on it
    (subdomains count: staff at mail.example.se belong to example.se). The region's own
    domains (`own_domains`) suggest nothing: colleagues are not counterparts."""
    own = {d for d in map(mail_domain, own_domains) if d}
    wanted = sorted(
        {
            d
            for d in map(mail_domain, domains)
            if d and not any(within(d, o) or within(o, d) for o in own)
        }
    )[:MAX_DOMAINS]
    if not wanted:
        return {}
    # The last two labels narrow the search in the database; the host is compared exactly
    # below. The domain pattern admits no LIKE wildcards.
    roots = sorted({".".join(d.split(".")[-2:]) for d in wanted})
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.website)
        .where(records.offered_organisations(user))
        .where(or_(*(Organisation.website.ilike(f"%{root}%") for root in roots)))
        .order_by(Organisation.name, Organisation.id)
    ).all()
    found: dict[str, list[tuple[int, str]]] = {}
    for row in rows:
        host = website_host(row.website)
        if host.count(".") < 1:
            continue
        for domain in wanted:
            if within(domain, host):
                found.setdefault(domain, []).append((row.id, row.name))
    return found


# -- Choosing events and making drafts ---------------------------------------------------


@dataclass(frozen=True)
class EventChoice:
    """An event as the list shows it and a draft is made from it."""

    key: str
    held_on: date
    start_time: time | None
    end_time: time | None
    subject: str
    location: str
    format: str
    initiative: str
    attendees: tuple[str, ...]
    attendee_count: int
    organisations: tuple[tuple[int, str], ...]

    def to_data(self) -> dict:
        """JSON-ready, to be carried (signed) from the list to the making of drafts."""
        return {
            "k": self.key,
            "d": self.held_on.isoformat(),
            "t": self.start_time.strftime("%H:%M") if self.start_time else "",
            "e": self.end_time.strftime("%H:%M") if self.end_time else "",
            "s": self.subject,
            "l": self.location,
            "f": self.format,
            "i": self.initiative,
            "a": list(self.attendees),
            "n": self.attendee_count,
            "o": [[org_id, name] for org_id, name in self.organisations],
        }

    @classmethod
    def from_data(cls, data: dict) -> EventChoice:
        """Raises ValueError, KeyError or TypeError for data this module did not write."""
        return cls(
            key=str(data["k"])[:CALENDAR_EVENT_LENGTH],
            held_on=date.fromisoformat(data["d"]),
            start_time=time.fromisoformat(data["t"]) if data["t"] else None,
            end_time=time.fromisoformat(data["e"]) if data["e"] else None,
            subject=str(data["s"])[:MAX_SUBJECT],
            location=str(data["l"])[:MAX_LOCATION],
            format=str(data["f"]),
            initiative=str(data["i"]),
            attendees=tuple(str(a) for a in data["a"]),
            attendee_count=int(data["n"]),
            organisations=tuple((int(i), str(name)) for i, name in data["o"]),
        )


def choices(
    events: list[CalendarEvent], user: User, own_domains: Iterable[str], untitled: str
) -> list[EventChoice]:
    """The events as drafts would be made of them, with the organisations suggested.

    `untitled` is the subject of an event without a title.
    """
    own = [d for d in map(mail_domain, own_domains) if d]
    people = [p for e in events for p in (*e.attendees, e.organizer) if p is not None]
    suggestions = suggested_organisations({p.domain for p in people}, user, own)
    result = []
    for event in events:
        organisations: dict[int, str] = {}
        for person in (*event.attendees, event.organizer):
            if person is not None:
                organisations.update(suggestions.get(mail_domain(person.email), []))
        result.append(
            EventChoice(
                key=event.key,
                held_on=event.held_on,
                start_time=event.start_time,
                end_time=event.end_time if event.ends_on == event.held_on else None,
                subject=event.summary or untitled,
                location=event.location,
                format=event.format,
                initiative=_initiative(event.organizer, own),
                attendees=tuple(str(p) for p in event.attendees[:MAX_ATTENDEES_SHOWN]),
                attendee_count=len(event.attendees),
                organisations=tuple(sorted(organisations.items(), key=lambda o: (o[1], o[0]))),
            )
        )
    return result


def _initiative(organizer: Person | None, own_domains: list[str]) -> str:
    """Who invited: a colleague's invitation is the region's initiative, an outsider's the
    counterpart's. Without an organizer the official's own calendar entry is the region's."""
    if organizer is None or not mail_domain(organizer.email):
        return "region"
    domain = mail_domain(organizer.email)
    if any(within(domain, own) or within(own, domain) for own in own_domains):
        return "region"
    return "counterpart"


def drafted(keys: Iterable[str], user: User) -> dict[str, int]:
    """The events among `keys` this user has made meetings of: key → the meeting's id."""
    keys = sorted(set(keys))
    made: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        rows = db.session.execute(
            select(Meeting.calendar_event, Meeting.id)
            .where(Meeting.created_by_id == user.id)
            .where(Meeting.calendar_event.in_(keys[start : start + 500]))
            .order_by(Meeting.id)
        )
        for key, meeting_id in rows:
            made.setdefault(key, meeting_id)
    return made


@dataclass(frozen=True)
class DraftsMade:
    meetings: list[Meeting]
    already: int  # chosen events that had been made drafts of before


def make_drafts(chosen: list[EventChoice], author: User) -> DraftsMade:
    """One draft per chosen event, prefilled from it; events already made drafts of by the
    author (a form sent twice) are left alone. The author's own official takes part; the
    suggested organisations are those the author may still know of."""
    before = drafted((c.key for c in chosen), author)
    allowed = {c.id for c in _offered({o for c in chosen for o, _ in c.organisations}, author)}
    made, seen = [], set(before)
    for choice in chosen:
        if choice.key in seen:
            continue
        seen.add(choice.key)
        data = records.MeetingInput(
            held_on=choice.held_on,
            start_time=choice.start_time,
            format=choice.format,
            initiative=choice.initiative,
            subject=choice.subject,
            location=choice.location,
            official_ids=(author.official_id,) if author.official_id else (),
            organisation_ids=tuple(o for o, _ in choice.organisations if o in allowed),
            calendar_event=choice.key,
        )
        made.append(records.create(data, author, publish=False))
    return DraftsMade(meetings=made, already=len(chosen) - len(made))


def _offered(ids: set[int], user: User) -> list[Organisation]:
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.id.in_(ids))
            .where(records.offered_organisations(user))
        )
    )

"""Demo data: a believable Swedish region's register, generated deterministically from a seed.

The region, its counterparts, its issues and the texts its meetings are written from are
data, in data.toml beside this module. The public bodies are real names; the companies,
consultancies and people are invented, and so are their organisation numbers (valid check
digits, generated from the seed). Meetings are written with Core bulk inserts and explicit
ids, batch by batch, so that the same code fills the 320-meeting demo in one transaction
and a million-meeting benchmark register in minutes with flat memory. Every published
meeting gets its publish revision, amended and withdrawn ones their later revisions too,
exactly as the app would write them.
"""

from __future__ import annotations

import random
import secrets
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import insert, select, text

from .. import fulltext, history
from ..extensions import db
from ..identifiers import generate_danish_cvr, generate_swedish_org_number
from ..models import (
    Counter,
    Issue,
    Meeting,
    Official,
    Organisation,
    Revision,
    Setting,
    Unit,
    User,
    local_today,
    meeting_issue,
    meeting_official,
    meeting_organisation,
    utcnow,
)
from ..records import MEETING_NUMBER

DEFAULT_MEETINGS = 320
BATCH_SIZE = 5_000
HISTORY_DAYS = 730
DRAFT_SHARE = 1 / 16  # 20 of 320
RECENT_DRAFT_SHARE = 0.7  # the rest are overdue
LATE_SHARE = 0.12  # of published meetings, as are the next two
AMEND_SHARE = 1 / 30
WITHDRAW_SHARE = 1 / 150
DEMO_PASSWORD = "demo"

# The columns each generated meeting sets; any others keep their defaults.
MEETING_COLUMNS = (
    "id",
    "number",
    *Meeting.DESCRIPTIVE_FIELDS,
    "document_links",
    "status",
    "created_by_id",
    "created_at",
    "published_at",
    "amended_at",
    "withdrawn_at",
    "withdrawal_reason",
)


class DemoDataError(RuntimeError):
    """Demo data would mix with a register that already holds records."""


def _org(name, kind, country="SE", *, number=None, site=None, eu_id=False, venue=None, clients=()):
    """One organisation's description; `number` is "se" or "dk" for a generated one."""
    return dict(
        name=name,
        kind=kind,
        country=country,
        number=number,
        site=site,
        eu_id=eu_id,
        venue=venue,
        clients=list(clients),
    )


_DATA = tomllib.loads((resources.files(__name__) / "data.toml").read_text(encoding="utf-8"))

UNITS = _DATA["units"]
OFFICIALS = _DATA["officials"]
ACCOUNTS = _DATA["accounts"]
ORGANISATIONS = [_org(**spec) for spec in _DATA["organisations"]]
ISSUES = _DATA["issues"]
GENERAL_TOPICS = _DATA["general_topics"]
SUMMARY_CLOSINGS = _DATA["meetings"]["summary_closings"]
GENERAL_OUTCOMES = _DATA["meetings"]["general_outcomes"]
WITHDRAWAL_REASONS = _DATA["meetings"]["withdrawal_reasons"]
REGION_VENUES = _DATA["meetings"]["region_venues"]
EVENTS = _DATA["meetings"]["events"]
DOCUMENT_NAMES = _DATA["meetings"]["document_names"]
FIRST_NAMES = _DATA["first_names"]
SURNAMES = _DATA["surnames"]
ROLES = _DATA["roles"]


def load_demo(
    meetings: int | None = None, seed: int = 2026, password: str | None = DEMO_PASSWORD
) -> dict:
    """Fill an empty register with a believable region; `meetings` sets a synthetic size.

    The demo accounts get `password`; with None, each gets a random one, returned once
    (outside development no account may have a password anyone could know).
    """
    if meetings is not None and meetings < 0:
        raise ValueError("the number of meetings cannot be negative")
    _ensure_empty()
    rng = random.Random(seed)
    today = local_today()
    passwords = {account["email"]: password or secrets.token_urlsafe(12) for account in ACCOUNTS}
    world = _create_reference_data(rng, today, passwords)
    total = DEFAULT_MEETINGS if meetings is None else meetings
    counts = _insert_meetings(_MeetingGenerator(rng, world, today).meetings(total))
    numbered = counts["published"] + counts["withdrawn"]
    db.session.merge(Counter(name=MEETING_NUMBER, value=numbered))
    # Bulk inserts pass by the session's hook that indexes each write: index them all now.
    fulltext.rebuild(db.session.connection())
    db.session.commit()
    return {
        "accounts": [
            (account["email"], account["role"], passwords[account["email"]]) for account in ACCOUNTS
        ],
        "meetings": total,
        **counts,
        "units": len(UNITS),
        "officials": len(OFFICIALS),
        "organisations": len(ORGANISATIONS),
        "issues": len(ISSUES),
    }


def _ensure_empty() -> None:
    """Refuse to mix demo records with a register's own."""
    for model in (Meeting, Issue, Organisation, Official, Unit):
        if db.session.scalar(select(model.id).limit(1)) is not None:
            raise DemoDataError(
                f"The register already has {model.__tablename__} records; "
                "demo data can only be loaded into an empty database."
            )
    emails = [account["email"] for account in ACCOUNTS]
    taken = db.session.scalars(select(User.email).where(User.email.in_(emails))).all()
    if taken:
        raise DemoDataError(f"Demo accounts already exist: {', '.join(taken)}.")


def _create_reference_data(
    rng: random.Random, today: date, passwords: dict[str, str]
) -> SimpleNamespace:
    """Units, officials, organisations, issues and accounts; returned as plain values."""
    units = {spec["name"]: Unit(name=spec["name"], kind=spec["kind"]) for spec in UNITS}
    officials = {
        spec["name"]: Official(name=spec["name"], title=spec["title"], unit=units[spec["unit"]])
        for spec in OFFICIALS
    }
    used_numbers: set[str] = set()
    organisations = {spec["name"]: _organisation(rng, spec, used_numbers) for spec in ORGANISATIONS}
    issues = {spec["slug"]: _issue(spec, units, today) for spec in ISSUES}
    users = {}
    for spec in ACCOUNTS:
        user = User(
            email=spec["email"],
            role=spec["role"],
            name=spec["name"],
            official=officials.get(spec.get("official")),
        )
        user.set_password(passwords[spec["email"]])
        users[spec["role"]] = user
    db.session.add_all(
        [
            *units.values(),
            *officials.values(),
            *organisations.values(),
            *issues.values(),
            *users.values(),
        ]
    )
    db.session.add(Setting(key="demo_data", value="1"))
    db.session.flush()

    # Plain values from here on: ORM objects expire at each batch commit.
    official_refs = {o.name: SimpleNamespace(id=o.id, name=o.name) for o in officials.values()}
    org_refs = {
        spec["name"]: SimpleNamespace(id=organisations[spec["name"]].id, **spec)
        for spec in ORGANISATIONS
    }
    issue_refs = {
        slug: SimpleNamespace(
            id=issue.id,
            slug=slug,
            title=issue.title,
            started_on=issue.started_on,
            ended_on=issue.ended_on,
        )
        for slug, issue in issues.items()
    }
    return SimpleNamespace(
        officials=list(official_refs.values()),
        topics=[
            _topic(spec, official_refs, org_refs, issue_refs) for spec in ISSUES + GENERAL_TOPICS
        ],
        registrar_id=users["registrar"].id,
        official_user_id=users["official"].id,
        official_user_official_id=users["official"].official.id,
    )


def _organisation(rng: random.Random, spec: dict, used_numbers: set[str]) -> Organisation:
    """An Organisation from its description, with a generated number where one is asked for."""
    number = None
    while spec["number"] and (number is None or number in used_numbers):
        number = (
            generate_danish_cvr(rng) if spec["number"] == "dk" else generate_swedish_org_number(rng)
        )
    if number:
        used_numbers.add(number)
    return Organisation(
        name=spec["name"],
        kind=spec["kind"],
        country=spec["country"],
        org_number=number,
        eu_transparency_id=(
            f"{rng.randrange(10**11, 10**12)}-{rng.randrange(100):02d}" if spec["eu_id"] else None
        ),
        # Invented organisations get a reserved example domain, never a real site.
        website=f"https://{spec['site']}.example.org/" if spec["site"] else None,
        public=True,  # reference data, as a registrar would enter it
        vouched_at=utcnow(),
    )


def _issue(spec: dict, units: dict, today: date) -> Issue:
    """An Issue from its description, dated relative to today."""
    ended_days_ago = spec.get("ended_days_ago")
    return Issue(
        slug=spec["slug"],
        title=spec["title"],
        summary=spec["summary"],
        outcome_sought=spec["outcome_sought"],
        decision_makers=spec["decision_makers"],
        status="concluded" if ended_days_ago else "active",
        unit=units[spec["unit"]],
        started_on=today - timedelta(days=spec["started_days_ago"]),
        ended_on=today - timedelta(days=ended_days_ago) if ended_days_ago else None,
    )


def _topic(spec: dict, officials: dict, organisations: dict, issues: dict) -> SimpleNamespace:
    """What meetings about one issue (or none) are made of, with names resolved."""
    slug = spec.get("slug")
    return SimpleNamespace(
        issue=issues[slug] if slug else None,
        related=[issues[s] for s in spec.get("related", [])],
        weight=spec["weight"],
        leads=[officials[name] for name in spec.get("leads", officials)],
        counterparts=[organisations[name] for name in spec["counterparts"]],
        subjects=spec["subjects"],
        summaries=spec["summaries"],
        outcomes=spec["outcomes"],
    )


class _MeetingGenerator:
    """Meetings as plain namespaces: published ones first in date order, then drafts."""

    def __init__(self, rng: random.Random, world: SimpleNamespace, today: date):
        self.rng = rng
        self.world = world
        self.today = today
        self.zone = ZoneInfo(current_app.config["TIMEZONE"])
        self.publish_within = current_app.config["PUBLISH_WITHIN_DAYS"]
        # Clamping to "now" never draws from rng, so a seed gives the same data all day.
        self.latest = utcnow() - timedelta(minutes=1)

    def meetings(self, total: int):
        """Yield (meeting, revisions) pairs with ids 1..total."""
        rng = self.rng
        drafts = round(total * DRAFT_SHARE)
        published = total - drafts
        amend_count = round(published * AMEND_SHARE)
        # Only records well in the past are amended or withdrawn.
        eligible = range(published * 9 // 10)
        picks = rng.sample(
            eligible, min(amend_count + round(published * WITHDRAW_SHARE), len(eligible))
        )
        amended, withdrawn = set(picks[:amend_count]), set(picks[amend_count:])

        first_day = self.today - timedelta(days=HISTORY_DAYS)
        yesterday = self.today - timedelta(days=1)
        for index in range(published):
            offset = int((index + rng.random()) * HISTORY_DAYS / published)
            meeting = self._meeting(
                index + 1, _weekday(first_day + timedelta(days=offset), yesterday)
            )
            # Published in the order they were held: public numbers 1..published, no gaps.
            meeting.number = index + 1
            yield meeting, self._publish(meeting, index in amended, index in withdrawn)

        recent = round(drafts * RECENT_DRAFT_SHARE)
        recent_days = (0, max(self.publish_within - 1, 0))
        overdue_days = (self.publish_within + 3, self.publish_within + 100)
        draft_days = sorted(
            _weekday(
                self.today
                - timedelta(days=rng.randint(*(recent_days if n < recent else overdue_days))),
                self.today,
            )
            for n in range(drafts)
        )
        for meeting_id, held_on in enumerate(draft_days, start=published + 1):
            meeting = self._meeting(meeting_id, held_on)
            meeting.created_at = min(
                self._office_hours(held_on + timedelta(days=rng.randint(0, 2))), self.latest
            )
            yield meeting, []

    def _meeting(self, meeting_id: int, held_on: date) -> SimpleNamespace:
        """A meeting's content: topic, people, place and text."""
        rng = self.rng
        topic = self._topic(held_on)
        organisations = _pick(rng, topic.counterparts, (55, 33, 12))
        officials = _pick(rng, topic.leads, (50, 35, 15))
        if len(officials) < 3 and rng.random() < 0.2:
            extra = rng.choice(self.world.officials)
            if extra not in officials:
                officials.append(extra)
        issues = [topic.issue] if topic.issue else []
        related = [issue for issue in topic.related if _active(issue, held_on)]
        if related and rng.random() < 0.15:
            issues.append(rng.choice(related))

        consultancy = next((o for o in organisations if o.kind == "consultancy"), None)
        meeting_format = rng.choices(
            ("in_person", "video", "phone", "written", "other"), (48, 32, 9, 6, 5)
        )[0]
        initiative = rng.choices(("region", "counterpart", "third_party"), (55, 37, 8))[0]
        fields = {"org": organisations[0].name, "next_year": held_on.year + 1}
        outcomes = topic.outcomes if rng.random() < 0.7 else GENERAL_OUTCOMES
        links = []
        if rng.random() < 0.15:
            names = rng.sample(DOCUMENT_NAMES, rng.randint(1, 2))
            links = [_document_link(topic.issue, held_on, name) for name in names]
        # A politician's meetings are logged from their own account, the rest by the registrar.
        if any(o.id == self.world.official_user_official_id for o in officials):
            creator = self.world.official_user_id
        else:
            creator = self.world.registrar_id
        return SimpleNamespace(
            id=meeting_id,
            held_on=held_on,
            start_time=(
                None
                if meeting_format == "written" or rng.random() < 0.15
                else time(rng.randint(8, 16), rng.choice((0, 0, 15, 30, 30, 45)))
            ),
            format=meeting_format,
            location=self._location(meeting_format, organisations),
            # A consultancy asks for the meeting on its client's behalf.
            initiative="counterpart" if consultancy else initiative,
            subject=rng.choice(topic.subjects).format(**fields),
            summary=rng.choice(topic.summaries).format(**fields) + rng.choice(SUMMARY_CLOSINGS),
            outcome=rng.choice(outcomes).format(**fields),
            representatives=self._representatives(organisations) if rng.random() < 0.65 else "",
            client=rng.choice(consultancy.clients) if consultancy else "",
            document_links=links,
            status="draft",
            number=None,
            created_by_id=creator,
            created_at=None,
            published_at=None,
            amended_at=None,
            withdrawn_at=None,
            withdrawal_reason="",
            # Ordered as the model's relationships load them, so snapshots match the app's.
            officials=_by_name(officials),
            organisations=_by_name(organisations),
            issues=sorted(issues, key=lambda issue: (issue.title, issue.id)),
        )

    def _topic(self, held_on: date) -> SimpleNamespace:
        """A topic whose issue was on the agenda that day (general topics always are)."""
        topics = [t for t in self.world.topics if t.issue is None or _active(t.issue, held_on)]
        return self.rng.choices(topics, [t.weight for t in topics])[0]

    def _location(self, meeting_format: str, organisations: list) -> str:
        """Where a meeting of this format with these counterparts plausibly took place."""
        rng = self.rng
        if meeting_format == "video":
            return rng.choice(("Teams", "Teams", "Teams", "Zoom"))
        if meeting_format == "phone":
            return "Telefon"
        if meeting_format == "written":
            return "E-post"
        if meeting_format == "other":
            return rng.choice(EVENTS)
        venues = [o.venue for o in organisations if o.venue]
        if venues and rng.random() < 0.6:
            return rng.choice(venues)
        if any(o.country == "BE" for o in organisations):
            return "Brysselkontoret, Bryssel"
        return rng.choice(REGION_VENUES)

    def _representatives(self, organisations: list) -> str:
        """Names and roles of the people the counterparts sent."""
        rng = self.rng
        people = []
        for organisation in organisations[:2]:
            names = {"DK": "DK", "NO": "NO", "BE": "EU", "LU": "EU"}.get(organisation.country, "SE")
            for _ in range(rng.choice((1, 1, 2))):
                person = (
                    f"{rng.choice(FIRST_NAMES[names])} {rng.choice(SURNAMES[names])}, "
                    f"{rng.choice(ROLES[organisation.kind])}"
                )
                people.append(
                    f"{person}, {organisation.name}" if len(organisations) > 1 else person
                )
        return "; ".join(people)

    def _publish(self, meeting: SimpleNamespace, amend: bool, withdraw: bool) -> list[dict]:
        """Publish the meeting, perhaps amend or withdraw it later; return its revisions."""
        rng = self.rng
        if rng.random() < LATE_SHARE:
            delay = self.publish_within + 1 + int(16 * rng.random() ** 2)
        else:
            # Most records are written up within a day or two, few on the day itself.
            delay = int(rng.triangular(0, self.publish_within + 1, 1))
        # Written up during office hours after the meeting, published on or after that day.
        start = self._local(meeting.held_on, meeting.start_time or time(9))
        created_at = max(
            self._office_hours(meeting.held_on + timedelta(days=rng.randint(0, delay))),
            start + timedelta(minutes=45),
        )
        published_at = max(
            self._office_hours(meeting.held_on + timedelta(days=delay)),
            created_at + timedelta(minutes=10),
        )
        meeting.published_at = min(published_at, self.latest)
        meeting.created_at = min(created_at, meeting.published_at - timedelta(minutes=5))
        meeting.status = "published"

        first, reason = self._amendment(meeting) if amend else (meeting, "")
        registrar = self.world.registrar_id
        revisions = [_revision("publish", meeting.created_by_id, meeting.published_at, None, first)]
        if amend:
            later = timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 8))
            meeting.amended_at = min(meeting.published_at + later, self.latest)
            revisions.append(
                _revision("amend", registrar, meeting.amended_at, first, meeting, reason)
            )
        if withdraw:
            meeting.status = "withdrawn"
            meeting.withdrawn_at = min(
                meeting.published_at + timedelta(days=rng.randint(1, 20)), self.latest
            )
            meeting.withdrawal_reason = rng.choice(WITHDRAWAL_REASONS)
            revisions.append(
                _revision(
                    "withdraw",
                    registrar,
                    meeting.withdrawn_at,
                    meeting,
                    None,
                    meeting.withdrawal_reason,
                )
            )
        return revisions

    def _amendment(self, meeting: SimpleNamespace) -> tuple[SimpleNamespace, str]:
        """The meeting as first published, before a typical correction, and the reason."""
        rng = self.rng
        first = SimpleNamespace(**vars(meeting))
        kind = rng.choice(("date", "officials", "outcome", "links"))
        if kind == "date":
            first.held_on = meeting.held_on - timedelta(days=1)
            return first, "Rättat datum: mötet hölls dagen efter det först angivna."
        if kind == "officials":
            if len(meeting.officials) == 1:
                extra = rng.choice(
                    [o for o in self.world.officials if o is not meeting.officials[0]]
                )
                meeting.officials = _by_name([*meeting.officials, extra])
            missing = rng.choice(meeting.officials)
            first.officials = [o for o in meeting.officials if o is not missing]
            return first, "Kompletterat med deltagare som saknades i den första versionen."
        if kind == "outcome":
            first.outcome = ""
            return first, "Kompletterat med uppföljning efter mötet."
        if not meeting.document_links:
            issue = meeting.issues[0] if meeting.issues else None
            meeting.document_links = [_document_link(issue, meeting.held_on, "presentation")]
        first.document_links = []
        return first, "Lagt till presentationen som delades under mötet."

    def _office_hours(self, day: date) -> datetime:
        """A random moment of a working day there, as an aware UTC datetime."""
        return self._local(day, time(self.rng.randint(8, 16), self.rng.randrange(60)))

    def _local(self, day: date, at: time) -> datetime:
        """A local wall-clock time as an aware UTC datetime."""
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(UTC)


def _revision(action: str, user_id: int, at: datetime, before, after, reason: str = "") -> dict:
    """A revision row without id, meeting or number; `before`/`after` are meeting states."""
    # Meeting.snapshot reads plain attributes only, so it serves our namespaces as well and
    # the revisions hold exactly what the app itself would record.
    return {
        "action": action,
        "user_id": user_id,
        "created_at": at,
        "reason": reason,
        "before": Meeting.snapshot(before) if before is not None else None,
        "after": Meeting.snapshot(after) if after is not None else None,
    }


def _pick(rng: random.Random, items: list, weights: tuple[int, int, int]) -> list:
    """One, two or three distinct items, with the given weights for each count."""
    count = rng.choices((1, 2, 3), weights)[0]
    return rng.sample(items, min(count, len(items)))


def _by_name(items: list) -> list:
    """Items in the order the model's relationships load them: by name, then id."""
    return sorted(items, key=lambda item: (item.name, item.id))


def _document_link(issue, held_on: date, name: str) -> str:
    """A link to a document exchanged at a meeting (on a reserved example domain)."""
    folder = issue.slug if issue else "moten"
    return f"https://example.org/dokument/{folder}/{held_on.isoformat()}-{name}.pdf"


def _active(issue: SimpleNamespace, day: date) -> bool:
    """Whether the issue was on the agenda on that day."""
    return issue.started_on <= day and (issue.ended_on is None or day <= issue.ended_on)


def _weekday(day: date, latest: date) -> date:
    """Move a weekend day to a neighbouring weekday no later than `latest`, keeping order."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        monday = day + timedelta(days=1)
        return monday if monday <= latest else day - timedelta(days=2)
    return day


def _insert_meetings(pairs) -> dict:
    """Write meetings, their links and revisions with Core bulk inserts, batch by batch."""
    counts = {"published": 0, "drafts": 0, "withdrawn": 0, "amended": 0, "revisions": 0}
    chain = history.locked_chain()
    batch = []
    for pair in pairs:
        batch.append(pair)
        if len(batch) == BATCH_SIZE:
            _insert_batch(batch, counts, chain)
            db.session.commit()
            chain = history.locked_chain()  # the lock ended with the transaction
            batch = []
    _insert_batch(batch, counts, chain)
    if db.engine.dialect.name == "postgresql":
        # Explicit ids leave the sequences behind; the app's own inserts must follow on.
        for table in ("meeting", "revision"):
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
            )
    return counts


# What a revision's content hash covers besides its record's and its own number.
HASHED = ("action", "created_at", "reason", "before", "after")


def _insert_batch(batch: list, counts: dict, chain: history.Chain) -> None:
    """One batch of meetings and everything that hangs on them."""
    if not batch:
        return
    meetings, officials, organisations, issues, revisions = [], [], [], [], []
    for meeting, meeting_revisions in batch:
        meetings.append({column: getattr(meeting, column) for column in MEETING_COLUMNS})
        officials += [{"meeting_id": meeting.id, "official_id": o.id} for o in meeting.officials]
        organisations += [
            {"meeting_id": meeting.id, "organisation_id": o.id} for o in meeting.organisations
        ]
        issues += [{"meeting_id": meeting.id, "issue_id": i.id} for i in meeting.issues]
        for number, revision in enumerate(meeting_revisions, start=1):
            counts["revisions"] += 1
            content, chained = chain.append(
                record=meeting.number,
                number=number,
                **{key: revision[key] for key in HASHED},
            )
            revisions.append(
                {
                    "id": counts["revisions"],
                    "meeting_id": meeting.id,
                    "number": number,
                    **revision,
                    "content_hash": content,
                    "chain_hash": chained,
                }
            )
        counts["drafts" if meeting.status == "draft" else meeting.status] += 1
        counts["amended"] += meeting.amended_at is not None
    db.session.execute(insert(Meeting.__table__), meetings)
    db.session.execute(insert(meeting_official), officials)
    db.session.execute(insert(meeting_organisation), organisations)
    if issues:
        db.session.execute(insert(meeting_issue), issues)
    if revisions:
        db.session.execute(insert(Revision.__table__), revisions)

"""The demo data: a complete, consistent, deterministic register, and a fast bulk mode."""

import re
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from register import create_app, vocabulary
from register.demo import DemoDataError, load_demo
from register.extensions import db
from register.identifiers import (
    normalise_org_number,
    validate_eu_transparency_id,
)
from register.models import (
    Issue,
    Meeting,
    Official,
    Organisation,
    Revision,
    Setting,
    Unit,
    User,
    local_today,
    utcnow,
)


def fresh_app():
    """An app on its own empty in-memory database (independent of conftest)."""
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test"}
    )
    with app.app_context():
        db.create_all(bind_key=None)  # the primary; a replica has no tables of its own
    return app


@pytest.fixture(scope="module")
def demo():
    """The default demo, loaded once for the read-only tests of this module."""
    app = fresh_app()
    with app.app_context():
        result = load_demo()
        yield result
        db.session.remove()


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_sizes_and_coverage(demo):
    assert count(Meeting) == demo["meetings"] >= 300
    assert count(Official) >= 10
    assert count(Issue) == 12
    assert count(Organisation) == 80
    kinds = set(db.session.scalars(select(Organisation.kind)))
    assert kinds == set(vocabulary.ORGANISATION_KINDS)
    assert set(db.session.scalars(select(Unit.kind))) <= set(vocabulary.UNIT_KINDS)
    assert count(Unit) >= 8


def test_named_issues_and_their_fields(demo):
    titles = set(db.session.scalars(select(Issue.title)))
    assert {
        "Dubbelspår Göteborg–Borås",
        "Kompetensförsörjning i vården",
        "EU:s sammanhållningspolitik 2028–2034",
    } <= titles
    for issue in db.session.scalars(select(Issue)):
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", issue.slug)
        assert issue.summary and issue.outcome_sought and issue.decision_makers
        assert issue.unit is not None and issue.started_on is not None
        assert (issue.status == "concluded") == (issue.ended_on is not None)
    assert count(Issue, Issue.status == "concluded") == 2


def test_drafts_recent_and_overdue(demo):
    today, within = local_today(), current_app.config["PUBLISH_WITHIN_DAYS"]
    drafts = list(db.session.scalars(select(Meeting).filter_by(status="draft")))
    assert 10 <= len(drafts) == demo["drafts"] < count(Meeting, Meeting.status == "published")
    assert all(d.published_at is None and d.officials and d.organisations for d in drafts)
    overdue = [d for d in drafts if (today - d.held_on).days > within]
    assert overdue and len(overdue) < len(drafts)
    assert all(d.held_on <= today for d in drafts)


def test_published_records_are_complete(demo):
    today, now = local_today(), utcnow()
    public = list(db.session.scalars(select(Meeting).where(Meeting.status != "draft")))
    assert public
    late = 0
    for meeting in public:
        assert meeting.officials and meeting.organisations
        assert meeting.format in vocabulary.MEETING_FORMATS
        assert meeting.initiative in vocabulary.INITIATIVES
        assert meeting.subject and meeting.summary
        assert today - timedelta(days=740) <= meeting.held_on <= today
        assert meeting.created_at <= meeting.published_at <= now
        assert meeting.days_to_publish >= 0
        late += meeting.published_late
        first = meeting.revisions[0]
        assert (first.number, first.action, first.before) == (1, "publish", None)
        assert first.user_id == meeting.created_by_id is not None
        if meeting.status == "published" and meeting.amended_at is None:
            assert len(meeting.revisions) == 1
            assert first.after == meeting.snapshot()
    assert late > 0


def test_amendments_and_withdrawals_keep_history(demo):
    amended = list(db.session.scalars(select(Meeting).where(Meeting.amended_at.is_not(None))))
    assert 5 <= len(amended) <= 15
    for meeting in amended:
        publish, amend = meeting.revisions[:2]
        assert amend.number == 2 and amend.action == "amend" and amend.reason
        assert amend.before == publish.after != amend.after
        assert amend.changes()
        assert meeting.published_at < meeting.amended_at == amend.created_at
        if meeting.status == "published":
            assert amend.after == meeting.snapshot()
    withdrawn = list(db.session.scalars(select(Meeting).filter_by(status="withdrawn")))
    assert withdrawn
    for meeting in withdrawn:
        assert meeting.withdrawal_reason and meeting.withdrawn_at
        assert meeting.revisions[-1].action == "withdraw"
    assert count(Revision, Revision.action == "publish") == demo["published"] + demo["withdrawn"]


def test_meeting_content_is_plausible(demo):
    meetings = list(db.session.scalars(select(Meeting)))
    assert len({m.subject for m in meetings}) > 40
    assert not any("{" in m.subject + m.summary + m.outcome for m in meetings)
    assert sum(bool(m.representatives) for m in meetings) > len(meetings) // 3
    assert sum(bool(m.document_links) for m in meetings) > 10
    assert all(
        link.startswith("https://example.org/") for m in meetings for link in m.document_links
    )
    with_consultancy = [
        m for m in meetings if any(o.kind == "consultancy" for o in m.organisations)
    ]
    assert with_consultancy and all(m.client for m in with_consultancy)
    assert {m.format for m in meetings} == set(vocabulary.MEETING_FORMATS)
    assert {m.initiative for m in meetings} == set(vocabulary.INITIATIVES)
    assert any(len(m.issues) == 0 for m in meetings) and any(len(m.issues) == 2 for m in meetings)
    assert any("Teams" == m.location for m in meetings)
    railway = next(
        i for i in db.session.scalars(select(Issue)) if i.slug == "dubbelspar-goteborg-boras"
    )
    counterparts = {o.name for m in meetings if railway in m.issues for o in m.organisations}
    assert "Trafikverket" in counterparts


def test_organisation_identifiers_are_valid(demo):
    organisations = list(db.session.scalars(select(Organisation)))
    numbered = [o for o in organisations if o.org_number]
    assert len(numbered) >= 15
    for organisation in numbered:
        assert normalise_org_number(organisation.org_number, organisation.country) == (
            organisation.org_number
        )
    assert {o.country for o in numbered} == {"SE", "DK"}
    with_eu_id = [o for o in organisations if o.eu_transparency_id]
    assert with_eu_id
    assert all(validate_eu_transparency_id(o.eu_transparency_id) for o in with_eu_id)
    assert {"DK", "NO", "BE"} <= {o.country for o in organisations}
    assert all(o.website is None or ".example.org/" in o.website for o in organisations)
    trafikverket = next(o for o in organisations if o.name == "Trafikverket")
    assert trafikverket.org_number is None and trafikverket.website is None
    assert all(o.name_key == o.name.casefold() for o in organisations)


def test_accounts_and_demo_flag(demo):
    assert [(email, role) for email, role, _ in demo["accounts"]] == [
        ("admin@example.org", "admin"),
        ("registrar@example.org", "registrar"),
        ("official@example.org", "official"),
    ]
    for email, role, password in demo["accounts"]:
        user = db.session.scalar(select(User).filter_by(email=email))
        assert user.role == role and user.check_password(password)
    official = db.session.scalar(select(User).filter_by(role="official"))
    assert official.official is not None
    assert count(Meeting, Meeting.created_by_id == official.id) > 0
    assert db.session.get(Setting, "demo_data").value == "1"


def test_same_seed_same_register_and_refuses_a_second_load():
    subjects = []
    for seed in (2026, 2026, 7):
        app = fresh_app()
        with app.app_context():
            load_demo(seed=seed)
            subjects.append(list(db.session.scalars(select(Meeting.subject).order_by(Meeting.id))))
            if seed == 7:
                with pytest.raises(DemoDataError):
                    load_demo()
            db.session.remove()
    assert subjects[0] == subjects[1] != subjects[2]


def test_bulk_mode_writes_exactly_n_and_app_inserts_follow():
    app = fresh_app()
    with app.app_context():
        result = load_demo(meetings=2000)
        assert result["meetings"] == count(Meeting) == 2000
        assert db.session.scalar(select(func.max(Meeting.id))) == 2000
        assert count(Revision) == result["revisions"]
        assert count(Meeting, Meeting.status == "draft") == result["drafts"] > 0
        assert count(Organisation) == 80
        # The next record the app writes continues after the explicit ids.
        meeting = Meeting(
            held_on=local_today(), format="video", initiative="region", subject="Nytt möte"
        )
        db.session.add(meeting)
        db.session.commit()
        assert meeting.id == 2001
        db.session.remove()

"""Benchmark: the organisation list and the issue, organisation and official pages in a
large register.

    python bench/entities.py --meetings 200000 --organisations 100000

Builds a register (SQLite in the system's temporary folder, kept for the next run;
--database-url takes another database, e.g. PostgreSQL, which it fills when empty) with
the demo loader's N meetings and synthetic organisations up to the number asked for, a
fifth of them named on a few published meetings each. Then asks the app for each page
several times and reports the median and the slowest time: the organisation list (first
page, a search, by number of meetings, a deep page), the agenda, and the pages of the
issue, organisation and official with the most meetings. Besides the wall time it gives
this process's own processor time, which on a busy machine is the truer cost (with SQLite
it includes the database's work; with PostgreSQL it does not).
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from register import create_app  # noqa: E402
from register.demo import load_demo  # noqa: E402
from register.extensions import db  # noqa: E402
from register.models import (  # noqa: E402
    Issue,
    Meeting,
    Organisation,
    Setting,
    meeting_issue,
    meeting_official,
    meeting_organisation,
)
from register.text import name_key, search_key  # noqa: E402
from register.vocabulary import ORGANISATION_KINDS  # noqa: E402

FIRST = "Göteborgs Malmö Västra Östra Södra Norra Skånes Hallands Borås Älvsborgs Nordiska "
FIRST += "Svenska Danske Øresunds Ærø Köpenhamns Trollhättans Uddevalla Kungälvs Lerums"
MIDDLE = "Hamn Energi Trafik Vård Bygg Skog Fastighets Cykel Miljö Teknik Handels Fiske "
MIDDLE += "Turism Logistik Kultur Idrotts Läkemedels Livsmedels Bostads Vatten"
LAST = "AB Förening Förbund Stiftelse Kommun Region A/S Aps Group Konsult Råd Institut"
BATCH = 5_000


def make_app(url: str):
    return create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})


def load(meetings: int, organisations: int) -> None:
    started = time.perf_counter()
    load_demo(meetings=meetings)
    print(f"loaded {meetings:,} demo meetings in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    rng = random.Random(11)
    first, middle, last = FIRST.split(), MIDDLE.split(), LAST.split()
    kinds = list(ORGANISATION_KINDS)
    existing = db.session.scalar(select(func.count()).select_from(Organisation))
    published = db.session.scalars(select(Meeting.id).where(Meeting.status == "published")).all()
    batch = []
    for position in range(max(organisations - existing, 0)):
        name = f"{rng.choice(first)} {rng.choice(middle)} {rng.choice(last)} {position}"
        batch.append(
            {
                "name": name,
                "name_key": name_key(name),
                "search_key": search_key(name),
                "kind": rng.choice(kinds),
                "public": True,
                "created_at": datetime.now(UTC),
            }
        )
        if len(batch) == BATCH:
            db.session.execute(insert(Organisation), batch)
            batch = []
    if batch:
        db.session.execute(insert(Organisation), batch)
    synthetic = db.session.scalars(select(Organisation.id).where(Organisation.id > existing)).all()
    links = set()
    for organisation_id in synthetic[::5]:
        for meeting_id in rng.sample(published, rng.randint(1, 3)):
            links.add((meeting_id, organisation_id))
    rows = [{"meeting_id": m, "organisation_id": o} for m, o in links]
    for start in range(0, len(rows), BATCH):
        # One multi-row VALUES per batch: row-by-row inserts take minutes on PostgreSQL.
        db.session.execute(insert(meeting_organisation).values(rows[start : start + BATCH]))
    db.session.commit()
    print(
        f"added {len(synthetic):,} organisations and {len(rows):,} meeting links "
        f"in {time.perf_counter() - started:.1f} s"
    )


def busiest(link_table, column) -> int:
    """The id of the issue, organisation or official on most published meetings."""
    count = func.count()
    return db.session.scalar(
        select(column)
        .join(Meeting, Meeting.id == link_table.c.meeting_id)
        .where(Meeting.status == "published")
        .group_by(column)
        .order_by(count.desc())
        .limit(1)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=200_000)
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--database-url", help="a database to use instead of SQLite")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    url = args.database_url
    if not url:
        name = f"register-bench-entities-{args.meetings}-{args.organisations}.db"
        url = f"sqlite:///{Path(tempfile.gettempdir()) / name}"
    app = make_app(url)
    with app.app_context():
        upgrade()
        if db.session.scalar(select(Meeting.id).limit(1)) is None:
            load(args.meetings, args.organisations)
        elif db.session.get(Setting, "demo_data") is None:
            sys.exit(
                "The database holds a register that is not this benchmark's; give an empty one."
            )
        issue_id = busiest(meeting_issue, meeting_issue.c.issue_id)
        slug = db.session.get(Issue, issue_id).slug
        organisation_id = busiest(meeting_organisation, meeting_organisation.c.organisation_id)
        official_id = busiest(meeting_official, meeting_official.c.official_id)
        counts = {
            "meetings": db.session.scalar(select(func.count()).select_from(Meeting)),
            "organisations": db.session.scalar(select(func.count()).select_from(Organisation)),
        }
        deep_page = counts["organisations"] // 50 - 1

    pages = {
        "organisations, first page": "/organisations",
        "organisations, search": "/organisations?q=goteborgs+hamn",
        "organisations, a rare word": "/organisations?q=logistik+5",
        "organisations, by meetings": "/organisations?sort=meetings",
        "organisations, kind + meetings": "/organisations?kind=consultancy&sort=meetings",
        "organisations, deep page": f"/organisations?page={deep_page}",
        "issues": "/issues",
        "busiest issue": f"/issues/{slug}",
        "busiest organisation": f"/organisations/{organisation_id}",
        "officials": "/officials",
        "busiest official": f"/officials/{official_id}",
    }
    client = app.test_client()
    print(
        f"{counts['meetings']:,} meetings, {counts['organisations']:,} organisations; "
        f"each page {args.repeat} times after one warm-up"
    )
    print("  counted: as after a change of the register; kept: until the next change")
    for label, path in pages.items():
        assert client.get(path).status_code == 200, path
        for kept in (False, True):
            times, cpu = [], []
            for _ in range(args.repeat):
                if not kept:
                    app.extensions.pop("kept memo", None)  # what freshness.memoised keeps
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
                assert response.status_code == 200, (path, response.status_code)
            # On a busy machine the wall time includes waiting for a processor; this
            # process's own processor time (SQLite runs inside it) is what the page costs.
            print(
                f"  {label:<32} {'kept' if kept else 'counted':8} "
                f"median {statistics.median(times) * 1000:7.1f} ms, "
                f"slowest {max(times) * 1000:7.1f} ms, "
                f"this process's CPU {statistics.median(cpu) * 1000:7.1f} ms  {path}"
            )


if __name__ == "__main__":
    main()

"""Benchmark: full-text search of the public register with many meetings.

    python bench/search.py --meetings 1000000
    python bench/search.py --meetings 1000000 --database-url postgresql://…/bench

Builds a register of N synthetic meetings with the demo loader (SQLite, kept in the
system's temporary folder for the next run; --database-url takes another database, e.g.
PostgreSQL, which it fills when it has no meetings yet), then asks typical queries — a
rare word, a common one (an organisation in about one meeting in ten), two words, a
phrase, a prefix, a word found nowhere — each several times. Each run does the list
page's database work (see public.routes.meetings): the count of matches (no further than
10 000, as the page counts them) and the first page of 50 ordered by date, with each
meeting's officials, organisations and issues. Reports the median and the 95th percentile
per query, the same counting every match, and the whole /meetings page's median beside
it, with the filter form's counts counted afresh and kept.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from register import create_app  # noqa: E402
from register.demo import load_demo  # noqa: E402
from register.extensions import db  # noqa: E402
from register.models import Meeting  # noqa: E402
from register.search import (  # noqa: E402
    count_meetings,
    parse_filters,
    published_meetings,
    with_links,
)

QUERIES = {
    "rare word": "Håkon",
    "common word": "Sveriges",
    "very common": "regionen",
    "two words": "göteborg borås",
    "phrase": '"Sveriges kommuner och regioner"',
    "prefix": "läkemedel*",
    "no hits": "qqqzzz",
}
PAGE_SIZE = 50


def make_app(url: str):
    return create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": True,
            "PAGE_SIZE": PAGE_SIZE,
        }
    )


def list_page_work(q: str, *, full_count: bool = False) -> tuple[int, int]:
    """What /meetings asks the database for a query: the count (no further than the
    LIST_COUNT_LIMIT setting, as the page counts; every match with `full_count`) and the
    first page."""
    filters = parse_filters({"q": q})
    query = published_meetings(filters)
    if full_count:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    else:
        total = count_meetings(filters, query)
    page = db.session.scalars(with_links(query.limit(PAGE_SIZE + 1))).all()
    db.session.rollback()  # a request's session ends with it
    db.session.info.clear()
    return total, len(page)


def timed(work, repeat: int) -> list[float]:
    work()  # warm the caches, as a running server has them
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:5.0f}"


def spread(times: list[float]) -> str:
    """Median and 95th percentile, in milliseconds."""
    return f"{ms(statistics.median(times))} / {ms(percentile(times, 0.95))}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--database-url", help="a database to use instead of SQLite")
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()

    url = args.database_url
    if not url:
        database = Path(tempfile.gettempdir()) / f"register-bench-search-{args.meetings}.db"
        url = f"sqlite:///{database}"
    app = make_app(url)
    with app.app_context():
        upgrade()
        total = db.session.scalar(select(func.count()).select_from(Meeting))
        if not total:
            started = time.perf_counter()
            load_demo(meetings=args.meetings)
            print(f"loaded {args.meetings:,} meetings in {time.perf_counter() - started:.0f} s")
            total = args.meetings
        published = db.session.scalar(
            select(func.count()).select_from(Meeting).filter_by(status="published")
        )
        dialect = db.engine.dialect.name
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(
            f"{dialect}: {total:,} meetings, {published:,} published; each query "
            f"{args.repeat} times; load average {load}"
        )
        print("  median / p95 in ms of the list's database work (the count, no further than")
        cap = app.config["LIST_COUNT_LIMIT"]
        print(f"  {cap:,} as the page counts, and the first page); the same counting every match;")
        print("  the whole /meetings page, median, with the filter form's counts counted (as")
        print("  after a change of the register) and kept (until the next change)")
        every, every_full, every_page = [], [], []
        client = app.test_client()

        def page(q: str, kept: bool) -> float:
            if not kept:
                app.extensions.pop("kept memo", None)  # what freshness.memoised keeps
            started = time.perf_counter()
            response = client.get("/meetings", query_string={"q": q})
            assert response.status_code == 200, response.status_code
            return time.perf_counter() - started

        for label, q in QUERIES.items():
            found, _ = list_page_work(q, full_count=True)
            times = timed(lambda q=q: list_page_work(q), args.repeat)
            full = timed(lambda q=q: list_page_work(q, full_count=True), args.repeat)
            every += times
            every_full += full
            page(q, kept=False)  # warm the database's cache
            runs = max(3, args.repeat // 4)
            counted = [page(q, kept=False) for _ in range(runs)]
            kept = [page(q, kept=True) for _ in range(runs)]
            every_page += kept
            print(
                f"  {label:<12} {q!r:<35} {found:>7,} found: {spread(times)}; {spread(full)};"
                f" page {ms(statistics.median(counted))} counted,"
                f" {ms(statistics.median(kept))} kept"
            )
        print(
            f"median of all searches: {ms(statistics.median(every))} ms; counting every "
            f"match: {ms(statistics.median(every_full))} ms; the whole page with its counts "
            f"kept: {ms(statistics.median(every_page))} ms"
        )


if __name__ == "__main__":
    main()

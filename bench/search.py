"""Benchmark: full-text search of the public register with many meetings.

    python bench/search.py --meetings 1000000
    python bench/search.py --meetings 1000000 --database-url postgresql://…/bench

Builds a register of N synthetic meetings with the demo loader (SQLite, kept in the
system's temporary folder for the next run; --database-url takes another database, e.g.
PostgreSQL, which it fills when it has no meetings yet), then asks typical queries — a
rare word, a common one (an organisation in about one meeting in ten), two words, a
phrase, a prefix, a word found nowhere — each several times. Each run does the list
page's database work (see public.routes.meetings): the count of matches and the first
page of 50 ordered by date, with each meeting's officials, organisations and issues.
Reports the median and the 95th percentile per query, and the whole /meetings page's
median beside it.
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

from register import create_app, fulltext  # noqa: E402
from register.demo import load_demo  # noqa: E402
from register.extensions import db  # noqa: E402
from register.models import Meeting  # noqa: E402
from register.search import parse_filters, published_meetings, with_links  # noqa: E402

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
# A list could say "more than 10 000 meetings" rather than count every match.
CAP = 10_000


def make_app(url: str):
    return create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": True,
            "PAGE_SIZE": PAGE_SIZE,
        }
    )


def list_page_work(q: str, *, index_count: bool = False, at_most=None) -> tuple[int, int]:
    """What /meetings asks the database for a query: the count and the first page.

    With `index_count`, the count comes from the search index alone (fulltext.count),
    stopping at `at_most` if given.
    """
    query = published_meetings(parse_filters({"q": q}))
    if index_count:
        total = fulltext.count(q, at_most)
    else:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
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
        print("  median / p95 in ms: the page's count and first page; the same with the count")
        print(f"  from the index (fulltext.count); the same counting no further than {CAP:,};")
        print("  the whole /meetings page (median)")
        every, every_indexed, every_capped = [], [], []
        client = app.test_client()
        for label, q in QUERIES.items():
            found, _ = list_page_work(q)
            times = timed(lambda q=q: list_page_work(q), args.repeat)
            indexed = timed(lambda q=q: list_page_work(q, index_count=True), args.repeat)
            assert list_page_work(q, index_count=True)[0] == found
            capped = timed(
                lambda q=q: list_page_work(q, index_count=True, at_most=CAP), args.repeat
            )
            every += times
            every_indexed += indexed
            every_capped += capped
            pages = []
            for _ in range(max(3, args.repeat // 4)):
                started = time.perf_counter()
                response = client.get("/meetings", query_string={"q": q})
                pages.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
            print(
                f"  {label:<12} {q!r:<35} {found:>7,} found: {spread(times)}; {spread(indexed)};"
                f" {spread(capped)}; page {ms(statistics.median(pages))}"
            )
        print(
            f"median of all searches: {ms(statistics.median(every))} ms; with the count "
            f"from the index: {ms(statistics.median(every_indexed))} ms; counting no further "
            f"than {CAP:,}: {ms(statistics.median(every_capped))} ms"
        )


if __name__ == "__main__":
    main()

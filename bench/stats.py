"""Benchmark: the statistics page (/stats) and one of its CSV files in a large register.

    python bench/stats.py --meetings 200000

Builds a register of N synthetic meetings with the demo loader (SQLite in the system's
temporary folder, kept for the next run; --database-url takes another database, e.g.
PostgreSQL, which it fills when empty). Then asks the app for the page unfiltered, with an
issue filter and with a date range, and for the timeliness CSV, each --runs times, and
reports the median and the slowest time of each.
"""

import argparse
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

PATHS = {
    "/stats": "/stats",
    "/stats, one issue": "/stats?issue=dubbelspar-goteborg-boras",
    "/stats, one year": "/stats?from=2025-01-01&to=2025-12-31",
    "/stats/timeliness.csv": "/stats/timeliness.csv",
}


def make_app(url: str):
    return create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", help="default: a SQLite file in the temporary folder")
    args = parser.parse_args()

    url = args.database_url or "sqlite:///" + str(
        Path(tempfile.gettempdir()) / f"register-bench-stats-{args.meetings}.db"
    )
    app = make_app(url)
    with app.app_context():
        upgrade()
        if not db.session.scalar(select(func.count()).select_from(Meeting)):
            started = time.perf_counter()
            load_demo(meetings=args.meetings)
            print(f"loaded {args.meetings:,} meetings in {time.perf_counter() - started:.1f} s")
        published = db.session.scalar(select(func.count()).where(Meeting.status == "published"))
        print(f"{db.engine.dialect.name}: {published:,} published meetings")

    client = app.test_client()
    print("  counted: as after a change of the register; kept: until the next change")
    for name, path in PATHS.items():
        client.get(path)  # the first request warms the database's cache
        for kept in (False, True):
            times, cpu = [], []
            for _ in range(args.runs):
                if not kept:
                    app.extensions.pop("kept memo", None)  # what freshness.memoised keeps
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
                assert response.status_code == 200, (path, response.status_code)
            # This process's CPU time: on SQLite it includes the database's work, and it
            # stays meaningful on a busy machine, where the wall-clock time does not.
            print(
                f"{name:24} {'kept' if kept else 'counted':8} "
                f"median {statistics.median(times) * 1000:7.0f} ms, "
                f"slowest {max(times) * 1000:7.0f} ms, "
                f"median CPU of this process {statistics.median(cpu) * 1000:7.0f} ms "
                f"({args.runs} runs)"
            )


if __name__ == "__main__":
    main()

"""Benchmark: stream the whole register as CSV and JSON, and report time and memory.

    python bench/export.py --meetings 100000

Builds a throwaway SQLite register of N synthetic meetings (or uses DATABASE_URL), then
downloads /meetings.csv and /meetings.json through the app, reading the response chunk by
chunk as a client would. Peak memory is the process's maximum resident set size: run it
for two sizes to see that an export's memory does not grow with the number of rows.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from register import create_app  # noqa: E402
from register.demo import load_demo  # noqa: E402


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def download(client, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = client.get(path, buffered=False)
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    return size, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=100_000)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="register-bench-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/register.db"
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        load_demo(meetings=args.meetings)
        print(f"loaded {args.meetings:,} meetings in {time.perf_counter() - started:.1f} s")
    rss_before = peak_rss_mib()

    client = app.test_client()
    for path in ("/meetings.csv", "/meetings.json"):
        size, seconds = download(client, path)
        print(
            f"{path}: {size / 2**20:.1f} MiB in {seconds:.1f} s "
            f"({args.meetings / seconds:,.0f} rows/s); peak RSS {peak_rss_mib():.0f} MiB"
        )
    print(f"peak RSS before the downloads {rss_before:.0f} MiB, after {peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()

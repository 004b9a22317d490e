"""Benchmark: stream the whole register as CSV and JSON, and report time and memory.

    python bench/export.py --meetings 100000

Builds a SQLite register of N synthetic meetings in a child process (kept in the system's
temporary folder for the next run), then downloads /meetings.csv and /meetings.json
through the app, reading the response chunk by chunk as a client would. Peak memory is
this process's maximum resident set size, so it measures the exports alone: run it for
two sizes to see that an export's memory does not grow with the number of rows.
"""

import argparse
import resource
import subprocess
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


def make_app(database: Path):
    return create_app(
        {"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "TESTING": True}
    )


def load(database: Path, meetings: int) -> None:
    app = make_app(database)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        load_demo(meetings=meetings)
        print(f"loaded {meetings:,} meetings in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    database = Path(tempfile.gettempdir()) / f"register-bench-{args.meetings}.db"
    if args.load_only:
        load(database, args.meetings)
        return
    if not database.exists():
        command = [sys.executable, __file__, "--meetings", str(args.meetings), "--load-only"]
        subprocess.run(command, check=True)

    app = make_app(database)
    client = app.test_client()
    for path in ("/meetings.csv", "/meetings.json"):
        size, seconds = download(client, path)
        print(
            f"{args.meetings:,} meetings {path}: {size / 2**20:.1f} MiB in {seconds:.1f} s "
            f"({args.meetings / seconds:,.0f} rows/s); peak RSS so far {peak_rss_mib():.0f} MiB"
        )


if __name__ == "__main__":
    main()

"""Benchmark: the public site under load, as production serves it.

    python bench/load.py --meetings 1000000 [--database FILE] [--seconds 30]

Serves a SQLite register of N synthetic meetings (built as bench/export.py builds it, or
`--database`) with deploy/gunicorn.conf.py, and runs `wrk -t2 -c64` against the list page,
a search, a record and an issue page, each for `--seconds`. Every page is asked for once
first, as a visitor after a change of the register would (the page is then made and
kept), so the run measures what a visitor meets until the next change. Prints requests per
second, the median and the 99th percentile of the latency, errors and timeouts. Needs
`wrk` (Debian package `wrk`).

`--change-every S` adds a run of the list page during which the register changes every S
seconds (an audit entry as an edit of an issue writes), so every kept page must be made
again: the cost a busy server pays for publications.
"""

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export import ROOT, build_register, free_port, serve, stop  # noqa: E402

PAGES = {
    "list": "/meetings",
    "search": "/meetings?q=dubbelsp%C3%A5r",
    "record": "/meetings/4711",
    "issue": "/issues/dubbelspar-goteborg-boras",
}


# Requests before the measurement, enough for each of the server's processes to have made
# and kept the page (each makes it once: the first visitor after a change waits for it).
WARM_UP = 30


def wrk(url: str, seconds: int) -> dict[str, str]:
    """wrk's figures for one address: requests/s, latency median and p99, errors."""
    command = ["wrk", "-t2", "-c64", f"-d{seconds}s", "--latency", "--timeout", "10s", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = {
        "requests/s": re.search(r"Requests/sec:\s+([\d.]+)", output).group(1),
        "median": re.search(r"\s50%\s+(\S+)", output).group(1),
        "p99": re.search(r"\s99%\s+(\S+)", output).group(1),
    }
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["errors"] = str(
        (sum(int(n) for n in errors.groups()[:3]) if errors else 0)
        + (int(non_2xx.group(1)) if non_2xx else 0)
    )
    figures["timeouts"] = errors.group(4) if errors else "0"
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=200_000)
    parser.add_argument("--database", type=Path, help="a register already built")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--change-every", type=float, default=0, metavar="S")
    args = parser.parse_args()

    database = args.database or Path(tempfile.gettempdir()) / f"register-bench-{args.meetings}.db"
    build_register(database, args.meetings)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = os.environ | {
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "bench",
        "PUBLIC_URL": base,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "deploy/gunicorn.conf.py")]
    server = serve([*command, "--access-logfile", "/dev/null"], environment, base + "/healthz")
    try:
        print(f"{database.name}: deploy/gunicorn.conf.py, wrk -t2 -c64 -d{args.seconds}s")
        print("| page | requests/s | median | p99 | errors | timeouts |")
        print("|---|---|---|---|---|---|")
        for name, path in PAGES.items():
            for _ in range(WARM_UP):  # each worker makes the page once and keeps it
                httpx.get(base + path, timeout=None).raise_for_status()
            figures = wrk(base + path, args.seconds)
            print(
                f"| {name} `{path}` | {figures['requests/s']} | {figures['median']} "
                f"| {figures['p99']} | {figures['errors']} | {figures['timeouts']} |"
            )
        if args.change_every:
            stopped = threading.Event()
            changer = threading.Thread(
                target=change_until, args=(database, args.change_every, stopped)
            )
            changer.start()
            try:
                figures = wrk(base + PAGES["list"], args.seconds)
            finally:
                stopped.set()
                changer.join()
            print(
                f"| list, a change every {args.change_every:g} s | {figures['requests/s']} "
                f"| {figures['median']} | {figures['p99']} | {figures['errors']} "
                f"| {figures['timeouts']} |"
            )
    finally:
        stop(server)


def change_until(database: Path, every: float, stopped: threading.Event) -> None:
    """Change the register every `every` seconds until `stopped`: each change makes every
    kept page and figure out of date."""
    with sqlite3.connect(database) as connection:
        while not stopped.wait(every):
            connection.execute(
                "INSERT INTO audit_entry (at, actor, address, action, target_type, target_id)"
                " VALUES (?, 'bench', '127.0.0.1', 'issue_update', 'issue', 1)",
                (datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),),
            )
            connection.commit()


if __name__ == "__main__":
    main()

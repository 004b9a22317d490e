"""Benchmark: the whole register as CSV, JSON and Excel, side by side with the tools a
journalist already has.

    python bench/export.py --meetings 1000000

Builds a SQLite register of N synthetic meetings (kept in the system's temporary folder
for the next run; `--database` takes one already built), serves it with gunicorn (one sync
worker, no timeout) and downloads /meetings.csv, /meetings.json and /meetings.xlsx as a
client would. Beside them, from a flat table of the very same rows (made from our own
CSV): `sqlite3 -csv`, the floor the disk allows, and Datasette 0.65.5's streamed CSV
(installed into a virtual environment of its own on the first run). For each: seconds,
rows per second and the peak resident memory of the serving process.
"""

import argparse
import csv
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TEMP = Path(tempfile.gettempdir())
DATASETTE = "datasette==0.65.5"
# Where the app keeps the whole register's downloads between changes.
KEPT = ROOT / "instance" / "opendata"
csv.field_size_limit(sys.maxsize)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def peak_rss_mib(pid: int) -> float:
    """The high-water mark of a running process's resident memory."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def serving_pids(root_pid: int) -> list[int]:
    """A server process and its children (gunicorn's workers)."""
    pids, queue = [], [root_pid]
    while queue:
        pid = queue.pop()
        pids.append(pid)
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if children.exists():
            queue += [int(child) for child in children.read_text().split()]
    return pids


def download(url: str, server_pid: int) -> tuple[int, float, float]:
    """Bytes, seconds and the serving processes' peak memory for one full download."""
    started = time.perf_counter()
    size = 0
    with httpx.stream("GET", url, timeout=None) as response:
        response.raise_for_status()
        for chunk in response.iter_raw(1 << 16):
            size += len(chunk)
    seconds = time.perf_counter() - started
    peak = max(peak_rss_mib(pid) for pid in serving_pids(server_pid))
    return size, seconds, peak


def build_register(database: Path, meetings: int) -> None:
    """Migrate the register (a run of an older version may have left it behind) and, when
    it is new, fill it."""
    environment = os.environ | {
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "bench",
        "PUBLIC_URL": "http://127.0.0.1",
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    is_new = not database.exists()
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=environment, check=True)
    if not is_new:
        return
    started = time.perf_counter()
    subprocess.run(
        [*flask, "demo", "--meetings", str(meetings)], cwd=ROOT, env=environment, check=True
    )
    print(f"built {meetings:,} meetings in {time.perf_counter() - started:.0f} s")


def flat_table(csv_path: Path, flat: Path) -> int:
    """The rows of our CSV as one flat table, for sqlite3 and Datasette."""
    flat.unlink(missing_ok=True)
    with open(csv_path, newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        header = next(reader)
        connection = sqlite3.connect(flat)
        columns = ", ".join(f'"{name}"' for name in header)
        connection.execute(f"CREATE TABLE meetings ({columns})")
        marks = ", ".join("?" for _ in header)
        connection.executemany(f"INSERT INTO meetings VALUES ({marks})", reader)
        connection.commit()
        rows = connection.execute("SELECT count(*) FROM meetings").fetchone()[0]
        connection.close()
    return rows


def datasette_binary() -> Path:
    venv = TEMP / "register-bench-datasette"
    binary = venv / "bin" / "datasette"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "pip"), "install", "--quiet"]
        subprocess.run([*pip, DATASETTE, "setuptools<81"], check=True)
    return binary


def serve(command: list[str], environment: dict, url: str) -> subprocess.Popen:
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_until_up(url)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


def report(name: str, rows: int, size: int, seconds: float, peak: float) -> None:
    print(
        f"| {name} | {rows:,} | {size / 2**20:,.0f} MiB | {seconds:.1f} s "
        f"| {rows / seconds:,.0f} | {peak:,.0f} MiB |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--database", type=Path, help="a register already built")
    parser.add_argument("--no-datasette", action="store_true")
    args = parser.parse_args()

    database = args.database or TEMP / f"register-bench-{args.meetings}.db"
    build_register(database, args.meetings)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = os.environ | {
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "bench",
        "PUBLIC_URL": base,
    }
    gunicorn = [sys.executable, "-m", "gunicorn", "-w", "1", "-t", "0", "-b", f"127.0.0.1:{port}"]
    server = serve([*gunicorn, "wsgi:app"], environment, base + "/")
    print("| export | rows | size | time | rows/s | peak RSS |")
    print("|---|---|---|---|---|---|")
    csv_copy = TEMP / f"register-bench-{database.stem}.csv"
    try:
        # A copy of our CSV: the same rows for the flat table of the other tools.
        with httpx.stream("GET", base + "/meetings.csv", timeout=None) as response:
            with open(csv_copy, "wb") as out:
                for chunk in response.iter_raw(1 << 16):
                    out.write(chunk)
        with open(csv_copy, newline="", encoding="utf-8") as copy:
            rows = sum(1 for _ in csv.reader(copy)) - 1
        for path in ("/meetings.csv", "/meetings.json"):
            # The first download after a change writes the file it sends; the next ones
            # are sent from that file (register/keptfiles.py).
            for kept in KEPT.glob("meetings-*"):
                kept.unlink()
            size, seconds, peak = download(base + path, server.pid)
            report(f"ours {path}, first after a change", rows, size, seconds, peak)
            size, seconds, peak = download(base + path, server.pid)
            report(f"ours {path}, kept until the next change", rows, size, seconds, peak)
        size, seconds, peak = download(base + "/meetings.xlsx", server.pid)
        report("ours /meetings.xlsx", rows, size, seconds, peak)
    finally:
        stop(server)

    flat = TEMP / f"register-bench-{database.stem}-flat.db"
    if flat_table(csv_copy, flat) != rows:
        raise SystemExit("the flat table lost rows")
    started = time.perf_counter()
    floor = subprocess.Popen(
        ["sqlite3", "-csv", "-header", str(flat), "SELECT * FROM meetings"],
        stdout=subprocess.PIPE,
    )
    size = sum(len(chunk) for chunk in iter(lambda: floor.stdout.read(1 << 16), b""))
    _pid, _status, usage = os.wait4(floor.pid, 0)
    report(
        "sqlite3 -csv (flat table)",
        rows,
        size,
        time.perf_counter() - started,
        usage.ru_maxrss / 1024,
    )

    if args.no_datasette:
        return
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(datasette_binary()), "serve", str(flat), "-p", str(port)]
    command += ["--setting", "sql_time_limit_ms", "3600000", "--setting", "num_sql_threads", "1"]
    # Datasette stops a CSV at 100 MB unless told otherwise: every row, as for the others.
    command += ["--setting", "max_csv_mb", "0"]
    datasette = serve(command, os.environ.copy(), url + "/")
    try:
        size, seconds, peak = download(
            f"{url}/{flat.stem}/meetings.csv?_stream=on&_size=max", datasette.pid
        )
        report("Datasette 0.65.5 (flat table, _stream=on)", rows, size, seconds, peak)
    finally:
        stop(datasette)


if __name__ == "__main__":
    main()

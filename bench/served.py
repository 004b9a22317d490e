"""Benchmark: gunicorn's settings on a large register, as production would serve it.

    python bench/served.py --meetings 200000 [--database FILE]

Serves a SQLite register of N synthetic meetings (built as bench/export.py builds it, or
`--database`) under deploy/gunicorn.conf.py and under gunicorn's defaults for a 2-core
server (sync workers, 30 s timeout), and for each measures: the whole register as CSV, the
first download after a change (written while it is sent) and the kept file; and how long
pages take while that first download is being written, and with nothing else running.
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export import KEPT, ROOT, build_register, free_port, serving_pids  # noqa: E402

TEMP = Path(tempfile.gettempdir())
CONFIG = str(ROOT / "deploy" / "gunicorn.conf.py")
SETUPS = {
    "deploy/gunicorn.conf.py (gthread, 3 × 4 threads, timeout 60 s)": ["--config", CONFIG],
    "gthread, 2 × 8 threads": ["--config", CONFIG, "--workers", "2", "--threads", "8"],
    "sync × 5 (2 × cores + 1), gunicorn's default timeout of 30 s": [
        "--workers", "5", "--worker-class", "sync", "--timeout", "30",
    ],
}  # fmt: skip
PAGES = ("/", "/meetings", "/meetings/4711", "/meetings?q=region", "/api/v1/meetings?limit=20")
CLIENTS = 4


def start(options: list[str], database: Path, port: int) -> subprocess.Popen:
    environment = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "bench",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PYTHON_DOTENV_DISABLED": "1",
    }
    command = [sys.executable, "-m", "gunicorn", *options, "--bind", f"127.0.0.1:{port}"]
    command += ["--access-logfile", "/dev/null", "--no-control-socket", "wsgi:app"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).is_success:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer")


def download_csv(base: str) -> tuple[int, float, bool]:
    """Rows, seconds, and whether the whole file arrived."""
    started = time.perf_counter()
    lines = 0
    whole = True
    try:
        with httpx.stream("GET", base + "/meetings.csv", timeout=None) as response:
            for chunk in response.iter_raw(1 << 16):
                lines += chunk.count(b"\r\n")
    except httpx.TransportError:
        whole = False
    # Rows with line breaks inside cells are counted more than once: close enough here.
    return lines - 1, time.perf_counter() - started, whole


def page_times(base: str, stop: threading.Event, seconds: float) -> list[float]:
    """Milliseconds per page, CLIENTS clients at once, until `stop` or `seconds`."""
    times: list[float] = []
    deadline = time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(base_url=base, timeout=120) as http:
            while not stop.is_set() and time.monotonic() < deadline:
                for page in PAGES:
                    started = time.perf_counter()
                    http.get(page).raise_for_status()
                    times.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def summary(times: list[float]) -> str:
    if len(times) < 2:
        return "–"
    p95 = statistics.quantiles(times, n=20)[-1]
    return f"{statistics.median(times):.0f} ms / {p95:.0f} ms ({len(times)})"


def peak_rss_mib(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) / 1024
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=200_000)
    parser.add_argument("--database", type=Path, help="a register already built")
    args = parser.parse_args()
    database = args.database or TEMP / f"register-bench-{args.meetings}.db"
    build_register(database, args.meetings)

    print(
        "| setup | first CSV after a change | kept CSV "
        "| pages during the first CSV, median / p95 (n) | pages alone | peak RSS, all processes |"
    )
    print("|---|---|---|---|---|---|")
    for name, options in SETUPS.items():
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start(options, database, port)
        try:
            for page in PAGES:  # counts kept per process: warm each worker a little
                for _ in range(6):
                    httpx.get(base + page, timeout=120)
            for kept in KEPT.glob("meetings-*"):
                kept.unlink()
            result: list = []
            stop = threading.Event()

            def first_download(base=base, result=result, stop=stop):
                result.append(download_csv(base))
                stop.set()

            downloader = threading.Thread(target=first_download)
            downloader.start()
            busy = page_times(base, stop, seconds=600)
            downloader.join()
            rows, seconds, whole = result[0]
            first = f"{rows:,} rows in {seconds:.1f} s" + ("" if whole else ", **cut off**")
            if whole:
                rows, seconds, _ = download_csv(base)
                kept = f"{seconds:.1f} s"
            else:
                kept = "–"
            alone = page_times(base, threading.Event(), seconds=10)
            peak = peak_rss_mib(serving_pids(server.pid))
            print(
                f"| {name} | {first} | {kept} | {summary(busy)} | {summary(alone)} "
                f"| {peak:,.0f} MiB |",
                flush=True,
            )
        finally:
            server.terminate()
            server.wait(timeout=180)
            for abandoned in KEPT.glob(".writing-*"):  # a killed worker's half-written file
                abandoned.unlink()


if __name__ == "__main__":
    main()

"""deploy/gunicorn.conf.py, tried: the register serves under it, its access log and the
audit log are JSON lines, and a download that outlasts the worker timeout still arrives
whole, where sync workers with the same timeout cut it off."""

import csv
import io
import json
import time

import httpx
import pytest

from .conftest import ROOT, WebUser

pytestmark = pytest.mark.server

CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
TIMEOUT = 3  # seconds: the worker timeout of the slowed download's server
CHUNK_DELAY = 3.0  # seconds after each chunk of the CSV (two chunks): it outlasts TIMEOUT


def access_lines(log: str) -> list[dict]:
    return [json.loads(line) for line in log.splitlines() if line.startswith("{")]


def logged_request(served, path: str, seconds: float = 5) -> dict:
    """The access log's line for `path` (a worker writes it just after the response)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for line in access_lines(served.log()):
            if line.get("path") == path:
                return line
        time.sleep(0.05)
    pytest.fail(f"no access log line for {path}:\n" + served.log())


def test_the_production_settings_serve_the_register_and_log_json_lines(served, world, records):
    records.meeting(official_ids=[world["official"]], organisation_ids=[world["organisation"]])
    url = served.start(options=["--config", str(CONFIG)])
    quoted = 'a "quoted" agent\\'
    with WebUser(url) as visitor:
        assert visitor.get("/healthz").status_code == 200
        assert visitor.get("/readyz").status_code == 200
        response = visitor.get("/meetings", params={"q": "dubbel"}, headers={"User-Agent": quoted})
        assert response.status_code == 200
        assert visitor.get("/meetings/999").status_code == 404
        visitor.login("official@example.org")

    assert "Using worker: gthread" in served.log()
    line = logged_request(served, "/meetings")
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["query"] == "q=dubbel"
    assert line["user_agent"] == quoted  # escaped in JSON, not breaking the line
    assert line["bytes"] == len(response.content)
    assert line["duration_ms"] >= 0
    assert logged_request(served, "/meetings/999")["status"] == 404
    # The probes' successes are not logged: they would drown the rest.
    paths = {line.get("path") for line in access_lines(served.log())}
    assert not paths & {"/healthz", "/readyz"}
    # The audit log's lines go to the same place, JSON too.
    [sign_in] = [line for line in access_lines(served.log()) if line.get("action") == "sign_in"]
    assert sign_in["actor"] == "official@example.org" and sign_in["audit_id"]


@pytest.mark.parametrize(
    "worker_class", [None, "sync"], ids=["the settings' worker class", "sync workers"]
)
def test_a_download_longer_than_the_worker_timeout(served, world, records, worker_class):
    for day in range(3):
        records.meeting(subject=f"Möte {day}", official_ids=[world["official"]])
    options = ["--config", str(CONFIG), "--workers", "1", "--timeout", str(TIMEOUT)]
    if worker_class:
        # One thread, or gunicorn makes a "sync" worker with threads a gthread one.
        options += ["--worker-class", worker_class, "--threads", "1"]
    url = served.start(
        options=options,
        wsgi_app="tests.server.slow_app:app",
        extra_env={"SLOW_CHUNK_SECONDS": str(CHUNK_DELAY)},
    )
    received = b""
    started = time.monotonic()
    with WebUser(url) as journalist:
        try:
            with journalist.client.stream("GET", "/meetings.csv?format=in_person") as response:
                assert response.status_code == 200
                for chunk in response.iter_bytes():
                    received += chunk
            cut = False
        except httpx.RemoteProtocolError:
            cut = True
    seconds = time.monotonic() - started

    if worker_class is None:
        assert not cut
        assert seconds > TIMEOUT
        rows = list(csv.DictReader(io.StringIO(received.decode())))
        assert sorted(row["subject"] for row in rows) == ["Möte 0", "Möte 1", "Möte 2"]
    else:
        # The sync worker is killed mid-download: what the gthread worker prevents.
        assert cut
        assert "Using worker: sync" in served.log()
        assert "WORKER TIMEOUT" in served.log()
        served.allow_tracebacks = True

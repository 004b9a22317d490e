"""The harness itself: the real app under several gunicorn workers, with concurrent clients."""

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest

from .conftest import WebUser

pytestmark = pytest.mark.server

VISITORS = 8


def test_workers_serve_concurrent_visitors_and_keep_the_desk_signed_in_only(served, world, records):
    subject = "Samråd om nattågen till Oslo"
    records.meeting(
        subject=subject,
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
        issue_ids=[world["issue"]],
    )
    url = served.start(workers=4)
    assert len(set(served.worker_pids)) == 4

    start_together = threading.Barrier(VISITORS, timeout=10)

    def visit(_):
        with WebUser(url) as visitor:
            start_together.wait()
            response = visitor.get("/meetings")
            return response.status_code, subject in response.text

    with ThreadPoolExecutor(VISITORS) as pool:
        answers = list(pool.map(visit, range(VISITORS), timeout=60))
    assert answers == [(200, True)] * VISITORS

    with WebUser(url) as official, WebUser(url) as anonymous:
        official.login("official@example.org")
        assert official.get("/desk/").status_code == 200
        response = anonymous.get("/desk/")
        assert response.status_code == 302
        assert urlsplit(response.headers["location"]).path == "/login"

"""Kept pages under the production settings (threads in several processes): a page made
for anonymous visitors never reaches someone signed in, a signed-in page never reaches
anyone else, and a publication reaches every process's copy of the page."""

import threading
import time

import httpx
import pytest

from ..test_meeting_form import meeting_form
from .conftest import ROOT, WebUser
from .test_promises import run_concurrently

pytestmark = pytest.mark.server

CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
VISITORS = 8
SIGNED_IN = 2
SIGNED_IN_MARK = "data-keep-session="  # on every page of a signed-in person, on no other
REQUESTS = 40
FRESH_WITHIN = 15  # seconds: every process has made the page again by then


def test_kept_pages_are_never_shared_with_the_signed_in_and_follow_a_publication(
    served, records, world
):
    records.meeting(subject="Det första mötet", official_ids=[world["official"]])
    url = served.start(options=["--config", str(CONFIG)])
    published = threading.Event()
    start = threading.Barrier(VISITORS + SIGNED_IN + 1, timeout=60)

    def visit(n: int) -> list[tuple[int, bool]]:
        seen = []
        with WebUser(url) as person:
            if n < SIGNED_IN:
                person.login("official@example.org")
            start.wait()
            for _ in range(REQUESTS):
                response = person.get("/meetings")
                seen.append((response.status_code, SIGNED_IN_MARK in response.text))
        return [(n < SIGNED_IN, status, marked) for status, marked in seen]

    def publish(_):
        with WebUser(url) as official:
            official.login("official@example.org")
            token = official.form_token("/desk/meetings/new")
            start.wait()
            form = meeting_form(token, world, subject="Det andra mötet")
            assert official.post("/desk/meetings/new", data=form).status_code == 302
            published.set()
        return []

    answers = run_concurrently(
        lambda n: publish(n) if n == VISITORS + SIGNED_IN else visit(n),
        VISITORS + SIGNED_IN + 1,
    )
    seen = [answer for person in answers for answer in person]
    assert len(seen) == (VISITORS + SIGNED_IN) * REQUESTS
    assert all(status == 200 for _signed_in, status, _marked in seen)
    assert all(marked == signed_in for signed_in, _status, marked in seen)
    assert published.is_set()

    # Each process makes the page again once; until then it may give the one before.
    deadline = time.monotonic() + FRESH_WITHIN
    while True:
        # A new connection each: the processes take turns accepting them.
        pages = [httpx.get(url + "/meetings", trust_env=False).text for _ in range(12)]
        if all("Det andra mötet" in page for page in pages):
            break
        assert time.monotonic() < deadline, "a process still gives the page of before"
        time.sleep(0.2)

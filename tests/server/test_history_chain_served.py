"""Concurrent publishers under gunicorn leave one unbroken hash chain, never a fork."""

import threading

import pytest

from register import history
from register.extensions import db

from ..test_meeting_form import meeting_form
from .conftest import WebUser
from .test_promises import run_concurrently

pytestmark = pytest.mark.server

CLIENTS = 4
PUBLICATIONS = 10


def test_concurrent_publishers_leave_an_unbroken_chain(app, served, world):
    url = served.start(workers=4)
    start = threading.Barrier(CLIENTS, timeout=60)

    def publish(client: int) -> int:
        published = 0
        with WebUser(url) as official:
            official.login("official@example.org")
            token = official.form_token("/desk/meetings/new")
            start.wait()
            for n in range(PUBLICATIONS):
                form = meeting_form(token, world, subject=f"Möte {client}.{n}")
                response = official.post("/desk/meetings/new", data=form)
                assert response.status_code == 302
                published += 1
        return published

    assert sum(run_concurrently(publish, CLIENTS)) == CLIENTS * PUBLICATIONS
    with app.app_context(), db.engine.connect() as connection:
        result = history.verify(connection)
    assert isinstance(result, history.Verified), str(result)
    assert result.count == CLIENTS * PUBLICATIONS
    with WebUser(url) as visitor:
        assert result.head in visitor.get("/data").text

"""Writes under load and through a crash, tried from outside: gunicorn with four workers.

Twenty clients submit a thousand meetings through the form at once: exactly a thousand
are stored, each once, numbered without gaps, and no request fails. A server killed with
SIGKILL in the middle of a stream of publications keeps every publication it
acknowledged, and the database it leaves behind is whole: the server starts on it again
and numbering goes on where it stopped.
"""

import threading
import time

import pytest
from sqlalchemy import func, select, text

from register.extensions import db
from register.models import Meeting

from ..conftest import history_chain_breaks
from ..test_meeting_form import meeting_form
from .conftest import WebUser
from .test_promises import run_concurrently

pytestmark = pytest.mark.server

CLIENTS = 20
MEETINGS = 1000


def test_a_thousand_meetings_from_twenty_clients_are_stored_once_each(app, served, world):
    url = served.start(workers=4)
    start = threading.Barrier(CLIENTS, timeout=60)

    def submit(client: int) -> list[tuple[str, int]]:
        sent = []
        with WebUser(url) as official:
            official.login("official@example.org")
            token = official.form_token("/desk/meetings/new")
            start.wait()
            for n in range(MEETINGS // CLIENTS):
                subject = f"Möte {client}.{n}"
                form = meeting_form(token, world, subject=subject)
                sent.append((subject, official.post("/desk/meetings/new", data=form).status_code))
        return sent

    sent = [item for client in run_concurrently(submit, CLIENTS) for item in client]
    assert [status for _subject, status in sent] == [302] * MEETINGS
    with app.app_context():
        stored = db.session.execute(select(Meeting.subject, Meeting.number)).all()
    assert sorted(subject for subject, _number in stored) == sorted(s for s, _ in sent)
    assert sorted(number for _subject, number in stored) == list(range(1, MEETINGS + 1))
    assert history_chain_breaks(app) == []


def test_a_killed_server_keeps_every_publication_it_acknowledged(app, served, world):
    url = served.start(workers=2)
    acknowledged: dict[str, int] = {}
    stop = threading.Event()

    def publish(client: int) -> None:
        with WebUser(url) as official:
            official.login("official@example.org")
            token = official.form_token("/desk/meetings/new")
            n = 0
            while not stop.is_set():
                subject = f"Möte {client}.{n}"
                try:
                    response = official.post(
                        "/desk/meetings/new", data=meeting_form(token, world, subject=subject)
                    )
                except Exception:  # the server died under this request: not acknowledged
                    return
                if response.status_code == 302:
                    acknowledged[subject] = int(response.headers["Location"].rsplit("/", 1)[-1])
                n += 1

    writers = [threading.Thread(target=publish, args=(client,)) for client in range(4)]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    served.kill()  # while the writers are still sending
    stop.set()
    for writer in writers:
        writer.join(timeout=30)
    assert len(acknowledged) >= 40, "too few publications before the kill to mean anything"

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        stored = dict(
            db.session.execute(
                select(Meeting.subject, Meeting.number).where(Meeting.status == "published")
            ).all()
        )
        highest = db.session.scalar(select(func.max(Meeting.number)))
    lost = [subject for subject, number in acknowledged.items() if stored.get(subject) != number]
    print(f"acknowledged {len(acknowledged)}, stored {len(stored)}, lost {len(lost)}", end=" ")
    assert lost == []
    assert sorted(stored.values()) == list(range(1, highest + 1))  # no gaps either
    assert history_chain_breaks(app) == []

    # The server starts on what the crash left, and numbering goes on without a gap.
    url = served.start(workers=2)
    with WebUser(url) as official:
        official.login("official@example.org")
        token = official.form_token("/desk/meetings/new")
        response = official.post(
            "/desk/meetings/new", data=meeting_form(token, world, subject="Efter krascher")
        )
        assert response.headers["Location"].endswith(f"/meetings/{highest + 1}")

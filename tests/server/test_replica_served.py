"""Under gunicorn, every worker routes alike: anonymous reads go to the read replica,
a signed-in official's to the primary, whichever worker answers."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from ..conftest import COPIED, NOT_YET_COPIED
from .conftest import WebUser

pytestmark = pytest.mark.server

WORKERS = 4
READS = 24


def read(url: str, path: str) -> str:
    with WebUser(url) as visitor:
        response = visitor.get(path)
        assert response.status_code == 200
        return response.text


def test_every_worker_reads_the_replica_for_visitors_and_the_primary_for_officials(
    replica, lagging, served
):
    url = served.start(workers=WORKERS, extra_env={"DATABASE_REPLICA_URL": replica.url})
    paths = ["/meetings", "/meetings.csv", "/api/v1/meetings"] * (READS // 3)
    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(lambda path: read(url, path), paths))
    assert all(COPIED in body and NOT_YET_COPIED not in body for body in bodies)
    with WebUser(url) as official:
        official.login("official@example.org")
        for _ in range(WORKERS * 2):
            assert NOT_YET_COPIED in official.get("/desk/").text
            assert NOT_YET_COPIED in official.get("/meetings").text

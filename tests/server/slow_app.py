"""The register's WSGI app with its CSV downloads slowed down, for the tests of gunicorn's
settings: after each chunk of `/meetings.csv` it waits SLOW_CHUNK_SECONDS, as a
million-meeting download does between the batches it makes."""

import os
import time

from wsgi import app as register

DELAY = float(os.environ.get("SLOW_CHUNK_SECONDS", "0"))


def app(environ, start_response):
    body = register(environ, start_response)
    if environ.get("PATH_INFO") != "/meetings.csv":
        return body
    return slowed(body)


def slowed(body):
    try:
        for chunk in body:
            yield chunk
            time.sleep(DELAY)
    finally:
        if hasattr(body, "close"):
            body.close()

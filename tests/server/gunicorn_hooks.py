"""Gunicorn settings for the test server: each worker says when it can serve requests.

The harness in conftest.py passes this file with `--config` and names a file in
SERVER_READY_FILE; every worker appends its pid there once it has loaded the app.
"""

import os


def post_worker_init(worker):
    """Record that this worker has loaded the app and is about to accept requests."""
    ready_file = os.environ.get("SERVER_READY_FILE")
    if ready_file:
        with open(ready_file, "a") as ready:
            ready.write(f"{os.getpid()}\n")

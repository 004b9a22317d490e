"""The real app under gunicorn with several worker processes, reached over HTTP.

For tests that need what the test client cannot give: separate processes, each with its
own database connections, answering concurrent clients. A test creates its records first,
then starts the server, then talks to it with `WebUser`s:

    def test_two_officials_save_at_once(served, world, records):
        records.meeting(official_ids=[world["official"]])
        url = served.start(workers=4, extra_env={"PUBLISH_WITHIN_DAYS": "7"})
        with WebUser(url) as official:
            official.login("official@example.org")
            token = official.form_token("/desk/")
            ...

`start()` returns once every worker has loaded the app, so requests really can run in
parallel. The server uses the test's fresh database and is configured like the test app;
nothing else from the environment, and no `.env` file, reaches it. At teardown it is
stopped with its whole process group, so no worker outlives the test. A failing test shows
the server's log; a traceback in the log fails a test that otherwise passed, unless the
test sets `served.allow_tracebacks = True`.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ..conftest import CSRF_PATTERN, PASSWORD, code_for

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
HOOKS = Path(__file__).with_name("gunicorn_hooks.py")
# What a process needs from the outer environment; the app's settings are all set here.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR")
START_TIMEOUT = 20
STOP_TIMEOUT = 10
CLIENT_TIMEOUT = 30


class GunicornServer:
    """`gunicorn wsgi:app` on a free loopback port, on the test app's database."""

    def __init__(self, app, workdir: Path):
        self.app = app
        self.log_path = workdir / "gunicorn.log"
        self.ready_path = workdir / "gunicorn.ready"
        self.url: str | None = None
        self.allow_tracebacks = False
        self._process: subprocess.Popen | None = None

    def start(
        self,
        workers: int = 4,
        extra_env: dict[str, str] | None = None,
        options: list[str] | None = None,
        wsgi_app: str = "wsgi:app",
    ) -> str:
        """Start the server and wait until every worker can serve; return its base URL.

        `options` replace the harness's own gunicorn options (e.g. `--config` with the
        production settings); the server is then ready once `/healthz` answers.
        After `stop()` it may be started again, on a new port.
        """
        if self._process is not None:
            raise RuntimeError("the server is running already")
        self.ready_path.unlink(missing_ok=True)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        harness_options = options is None
        if harness_options:
            options = [
                "--config", str(HOOKS),
                "--workers", str(workers),
                "--timeout", "60",
                "--graceful-timeout", "5",
                "--access-logfile", "-",
                # Else every server shares one control socket in the home directory.
                "--no-control-socket",
            ]  # fmt: skip
        command = [str(GUNICORN), *options, "--bind", f"127.0.0.1:{port}", wsgi_app]
        with open(self.log_path, "ab") as log:
            self._process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self._environment(extra_env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, to be stopped as one
            )
        if harness_options:
            self._wait_until_ready(port, workers)
        else:
            self._wait_until_healthy()
        return self.url

    def _environment(self, extra_env: dict[str, str] | None) -> dict[str, str]:
        config = self.app.config
        env = {name: os.environ[name] for name in INHERITED if name in os.environ}
        env.update(
            DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"],
            SECRET_KEY=config["SECRET_KEY"],
            REGISTER_NAME=config["REGISTER_NAME"],
            REGISTER_TIMEZONE=config["TIMEZONE"],
            DEFAULT_LOCALE=config["DEFAULT_LOCALE"],
            PUBLISH_WITHIN_DAYS=str(config["PUBLISH_WITHIN_DAYS"]),
            # The tests' cheap hashes, so that no sign-in rehashes them.
            ARGON2_TIME_COST=str(config["ARGON2_TIME_COST"]),
            ARGON2_MEMORY_COST=str(config["ARGON2_MEMORY_COST"]),
            ARGON2_PARALLELISM=str(config["ARGON2_PARALLELISM"]),
            SESSION_COOKIE_SECURE="0",
            PUBLIC_URL=self.url,
            PYTHON_DOTENV_DISABLED="1",  # a developer's .env must not configure the server
            SERVER_READY_FILE=str(self.ready_path),
        )
        env.update(extra_env or {})
        return env

    def _wait_until_ready(self, port: int, workers: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while len(self.worker_pids) < workers:
            if self._process.poll() is not None:
                pytest.fail(
                    f"gunicorn exited with {self._process.returncode} before it was ready:\n"
                    + self.log()
                )
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"gunicorn was not ready within {START_TIMEOUT} s:\n" + self.log())
            time.sleep(0.05)
        # The master binds the port before it starts a worker: it must answer by now.
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError as error:
            pytest.fail(
                f"gunicorn's workers are ready but its port is not ({error}):\n" + self.log()
            )

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self._process.poll() is not None:
                pytest.fail(
                    f"gunicorn exited with {self._process.returncode} before it was ready:\n"
                    + self.log()
                )
            try:
                if httpx.get(self.url + "/healthz", timeout=1, trust_env=False).is_success:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"/healthz did not answer within {START_TIMEOUT} s:\n" + self.log())
            time.sleep(0.1)

    @property
    def worker_pids(self) -> list[int]:
        """The workers that have loaded the app, in the order they did."""
        if not self.ready_path.exists():
            return []
        return [int(line) for line in self.ready_path.read_text().split()]

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), kill after a while, and leave no worker behind."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # the whole group is gone already
        process.wait(timeout=STOP_TIMEOUT)
        self._process = None

    def kill(self) -> None:
        """Stop the server as a power cut would: SIGKILL to the master and every worker,
        in the middle of whatever they were doing."""
        process = self._process
        if process is None:
            return
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)
        self._process = None

    def log(self) -> str:
        """What gunicorn and the app printed: start-up, access log, errors."""
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    """A port that nothing listens on now; gunicorn binds it a moment later."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pytest_collection_modifyitems(items):
    """Under pytest-xdist (`make test`) the server tests are one group, run in one worker
    one after another, and each alone (tests/turns.py)."""
    for item in items:
        if item.get_closest_marker("server"):
            item.add_marker(pytest.mark.xdist_group("server"))


@pytest.fixture
def served(app, tmp_path, request):
    """The app of this test, ready to be served by gunicorn: call `served.start()`."""
    server = GunicornServer(app, tmp_path)
    yield server
    server.stop()
    log_shown = getattr(request.node, "server_log_shown", False)
    if not log_shown and not server.allow_tracebacks and "Traceback" in server.log():
        pytest.fail("the server logged a traceback:\n" + server.log(), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Show the server's log under a failing test."""
    report = yield
    server = getattr(item, "funcargs", {}).get("served")
    if report.when == "call" and report.failed and isinstance(server, GunicornServer):
        report.sections.append(("gunicorn log", server.log()))
        item.server_log_shown = True
    return report


class WebUser:
    """One visitor with their own cookies, talking HTTP to the served app."""

    def __init__(self, base_url: str):
        self.client = httpx.Client(
            base_url=base_url,
            follow_redirects=False,
            timeout=CLIENT_TIMEOUT,
            trust_env=False,  # no proxy: only the server on 127.0.0.1
        )

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def post(self, path: str, **kwargs) -> httpx.Response:
        return self.client.post(path, **kwargs)

    def form_token(self, path: str) -> str:
        """The CSRF token of the form on a page, as a browser would send it back."""
        response = self.get(path)
        assert response.status_code == 200, f"GET {path} answered {response.status_code}"
        match = CSRF_PATTERN.search(response.text)
        assert match, f"{path} has no CSRF token"
        return match.group(1)

    def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        """Sign in through the login form; the session cookie is kept for later requests."""
        token = self.form_token("/login")
        response = self.post(
            "/login", data={"email": email, "password": password, "csrf_token": token}
        )
        if response.headers.get("Location") == "/login/code":  # two-step sign-in
            token = self.form_token("/login/code")
            data = {"code": code_for(email), "csrf_token": token}
            response = self.post("/login/code", data=data)
        assert response.status_code == 302, f"signing in as {email} answered {response.status_code}"
        return response

    def close(self) -> None:
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

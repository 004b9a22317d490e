"""The deployment files agree with each other and with the app: what can be checked
without Docker, systemd or nginx at hand (docs/deploy.md)."""

import configparser
import os
import re
import runpy
from pathlib import Path

import pytest
import yaml
from gunicorn.config import Config as GunicornConfig

from register.extensions import db

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NGINX_UPSTREAM_KEEPALIVE = 60  # nginx's keepalive_timeout to an upstream, by default


@pytest.fixture(scope="module")
def gunicorn():
    """deploy/gunicorn.conf.py as gunicorn reads it, each value through its validator."""
    config = GunicornConfig()
    for name, value in runpy.run_path(str(DEPLOY / "gunicorn.conf.py")).items():
        if name in config.settings:
            config.set(name, value)
    return config


@pytest.fixture(scope="module")
def systemd_unit():
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read(DEPLOY / "register.service")
    return parser


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def seconds(duration: str) -> int:
    match = re.fullmatch(r"(\d+)(s?)", duration)
    assert match, f"{duration!r} is not a number of seconds"
    return int(match.group(1))


def test_gunicorn_runs_threads_that_fit_the_connection_pool(gunicorn, app):
    assert gunicorn.worker_class_str == "gthread"
    assert gunicorn.wsgi_app == "wsgi:app"
    assert gunicorn.max_requests > 0 and gunicorn.max_requests_jitter > 0
    assert gunicorn.logger_class.__name__ == "JsonAccessLogger"
    assert gunicorn.control_socket_disable
    with app.app_context():
        # Each thread gets a pooled connection without opening overflow ones.
        assert gunicorn.threads <= db.engine.pool.size()


def test_gunicorn_keeps_idle_connections_longer_than_the_proxy(gunicorn):
    assert gunicorn.keepalive > NGINX_UPSTREAM_KEEPALIVE


def test_stopping_waits_longer_than_gunicorn_lets_downloads_finish(gunicorn, systemd_unit, compose):
    assert seconds(systemd_unit["Service"]["TimeoutStopSec"]) > gunicorn.graceful_timeout
    assert seconds(compose["services"]["app"]["stop_grace_period"]) > gunicorn.graceful_timeout


def test_the_systemd_unit_runs_unprivileged_and_hardened(systemd_unit):
    service = systemd_unit["Service"]
    assert service["User"] not in ("", "root")
    assert service["ExecStart"].endswith("--config deploy/gunicorn.conf.py")
    assert "db upgrade" in service["ExecStartPre"]
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"].endswith("/instance")
    assert service["CapabilityBoundingSet"] == ""


def test_compose_runs_the_app_on_postgresql_15_with_health_checks(compose):
    db_service, app_service = compose["services"]["db"], compose["services"]["app"]
    assert db_service["image"] == "postgres:15"
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db_service["volumes"])
    assert "pg_isready" in " ".join(db_service["healthcheck"]["test"])
    assert "/healthz" in " ".join(app_service["healthcheck"]["test"])
    assert app_service["depends_on"]["db"]["condition"] == "service_healthy"
    environment = app_service["environment"]
    assert environment["DATABASE_URL"].startswith("postgresql://")
    # Secrets come from outside, never written here.
    for name in ("SECRET_KEY", "PUBLIC_URL", "DATABASE_URL"):
        assert "${" in environment[name], name
    assert "${POSTGRES_PASSWORD" in db_service["environment"]["POSTGRES_PASSWORD"]


def test_the_image_is_built_in_stages_and_runs_unprivileged():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.findall(r"^FROM (\S+)", dockerfile, re.M) == ["python:3.11-slim"] * 2
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    assert '"--config", "deploy/gunicorn.conf.py"' in dockerfile
    for line in re.findall(r"^COPY (?!--from)(.+)$", dockerfile, re.M):
        for source in line.split()[:-1]:
            assert (ROOT / source).exists(), f"the Dockerfile copies a missing {source}"
    assert os.access(DEPLOY / "docker-entrypoint.sh", os.X_OK)
    # The catalogues are copied compiled: the image has no step that compiles them.
    assert (ROOT / "register/translations/sv/LC_MESSAGES/messages.mo").exists()


def test_nginx_lets_the_app_answer_large_bodies_and_streams_downloads(app):
    nginx = (DEPLOY / "nginx.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)m;", nginx)
    assert size and int(size.group(1)) * 2**20 > app.config["MAX_CONTENT_LENGTH"]
    assert "alias /srv/register/static/;" in nginx
    assert "Strict-Transport-Security" in nginx
    downloads = re.search(r"location ~ \^/\(meetings(.*?)\}", nginx, re.S)
    assert downloads and "proxy_buffering off;" in downloads.group(0)
    assert re.search(r"proxy_read_timeout (\d+)s;", downloads.group(0))
    for path in ("meetings.csv", "meetings.json", "meetings.xlsx", "data/register.sqlite"):
        pattern = re.search(r"location ~ (\S+) \{", downloads.group(0)).group(1)
        assert re.fullmatch(pattern, "/" + path), path


def test_the_readme_points_to_the_deployment_guide():
    assert (ROOT / "docs" / "deploy.md").exists()
    assert "docs/deploy.md" in (ROOT / "README.md").read_text()

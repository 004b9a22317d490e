"""deploy/nginx.conf, run: real nginx over TLS in front of gunicorn with the production
settings. Only the site's names, ports, certificate and paths are changed for the test;
every directive that shapes what visitors get is the file's own."""

import gzip
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from .conftest import ROOT, free_port

pytestmark = pytest.mark.server

SITE = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = Path("/etc/nginx/mime.types")
HOST = "localhost"  # the site's name in the test, with a certificate made for it


def site_for_test(https_port: int, http_port: int, app_port: int, tls: Path) -> str:
    """The example site with this test's ports, name, certificate and checkout."""
    site = SITE.read_text()
    site = re.sub(r"^\s*listen \[::\].*\n", "", site, flags=re.M)  # no IPv6 on every runner
    site = re.sub(r"listen 80\b", f"listen 127.0.0.1:{http_port}", site)
    site = re.sub(r"listen 443\b", f"listen 127.0.0.1:{https_port}", site)
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    site = site.replace(
        "https://insyn.example.se$request_uri", f"https://{HOST}:{https_port}$request_uri"
    )
    site = site.replace("insyn.example.se", HOST)
    site = re.sub(r"ssl_certificate \S+;", f"ssl_certificate {tls / 'cert.pem'};", site)
    site = re.sub(r"ssl_certificate_key \S+;", f"ssl_certificate_key {tls / 'key.pem'};", site)
    return site.replace("/srv/register/static/", f"{ROOT / 'static'}/")


def main_config(workdir: Path, site: Path) -> str:
    user = "user root root;" if os.geteuid() == 0 else ""  # to read the checkout
    return f"""
{user}
daemon off;
worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{ worker_connections 64; }}
http {{
    include {MIME_TYPES};
    access_log {workdir / "access.log"};
    client_body_temp_path {workdir / "body"};
    proxy_temp_path {workdir / "proxy"};
    fastcgi_temp_path {workdir / "fastcgi"};
    uwsgi_temp_path {workdir / "uwsgi"};
    scgi_temp_path {workdir / "scgi"};
    include {site};
}}
"""


@pytest.fixture
def behind_nginx(served, tmp_path, world, records):
    """The register under gunicorn behind nginx; yields (https URL, http URL)."""
    if not os.access(NGINX, os.X_OK):
        pytest.fail("nginx is not installed: `make install-dev` installs it (Debian's nginx)")
    records.meeting(
        subject="Dubbelspår",
        summary="Om banan och dubbelspåret. " * 300,  # pages and downloads worth compressing
        official_ids=[world["official"]],
        organisation_ids=[world["organisation"]],
        issue_ids=[world["issue"]],
    )
    https_port, http_port = free_port(), free_port()
    tls = tmp_path / "tls"
    tls.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
         "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    public_url = f"https://{HOST}:{https_port}"
    app_url = served.start(
        options=["--config", str(ROOT / "deploy" / "gunicorn.conf.py")],
        extra_env={
            "PUBLIC_URL": public_url,
            "FORWARDED_PROXIES": "1",
            "SESSION_COOKIE_SECURE": "1",
            "FORWARDED_ALLOW_IPS": "127.0.0.1",
        },
    )
    # served.start() has its own health check on the app's address; PUBLIC_URL names
    # the proxy, so the app answers only the proxy's Host (and the probes).
    site = tmp_path / "site.conf"
    site.write_text(site_for_test(https_port, http_port, int(app_url.rsplit(":", 1)[1]), tls))
    config = tmp_path / "nginx.conf"
    config.write_text(main_config(tmp_path, site))
    checked = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    nginx = subprocess.Popen(
        [NGINX, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(public_url + "/healthz", verify=False, timeout=1, trust_env=False)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or nginx.poll() is not None:
                    pytest.fail("nginx did not start:\n" + (tmp_path / "error.log").read_text())
                time.sleep(0.1)
        yield public_url, f"http://{HOST}:{http_port}"
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)


def get(url: str, **kwargs) -> httpx.Response:
    headers = {"Accept-Encoding": "gzip"} | kwargs.pop("headers", {})
    return httpx.get(url, verify=False, trust_env=False, timeout=30, headers=headers, **kwargs)


def test_nginx_serves_the_register_over_tls_compressed_and_hardened(behind_nginx):
    public, plain = behind_nginx

    moved = get(plain + "/meetings?q=banan", follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["Location"] == public + "/meetings?q=banan"

    for path, kind in [
        ("/meetings", "text/html"),
        ("/meetings.csv", "text/csv"),
        ("/meetings.json", "application/json"),
    ]:
        with httpx.Client(verify=False, trust_env=False, timeout=30) as client:
            with client.stream("GET", public + path, headers={"Accept-Encoding": "gzip"}) as r:
                assert r.status_code == 200, path
                assert r.headers["Content-Type"].startswith(kind), path
                assert r.headers.get("Content-Encoding") == "gzip", path
                assert r.headers["Strict-Transport-Security"].startswith("max-age="), path
                sent = b"".join(r.iter_raw())
        body = gzip.decompress(sent)  # whole: a cut-off stream does not decompress
        assert "Dubbelspår".encode() in body and len(sent) < len(body) / 3, path
    page = get(public + "/meetings")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]  # the app's
    # Every address in the page is the public one: the app saw the proxy's scheme.
    assert f'href="{public}/' in page.text or 'href="/' in page.text
    assert "http://127.0.0.1" not in page.text

    # The sign-in page carries a CSRF token: never compressed (BREACH).
    login = get(public + "/login")
    assert login.status_code == 200 and "Content-Encoding" not in login.headers

    # Static files come from the checkout through nginx, cached an hour.
    css = get(public + "/static/register.css")
    assert css.status_code == 200
    assert css.headers["Cache-Control"] == "public, max-age=3600"
    assert css.content == (ROOT / "static" / "register.css").read_bytes()


def test_nginx_lets_the_app_refuse_a_large_body_in_its_own_words(behind_nginx):
    public, _ = behind_nginx
    with httpx.Client(verify=False, trust_env=False, timeout=30) as client:
        body = {"email": "x@example.org", "password": "x" * (2 * 2**20 + 1000)}
        too_large = client.post(public + "/login", data=body, headers={"Accept-Language": "en"})
        assert too_large.status_code == 413
        assert "What you sent is too large." in too_large.text  # the app's page, in English
        far_too_large = client.post(public + "/login", content=b"x" * (4 * 2**20))
        assert far_too_large.status_code == 413 and "nginx" in far_too_large.text

"""Gunicorn settings for the register on a 2-core server: `gunicorn --config
deploy/gunicorn.conf.py` from the repository's root. docs/deploy.md gives the
measurements behind each choice; the environment may change the counts.
"""

import json
import os
import traceback
from datetime import UTC, datetime

from gunicorn import glogging

wsgi_app = "wsgi:app"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Threads, not sync workers: a sync worker is killed once one request has taken
# `timeout` seconds, and a million-meeting CSV takes minutes. A gthread worker's main
# loop reports in while its threads serve, so `timeout` only catches a hung process.
worker_class = "gthread"
# Three processes for two cores: the GIL lets one process use about one core, and a
# third keeps pages quick while another writes a whole-register download.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Four threads per process fit SQLAlchemy's pool of five connections without overflow.
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = 60
# On a restart or stop, a download under way gets this long to finish.
graceful_timeout = 120
# Longer than the proxy's idle keep-alive to the app (nginx and the big cloud load
# balancers use 60 s), so the proxy, not gunicorn, closes an idle connection and never
# sends a request down one gunicorn is closing.
keepalive = 75
# A worker is replaced after this many requests (each at its own count) to bound any
# slow growth of memory. Not sooner: a new worker has none of the pages and figures its
# predecessor kept, and counts them again (seconds each in a register of a million
# meetings); at 600 requests/s a limit of 2000 replaced every worker every 10 s.
max_requests = 100_000
max_requests_jitter = 10_000
# The heartbeat file in memory: on a disk-backed /tmp (as in containers) its updates
# can stall a worker.
worker_tmp_dir = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
# Only these addresses may tell gunicorn, with X-Forwarded-Proto, that the request came
# over HTTPS: the proxy's. Behind a load balancer on other hosts, list its addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# No runtime control socket: nothing uses it, and one more way in is one too many.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = "info"

# Probes ask every few seconds; only a failed one is news.
QUIET_PATHS = ("/healthz", "/readyz")


class JsonAccessLogger(glogging.Logger):
    """The access log as JSON lines, one per response; successful health checks left out."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status
        code = int(status.split(None, 1)[0]) if isinstance(status, str) else status
        path = environ.get("PATH_INFO", "")
        if path in QUIET_PATHS and code < 400:
            return
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
            "method": environ.get("REQUEST_METHOD"),
            "path": path,
            "query": environ.get("QUERY_STRING") or None,
            "status": code,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "referer": environ.get("HTTP_REFERER"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info(json.dumps(line, ensure_ascii=False))
        except Exception:
            self.error(traceback.format_exc())


logger_class = JsonAccessLogger

# The register as a container image: gunicorn with deploy/gunicorn.conf.py, as an
# unprivileged user; the database is migrated when the container starts
# (MIGRATE_ON_START=0 leaves that to a release step; docs/deploy.md).

# -- build: the pinned dependencies in a virtual environment --------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install -r /tmp/requirements.txt

# -- run: the environment, the code and nothing else ----------------------------------
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GUNICORN_BIND=0.0.0.0:8000
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin register
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
# The code belongs to root: the app may write its instance folder only. The compiled
# translation catalogues are part of register/.
COPY wsgi.py ./
COPY register/ register/
COPY migrations/ migrations/
COPY templates/ templates/
COPY static/ static/
COPY deploy/gunicorn.conf.py deploy/docker-entrypoint.sh deploy/
RUN mkdir instance && chown register:register instance
USER register
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=5)"]
ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py"]

# Påverkansregistret. `make run` serves the demo register; `make test` runs the suite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-postgres install install-dev browser translations compile-translations bench lint clean

# -- setup -------------------------------------------------------------------------

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed compile-translations
install-dev: $(VENV)/.installed-dev compile-translations browser

# The browser tests drive Debian's Chromium, and a server test runs deploy/nginx.conf in
# Debian's nginx; install them when missing (needs root).
CHROMIUM := /usr/lib/chromium/chromium
SYSTEM_PACKAGES := chromium fonts-dejavu-core nginx openssl
browser:
	@if [ ! -x $(CHROMIUM) ] || [ ! -x /usr/sbin/nginx ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
		else \
			echo "The tests need: sudo apt-get install $(SYSTEM_PACKAGES)"; exit 1; \
		fi; \
	fi

compile-translations: | $(BIN)/python
	$(BIN)/pybabel --quiet compile -d register/translations

# -- the two commands --------------------------------------------------------------

# Development mode: a secret key is kept in instance/, cookies work over plain http.
run: install
	FLASK_DEBUG=1 $(FLASK) db upgrade
	FLASK_DEBUG=1 $(FLASK) demo --if-empty
	@echo ""
	@echo "  The register:  http://$(HOST):$(PORT)/"
	@echo "  Demo accounts (password: demo):"
	@echo "    official@example.org   an official"
	@echo "    registrar@example.org  the registrar"
	@echo "    admin@example.org      an administrator"
	@echo "  The registrar and the admin set up two-step sign-in (an authenticator app) first."
	@echo ""
	FLASK_DEBUG=1 $(FLASK) run --host $(HOST) --port $(PORT)

# The suite on SQLite; again on PostgreSQL when TEST_DATABASE_URL is set. In TEST_WORKERS
# processes (pytest-xdist; 0: one, as plain `pytest` runs); on PostgreSQL each has a database
# of its own beside TEST_DATABASE_URL's (tests/conftest.py). Tests named in PYTEST_ARGS
# run in one process: starting the workers takes longer than most files.
TEST_WORKERS ?= $(if $(filter tests%,$(PYTEST_ARGS)),0,2)
XDIST := $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadgroup)
test: install-dev
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL"; \
		TEST_DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS); \
	fi

# Starts a local PostgreSQL (installing it from Debian packages if needed; root) and runs
# the suite on it.
test-postgres: install-dev
	TEST_DATABASE_URL="$$(bash .ci/postgres.sh)" $(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

# Export speed and memory at two sizes; memory should not grow with the row count.
BENCH_SIZES ?= 20000 200000
bench: install-dev
	@for n in $(BENCH_SIZES); do echo "== $$n meetings"; $(BIN)/python bench/export.py --meetings $$n; done
	@echo "== the pickers' look-up, 100000 organisations"; $(BIN)/python bench/lookup.py --organisations 100000
	@echo "== full-text search, 200000 meetings"; $(BIN)/python bench/search.py --meetings 200000
	@echo "== statistics, 200000 meetings"; $(BIN)/python bench/stats.py --meetings 200000
	@echo "== issue, organisation and official pages"; $(BIN)/python bench/entities.py --meetings 200000 --organisations 100000
	@echo "== import of a 100000-row spreadsheet"; $(BIN)/python bench/import.py --rows 100000

# -- maintenance --------------------------------------------------------------------

lint: install-dev
	$(BIN)/ruff check register tests scripts bench wsgi.py deploy
	$(BIN)/ruff format --check register tests scripts bench wsgi.py deploy
	$(BIN)/lint-imports

translations: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o register/translations/messages.pot .
	$(BIN)/pybabel update -i register/translations/messages.pot -d register/translations \
		--no-fuzzy-matching
	$(BIN)/pybabel compile -d register/translations --statistics

clean:
	rm -rf $(VENV) .pytest_cache
	find . -name __pycache__ -prune -exec rm -rf {} +

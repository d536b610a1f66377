# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Two test processes: the suite is mostly waiting on servers, browsers and databases.
PYTEST_ARGS ?= -n 2

# Test files that mention dates, times or schedules, run with the clock a year ahead.
DATE_TESTS = $(shell grep -rlE 'freeze_time|time_machine|timezone\.now|datetime|go_live_at|expire_at|schedule|cron' tests --include='test_*.py')

.PHONY: clock-ahead run test install install-dev lint format migrate demo docs clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_initial_data

# HOST and PORT reach every process (and the demo loader), so the site's own address matches.
run: export HOST := $(HOST)
run: export PORT := $(PORT)
run: demo
	$(PY) manage.py run_site --host $(HOST) --port $(PORT)

test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

# Monotonic clocks are left alone: only the calendar moves (tests/clock_ahead/sitecustomize.py
# says why sleeps need help). Browser tests stay out: libfaketime reaches Chromium's processes
# through LD_PRELOAD and breaks its zygote, so no page renders.
clock-ahead: install-dev
	PYTHONPATH=tests/clock_ahead FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f "+365d" \
		$(PY) -m pytest $(PYTEST_ARGS) -p no:cacheprovider -m "not browser" -rf $(DATE_TESTS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# docs/checks.md from the check registry and the README's score formula from audit/score.py;
# tests/test_docs.py fails while either is stale.
docs: install
	$(PY) docs/generate.py

clean:
	rm -rf $(VENV) db.sqlite3 media static var .pytest_cache .ruff_cache

# The reference static front end (frontend/README.md): built from CMS_API_URL's /api/v2/ only.
CMS_API_URL ?= http://127.0.0.1:8000
FRONTEND_PORT ?= 8001

.PHONY: frontend frontend-serve
frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

frontend: frontend/node_modules/.package-lock.json
	cd frontend && CMS_API_URL=$(CMS_API_URL) FRONTEND_PORT=$(FRONTEND_PORT) node build.js --full

# Serves frontend/dist/ and rebuilds on the CMS's webhooks (FRONTEND_WEBHOOK_SECRET, and
# FRONTEND_FEED_TOKEN for catching up after downtime).
frontend-serve: frontend/node_modules/.package-lock.json
	cd frontend && CMS_API_URL=$(CMS_API_URL) FRONTEND_PORT=$(FRONTEND_PORT) node server.js

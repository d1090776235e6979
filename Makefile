# citymgmt: the two commands the README promises.
#
#   make run     set up .venv, migrate, seed the demo city, start web + worker + beat
#   make test    set up .venv with the test extra, then ruff + pytest (every group)
#
# Variables: PORT=8000 (make run), PYTEST_ARGS="-k grids -x" (make test, make test-quick),
# XDIST=auto (how many pytest-xdist workers; 0 runs the main suite in one process),
# PYTHON=python3.

PYTHON ?= python3
PORT ?= 8000
PYTEST_ARGS ?=
XDIST ?= auto

VENV := .venv
BIN := $(VENV)/bin
# One stamp per extra: pip runs again only when pyproject.toml is newer than the stamp.
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
PIP_INSTALL := $(BIN)/python -m pip install --disable-pip-version-check --progress-bar off

.DEFAULT_GOAL := help

.PHONY: help run test test-quick lint format messages clean-var

help:
	@echo "make run      start the app on http://127.0.0.1:$(PORT)/ (web + Celery worker + beat)"
	@echo "make test     ruff check, ruff format --check, pytest (PYTEST_ARGS=... passes through)"
	@echo "make test-quick  pytest without the browser journeys and real workers, in parallel"
	@echo "make lint     ruff check and format check only"
	@echo "make format   ruff format + ruff check --fix"
	@echo "make messages makemessages -l zh_Hans + compilemessages"

# --- virtualenv -----------------------------------------------------------------------------

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
		echo "error: '$(PYTHON)' not found. citymgmt needs Python >= 3.11:" \
			"install it, or run: make $(MAKECMDGOALS) PYTHON=/path/to/python3.11" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "error: citymgmt needs Python >= 3.11, but $(PYTHON) is $$($(PYTHON) --version 2>&1)." \
			"Install a newer one, or run: make $(MAKECMDGOALS) PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "error: '$(PYTHON) -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2; \
		exit 1; }

# An existing .venv made by an older Python is refused too (delete it to rebuild).
.PHONY: check-venv
check-venv: | $(BIN)/python
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "error: $(VENV) uses $$($(BIN)/python --version); Python >= 3.11 is needed." \
			"Remove $(VENV) and run make again." >&2; exit 1; }

$(STAMP_RUN): pyproject.toml | check-venv
	$(PIP_INSTALL) -e .
	@touch $@

$(STAMP_TEST): pyproject.toml | check-venv
	$(PIP_INSTALL) -e ".[test]"
	@touch $@

# --- run ------------------------------------------------------------------------------------

# honcho gives each Procfile line its own process group and, on Ctrl-C or SIGTERM, stops them
# all (SIGTERM, then SIGKILL after 5 s). `-p` sets $$PORT for the first line (web).
run: $(STAMP_RUN)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py install_schedules
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  citymgmt is starting on  http://127.0.0.1:$(PORT)/"
	@echo "  (web + Celery worker + Celery beat; Ctrl-C stops all three)"
	@echo
	PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho -f Procfile.dev start -p $(PORT)

# --- test -----------------------------------------------------------------------------------

# The suite runs as two pytest runs that together select every test once:
# - the main suite, in parallel: pytest-xdist, one worker per core (at most 8), each given whole
#   files in the order collected, so module fixtures run once and the demo-city modules, which
#   come first, are seeded at most once per worker (tests/conftest.py);
# - then the marked groups, one test at a time: browser journeys (e2e: a live server and
#   Chromium) and tests that start real Celery workers (worker).
# A run that selects nothing exits 5; here that is an error only when neither run selected a test
# (`PYTEST_ARGS="-k locate"` may leave one of them empty), so CI still fails on an empty suite.
PYTEST_MAIN := $(BIN)/pytest -m "not e2e and not worker" -n $(XDIST) --maxprocesses 8 \
	--dist loadfile --no-loadscope-reorder
PYTEST_GROUPS := $(BIN)/pytest -m "e2e or worker"

# (Each command is shown before it runs, quoted for the shell.)
quote = '$(subst ','\'',$(1))'

test: lint
	@echo $(call quote,$(PYTEST_MAIN) $(PYTEST_ARGS)); \
	$(PYTEST_MAIN) $(PYTEST_ARGS); main=$$?; \
	if [ $$main -ne 0 ] && [ $$main -ne 5 ]; then exit $$main; fi; \
	echo $(call quote,$(PYTEST_GROUPS) $(PYTEST_ARGS)); \
	$(PYTEST_GROUPS) $(PYTEST_ARGS); groups=$$?; \
	if [ $$groups -eq 5 ] && [ $$main -eq 0 ]; then exit 0; fi; \
	exit $$groups

# The quick loop: the main suite only (no browser, no real worker, no ruff).
test-quick: $(STAMP_TEST)
	$(PYTEST_MAIN) $(PYTEST_ARGS)

lint: $(STAMP_TEST)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP_TEST)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# --- translations ---------------------------------------------------------------------------

I18N_IGNORE := --ignore=.venv --ignore=static/vendor --ignore=var --ignore=staticfiles --ignore=tests

messages: $(STAMP_RUN)
	$(BIN)/python manage.py makemessages -l zh_Hans $(I18N_IGNORE)
	$(BIN)/python manage.py compilemessages $(I18N_IGNORE)

# Drop the embedded database, Celery folders and uploads (var/); `make run` rebuilds them.
clean-var:
	rm -rf var/

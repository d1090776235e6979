# citymgmt: the two commands the README promises.
#
#   make run     set up .venv, migrate, seed the demo city, start web + worker + beat
#   make test    set up .venv with the test extra, then ruff, lint-imports (the floors) + pytest
#                (every group)
#
# Variables: PORT=8000 and HOTLINE=1 (make run: also the reference 12345 platform), PYTEST_ARGS="-k grids -x" (make test, make test-quick),
# XDIST=auto (how many pytest-xdist workers; 0 runs the main suite in one process),
# PYTHON=python3.

PYTHON ?= python3
PORT ?= 8000
# HOTLINE=1: also start the reference 12345 platform (hotline/reference.py) on HOTLINE_PORT and
# turn the connector on against it, with a development-only shared secret.
HOTLINE ?=
HOTLINE_PORT ?= 8765
DEV_HOTLINE_SECRET := whsec_ZGV2ZWxvcG1lbnQtb25seS0xMjM0NS1zZWNyZXQ=
PYTEST_ARGS ?=
XDIST ?= auto

VENV := .venv
BIN := $(VENV)/bin
# One stamp per extra: the install runs again only when pyproject.toml is newer than the stamp.
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
# `$(INSTALL) ARGS` is `pip install ARGS` done by uv, several times faster than pip (most of a
# fresh clone's first `make run` was pip's); pip still does it when uv cannot be had or fails.
INSTALL := $(BIN)/python -c "$$INSTALL_PY"

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
	$(INSTALL) -e .
	@touch $@

$(STAMP_TEST): pyproject.toml | check-venv
	$(INSTALL) -e ".[test]"
	@touch $@

# uv: the one on PATH, else installed into .venv from the package index (by pip). uv reads none of
# pip's configuration, so it is given pip's (`pip config list`: pip.conf files and PIP_* variables):
# the index, extra indexes (weighed together, as pip does), links, constraints, trusted hosts,
# certificate, proxy and timeout.
define INSTALL_PROGRAM
import ast, os, shutil, subprocess, sys

PIP = [sys.executable, "-m", "pip"]
QUIET = ["--disable-pip-version-check", "--progress-bar", "off"]


def pip_settings():
    listed = subprocess.run(PIP + ["config", "list"], capture_output=True, text=True).stdout
    rank = {"global": 0, "install": 1, ":env:": 2}  # as pip overrides them
    found = {}
    for line in listed.splitlines():
        key, _, value = line.partition("=")
        section, _, name = key.rpartition(".")
        if section in rank and rank[section] >= found.get(name, (-1, None))[0]:
            found[name] = (rank[section], ast.literal_eval(value))
    return {name: value for name, (_rank, value) in found.items()}


def uv_options(settings, env):
    options = []
    flags = {
        "index-url": "--index-url",
        "extra-index-url": "--extra-index-url",
        "find-links": "--find-links",
        "constraint": "--constraint",
        "trusted-host": "--allow-insecure-host",
    }
    for name, flag in flags.items():
        for value in settings.get(name, "").split():
            options += [flag, value]
    if settings.get("extra-index-url"):
        options += ["--index-strategy", "unsafe-best-match"]
    if settings.get("no-index", "").lower() in ("1", "true", "yes", "on"):
        options.append("--no-index")
    for name, variables in [
        ("cert", ["SSL_CERT_FILE"]),
        ("proxy", ["HTTPS_PROXY", "HTTP_PROXY"]),
        ("timeout", ["UV_HTTP_TIMEOUT"]),
        ("default-timeout", ["UV_HTTP_TIMEOUT"]),
    ]:
        for variable in variables:
            if settings.get(name):
                env.setdefault(variable, settings[name])
    return options


def find_uv():
    here = os.path.dirname(sys.executable)
    uv = shutil.which("uv", path=here + os.pathsep + os.environ.get("PATH", ""))
    if uv is None and subprocess.run(PIP + ["install", "--quiet", *QUIET, "uv"]).returncode == 0:
        uv = shutil.which("uv", path=here)
    return uv


uv = find_uv()
if uv is not None:
    env = dict(os.environ)
    # Compiled now (in parallel), as pip does, not by every process's first imports.
    command = [uv, "pip", "install", "--compile-bytecode", "--python", sys.executable]
    if subprocess.run(command + uv_options(pip_settings(), env) + sys.argv[1:], env=env).returncode == 0:
        sys.exit(0)
    print("uv could not install it: pip will", file=sys.stderr)
else:
    print("uv is not to be had: pip installs", file=sys.stderr)
sys.exit(subprocess.run(PIP + ["install", *QUIET] + sys.argv[1:]).returncode)
endef
$(STAMP_RUN) $(STAMP_TEST): export INSTALL_PY := $(INSTALL_PROGRAM)

# --- run ------------------------------------------------------------------------------------

# The demo's SMS go to a file outbox, one JSON file per message under var/sms/, and its e-mails
# to var/mail/, one file per message (an SMS_URL or EMAIL_URL of your own wins); their links lead
# to this server (SITE_URL likewise).
run: export SMS_URL := $(or $(SMS_URL),file://$(CURDIR)/var/sms)
run: export EMAIL_URL := $(or $(EMAIL_URL),file://$(CURDIR)/var/mail)
run: export SITE_URL := $(or $(SITE_URL),http://127.0.0.1:$(PORT))

# honcho gives each Procfile line its own process group and, on Ctrl-C or SIGTERM, stops them
# all (SIGTERM, then SIGKILL after 5 s). `-p` sets $$PORT for the first line (web).
run: $(STAMP_RUN)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py install_schedules
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  citymgmt is starting on  http://127.0.0.1:$(PORT)/"
	@echo "  (web + Celery worker + Celery beat; Ctrl-C stops all three)"
	@echo "  SMS to residents: $$SMS_URL"
	@echo "  E-mail: $$EMAIL_URL"
	@echo
ifeq ($(HOTLINE),1)
	@echo "  12345 reference platform: http://127.0.0.1:$(HOTLINE_PORT)/ (push orders from there)"
	HOTLINE_URL=http://127.0.0.1:$(HOTLINE_PORT)/writeback HOTLINE_SECRET=$(DEV_HOTLINE_SECRET) \
	HOTLINE_APP_URL=http://127.0.0.1:$(PORT) HOTLINE_REFERENCE_PORT=$(HOTLINE_PORT) \
	SITE_URL=http://127.0.0.1:$(PORT) PATH="$(CURDIR)/$(BIN):$$PATH" \
	exec $(BIN)/honcho -f Procfile.hotline start -p $(PORT)
else
	PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho -f Procfile.dev start -p $(PORT)
endif

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
	$(BIN)/lint-imports

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

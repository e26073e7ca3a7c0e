# The two Quick-start commands (see README.md):
#   make run   set everything up on SQLite, load the demo organisation, serve on http://127.0.0.1:5000
#   make test  install the development extras and run the whole test suite (on every CPU)
# Both install the Debian packages they need (with sudo when not root) and work in ./.venv.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

# What WeasyPrint needs to lay out and draw pages, the fonts the report uses, and venv support.
SYSTEM_PACKAGES := python3-venv python3-pip libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
                   fonts-dejavu-core fonts-noto-core
# What the tests need on top: PDF-to-image tools for report checks, and Chromium for the browser
# tests (driven by Playwright; no browser is downloaded).
TEST_SYSTEM_PACKAGES := poppler-utils chromium

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test system-packages test-system-packages venv install install-dev

run: install
	$(BIN)/assess db upgrade
	@if $(BIN)/assess --help | grep -q '^  demo'; then $(BIN)/assess demo; fi
	@echo "assess is starting on http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(BIN)/assess run --host $(HOST) --port $(PORT)

# The suite runs in one process per CPU (pytest-xdist), each test file's tests in one process (so a
# file's module fixtures, such as the built wheel, are made once); PYTEST_WORKERS=0 runs it here.
PYTEST_WORKERS ?= auto

test: install-dev
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; \
	fi

test-system-packages: system-packages
	@missing=$$(for p in $(TEST_SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; \
	fi

venv: system-packages
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip

install: venv
	$(BIN)/python -m pip install --quiet -e .

install-dev: venv test-system-packages
	$(BIN)/python -m pip install --quiet -e ".[dev]"

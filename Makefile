# motcua — the two commands: `make run` and `make test`. Everything else is what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
# Python 3.12+ (Django 6.1 needs it): the first interpreter found, including pyenv's.
PYTHON ?= $(shell for p in python3.13 python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.13*/bin/python3.13 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)
# Debian packages: what printing forms needs (fonts carrying Vietnamese, Pango for WeasyPrint),
# and for the tests also Chromium (browser tests) and poppler (PDF pages to PNG).
RUN_PACKAGES := fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0
TEST_PACKAGES := $(RUN_PACKAGES) chromium poppler-utils
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test install system-deps browser-deps lint format typecheck lock apt-install

help:
	@echo "make run   — cài đặt, tạo dữ liệu mẫu, chạy máy chủ tại http://$(HOST):$(PORT)"
	@echo "make test  — chạy toàn bộ bộ kiểm thử"
	@echo "make typecheck — kiểm tra kiểu (mypy)"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Cần Python 3.12 trở lên (python3.12 hoặc python3.13)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Dependencies are pinned with hashes in requirements.lock (make lock regenerates it).
$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

install: $(VENV)/.installed

# Installed once; nothing is downloaded outside Debian's and npm's registries.
$(VENV)/.system-run: | $(BIN)/python
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(RUN_PACKAGES)"
	@touch $@

$(VENV)/.system: | $(BIN)/python
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_PACKAGES)"
	@touch $@

apt-install:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Cài gói Debian:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# axe-core (accessibility checks injected into pages by the browser tests), locked by package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

system-deps: $(VENV)/.system
browser-deps: $(VENV)/.system node_modules/.installed

# The demo is a province's portal on a developer's machine: DEBUG on, its name in the header.
run: export DEBUG = 1
run: export MOTCUA_PROVINCE_NAME ?= Tỉnh Tuyên Quang
run: install $(VENV)/.system-run
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py demo_load
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The suite runs on every core with pytest-xdist (one worker per core; `make test TEST_WORKERS=0`
# runs it in one process). --dist loadfile keeps each test file on one worker: a module's heavy
# fixtures (the real catalogue, the demo dossiers) are built once, not once per worker. On
# PostgreSQL each worker has its own test database (TEST_DATABASE_NAME + _gw0, _gw1, …).
TEST_WORKERS ?= auto

test: install browser-deps
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# mypy with the django-stubs plugin; configured in pyproject.toml ([tool.mypy]).
typecheck: install
	$(BIN)/mypy

lock: $(BIN)/python
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --extra dev --strip-extras -o requirements.lock pyproject.toml

# motcua — the two commands: `make run` and `make test`. Everything else is what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
# Python 3.12+ (Django 6.1 needs it): the first interpreter found, including pyenv's.
PYTHON ?= $(shell for p in python3.13 python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.13*/bin/python3.13 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)
# Debian packages: what printing forms needs (fonts carrying Vietnamese, Pango for WeasyPrint),
# and for the tests also Chromium (browser tests), poppler (PDF pages to PNG) and nginx (the
# reverse proxy in front of gunicorn in motcua/tests/test_behind_proxy.py; the test starts its
# own, on loopback), libnss3-tools (certutil: the NSS database of test CAs that `pdfsig` checks
# signed e-results against, motcua/signing/tests). redis-server is installed only when no Redis answers (see `test`).
RUN_PACKAGES := fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0
TEST_PACKAGES := $(RUN_PACKAGES) chromium poppler-utils nginx libnss3-tools
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

# Checked again whenever this Makefile changes (a package added to the list is installed).
$(VENV)/.system: Makefile | $(BIN)/python
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

# The oversight pages' charts (chart.js, exact version in package.json): its built file and
# licence are copied into the static files and committed, since a deployment has no Node at run
# time. Run after changing chart.js's version; motcua/reports/tests/test_charts.py checks the copy.
CHARTJS_DIR := motcua/reports/static/reports/vendor/chartjs
.PHONY: vendor-charts
vendor-charts: node_modules/.installed
	mkdir -p $(CHARTJS_DIR)
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map \
		node_modules/chart.js/LICENSE.md $(CHARTJS_DIR)/

system-deps: $(VENV)/.system
browser-deps: $(VENV)/.system node_modules/.installed

# The demo is a province's portal on a developer's machine: DEBUG on, its name in the header.
# Beside the server, as in production, the task worker (it brings a payment confirmed by the
# gateway onto its dossier, and sends the outbox's messages) and the stand-in gateway; both stop
# with the server.
run: export DEBUG = 1
run: export MOTCUA_PROVINCE_NAME ?= Tỉnh Tuyên Quang
run: install $(VENV)/.system-run
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py demo_load
	@$(BIN)/python manage.py db_worker --no-reload & helpers=$$!; \
	if [ "$(VNPAY_DEMO)" = 1 ]; then $(VNPAY_STANDIN) & helpers="$$helpers $$!"; fi; \
	trap 'kill $$helpers 2>/dev/null' EXIT; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The payment gateway in the demo: the VNPay stand-in (motcua/payments/testing/vnpay_standin.py, a
# page with "Thanh toán thành công" / "Thất bại" / "Hủy") on 127.0.0.1:8002, started by `make run`
# beside the server and stopped with it; it calls the server's IPN like VNPay. `make run VNPAY_DEMO=0`
# leaves it out; `make vnpay-demo` runs it alone (in its own terminal).
VNPAY_DEMO ?= 1
VNPAY_DEMO_PORT ?= 8002
VNPAY_STANDIN = $(BIN)/python -m motcua.payments.testing.vnpay_standin --port $(VNPAY_DEMO_PORT) \
	--secret motcua-vnpay-demo-secret --ipn-url http://$(HOST):$(PORT)/thanh-toan/vnpay/ipn \
	--known var/vnpay-standin-known.json
run: export VNPAY_STANDIN_URL = http://127.0.0.1:$(VNPAY_DEMO_PORT)
# The demo's mails (to the demo citizens' addresses) are written to var/mail/, one file per batch
# sent (Django's file backend), not sent to an SMTP server the machine does not have.
run: export EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend
.PHONY: vnpay-demo
vnpay-demo: install
	$(VNPAY_STANDIN)

# The national sign-in in the demo: a local OpenID provider (tools/oidc-standin/, the npm
# oidc-provider) on 127.0.0.1:8001 with test citizens. In one terminal `make oidc-demo`, in another
# `make run OIDC_DEMO=1`: the sign-in page then offers "Đăng nhập bằng tài khoản định danh điện tử".
OIDC_DEMO_PORT ?= 8001
OIDC_DEMO_SECRET ?= motcua-demo-secret
.PHONY: oidc-demo
oidc-demo: node_modules/.installed
	STANDIN_PORT=$(OIDC_DEMO_PORT) STANDIN_CLIENT_ID=motcua STANDIN_CLIENT_SECRET=$(OIDC_DEMO_SECRET) \
	STANDIN_REDIRECT_URIS=http://$(HOST):$(PORT)/tai-khoan/dinh-danh/ve/ \
	STANDIN_POST_LOGOUT_REDIRECT_URIS=http://$(HOST):$(PORT)/ STANDIN_SHOW_ACCOUNTS=1 \
	node tools/oidc-standin/server.mjs
ifeq ($(OIDC_DEMO),1)
run: export OIDC_ISSUER = http://127.0.0.1:$(OIDC_DEMO_PORT)
run: export OIDC_CLIENT_ID = motcua
run: export OIDC_CLIENT_SECRET = $(OIDC_DEMO_SECRET)
endif

# The suite runs on every core with pytest-xdist (one worker per core; `make test TEST_WORKERS=0`
# runs it in one process). --dist loadfile keeps each test file on one worker: a module's heavy
# fixtures (the real catalogue, the demo dossiers) are built once, not once per worker. On
# PostgreSQL each worker has its own test database (TEST_DATABASE_NAME + _gw0, _gw1, …).
TEST_WORKERS ?= auto
# Extra pytest arguments, e.g. `make test TEST_ARGS=motcua/tests` (a part of the suite).
TEST_ARGS ?=
# The suite runs on Redis, as production does with more than one process (conftest.py): the one
# at TEST_REDIS_URL when it answers (database 1 of the usual local Redis; each test process keeps
# to a key prefix of its own there, so a shared Redis is safe), otherwise Debian's redis-server,
# started for the run on a free loopback port with nothing kept on disk, and stopped after it.
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
REDIS_PING = $(BIN)/python -c 'import sys, redis; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()'

test: install browser-deps
	@url="$(TEST_REDIS_URL)"; \
	if ! $(REDIS_PING) "$$url" 2>/dev/null; then \
		$(MAKE) --no-print-directory apt-install PACKAGES=redis-server || exit 1; \
		dir=$$(mktemp -d); \
		port=$$($(BIN)/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
		redis-server --bind 127.0.0.1 --port $$port --save "" --appendonly no --dir "$$dir" >"$$dir/redis.log" 2>&1 & \
		server=$$!; trap 'kill $$server 2>/dev/null; wait $$server 2>/dev/null; rm -rf "$$dir"' EXIT; \
		url="redis://127.0.0.1:$$port/0"; \
		for _ in $$(seq 100); do $(REDIS_PING) "$$url" 2>/dev/null && break; sleep 0.1; done; \
		$(REDIS_PING) "$$url" || { cat "$$dir/redis.log"; exit 1; }; \
		echo "Redis cho kiểm thử: $$url (khởi động riêng cho lần chạy này)"; \
	fi; \
	REDIS_URL="$$url" $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile $(TEST_ARGS)

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

# borderwatch: the front door. `make run` and `make test` do the whole set-up and are safe to repeat.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV       ?= .venv
PY         := $(VENV)/bin/python
BW         := $(VENV)/bin/borderwatch
HOST       ?= 127.0.0.1
PORT       ?= 5000
DEMO_INCIDENTS ?= 20000
DEMO_SEED  ?= 42
PYTEST_ARGS ?=
export BW_PGPORT ?= 54329

# pip and npm trust the system's CA store, which also holds the CA of a TLS-inspecting proxy on
# networks that have one (pip and Node.js otherwise use their own bundled lists only).
SYSTEM_CA := $(wildcard /etc/ssl/certs/ca-certificates.crt)
ifneq ($(SYSTEM_CA),)
export PIP_CERT ?= $(SYSTEM_CA)
export NODE_EXTRA_CA_CERTS ?= $(SYSTEM_CA)
endif

# With DATABASE_URL set, the local cluster is skipped and that database is used; with
# RATELIMIT_STORAGE_URI set, the local Redis is skipped. With HA=1 the replicated cluster of
# make ha-up (var/ha) takes the place of the local one: the app connects to both nodes with
# target_session_attrs=read-write, and reads what may lag from DATABASE_REPLICA_URL.
HA ?=
HA_ENV := var/ha/ha.env
ifeq ($(HA),1)
UP_DEPS := ha-up
export DATABASE_URL = $(shell . ./$(HA_ENV) 2>/dev/null && echo "$$DATABASE_URL")
export DATABASE_REPLICA_URL = $(shell . ./$(HA_ENV) 2>/dev/null && echo "$$DATABASE_REPLICA_URL")
else ifdef DATABASE_URL
UP_DEPS :=
else
UP_DEPS := cluster
endif
# the app's limiter needs Redis (RATELIMIT_STORAGE_URI) before any borderwatch command runs,
# ha-up's migration included
ifndef RATELIMIT_STORAGE_URI
REDIS_DEP := redis
endif
UP_DEPS += $(REDIS_DEP)

.PHONY: help system venv assets cluster redis up migrate seed demo run test lint lint-js test-js fmt stop clean bench soak fuzz load audit ha-up ha-down ha-status soak-ha backup restore pitr-drill

help:
	@echo "make run    set everything up and serve http://$(HOST):$(PORT)"
	@echo "make test   set everything up and run the whole suite against PostGIS"
	@echo "make stop   stop the local PostgreSQL cluster"
	@echo "make up | migrate | seed | demo | lint | fmt | bench | soak | load | fuzz | audit"
	@echo "make ha-up | ha-down | ha-status | soak-ha   the replicated cluster (var/ha); HA=1 make run uses it,"
	@echo "                                             HA=1 make load compares map reads on the primary and the standby"
	@echo "make backup | restore TARGET_TIME=... | pitr-drill   pgBackRest on the replicated cluster"

system:
	@scripts/system-deps.sh

$(VENV)/.installed: setup.cfg pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e '.[test,analysis]'
	@touch $@

venv: $(VENV)/.installed

webapp/static/vendor/.installed: package.json package-lock.json scripts/vendor-assets.sh
	@scripts/vendor-assets.sh
	@touch $@

# The service worker precaches the app's scripts, styles and icons by the hash of their content:
# built again whenever one of them changes (scripts/build-sw.js).
SW_SOURCES := $(wildcard webapp/static/js/*.js webapp/static/css/*.css webapp/static/icons/*.png)
webapp/static/sw/sw.js: webapp/static/vendor/.installed scripts/build-sw.js $(SW_SOURCES)
	@node scripts/build-sw.js

assets: system webapp/static/vendor/.installed webapp/static/sw/sw.js

cluster: system
	@scripts/pgcluster.sh start

redis: system
	@scripts/redis.sh start

up: $(UP_DEPS) venv

# The replicated cluster (scripts/hacluster.sh): a pg_auto_failover monitor, a primary and a
# synchronous secondary on 127.0.0.1 (ports 5441-5443, BW_HA_PORT) under var/ha, PostGIS and
# pgRouting in the app's database, the schema migrated. The local cluster is not touched.
ha-up: system venv $(REDIS_DEP)
	@scripts/hacluster.sh start
	@set -a; . ./$(HA_ENV); set +a; $(BW) db upgrade

ha-down:
	@scripts/hacluster.sh stop

ha-status:
	@scripts/hacluster.sh status

# pgBackRest on the replicated cluster: a backup into var/ha/backups (BACKUP_TYPE: incr, the
# first one full; diff; full), and a point-in-time restore of it into var/ha/restore, a copy
# started on the port after the nodes' (the nodes are not touched).
BACKUP_TYPE ?= incr
backup:
	@scripts/hacluster.sh backup $(BACKUP_TYPE)

restore:
	@test -n "$(TARGET_TIME)" || { echo 'usage: make restore TARGET_TIME="2026-12-07 14:05:00+07"' >&2; exit 2; }
	@scripts/hacluster.sh restore "$(TARGET_TIME)"

# The restore drill on a replicated cluster of its own: backup, reports, the instant, more
# reports and a failover, a restore to the instant; rows and checksums of the incidents, events,
# photos and accounts compared (docs/reliability.md).
pitr-drill: system venv
	@$(PY) bench/reliability/pitr.py

migrate: up
	@$(BW) db upgrade

seed: migrate
	@$(BW) seed

demo: seed
	@$(BW) demo --incidents $(DEMO_INCIDENTS) --seed $(DEMO_SEED) --if-empty

run: assets demo
	@$(BW) info --url http://$(HOST):$(PORT)
	@# the worker stops when it loses its database (a failover, a restart): started again, as
	@# docker compose's restart policy does
	@( trap 'kill $$w 2>/dev/null; exit 0' TERM INT; \
	  while :; do $(BW) worker & w=$$!; wait $$w; \
	    echo "borderwatch: the worker stopped; starting it again in 5 s" >&2; sleep 5; done ) & \
	  trap 'kill $$! 2>/dev/null' EXIT; \
	  SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-$(if $(filter 127.0.0.1 localhost,$(HOST)),false,true)} \
	  $(VENV)/bin/gunicorn --config webapp/gunicorn_conf.py --bind $(HOST):$(PORT) --workers 2 --threads 4 --access-logfile - 'webapp:create_app()'

test: assets up lint-js test-js
	@scripts/system-deps.sh --browser
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/lint-imports --no-cache
	@$(VENV)/bin/mypy gis layers seeds
	@$(VENV)/bin/bandit -q -r webapp gis layers seeds --severity-level medium
	@$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv lint-js
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/lint-imports --no-cache
	@$(VENV)/bin/mypy gis layers seeds
	@$(VENV)/bin/bandit -q -r webapp gis layers seeds --severity-level medium

# Our own JavaScript: ESLint (eslint.config.js) over every page script, the node tests and the
# config, and the node tests (node --test).
JS_LINT := $(wildcard webapp/static/js/*.js) $(wildcard scripts/*.js) tests/js eslint.config.js

lint-js: webapp/static/vendor/.installed
	@node_modules/.bin/eslint --max-warnings 0 $(JS_LINT)

test-js: webapp/static/vendor/.installed
	@node --test tests/js/

fmt: venv
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

# Every benchmark under bench/ (each file's own defaults; about 20 minutes on 2 cores); figures,
# references measured in the same run, ratios and commands go to docs/benchmarks.md and
# bench/results.json. Sizes are parameters: BENCH_INCIDENTS (the demo data set that the map
# load is measured on, 1,000,000) and BENCH_SIZES (the export's and the hotspot runs' sizes,
# e.g. 1000000,10000000 on a larger machine; each file's default when empty). The demo data
# set is generated once, by bench/demo.py, and the map loads (slowlink, offline, mapload) reuse it.
BENCH_INCIDENTS ?= 1000000
BENCH_SIZES ?=
BENCH_DATA = borderwatch_bench_data
BENCH_SIZE_ARGS = $(if $(BENCH_SIZES),--sizes $(BENCH_SIZES))
bench: up migrate
	@set -e; started=$$(date +%s); \
	step() { echo "== $$* ($$(( $$(date +%s) - started )) s so far)"; $(PY) "$$@"; }; \
	step bench/demo.py --incidents $(BENCH_INCIDENTS) --database $(BENCH_DATA) --keep; \
	step bench/slowlink.py --incidents $(BENCH_INCIDENTS) --database $(BENCH_DATA) --reuse; \
	step bench/offline.py --incidents $(BENCH_INCIDENTS) --database $(BENCH_DATA) --reuse; \
	step bench/mapload.py --incidents $(BENCH_INCIDENTS) --database $(BENCH_DATA) --reuse; \
	step bench/dashboard.py --database $(BENCH_DATA) --reuse; \
	step bench/export.py $(BENCH_SIZE_ARGS); \
	step bench/hotspots.py $(BENCH_SIZE_ARGS); \
	step bench/ingest.py --duration 10 --warmup 2; \
	step bench/patrols.py; \
	step bench/line.py; \
	echo "== every benchmark in $$(( $$(date +%s) - started )) s"

# Load scenario: 50 users of mixed traffic for LOAD_SECONDS (10 minutes), and a flood of the
# public form; figures in docs/reliability.md. With HA=1, on the replicated cluster of make ha-up:
# the same mixed traffic with the map layers read on the primary and on the standby
# (DATABASE_REPLICA_URL), REPLICA_LOAD_SECONDS (90) a phase, in the order primary, replica,
# replica, primary; p50/p95 and throughput side by side in docs/benchmarks.md,
# docs/reliability.md and bench/results.json.
LOAD_SECONDS ?= 600
REPLICA_LOAD_SECONDS ?= 90
load: up
ifeq ($(HA),1)
	@$(PY) bench/reliability/replica_load.py --seconds $(REPLICA_LOAD_SECONDS)
else
	@$(PY) bench/reliability/load.py --seconds $(LOAD_SECONDS)
endif

# Known vulnerabilities of the installed Python packages (pip-audit with PyPI's advisory data).
# --strict: a package it cannot look up fails the run instead of passing unaudited. Not part of
# make test: the advisory service is not a package index, and machines that reach only a
# package mirror (like this project's build machine) cannot query it.
audit: venv
	@$(VENV)/bin/pip-audit --strict --skip-editable --progress-spinner off

# The API fuzzer (schemathesis, from /api/openapi.json) and the property tests at length; every
# date parameter of every route (tests/date_params.py) gets the ends of the calendar (9999-12-31,
# 0001-01-01, a leap second, offsets up to +-23:59, open intervals) and dates drawn around them.
fuzz: up venv
	@BORDERWATCH_FUZZ=1 $(VENV)/bin/pytest -p no:cacheprovider tests/test_api_fuzz.py tests/test_properties.py

# Crash harness: 16 clients through gunicorn while a scratch cluster (var/soak) is killed every
# 90 s; then the negative control (synchronous_commit = off) that must show losses. Verdicts in
# docs/reliability.md and bench/soak.json. SOAK_SECONDS sets the length (default 10 minutes).
SOAK_SECONDS ?= 600
NEGATIVE_SECONDS ?= 120
soak: up
	@$(PY) bench/reliability/soak.py --seconds $(SOAK_SECONDS)
	@$(PY) bench/reliability/soak.py --seconds $(NEGATIVE_SECONDS) --kill-every 20 --negative-control

# Failover soak: 16 clients through gunicorn for SOAK_HA_SECONDS (10 minutes) against a
# replicated cluster of its own (var/ha/failover-*, ports from 5450), its primary lost every
# 3 minutes (SIGKILL, data directory gone) and built again as the secondary; kill-to-first-write
# times, 0 lost, 0 doubled in docs/reliability.md and bench/soak.json.
SOAK_HA_SECONDS ?= 600
soak-ha: system venv
	@$(PY) bench/reliability/failover.py --seconds $(SOAK_HA_SECONDS)

stop:
	@scripts/pgcluster.sh stop
	@scripts/redis.sh stop

clean: stop
	rm -rf var $(VENV) node_modules webapp/static/vendor

# Kaimen — two commands on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install install-dev npm messages lint bench audit-deps clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python npm
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python npm
	$(BIN)/pip install --quiet -e '.[dev]'

npm: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# The compiled catalogue is committed, so machines without GNU gettext still show Chinese;
# `make messages` rebuilds it after strings change.
messages:
	cd kaimen && ../$(BIN)/kaimen makemessages -l zh_Hans --no-obsolete --ignore 'static/*'
	cd kaimen && ../$(BIN)/kaimen compilemessages -l zh_Hans

demo: install
	$(BIN)/kaimen migrate --noinput
	$(BIN)/kaimen collectstatic --noinput --verbosity 0
	$(BIN)/kaimen demo
	@echo ""
	@echo "Kaimen is serving the demo district on http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the worker)"
	$(BIN)/kaimen run_huey --workers 1 & \
	  trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/gunicorn kaimen.wsgi:application --bind $(HOST):$(PORT) --workers 2 --access-logfile -

test: install-dev
	bash scripts/run-tests

lint: install-dev
	$(BIN)/ruff check kaimen tests bench
	$(BIN)/ruff format --check kaimen tests bench
	$(BIN)/lint-imports

bench: install-dev
	$(BIN)/python -m bench

clean:
	rm -rf var/static var/test-*

# Known-vulnerability scan of the installed packages. Needs the PyPI JSON API or OSV, which the
# intranet build machines cannot reach; run it where they can (ruff's bandit rules run in `make test`).
audit-deps: install-dev
	$(BIN)/pip-audit --skip-editable

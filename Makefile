# powerdesk — the two commands: `make demo` and `make test` (README.md).
SHELL := /bin/sh
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEMO_ACCOUNTS ?= 10000
export POWERDESK_DATA_DIR ?= $(CURDIR)/var

.PHONY: install install-test install-demo demo test check lint types imports migrations-check openapi openapi-check clean system-packages

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || "$$(sh scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

$(VENV)/.installed-demo: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[demo]'
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

install-demo: $(VENV)/.installed-demo

## make demo: install, migrate, load demo data once, serve web + worker at http://127.0.0.1:$(PORT)
demo: install-demo
	$(PY) -m powerdesk migrate --noinput
	$(PY) -m powerdesk demo --if-empty --accounts $(DEMO_ACCOUNTS)
	$(PY) -m powerdesk notifications_vapid
	$(PY) -m powerdesk serve --with-worker --with-local-providers --port $(PORT)

## make test: install test dependencies, run the checks and the whole suite
## (in TEST_WORKERS processes: the machine's cores, at most 4; TEST_WORKERS=0 runs in this one)
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ "$$n" -gt 4 ] && n=4; echo $$n)
test: install-test check
	$(PY) -m pytest -q -rs -n $(TEST_WORKERS) $(PYTEST_ARGS)

check: install-test lint types imports migrations-check openapi-check

lint:
	$(VENV)/bin/ruff check powerdesk tests benchmarks
	$(VENV)/bin/ruff format --check powerdesk tests benchmarks

types:
	$(VENV)/bin/mypy powerdesk

imports:
	$(VENV)/bin/lint-imports

migrations-check:
	DJANGO_SETTINGS_MODULE=powerdesk.settings.test $(PY) -m powerdesk makemigrations --check --dry-run

openapi-check:
	DJANGO_SETTINGS_MODULE=powerdesk.settings.test $(PY) -m powerdesk export_openapi_schema --api powerdesk.api.api --indent 2 --sorted --output $(VENV)/openapi.json
	$(PY) -m openapi_spec_validator $(VENV)/openapi.json
	diff -u docs/openapi.json $(VENV)/openapi.json

## make openapi: regenerate docs/openapi.json after an API change (openapi-check diffs against it)
openapi: install-test
	DJANGO_SETTINGS_MODULE=powerdesk.settings.test $(PY) -m powerdesk export_openapi_schema --api powerdesk.api.api --indent 2 --sorted --output docs/openapi.json

system-packages:
	sh scripts/install-system-packages

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache

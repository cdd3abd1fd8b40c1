# Two entry points: `make run` (demo corpus -> DuckDB -> dashboard) and `make test`.
VENV    ?= .venv
PY      := $(VENV)/bin/python
PIP     := $(PY) -m pip
STANCE  := $(VENV)/bin/stance
DB      ?= data/stance.duckdb
PYTHON  ?= python3

.PHONY: setup setup-test chromium ingest run test lint clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q -e ".[model]"
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -q -e ".[model,test]"
	touch $@

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test chromium

# Debian's chromium serves kaleido (static chart export) and the Playwright browser test.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian chromium (chart export, browser tests)..."; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

ingest: setup
	$(STANCE) ingest data/articles --db $(DB)

run: ingest
	$(VENV)/bin/streamlit run dashboard/app.py -- --db $(DB)

lint: setup-test
	$(VENV)/bin/ruff check analysis dashboard tests bench
	$(VENV)/bin/mypy

test: setup-test lint
	$(VENV)/bin/pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

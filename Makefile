# The project's commands. `make book` and `make test` set everything up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book test quicktest lab workshop bench setup clean

## setup: create .venv and install the pinned requirements and qilab (only when they change)
setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

## test: set up and run the whole test suite (unit, notebooks, book build, browser)
test: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest

## quicktest: the quick loop, without the browser and book builds
quicktest: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -m "not browser and not book"

clean:
	rm -rf _build .pytest_cache

## bench: run the benchmarks and print their figures (also saved under _build/bench/)
bench: setup
	@mkdir -p _build/bench
	@set -e; for f in tests/bench/bench_*.py; do PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python $$f; done

# The project's commands. `make book` and `make test` set everything up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book vendor test quicktest lab workshop bench setup clean

## setup: create .venv and install the pinned requirements and qilab (only when they change)
setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

## vendor: fetch the JavaScript the book and its browser tests need offline (widget manager,
## require.js, MathJax, axe-core) from npm into book/vendor/ (gitignored); only when missing or
## when the pins in book/vendor.json change
VENDOR_STAMP := book/vendor/.versions
vendor: $(VENDOR_STAMP)

$(VENDOR_STAMP): book/vendor.json book/fetch_vendor.py $(STAMP)
	$(BIN)/python book/fetch_vendor.py

## book: set up, fetch the JavaScript and build the book into _build/html (warnings are errors;
## notebooks re-run only when their code changes)
book: setup vendor
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter-book build . -W --keep-going

## test: set up and run the whole test suite (unit, notebooks, book build, browser)
test: setup vendor
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

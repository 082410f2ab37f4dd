# The two commands of the README's quick start, plus helpers.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

## demo: set up and run the digits sweep on the embedded store, then print the best run
demo: $(STAMP)
	$(PY) -m hypersweep --workspace . run examples/digits/sweep.yml

## test: set up (system packages too, when root) and run every test (lint first)
test: $(STAMP)
	bash .ci/system-deps.sh
	$(PY) -m ruff check src tests benchmarks examples
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check src tests benchmarks examples

## bench: the benchmarks (results under benchmarks/results/)
bench: $(STAMP)
	$(PY) -m benchmarks.overhead
	$(PY) -m benchmarks.store

clean:
	rm -rf $(VENV) .hypersweep build *.egg-info

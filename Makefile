# rootwatch.aws developer entry points. `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo demo-hub test lint sanity unit integration molecule bench clean

setup: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $(STAMP)

demo: setup
	$(BIN)/python tests/harness/demo.py

demo-hub: setup
	$(BIN)/python tests/harness/demo.py --hub

test: setup
	$(BIN)/python tests/harness/run_tests.py all

lint: setup
	$(BIN)/python tests/harness/run_tests.py lint

sanity: setup
	$(BIN)/python tests/harness/run_tests.py sanity

unit: setup
	$(BIN)/python tests/harness/run_tests.py unit

integration: setup
	$(BIN)/python tests/harness/run_tests.py integration

molecule: setup
	$(BIN)/python tests/harness/run_tests.py molecule

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) tests/output reports benchmarks/results

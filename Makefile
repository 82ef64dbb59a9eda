# rootwatch.aws developer entry points. `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo demo-hub test lint sanity unit integration molecule bench bench-ci clean

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

# The integration stage runs on pytest-xdist workers, one per CPU; ROOTWATCH_TEST_WORKERS=N sets another number.
integration: setup
	$(BIN)/python tests/harness/run_tests.py integration

molecule: setup
	$(BIN)/python tests/harness/run_tests.py molecule

# matplotlib draws the bench plot; it is a bench-only dependency, in a venv of its own.
BENCH_VENV := .venv-bench

$(BENCH_VENV)/.installed: benchmarks/requirements.txt
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r benchmarks/requirements.txt
	@touch $@

# BENCH_ACCOUNTS=300 on a slow day (default 1000: sizes 100, 300, 1000).
bench: setup $(BENCH_VENV)/.installed
	$(BIN)/python benchmarks/scale.py
	$(BENCH_VENV)/bin/python benchmarks/plot.py benchmarks/results/scale-latest.json docs/images/bench-per-account.png
	$(BIN)/python benchmarks/run.py

bench-ci: setup
	$(BIN)/python benchmarks/scale.py --ci

clean:
	rm -rf $(VENV) $(BENCH_VENV) tests/output reports benchmarks/results

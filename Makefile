# Every target creates the virtual environment on a fresh machine if it is missing.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# The benchmarks compare against Cloud Custodian, whose exact pins conflict with `.[all]`.
BENCH_VENV  := .venv-bench
BENCH_PY    := $(BENCH_VENV)/bin/python
BENCH_STAMP := $(BENCH_VENV)/.installed-stamp

.PHONY: demo test lint bench fuzz mutate clean checkov-env

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[all]'
	@touch $(STAMP)

$(BENCH_STAMP): pyproject.toml
	@test -x $(BENCH_PY) || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_PY) -m pip install --quiet --upgrade pip
	$(BENCH_PY) -m pip install --quiet -e '.[bench]'
	@touch $(BENCH_STAMP)

ASL_STAMP := tools/asl/node_modules/.stamp

# asl-validator (npm) validates the power-tuning state machine in the tests.
$(ASL_STAMP): tools/asl/package-lock.json
	npm ci --prefix tools/asl --no-audit --no-fund
	@touch $(ASL_STAMP)

## demo: run the guard against a local AWS emulator seeded with a realistic fleet
demo: $(STAMP)
	$(PY) -m gpukit.demo

## test: lint, type-check and run the whole test suite in random order (what CI runs;
## the last line gives the seed: rerun an order with pytest --randomly-seed=N)
test: $(STAMP) $(ASL_STAMP) checkov-env
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest -q

## checkov-env: create (once) or find checkov's own environment, which the gate runs;
## checkov is never installed into $(VENV) (it pins packages exactly)
checkov-env: $(STAMP)
	$(PY) -m gpukit.iac.checkov_env

## lint: ruff everywhere, strict mypy on policies/ and guard/ (as gpukit.policies, gpukit.guard)
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m tools.typecheck

BENCH_ARGS ?=
## bench: print benchmark tables (not part of the tests); its own venv, with Cloud Custodian;
## BENCH_ARGS passes options (e.g. BENCH_ARGS="--only latency,fanout", or "--quick")
bench: $(BENCH_STAMP)
	$(BENCH_PY) -m benchmarks $(BENCH_ARGS)

FLEETS ?= 5000
SEED   ?= 0
## fuzz: the adversarial guard test at length: FLEETS fleets (default 5000) from seed SEED (default 0)
fuzz: $(STAMP)
	$(PY) -m tests.guard.adversarial.fuzz --fleets $(FLEETS) --seed-start $(SEED)

## mutate: mutation testing of the guard's safety core (2 processes); survivors are printed
mutate: $(STAMP)
	$(PY) -m tools.mutate

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .mypy_cache .ruff_cache

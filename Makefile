# Every target creates the virtual environment on a fresh machine if it is missing.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# The benchmarks compare against Cloud Custodian, whose exact pins conflict with `.[all]`.
BENCH_VENV  := .venv-bench
BENCH_PY    := $(BENCH_VENV)/bin/python
BENCH_STAMP := $(BENCH_VENV)/.installed-stamp

.PHONY: demo test lint bench fuzz mutate clean checkov-env lowest guard-package

# uv resolves and installs in parallel (see the demo venv below); pip stays in the venv, the
# wheel test builds with it.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e '.[all]'
	@touch $(STAMP)

$(BENCH_STAMP): pyproject.toml
	@test -x $(BENCH_PY) || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_PY) -m pip install --quiet --upgrade pip
	$(BENCH_PY) -m pip install --quiet -e '.[bench]'
	@touch $(BENCH_STAMP)

# `make demo` on a fresh clone installs only what the demo needs (the core and the emulator
# extra) into its own venv; once `make test` has built $(VENV), the demo uses that instead.
DEMO_VENV  := .venv-demo
DEMO_STAMP := $(DEMO_VENV)/.installed-stamp
DEMO_DEPS  := $(if $(wildcard $(STAMP)),$(STAMP),$(DEMO_STAMP))
DEMO_PY    := $(if $(wildcard $(STAMP)),$(PY),$(DEMO_VENV)/bin/python)

# uv installs in parallel: 20 s where pip took 136 s on a fresh clone (README).
$(DEMO_STAMP): pyproject.toml
	@test -x $(DEMO_VENV)/bin/python || $(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install --quiet uv
	$(DEMO_VENV)/bin/uv pip install --quiet --python $(DEMO_VENV)/bin/python -e '.[emulator]'
	@touch $(DEMO_STAMP)

# `make lowest`: the fast tests on the lowest versions pyproject.toml allows for the direct
# dependencies (uv --resolution lowest-direct; uv comes with the test extra), own venv.
LOWEST_VENV  := .venv-lowest
LOWEST_STAMP := $(LOWEST_VENV)/.installed-stamp
LOWEST_TESTS := tests/policies tests/cost tests/test_layering.py tests/guard/test_plan.py \
	tests/guard/test_plan_rails.py tests/guard/test_handler_event.py

$(LOWEST_STAMP): pyproject.toml $(STAMP)
	rm -rf $(LOWEST_VENV)
	$(VENV)/bin/uv venv --quiet --python $(PYTHON) $(LOWEST_VENV)
	$(VENV)/bin/uv pip install --quiet --python $(LOWEST_VENV)/bin/python \
		--resolution lowest-direct -e '.[testrun,tune]'
	@touch $(LOWEST_STAMP)

ASL_STAMP := tools/asl/node_modules/.stamp

# asl-validator (npm) validates the power-tuning state machine in the tests.
$(ASL_STAMP): tools/asl/package-lock.json
	npm ci --prefix tools/asl --no-audit --no-fund
	@touch $(ASL_STAMP)

## demo: run the guard against a local AWS emulator seeded with a realistic fleet
demo: $(DEMO_DEPS)
	$(DEMO_PY) -m gpukit.demo

## test: lint, type-check and run the whole test suite in random order, a worker per core
## (pytest-xdist; what CI runs; the last line gives the seed: rerun an order with
## pytest --randomly-seed=N)
test: $(STAMP) $(ASL_STAMP) checkov-env
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest -q -n auto
	$(MAKE) --no-print-directory lowest

## checkov-env: create (once) or find checkov's own environment, which the gate runs;
## checkov is never installed into $(VENV) (it pins packages exactly)
checkov-env: $(STAMP)
	$(PY) -m gpukit.iac.checkov_env

## lowest: the fast tests (not slow, not emulator) on the lowest allowed direct dependencies
lowest: $(LOWEST_STAMP)
	$(LOWEST_VENV)/bin/python -m pytest -q -m "not slow and not emulator" $(LOWEST_TESTS)

## guard-package: build/guard.zip, the guard Lambda with its dependencies (pip, needs PyPI),
## and build/guard.zip.json, the manifest the Terraform module checks at plan time
GUARD_PYTHON ?= 3.11
GUARD_ARCH   ?= x86_64
guard-package: $(DEMO_DEPS)
	$(DEMO_PY) -m gpukit.guard.package build/guard.zip --python $(GUARD_PYTHON) --arch $(GUARD_ARCH)

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
	rm -rf $(VENV) $(BENCH_VENV) $(DEMO_VENV) $(LOWEST_VENV) .pytest_cache .mypy_cache .ruff_cache

## chromium: install Debian's chromium if it is missing (the tests render the HTML report in it)
.PHONY: chromium report-screenshot
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { SUDO=$$(test "$$(id -u)" -eq 0 || echo sudo); $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }
test: chromium

## report-screenshot: regenerate docs/report.png, the browser test's screenshot of the sample report
report-screenshot: $(STAMP) chromium
	REPORT_SCREENSHOT=docs/report.png $(PY) -m pytest -q -p no:randomly tests/report/test_report_browser.py

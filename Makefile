# The two commands: `make demo` and `make test`. Each sets itself up from nothing.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The grading sandbox runs this environment: the runtime dependencies only, none of
# the test tools (autograder/sandbox/grading_env.py).
GRADE_VENV  := .venv-grade
GRADE_STAMP := $(GRADE_VENV)/.installed
PYTHON ?= python3
# pytest-xdist workers of `make test` (tests/conftest.py keeps each file's module
# fixtures on one worker and spreads the per-chapter suites).
TEST_WORKERS ?= 2
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: demo test test-fast setup lab lab-instructor release selftest bench site clean

demo: setup
	$(PY) -m autograder demo

test: setup
	$(PY) -m pip install -q torch==2.13.0 || echo "torch==2.13.0 unavailable: the PyTorch oracle tests will be skipped"
	$(PY) -m pytest -m "slow or not slow" -n $(TEST_WORKERS) --dist loadfile --durations=30

test-fast: setup
	$(PY) -m pytest

setup: $(STAMP) $(GRADE_STAMP)
	@bash scripts/system-packages.sh

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[test,site,scale]'
	touch $(STAMP)

$(GRADE_STAMP): pyproject.toml constraints.txt $(STAMP)
	rm -rf $(GRADE_VENV)
	$(PYTHON) -m venv $(GRADE_VENV)
	$(PY) scripts/runtime-requirements.py > $(GRADE_VENV)/requirements.txt
	$(GRADE_VENV)/bin/python -m pip install -q -c constraints.txt -r $(GRADE_VENV)/requirements.txt
	touch $(GRADE_STAMP)

lab: setup
	$(PY) -m autograder lab --tree student

lab-instructor: setup
	$(PY) -m autograder lab --tree instructor

release: setup
	$(PY) -m autograder release

selftest: setup
	$(PY) -m autograder selftest

site: setup
	$(PY) -m autograder site

bench: setup
	$(PY) -m benchmarks.run

clean:
	rm -rf build .pytest_cache

"""``make test``'s sharing of test files between workers (tests/scheduling.py), run for
real: a toy suite under pytest-xdist with the project's own pytest and scheduler."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scheduling import SHARED, work_unit

TESTS = Path(__file__).resolve().parent

CONFTEST = f"""
import os, sys
from pathlib import Path
sys.path.insert(0, {str(TESTS)!r})
import pytest
from scheduling import make_scheduler

@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    return make_scheduler(config, log)

@pytest.fixture(scope="session")
def demo_class():
    with open(Path(__file__).with_name("demo.log"), "a") as log:
        log.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
"""

USES_THE_SHARED_FIXTURE = """
def test_one(demo_class):
    pass

def test_two(demo_class):
    pass
"""

GROUPED = """
import os, pytest
from pathlib import Path

@pytest.fixture(scope="module")
def world():
    with open(Path(__file__).with_name("world.log"), "a") as log:
        log.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")

def test_one(world):
    pass

def test_two(world):
    pass
"""

SPREAD = """
import os, time, pytest
from pathlib import Path

@pytest.mark.parametrize("n", range(6))
def test_chapter(n):
    time.sleep(0.3)
    with open(Path(__file__).with_name("spread.log"), "a") as log:
        log.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
"""


def test_work_units_are_files_except_the_spread_suites():
    assert work_unit("tests/test_attacks.py::test_x[a::b]") == "tests/test_attacks.py"
    assert work_unit("test_attacks.py::test_x") == "test_attacks.py"
    one = "tests/test_mutation_suite.py::test_mutant[ch4-flip]"
    assert work_unit(one) == one


def test_the_files_sharing_a_session_fixture_are_one_unit_and_use_it():
    import conftest
    units = {}
    for name, fixture in SHARED.items():
        assert callable(getattr(conftest, fixture, None)), f"conftest has no {fixture}"
        assert fixture in (TESTS / name).read_text(), f"{name} does not use {fixture}"
        units.setdefault(fixture, set()).add(work_unit(f"tests/{name}::test_x"))
    assert all(len(unit) == 1 for unit in units.values()), units
    assert len({next(iter(unit)) for unit in units.values()}) == len(units), units


def test_fixtures_are_built_once_and_spread_suites_use_both_workers(tmp_path):
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    (tmp_path / "test_mutation_suite.py").write_text(SPREAD)
    for name in SHARED:
        (tmp_path / name).write_text(USES_THE_SHARED_FIXTURE)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
         "--dist", "loadfile", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{8 + 2 * len(SHARED)} passed" in proc.stdout, proc.stdout
    builds = (tmp_path / "world.log").read_text().split()
    assert len(builds) == 1, f"the module fixture was built on {builds}"
    builds = (tmp_path / "demo.log").read_text().split()
    assert len(builds) == 1, f"the shared session fixture was built on {builds}"
    workers = (tmp_path / "spread.log").read_text().split()
    assert len(workers) == 6 and set(workers) == {"gw0", "gw1"}, workers

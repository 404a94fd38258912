"""How ``make test`` shares the test files between its pytest-xdist workers.

A file's tests run on one worker, so that its module fixtures (a graded class, a Lab
server) are built once; the files of one :data:`SHARED` group run on one worker, so
that a session fixture they share is built once; the files in :data:`SPREAD_FILES`
share no module fixture, and their tests are handed out one by one. The unit is read
from the node id (the text before the first ``::``), which every pytest keeps: grouping
by ``xdist_group`` markers relied on pytest-xdist rewriting node ids, which pytest 9 no
longer honours, and every test was then spread and each heavy fixture built on both
workers.
"""

from __future__ import annotations

from xdist.scheduler import LoadFileScheduling

#: Test files whose tests share no module fixture (each builds its own scratch course).
SPREAD_FILES = frozenset({"test_mutation_suite.py", "test_selfgrade.py",
                          "test_build_drift.py"})


#: Files that share a session fixture, by the fixture (tests/conftest.py).
SHARED = {"test_grading_e2e.py": "demo_class", "test_class_report.py": "demo_class"}


def work_unit(nodeid: str) -> str:
    """The unit of work a test belongs to: its file, the group of files sharing a
    session fixture, or the test itself in a spread file.
    ``tests/test_x.py::test_y[z]`` -> ``tests/test_x.py``."""
    path = nodeid.split("::", 1)[0]
    name = path.rsplit("/", 1)[-1]
    if name in SPREAD_FILES:
        return nodeid
    return f"shared:{SHARED[name]}" if name in SHARED else path


class FileScheduling(LoadFileScheduling):
    """``--dist loadfile`` with the units of :func:`work_unit`."""

    def _split_scope(self, nodeid: str) -> str:
        return work_unit(nodeid)


def make_scheduler(config, log):
    """The scheduler for ``--dist loadfile``; None (xdist's own) for any other mode."""
    if config.getvalue("dist") == "loadfile":
        return FileScheduling(config, log)
    return None

"""Print the course's timing figures, measured in one run on this machine.

1. each chapter's notebook with solutions, executed top to bottom (target < 20 s);
2. grading one complete submission of every chapter in the sandbox (target < 90 s);
3. the cost of the sandbox: a class graded with and without it, interleaved, as a ratio
   (target <= 1.3x);
4. a generated class graded with 1 and 2 workers and by stock nbgrader: identical
   grades, the speed-up and the seconds per notebook (:mod:`benchmarks.class_scale`);
and first, the fast convolution layer against PyTorch and the loops
(:mod:`benchmarks.conv_layer`).

Usage: ``python -m benchmarks.run [--skip-layer] [--skip-chapters] [--rounds N]
[--class-size N] [--only-class]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder.build import execute_trusted, reading_version
from autograder.scratch import scratch_course
from autograder.course import PROJECT_ROOT, Course, ensure_tools_on_path
from autograder.grading import grade_class
from autograder.sample_class import write_sample_class
from autograder.settings import course_config
from benchmarks import class_scale, conv_layer

TARGET_CHAPTER_S, TARGET_SUBMISSION_S, TARGET_RATIO = 20.0, 90.0, 1.3


def time_chapters(project: Course) -> dict[str, float]:
    timings = {}
    for assignment in project.assignments():
        [path] = project.source_notebooks(assignment)
        nb = reading_version(nbformat.read(str(path), as_version=4))
        start = time.perf_counter()
        execute_trusted(nb, path.parent)
        timings[assignment] = time.perf_counter() - start
    return timings


def grade_time(course: Course, assignments, students, sandbox: bool) -> float:
    start = time.perf_counter()
    results = grade_class(course, assignments, course_config(sandbox=sandbox), students,
                          progress=_Quiet())
    elapsed = time.perf_counter() - start
    if any(r.score.auto_max == 0 for r in results):
        raise RuntimeError("a benchmark submission was not graded")
    return elapsed


class _Quiet:
    def start(self, item): pass
    def done(self, outcome): pass
    def finish(self, summary=""): pass


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-layer", action="store_true")
    parser.add_argument("--skip-chapters", action="store_true")
    parser.add_argument("--rounds", type=int, default=2,
                        help="interleaved rounds of the with/without comparison")
    parser.add_argument("--class-size", type=int, default=40,
                        help="students of the class graded by 1 and 2 workers (4.)")
    parser.add_argument("--only-class", action="store_true",
                        help="measure only the class graded by 1 and 2 workers (4.)")
    args = parser.parse_args(argv)
    if args.only_class:
        args.skip_layer = args.skip_chapters = True
    if not args.skip_layer:
        conv_layer.main([])
        print()
    ensure_tools_on_path()
    from autograder.sandbox import sandbox_problem
    problem = sandbox_problem()
    if problem:
        print(f"cannot measure the sandbox here: {problem}", file=sys.stderr)
        return 2
    project = Course(PROJECT_ROOT)
    assignments = project.assignments()
    print(f"machine: {sys.platform}, python {sys.version.split()[0]}")
    if not args.skip_chapters:
        print("\n1. each chapter with solutions, executed top to bottom")
        for assignment, seconds in time_chapters(project).items():
            flag = "ok" if seconds < TARGET_CHAPTER_S else "OVER TARGET"
            print(f"   {assignment:<20} {seconds:6.1f} s   (target < {TARGET_CHAPTER_S:g} s) {flag}")
    if not args.only_class:
        sandbox_cost(project, assignments, args.rounds)
    with tempfile.TemporaryDirectory(prefix="bench-class-") as tmp:
        return class_scale.run(project, assignments, args.class_size, Path(tmp))


def sandbox_cost(project: Course, assignments: list[str], rounds: int) -> None:
    """Sections 2 and 3: one submission, and the class with and without the sandbox."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        course = scratch_course(project, assignments, Path(tmp), course_config(sandbox=False))
        write_sample_class(course, assignments)
        print(f"\n2. one complete submission (all {len(assignments)} chapters), sandboxed")
        one = grade_time(course, assignments, ["ada-perfect"], sandbox=True)
        flag = "ok" if one < TARGET_SUBMISSION_S else "OVER TARGET"
        print(f"   ada-perfect           {one:6.1f} s   (target < {TARGET_SUBMISSION_S:g} s) {flag}")
        students = ["ada-perfect", "cleo-partial", "dan-buggy"]
        print(f"\n3. sandbox cost: {len(students)} students x {len(assignments)} chapters, "
              f"{rounds} interleaved rounds")
        with_s, without_s = [], []
        for _ in range(rounds):
            without_s.append(grade_time(course, assignments, students, sandbox=False))
            with_s.append(grade_time(course, assignments, students, sandbox=True))
        plain, boxed = statistics.median(without_s), statistics.median(with_s)
        ratio = boxed / plain
        flag = "ok" if ratio <= TARGET_RATIO else "OVER TARGET"
        print(f"   without sandbox       {plain:6.1f} s   (rounds: {', '.join(f'{t:.1f}' for t in without_s)})")
        print(f"   with sandbox          {boxed:6.1f} s   (rounds: {', '.join(f'{t:.1f}' for t in with_s)})")
        print(f"   ratio                 {ratio:6.2f}x   (target <= {TARGET_RATIO:g}x) {flag}")


if __name__ == "__main__":
    sys.exit(main())

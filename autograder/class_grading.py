"""``grade --workers N``: a class graded concurrently, one writer, resumable.

:func:`grade_class_concurrently` reads each submission (``grade_tasks``), skips those
whose grade is recorded with the same content hash (``resume``; ``regrade=True``
grades all), hands the rest to ``dispatch`` (this process, an embedded Dask cluster
or a running one) and writes each result as it arrives, here and nowhere else
(``gradebook_writer``). A grading that failed on the worker side (a worker that keeps
dying) writes nothing and is counted as failed: the next run grades it again. Grades
equal a serial :func:`autograder.grading.grade_class` run's.

The closing summary (:class:`ClassRun`) says how many submissions were graded, left
unchanged and failed, the wall-clock seconds per graded notebook and the effective
parallelism (the gradings' own seconds summed, over the wall-clock time).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from nbgrader.api import Gradebook
from traitlets.config import Config

from .course import Course
from .definitions import assignment_definitions, fingerprint
from .dispatch import run_tasks
from .grade_tasks import GradingTask, granted_extensions, read_submission, source_digest
from .gradebook_writer import record
from .grading import GradeResult, grading_jobs, read_score
from .pipeline import quiet_gradebook
from .progress import Progress
from .resume import content_hash, needs_grading, recorded_hashes
from .settings import COURSE_ID


@dataclass
class ClassRun:
    """What one run did. ``results`` holds one entry per submission (unchanged ones
    with the grade the gradebook holds); ``failed`` the (assignment, student) pairs
    left ungraded; ``refused`` the student ids (raw) that were not valid ids and so
    neither graded nor registered."""

    results: list[GradeResult] = field(default_factory=list)
    graded: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    notebooks: int = 0
    busy_seconds: float = 0.0
    wall_seconds: float = 0.0

    def summary(self) -> str:
        """``graded 40, unchanged 0, failed 0; 1.52 s per notebook, parallelism 1.9x``."""
        per = self.wall_seconds / self.notebooks if self.notebooks else 0.0
        parallel = self.busy_seconds / self.wall_seconds if self.wall_seconds else 0.0
        return (f"graded {self.graded}, unchanged {self.unchanged}, failed "
                f"{len(self.failed)}; {per:.2f} s per notebook, effective parallelism "
                f"{parallel:.2f}x")


def settings_text(config: Config) -> str:
    """The grading settings as stable text (part of each content hash)."""
    return json.dumps(config, sort_keys=True, default=repr)


def _carried(config: Config, assignment: str) -> list[str]:
    section = config.get("NotebooksOnlyAutograde", {})
    return list(section.get("carried_files", {}).get(assignment, []))


def grade_class_concurrently(course: Course, assignments: list[str], config: Config,
                             students: list[str] | None = None, workers: int = 1,
                             scheduler: str | None = None, regrade: bool = False,
                             progress: Progress | None = None) -> ClassRun:
    """Grade the class (see the module docstring); ``workers`` is capped at the
    number of submissions."""
    jobs, refused = grading_jobs(course, assignments, students)
    definitions = assignment_definitions(course.db_url, assignments)
    prints = {a: fingerprint(d) for a, d in definitions.items()}
    settings = settings_text(config)
    sources = {a: source_digest(course.source / a) for a in assignments}
    with quiet_gradebook(), Gradebook(course.db_url, COURSE_ID) as gb:
        recorded = recorded_hashes(gb)
        extensions = granted_extensions(gb)
    progress = progress or Progress(len(jobs), "grading")
    run = ClassRun(refused=refused)
    start = time.monotonic()

    def tasks() -> Iterator[GradingTask]:
        for assignment, student in jobs:
            folder = course.submitted / student / assignment
            files, unsafe = read_submission(folder, _carried(config, assignment))
            extension = extensions.get((assignment, student))
            marked = {**files, "\0refused": "\n".join(unsafe).encode()}
            if extension is not None:  # granting one regrades: it can change a penalty
                marked["\0extension"] = str(extension.total_seconds()).encode()
            digest = content_hash(marked, prints[assignment], settings)
            if not regrade and not needs_grading(recorded, assignment, student, digest):
                run.unchanged += 1
                result = GradeResult(student, assignment,
                                     read_score(course, assignment, student))
                run.results.append(result)
                progress.completed(f"{assignment} / {student}", "unchanged", 0.0)
                continue
            yield GradingTask(str(course.root), assignment, student, files,
                              {assignment: definitions[assignment]}, config, digest,
                              unsafe, extension, sources[assignment])

    workers = max(1, min(workers, len(jobs)))
    for task, outcome in run_tasks(tasks(), workers, scheduler):
        item = f"{task.assignment} / {task.student}"
        if isinstance(outcome, BaseException):
            run.failed.append((task.assignment, task.student))
            progress.completed(item, f"FAILED ({type(outcome).__name__}: "
                                     f"{str(outcome)[:200]}); not recorded", 0.0, True)
            continue
        result = record(course, outcome)
        run.results.append(result)
        run.graded += 1
        run.notebooks += len(definitions[task.assignment]["notebooks"])
        run.busy_seconds += result.seconds
        progress.completed(item, f"{result.score.auto:g}/{result.score.auto_max:g}"
                           + (" (problems)" if result.problems else ""), result.seconds)
    run.wall_seconds = time.monotonic() - start
    progress.finish(f"{len({s for _, s in jobs})} student(s), {len(assignments)} "
                    f"assignment(s); {run.summary()}"
                    + (f", {len(refused)} folder(s) refused" if refused else ""))
    return run

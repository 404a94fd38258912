"""Where gradings run: in this process, or on Dask distributed.

:func:`run_tasks` takes :class:`~autograder.grade_tasks.GradingTask` s and yields
``(task, outcome)`` as each finishes, in completion order, ``outcome`` being the
:class:`~autograder.grade_tasks.GradedSubmission` or the exception that stopped the
grading. It never writes anything: the caller does, alone (single writer).

* ``workers=1`` without a scheduler: one after the other, here.
* otherwise an embedded Dask ``LocalCluster`` of ``workers`` processes (one thread
  each: each grading holds its own sandbox slot, a uid of its own), or, with
  ``scheduler="tcp://HOST:PORT"``, the running cluster there, whose workers must have
  this course at the same path and this package installed.

At most ``window`` tasks are in flight at a time (by default four per worker thread),
so a class of any size never sits in the scheduler's memory at once. A worker that
dies mid-grading loses only its result: Dask runs the task again on another worker;
a task that keeps killing workers comes back as its ``KilledWorker`` error.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from .grade_tasks import GradedSubmission, GradingTask, grade_task

Outcome = GradedSubmission | BaseException


def run_tasks(tasks: Iterable[GradingTask], workers: int = 1, scheduler: str | None = None,
              window: int | None = None) -> Iterator[tuple[GradingTask, Outcome]]:
    """Grade ``tasks``; see the module docstring."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if workers == 1 and scheduler is None:
        for task in tasks:
            try:
                yield task, grade_task(task)
            except Exception as exc:  # reported by the caller; the others go on
                yield task, exc
        return
    with dask_client(workers, scheduler) as client:
        threads = sum(client.nthreads().values()) or workers
        yield from _windowed(client, iter(tasks), window or 4 * threads)


def _windowed(client, tasks: Iterator[GradingTask], window: int
              ) -> Iterator[tuple[GradingTask, Outcome]]:
    from distributed import as_completed
    pending: dict = {}

    def submit_next() -> bool:
        task = next(tasks, None)
        if task is None:
            return False
        future = client.submit(grade_task, task, pure=False,
                               key=f"grade-{task.assignment}-{task.student}-"
                                   f"{task.content_hash[:12]}")
        pending[future.key] = task
        running.add(future)
        return True

    running = as_completed()
    for _ in range(window):
        if not submit_next():
            break
    for future in running:
        task = pending.pop(future.key)
        try:
            outcome: Outcome = future.result()
        except Exception as exc:  # KilledWorker, or an error inside grade_task
            outcome = exc
        future.release()
        submit_next()
        yield task, outcome


@contextmanager
def dask_client(workers: int, scheduler: str | None):
    """A Dask client: of the cluster at ``scheduler``, or of an embedded local cluster
    of ``workers`` single-threaded processes (closed on exit)."""
    from distributed import Client, LocalCluster
    if scheduler is not None:
        with Client(scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        yield client

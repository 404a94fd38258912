"""Instructor-side tools of the course: build, sandboxed grading, verdicts, reports.

Run ``python -m autograder --help``. This package may use ``course_utils``; the reverse
never happens, so nothing here is reachable from a student's kernel.
"""

__version__ = "1.0.0"

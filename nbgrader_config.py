"""nbgrader settings of the course (plain `nbgrader ...` commands run in this directory
use them too): the sandboxed kernel and verdicts decided outside it. See
autograder/settings.py."""

from autograder.settings import configure

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)
configure(c)

"""The one place nbgrader is configured, used by ``nbgrader_config.py`` and the CLI.

Grading runs every submission in the sandboxed kernel (``autograder.sandbox``) and has
graded test cells decided by :class:`autograder.verdicts.DecideVerdicts`, placed right
after execution and before nbgrader saves the scores.
"""

from __future__ import annotations

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata,
                                    IgnorePattern, LimitOutput, SaveAutoGrades)
from traitlets.config import Config

from .exchange import exchange_root
from .feedback_preprocessors import HideHiddenTests, RecordGrades
from .feedback_page import FeedbackExporter, template_settings
from .hidden_scrub import ScrubHiddenTests
from .rubrics import ShowRubrics
from .sandbox.policy import DEFAULT_POLICY
from .sanitise import SanitiseStudentContent
from .verdicts import DecideVerdicts

COURSE_ID = "conv-backprop"
#: What replaces each solution in the student's notebook: it says what to do.
STUB = ("# YOUR CODE HERE\n"
        "raise NotImplementedError(\"replace this line with your code; the docstring above \"\n"
        "                          \"says what to compute and return\")")
#: An LMS download's file names, ``<name>_<id>_<attempt>_<notebook>.ipynb``, as
#: ``nbgrader zip_collect`` reads them (it matches the whole path of each file).
#: The id is held to the course's id characters (``student_ids``) less ``_``, the
#: separator: a file whose id holds anything else (``<``, quotes, ``&``) matches nothing
#: and is not collected.
LMS_FILE_NAME = (r".*/[^/]+_(?P<student_id>[A-Za-z0-9][A-Za-z0-9.@-]{0,63})_"
                 r"(?P<attempt>\d+)_(?P<file_id>[^_/]+\.ipynb)$")
#: Seconds a single cell may run before it is interrupted: the sandbox policy's.
CELL_TIMEOUT = DEFAULT_POLICY.cell_timeout_seconds


def configure(c: Config, sandbox: bool = True, cell_timeout: int = CELL_TIMEOUT) -> Config:
    """Apply the course's nbgrader settings to ``c``; ``sandbox=False`` is the
    instructor's explicit, warned opt-out (verdicts are still decided outside the
    kernel, but the kernel runs with the grader's rights)."""
    c.CourseDirectory.course_id = COURSE_ID
    c.Exchange.root = str(exchange_root())  # nbgrader's exchange on a shared machine
    # collect only submissions owned by the account they name
    c.ExchangeFactory.collect = "autograder.exchange.OwnedSubmissionsCollect"
    c.ClearSolutions.code_stub = {"python": STUB}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    c.OverwriteCells.add_missing_cells = True
    c.FileNameCollectorPlugin.named_regexp = LMS_FILE_NAME
    c.Execute.timeout = cell_timeout
    c.Execute.kernel_name = "python3"
    c.Execute.record_timing = False
    from .sandbox import SandboxedExecute
    # the opt-out keeps output caps, time budgets and fail-closed; it drops isolation
    c.SandboxedExecute.use_sandbox = sandbox
    c.Autograde.autograde_preprocessors = [
        SandboxedExecute,
        DecideVerdicts,
        ScrubHiddenTests,  # hidden-test text printed by student code (formgrader too)
        SanitiseStudentContent,  # the saved notebook is inert in every viewer
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    c.GenerateFeedback.preprocessors = [ScrubHiddenTests, HideHiddenTests, RecordGrades,
                                        CSSHTMLHeaderPreprocessor]
    c.GenerateFeedback.exporter_class = FeedbackExporter  # pages carry a CSP
    for name, value in template_settings().items():  # ✓/✗, awaiting hand grading
        setattr(c.FeedbackExporter, name, value)
    # every HTML rendering (feedback pages, formgrader's submission view) sanitises
    # again, so notebooks autograded elsewhere or earlier are rendered inert too
    # formgrader's submission view (an HTMLExporter) shows each written answer's rubric
    # from source/; the feedback pages never do
    c.HTMLExporter.preprocessors = [SanitiseStudentContent, ShowRubrics]
    c.FeedbackExporter.preprocessors = [SanitiseStudentContent]
    c.HTMLExporter.sanitize_html = True
    return c


def course_config(sandbox: bool = True, cell_timeout: int = CELL_TIMEOUT) -> Config:
    """A fresh Config with the course's settings."""
    return configure(Config(), sandbox=sandbox, cell_timeout=cell_timeout)

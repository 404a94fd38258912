"""Generate ``release/`` (student versions, by nbgrader) and ``notebooks/`` (the reading
edition) from ``source/``. Both outputs are byte-for-byte reproducible: the drift test
rebuilds them and compares.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert.preprocessors import ClearMetadataPreprocessor, CoalesceStreamsPreprocessor
from nbformat.notebooknode import NotebookNode
from traitlets.config import Config

from .audience import for_readers, labelled_model_answer
from .course import Course, CourseError
from .notation import with_notation
from .release_figures import with_figures
from .scratch import scratch_course
from .settings import course_config
from .submissions import (is_solution_cell, is_test_cell, strip_hidden_tests,
                          strip_solution_markers)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: The cell tag of a cell whose outputs depend on the machine that runs it (a timing):
#: the reading edition runs it, then shows this note in place of its outputs.
MACHINE_DEPENDENT = "machine-dependent"
MACHINE_DEPENDENT_NOTE = ("What this cell prints and draws depends on the machine that runs "
                          "it, so the reading edition does not keep it: run the notebook "
                          "to measure on yours.\n")
#: Seconds any one cell of the reading edition may take.
READING_CELL_TIMEOUT = 120


def write_notebook(nb: NotebookNode, path: Path) -> None:
    """Write in the one canonical form (nbformat's, ending with a newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(nb)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


#: The notebook metadata the generated trees keep: the kernel, and the language without
#: its version (which differs from machine to machine). Cell metadata stays. (A mask
#: entry is a key and the keys kept below it: one entry per key.)
_CLEAN_METADATA = ClearMetadataPreprocessor(
    clear_cell_metadata=False,
    preserve_nb_metadata_mask={("kernelspec",),
                               ("language_info", "name", "file_extension", "mimetype")})
_COALESCE_STREAMS = CoalesceStreamsPreprocessor()


def _clean_metadata(nb: NotebookNode) -> None:
    """Keep only the notebook metadata of :data:`_CLEAN_METADATA`, in place."""
    cleaned, _ = _CLEAN_METADATA.preprocess(nb, {})
    nb.metadata = nbformat.from_dict(cleaned.metadata)


# ----------------------------------------------------------------------- release ----

def build_release(project: Course, assignment: str, out_dir: Path,
                  gradebook: Course | None = None) -> list[Path]:
    """Run nbgrader generate_assignment on a staged copy of ``source/<assignment>``
    and write the student notebooks under ``out_dir/<assignment>/``, the text's
    figures drawn (see :mod:`autograder.release_figures`).

    With ``gradebook``, nbgrader records the assignment, its notebooks and graded cells
    in that course's ``gradebook.db`` (created if missing, updated on a rerun): the
    course is then ready to grade."""
    config = course_config(sandbox=False)
    if gradebook is not None:
        config.CourseDirectory.db_url = gradebook.db_url
    with tempfile.TemporaryDirectory(prefix="release-") as tmp:
        scratch = scratch_course(project, [assignment], Path(tmp), config)
        target = out_dir / assignment
        if target.exists():
            shutil.rmtree(target)
        written = []
        for generated in sorted((scratch.release / assignment).rglob("*")):
            if generated.is_dir():
                continue
            dest = target / generated.relative_to(scratch.release / assignment)
            if generated.suffix == ".ipynb":
                nb = nbformat.read(str(generated), as_version=4)
                _clean_metadata(nb)
                source_nb = nbformat.read(str(project.source / assignment / generated.name),
                                          as_version=4)
                nb = with_figures(nb, executed_reading(project, assignment), source_nb)
                write_notebook(nb, dest)
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(generated, dest)
            written.append(dest)
        return written


# --------------------------------------------------------------- reading edition ----

def reading_version(source_nb: NotebookNode) -> NotebookNode:
    """The worked edition of an instructor notebook, not yet executed: solutions in,
    nbgrader markers, hidden tests and nbgrader metadata out, the text the reader's
    (:mod:`autograder.audience`), written answers labelled "Model answer"."""
    nb = copy.deepcopy(source_nb)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = for_readers(cell.source)
            if is_solution_cell(cell):
                cell.source = labelled_model_answer(cell.source)
        if cell.cell_type == "code" and is_solution_cell(cell):
            cell.source = strip_solution_markers(cell.source)
        elif is_test_cell(cell):
            cell.source = strip_hidden_tests(cell.source)
            if not cell.source.strip():
                continue
        for key in ("nbgrader", "deletable", "editable", "trusted"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    nb.cells = cells
    _clean_metadata(nb)
    return with_notation(nb)


def _static_outputs(nb: NotebookNode) -> None:
    """Make the executed edition the same on every machine. Drop live-widget views (their
    model ids are random and no widget manager runs where the edition is read); each
    widget also carries a static image, which stays.
    Streams are coalesced (where the kernel splits its printed text depends on timing);
    a cell tagged :data:`MACHINE_DEPENDENT` keeps only its note.
    """
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if MACHINE_DEPENDENT in cell.metadata.get("tags", []):
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                   text=MACHINE_DEPENDENT_NOTE)]
            cell.metadata.pop("execution", None)
            continue
        _COALESCE_STREAMS.preprocess_cell(cell, {}, index)
        outputs = []
        for out in cell.outputs:
            data = out.get("data")
            if data and WIDGET_VIEW in data:
                del data[WIDGET_VIEW]
                if not data:
                    continue
            out.get("metadata", {}).pop(WIDGET_VIEW, None)
            outputs.append(out)
        cell.outputs = outputs
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)


def execute_trusted(nb: NotebookNode, folder: Path, timeout: int = READING_CELL_TIMEOUT
                    ) -> None:
    """Execute a trusted (instructor) notebook in place, in a scratch copy of the
    non-notebook files of ``folder``; raises on the first cell error."""
    with tempfile.TemporaryDirectory(prefix="execute-") as tmp:
        for extra in folder.iterdir():
            if extra.suffix != ".ipynb" and extra.is_file():
                shutil.copy(extra, tmp)
        # IPC sockets in the scratch folder: no TCP port, no plaintext-TCP warning. The
        # client creates (and so shuts down) the kernel manager from this config.
        config = Config()
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(Path(tmp) / "kernel")
        NotebookClient(nb, config=config, kernel_name="python3", timeout=timeout,
                       resources={"metadata": {"path": tmp}}, record_timing=False).execute()


_EXECUTED: dict[tuple[str, str], NotebookNode] = {}


def executed_reading(project: Course, assignment: str) -> NotebookNode:
    """The executed reading edition of ``source/<assignment>`` (one notebook per
    assignment), computed once per process and source text: the release takes its
    figures from it."""
    notebooks = project.source_notebooks(assignment)
    if len(notebooks) != 1:
        raise CourseError(f"{assignment}: expected one notebook in source/{assignment}, "
                          f"found {len(notebooks)}")
    key = (str(notebooks[0].resolve()), notebooks[0].read_text(encoding="utf-8"))
    if key not in _EXECUTED:
        nb = reading_version(nbformat.read(str(notebooks[0]), as_version=4))
        execute_trusted(nb, project.source / assignment)
        _static_outputs(nb)
        _clean_metadata(nb)
        _EXECUTED[key] = nb
    return copy.deepcopy(_EXECUTED[key])


def build_reading_edition(project: Course, assignment: str, out_dir: Path) -> Path:
    """Execute the reading version of the assignment's notebook into
    ``out_dir/<assignment>.ipynb``."""
    target = out_dir / f"{assignment}.ipynb"
    write_notebook(executed_reading(project, assignment), target)
    return target

"""What travels from ``submitted/`` to ``autograded/``: the notebooks, and nothing else.

Stock nbgrader copies every other file of a submission folder into ``autograded/``,
as root, with its mode bits. Such a file lands in the working directory of the grading
kernel and of any kernel the instructor starts there (formgrader's "open live
notebook"): ``ipykernel_launcher.py`` or ``numpy.py`` would be imported by the
instructor's own, unsandboxed kernel, and a setuid file would be a root-owned setuid
binary while the notebook grades. :class:`NotebooksOnlyAutograde` carries only the
assignment's notebooks (nbgrader sanitises and writes them itself), nbgrader's own
records of the submission (``timestamp.txt`` and ``submission_secret.txt``, written by
``submit``: feedback carries them on, and ``release_feedback`` needs them to name each
page), plus an explicit allow-list
of data files, copied as plain ``0644`` files; everything else stays behind.

It also keeps the grading folders private. ``autograded/`` and each student's folder
are ``0700``; the assignment folder is ``0755`` because the sandbox uid must enter it
(``autograder.sandbox.launch`` binds it as the kernel's working directory); every
notebook in it is ``0600`` while it grades, so the kernel cannot read the notebook
file, hidden tests included, that it is running (``0400`` once graded).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from nbgrader.converters import Autograde
from nbgrader.converters.base import BaseConverter
from traitlets import Dict, List, Unicode, default

#: Modes of the grading folders and files (see the module docstring).
PRIVATE_DIR, SANDBOX_DIR, NOTEBOOK_FILE, DATA_FILE = 0o700, 0o755, 0o600, 0o644
#: Suffixes Python can import: never carried, even when allow-listed.
#: nbgrader's records of a submission (its time, and the secret ``submit`` draws, which
#: ``release_feedback`` hashes with the notebook), carried (when small) with it.
SUBMISSION_RECORDS, RECORD_MAX_BYTES = ("timestamp.txt", "submission_secret.txt"), 1024
IMPORTABLE = (".py", ".pyc", ".pyo", ".pyw", ".pth", ".so", ".pyd", ".zip", ".egg",
              ".whl")


class _CopyNothing(BaseConverter):
    """Placed after ``Autograde`` in the method resolution order, so that its call to
    ``BaseConverter.init_assignment`` (which copies every non-notebook file of the
    submission) lands here and copies nothing."""

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        pass


def allowed_name(name: str) -> bool:
    """Whether ``name`` may be allow-listed: a plain relative path inside the
    submission folder, not hidden, not importable."""
    path = PurePosixPath(name)
    return (bool(name) and not path.is_absolute() and "\\" not in name
            and all(part not in ("", ".", "..") and not part.startswith(".")
                    for part in path.parts)
            and not name.lower().endswith(IMPORTABLE))


def carry_data_files(source: Path, dest: Path, names: list[str]) -> list[str]:
    """Copy each allow-listed regular file ``source/name`` to ``dest/name`` as a fresh
    ``0644`` file (no mode bits, owner or times of the original; links and special
    files are not followed). Returns the names copied; missing ones are skipped."""
    carried = []
    for name in names:
        if not allowed_name(name):
            raise ValueError(f"{name!r} cannot be carried into autograded/ (a data file "
                             "needs a plain relative name that Python cannot import)")
        path = source / name
        if not os.path.realpath(path).startswith(os.path.realpath(source) + os.sep):
            continue  # a link on the way out of the submission (preflight refuses them)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with os.fdopen(fd, "rb") as src:
            if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):
                continue
            target = dest / name
            make_data_dirs(dest, target.parent)
            if target.exists() or target.is_symlink():
                target.unlink()
            out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                          DATA_FILE)
            with os.fdopen(out, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
            os.chmod(target, DATA_FILE)  # the umask may have narrowed it
        carried.append(name)
    return carried


def make_data_dirs(top: Path, folder: Path) -> None:
    """Create ``folder`` and its parents below ``top`` with mode 0755 (data folders the
    sandbox must read)."""
    for path in reversed([folder, *folder.parents]):
        if path == top or top not in path.parents:
            continue
        if not path.is_dir():
            path.mkdir(mode=SANDBOX_DIR)


def protect_grading_folders(autograded: Path, student: str, assignment: str) -> Path:
    """Create ``autograded/<student>/<assignment>`` if needed and set the modes of the
    module docstring on the three folders; returns the assignment folder."""
    student_dir, dest = autograded / student, autograded / student / assignment
    for path, mode in ((autograded, PRIVATE_DIR), (student_dir, PRIVATE_DIR),
                       (dest, SANDBOX_DIR)):
        path.mkdir(mode=mode, exist_ok=True)
        os.chmod(path, mode)
    return dest


class NotebooksOnlyAutograde(Autograde, _CopyNothing):
    """nbgrader's ``Autograde`` that carries only the notebooks (and allow-listed data
    files) into ``autograded/``, in private folders, notebooks ``0600``."""

    @default("permissions")
    def _permissions_default(self) -> int:
        return 400  # nbgrader's octal digits: read-only for the grader alone

    carried_files = Dict(
        key_trait=Unicode(), value_trait=List(Unicode()), default_value={},
        help="assignment id -> data files of a submission (relative names) to carry into "
             "autograded/ beside the notebooks, as plain 0644 files").tag(config=True)

    def _grading_folders(self, assignment_id: str, student_id: str) -> Path:
        return protect_grading_folders(Path(self.coursedir.root)
                                       / self.coursedir.autograded_directory,
                                       student_id, assignment_id)

    def init_assignment(self, assignment_id: str, student_id: str) -> None:
        dest = self._grading_folders(assignment_id, student_id)
        super().init_assignment(assignment_id, student_id)
        source = Path(self._format_source(assignment_id, student_id))
        carry_data_files(source, dest, self.carried_files.get(assignment_id, []))
        carry_data_files(source, dest, [
            name for name in SUBMISSION_RECORDS if (source / name).is_file()
            and not (source / name).is_symlink()
            and (source / name).stat().st_size <= RECORD_MAX_BYTES])

    def write_single_notebook(self, output: str, resources: dict) -> None:
        nb = resources["nbgrader"]
        dest = self._grading_folders(nb["assignment"], nb["student"])
        super().write_single_notebook(output, resources)
        os.chmod(dest / f"{resources['unique_key']}.ipynb", NOTEBOOK_FILE)

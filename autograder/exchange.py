"""nbgrader's exchange on one shared machine (JupyterHub with one Unix account per
student): the folder assignments, submissions and feedback travel through.

nbgrader's own commands do the travelling (``release_assignment``, ``fetch_assignment``,
``submit``, ``collect``, ``release_feedback``, ``fetch_feedback``) and know each student
by their Unix account. :func:`prepare_exchange` readies the folder before the first
release:

- the exchange root (``$COURSE_EXCHANGE``, else nbgrader's default
  ``/srv/nbgrader/exchange``) is created ``1777``: every account may create in it, as
  nbgrader needs, and the sticky bit keeps anyone from renaming or removing what another
  account made there;
- the course's folder in it (``<root>/conv-backprop``) is made by the instructor, ``0755``,
  before any student could make one of that name and so own the course's ``outbound/``;
  a course folder owned by another account, or writable by others, is refused;
- every folder above the root must be enterable by every account (students reach the
  exchange through them).

nbgrader then makes ``outbound/`` (``0755``), ``inbound/`` (``2733``: students can drop
a submission in but cannot list or read the others') and ``feedback/`` itself; the
course's ``collect`` is :class:`OwnedSubmissionsCollect` (``settings``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect

from .course import CourseError

try:
    import pwd
except ImportError:  # not on Windows
    pwd = None

#: nbgrader's default exchange root.
DEFAULT_EXCHANGE = Path("/srv/nbgrader/exchange")
ROOT_MODE, COURSE_MODE = 0o1777, 0o755


def exchange_root() -> Path:
    """The exchange root: ``$COURSE_EXCHANGE``, else :data:`DEFAULT_EXCHANGE`."""
    return Path(os.environ.get("COURSE_EXCHANGE") or DEFAULT_EXCHANGE).absolute()


def student_settings(root: Path, course_id: str) -> str:
    """The ``nbgrader_config.py`` lines every student's Jupyter needs (for JupyterHub:
    ``/etc/jupyter/nbgrader_config.py``; for one account: ``~/.jupyter/``)."""
    return ("c = get_config()  # noqa: F821\n"
            f"c.CourseDirectory.course_id = {course_id!r}\n"
            f"c.Exchange.root = {str(root)!r}\n")


def _unreachable(root: Path) -> list[Path]:
    """Folders above ``root`` that other accounts cannot enter."""
    return [p for p in root.parents if p.exists() and not os.stat(p).st_mode & stat.S_IXOTH]


def prepare_exchange(root: Path, course_id: str) -> Path:
    """Create (or check) the exchange root and the course's folder in it as the module
    docstring says; returns the course folder. CourseError says what is wrong."""
    root = root.absolute()
    blocked = _unreachable(root)
    if blocked:
        raise CourseError(f"students cannot reach the exchange {root}: {blocked[-1]} is closed "
                          f"to other accounts (chmod o+x it, or set COURSE_EXCHANGE to a "
                          f"folder every account can reach)")
    try:
        for folder in reversed([root, *root.parents]):
            if not folder.exists():
                folder.mkdir(mode=0o755)
        os.chmod(root, ROOT_MODE)
        course = root / course_id
        if not course.exists():
            course.mkdir(mode=COURSE_MODE)
    except PermissionError as exc:
        raise CourseError(f"cannot prepare the exchange {root} ({exc.strerror}): run this as "
                          "an account that may create it (e.g. root), or set "
                          "COURSE_EXCHANGE") from None
    info = os.lstat(course)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise CourseError(f"{course} is not a folder: remove it and run this again")
    if info.st_uid != os.geteuid():
        raise CourseError(f"{course} belongs to another account (uid {info.st_uid}), who "
                          "could then hand out assignments: remove it and run this again")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        os.chmod(course, COURSE_MODE)
    return course


class OwnedSubmissionsCollect(ExchangeCollect):
    """nbgrader's ``collect``, trusting a submission's name only when its owner agrees.

    A submission in ``inbound/`` is a folder named ``<student>+<assignment>+<time>+…``;
    ``inbound/`` is open for every account to create in, so any student can make a
    folder that names another student and a later time. Stock ``collect`` then warns
    ("cheating attempt?") and still collects it, in place of the real one. Here, where
    accounts are known (``check_owner``, on by default), only folders owned by the
    account they name count: the latest of those is collected, and each other folder
    is left in the exchange with an error line naming it and its owner.
    """

    def _owned(self, record: dict) -> bool:
        if not self.check_owner or pwd is None:
            return True
        owner = _owner_name(self.inbound_path, record)
        if owner != record["username"]:
            self.log.error("not collected: %s names %s but belongs to %s",
                               record["filename"], record["username"],
                               owner or "an unknown uid")
            return False
        return True

    def _sort_by_timestamp(self, records):
        # called once per student with that student's records: the latest *owned* one
        # comes first; with none owned, copy_files below drops the student's record
        owned = [r for r in records if self._owned(r)]
        return super()._sort_by_timestamp(owned or records)

    def copy_files(self):
        self.src_records = [r for r in self.src_records if self._owned(r)]
        return super().copy_files()


def _owner_name(folder: str, record: dict) -> str | None:
    """The account name owning the record's folder in ``folder`` (None: no account)."""
    try:
        return pwd.getpwuid(os.lstat(os.path.join(folder, record["filename"])).st_uid).pw_name
    except KeyError:
        return None

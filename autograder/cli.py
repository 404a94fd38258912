"""``python -m autograder``: the instructor's commands over nbgrader.

  release   generate release/ (student versions) and notebooks/ (reading edition)
  selftest  prove instructor solutions earn full marks and the release earns zero
  grade     autograde submissions in the sandbox, print the grade table
  feedback  write feedback HTML (hidden tests never shown)
  export    write the grades CSV (and an LMS grade sheet), print the grade table
  exchange  ready nbgrader's exchange folder for a shared machine (JupyterHub)
  lab       open JupyterLab on the student, instructor or reading tree
  selfgrade grade your own notebook (self-study): verdicts and a feedback page
  site      build the reading edition as a static HTML site that works offline
  demo      build the course and grade the bundled sample class end to end
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from .course import PROJECT_ROOT, Course, CourseError, ensure_tools_on_path
from .safe_text import shown, shown_lines

UNSAFE_FLAG = "--unsafe-no-sandbox"
UNSAFE_WARNING = (
    "WARNING: grading WITHOUT the sandbox. Student code runs with your rights: it can read "
    "source/ (the solutions), rewrite gradebook.db and reach the network. Verdicts are still "
    "decided outside the kernel. Only do this with submissions you trust.")


def _grading_config(args):
    from .settings import CELL_TIMEOUT, course_config
    timeout = getattr(args, "cell_timeout", None) or CELL_TIMEOUT
    if getattr(args, "unsafe_no_sandbox", False):
        print(UNSAFE_WARNING, file=sys.stderr)
        return course_config(sandbox=False, cell_timeout=timeout)
    from .sandbox import sandbox_problem
    problem = sandbox_problem()
    if problem:
        raise CourseError(f"cannot grade safely: {problem}\nGrading refuses to run student "
                          f"code unsandboxed; to do it anyway (trusted submissions only), "
                          f"pass {UNSAFE_FLAG}.")
    return course_config(sandbox=True, cell_timeout=timeout)


def _course(args) -> Course:
    root = Path(args.course).resolve() if getattr(args, "course", None) else PROJECT_ROOT
    if not (root / "source").is_dir():
        raise CourseError(f"{root} is not a course directory (it has no source/ folder)")
    return Course(root, getattr(args, "db", None))


# --------------------------------------------------------------------- commands ----

def cmd_release(args) -> int:
    from .build import build_reading_edition, build_release
    project = _course(args)
    assignments = project.require_assignments(args.assignments)
    release_dir = Path(args.release_dir or project.release)
    reading_dir = Path(args.reading_dir or project.root / "notebooks")
    # a release into the course's own release/ also readies its gradebook for grading
    gradebook = None if args.release_dir else project
    for assignment in assignments:
        for path in build_release(project, assignment, release_dir, gradebook):
            print(f"released   {path.relative_to(release_dir.parent)}")
        if not args.skip_reading:
            path = build_reading_edition(project, assignment, reading_dir)
            print(f"executed   {path.relative_to(reading_dir.parent)}")
    if gradebook is not None:
        from .gradebook_setup import gradebook_summary, set_due_date
        if args.due:
            set_due_date(project, assignments, args.due)
        print(f"release: {len(assignments)} assignment(s) in {release_dir}; "
              f"{gradebook_summary(project)}")
    return 0


def cmd_selftest(args) -> int:
    from .selftest import run_selftest
    config = _grading_config(args)
    project = _course(args)
    run = run_selftest(project, project.require_assignments(args.assignments), config)
    print("\n".join(run.score_lines()))
    failures = run.failures
    if failures:
        print(f"\nselftest FAILED ({len(failures)}):", file=sys.stderr)
        for failure in failures:
            print(f"  - {shown(failure)}", file=sys.stderr)
        return 1
    print("selftest passed: instructor solutions earn full marks, the untouched release zero.")
    return 0


def cmd_grade(args) -> int:
    from .class_grading import grade_class_concurrently
    from .report import grade_table
    config = _grading_config(args)
    course = _course(args)
    assignments = course.require_assignments(args.assignments)
    if not course.has_gradebook:
        raise CourseError(f"no gradebook in {course.root}: run `python -m autograder release` "
                          "first")
    from .gradebook_setup import unreleased
    missing = unreleased(course, assignments)
    if missing:
        raise CourseError(f"the gradebook does not know {', '.join(missing)}: run "
                          f"`python -m autograder release {' '.join(missing)}` first")
    if args.workers is not None and args.workers < 1:
        raise CourseError(f"--workers must be at least 1, not {args.workers}")
    run = grade_class_concurrently(course, assignments, config, students=args.student or None,
                                   workers=args.workers or os.cpu_count() or 1,
                                   scheduler=args.scheduler, regrade=args.regrade)
    from .grading import refusal_lines
    for line in refusal_lines(run.refused):
        print(line, file=sys.stderr)
    if not run.results and not run.failed:
        print("no submissions found under submitted/<student>/<assignment>/")
        return 0
    if run.results:
        print(grade_table(run.results))
    if run.failed:
        print(f"{len(run.failed)} submission(s) could not be graded and were not recorded; "
              "run grade again to retry them:", file=sys.stderr)
        for assignment, student in run.failed:
            print(f"  - {shown(assignment)} / {shown(student)}", file=sys.stderr)
        return 1
    return 0


def cmd_feedback(args) -> int:
    from .feedback import write_feedback
    course = _course(args)
    problems = []
    for assignment in course.require_assignments(args.assignments):
        run = write_feedback(course, assignment, args.student or None)
        print(run.summary(), file=sys.stderr)
        problems += run.problems
    for problem in problems:
        print(f"  - {shown(problem)}", file=sys.stderr)
    return 1 if problems else 0


def cmd_export(args) -> int:
    from .exports import export_grades, export_lms
    from .grading import gradebook_results
    from .report import grade_table
    course = _course(args)
    path = export_grades(course, Path(args.to) if args.to else course.root / "grades.csv")
    results = gradebook_results(course, course.assignments())
    if results:
        print(grade_table(results))
    print(f"grades written to {path}")
    if args.lms:
        print(f"LMS grade sheet (student_id, total, one column per assignment) written to "
              f"{export_lms(course, Path(args.lms))}")
    return 0


def cmd_report(args) -> int:
    from .class_report import write_report
    course = _course(args)
    out = Path(args.to) if args.to else course.root / "report"
    page = write_report(course, course.require_assignments(args.assignments), out)
    print(f"class report written to {page} (figures as PNG beside it)")
    return 0


def cmd_exchange(args) -> int:
    from .exchange import exchange_root, prepare_exchange, student_settings
    from .settings import COURSE_ID
    root = exchange_root()
    course = prepare_exchange(root, COURSE_ID)
    print(f"exchange ready: {root} (1777), course folder {course} (0755); now "
          f"`nbgrader release_assignment <assignment>`")
    print("every student's Jupyter needs these nbgrader settings (on JupyterHub, in "
          "/etc/jupyter/nbgrader_config.py):\n" + student_settings(root, COURSE_ID))
    return 0


def cmd_selfgrade(args) -> int:
    from .selfgrade import selfgrade, verdict_report
    from .sandbox import sandbox_problem
    from .settings import course_config
    problem = sandbox_problem()
    if problem:
        print(f"note: the sandbox cannot run here ({problem}); your notebook runs with your "
              "own rights, as it does in Jupyter.", file=sys.stderr)
    config = course_config(sandbox=problem is None)
    result, verdicts, page = selfgrade(Path(args.notebook).resolve(), _course(args), config)
    print(verdict_report(result, verdicts))
    if page:
        print(f"feedback page: {page}")
    return 0


def cmd_site(args) -> int:
    from .site import build_site
    index = build_site(out_dir=Path(args.out).resolve())
    print(f"site written: {index}")
    return 0


def cmd_lab(args) -> int:
    from .lab import lab_launch
    ensure_tools_on_path()
    launch = lab_launch(args.tree, shutil.which("jupyter") or "jupyter")
    print(" ".join(launch.argv))
    os.chdir(launch.cwd)
    os.execvpe(launch.argv[0], launch.argv, launch.env)
    return 0  # not reached


def cmd_demo(args) -> int:
    from .demo import run_demo
    config = _grading_config(args)
    return run_demo(Path(args.dir).resolve(), config)


# ----------------------------------------------------------------------- parser ----

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name, func, help_text):
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    def course_arg(p, db=True):
        p.add_argument("--course", help="course directory (default: this project)")
        if db:
            p.add_argument("--db", metavar="URL",
                           help="the gradebook's database, as nbgrader's db_url takes it "
                                "(e.g. postgresql://user@host/course; default: "
                                "gradebook.db in the course directory)")

    def unsafe_arg(p):
        p.add_argument(UNSAFE_FLAG, dest="unsafe_no_sandbox", action="store_true",
                       help="grade without the sandbox (trusted submissions only)")

    p = add("release", cmd_release, "generate release/ and the executed reading edition")
    p.add_argument("assignments", nargs="*")
    p.add_argument("--release-dir", help=argparse.SUPPRESS)
    p.add_argument("--reading-dir", help=argparse.SUPPRESS)
    p.add_argument("--skip-reading", action="store_true", help="only generate release/")
    p.add_argument("--due", metavar="'YYYY-MM-DD HH:MM'",
                   help="due date (UTC) of the assignments released; later submissions are "
                        "marked late")
    course_arg(p)

    p = add("selftest", cmd_selftest, "autograde the instructor solutions and the untouched release")
    p.add_argument("assignments", nargs="*")
    course_arg(p, db=False)
    unsafe_arg(p)

    p = add("grade", cmd_grade, "autograde submitted/<student>/<assignment> in the sandbox")
    p.add_argument("assignments", nargs="*")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument("--cell-timeout", type=int, metavar="SECONDS",
                   help="interrupt a cell after this long (default 60)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="grade N submissions at once, each in its own sandbox (default: "
                        "this machine's cores; beyond 1, on an embedded Dask cluster)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="grade on the running Dask cluster there instead; its workers "
                        "need this course at the same path")
    p.add_argument("--regrade", action="store_true",
                   help="grade every submission again, even those graded as they stand")
    course_arg(p)
    unsafe_arg(p)

    p = add("feedback", cmd_feedback, "write feedback/<student>/<assignment>/*.html")
    p.add_argument("assignments", nargs="*")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    course_arg(p)

    p = add("export", cmd_export, "write the grades as CSV and print the grade table")
    p.add_argument("--to", help="output file (default: grades.csv in the course directory)")
    p.add_argument("--lms", metavar="FILE",
                   help="also write one row per student: student_id, total, per assignment")
    course_arg(p)

    p = add("report", cmd_report, "write the class report: what the class got wrong")
    p.add_argument("assignments", nargs="*")
    p.add_argument("--to", metavar="DIR", help="output folder (default: report/)")
    course_arg(p)

    add("exchange", cmd_exchange, "create nbgrader's exchange folder ($COURSE_EXCHANGE, "
        "default /srv/nbgrader/exchange) and the course's folder in it; print the "
        "students' settings")

    p = add("lab", cmd_lab, "open JupyterLab")
    p.add_argument("--tree", choices=("student", "instructor", "reading"), default="student")

    p = add("selfgrade", cmd_selfgrade, "grade your own notebook as the instructor would "
            "(self-study): verdicts and the feedback page")
    p.add_argument("notebook", help="a worked copy of a release/ notebook, released name kept")
    course_arg(p, db=False)

    p = add("site", cmd_site, "build the reading edition into a static HTML site (offline)")
    p.add_argument("--out", default=str(PROJECT_ROOT / "build" / "site"),
                   help="output directory (replaced; default build/site)")

    p = add("demo", cmd_demo, "build the course and grade the bundled sample class")
    p.add_argument("--dir", default=str(PROJECT_ROOT / "build" / "demo"),
                   help="scratch course directory (replaced)")
    unsafe_arg(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CourseError as exc:
        print(f"error: {shown_lines(exc)}", file=sys.stderr)
        return 2

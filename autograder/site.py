"""``python -m autograder site``: the reading edition as a static HTML site, offline.

Built with Sphinx, MyST-NB (the notebooks are already executed: nothing runs) and the
Furo theme; MathJax is served from the site itself (``sphinx-mathjax-offline``), so
neither the build nor a reader's browser needs the network. Source: ``notebooks/``.
Output: ``build/site/`` (``index.html`` first). The index lists the course's path: each
chapter's title and the opening paragraph of its notebook.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from .course import PROJECT_ROOT, CourseError

CONF = '''\
project = "Backpropagation through convolution and pooling"
html_title = project
extensions = ["myst_nb", "sphinx-mathjax-offline"]
nb_execution_mode = "off"
nb_output_stderr = "remove"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_dmath_double_inline = True
html_theme = "furo"
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_last_updated_fmt = None
html_show_sphinx = False
html_show_copyright = False
html_copy_source = False
html_show_sourcelink = False
exclude_patterns = ["_build"]
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]
'''
#: The text column is wider than Furo's 46em where the screen allows (the notation
#: table has four columns of formulas and shapes); tables fill the column in a smaller
#: type and wrap inside cells; images never exceed the column.
CSS = '''\
@media (min-width: 75em) { .content { width: 58em; } }
table.docutils { width: 100%; font-size: 0.85em; }
table.docutils td, table.docutils th { white-space: normal; }
table.docutils td code { white-space: nowrap; }
.cell_output img { max-width: 100%; height: auto; }
'''


def chapter_summary(notebook: Path) -> tuple[str, str]:
    """(title, opening paragraph) of a reading-edition notebook."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    first = next(("".join(c["source"]) for c in cells if c["cell_type"] == "markdown"), "")
    lines = first.strip().splitlines()
    title = lines[0].lstrip("#").strip() if lines else notebook.stem
    paragraphs = "\n".join(lines[1:]).strip().split("\n\n")
    return title, " ".join(paragraphs[0].split()) if paragraphs else ""


def index_page(notebooks: list[Path]) -> str:
    """The site's front page: what the course is, then each chapter in order."""
    parts = ["# Backpropagation through convolution and pooling", "",
             "The worked, executed edition of the course: every derivation, figure and "
             "solution, from the 1D case to 2D, to depth (channels, filters, batch), to "
             "stride and padding, to pooling. Read the chapters in order; each builds on "
             "the one before.", ""]
    for number, path in enumerate(notebooks, 1):
        title, summary = chapter_summary(path)
        parts += [f"{number}. [{title}]({path.stem}.ipynb)", f"   {summary}", ""]
    parts += ["```{toctree}", ":hidden:", ":maxdepth: 1", "",
              *(path.stem for path in notebooks), "```", ""]
    return "\n".join(parts)


def build_site(notebooks_dir: Path = PROJECT_ROOT / "notebooks",
               out_dir: Path = PROJECT_ROOT / "build" / "site") -> Path:
    """Build the site into ``out_dir`` (replaced); returns the path of its index."""
    notebooks = sorted(notebooks_dir.glob("*.ipynb"))
    if not notebooks:
        raise CourseError(f"no notebooks in {notebooks_dir}: run `python -m autograder "
                          "release` first")
    src = out_dir.parent / f"{out_dir.name}-src"
    for folder in (src, out_dir):
        if folder.exists():
            shutil.rmtree(folder)
    (src / "_static").mkdir(parents=True)
    for path in notebooks:
        shutil.copy(path, src / path.name)
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    (src / "_static" / "course.css").write_text(CSS, encoding="utf-8")
    (src / "index.md").write_text(index_page(notebooks), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W",
                           "--keep-going", str(src), str(out_dir)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise CourseError(f"the site did not build:\n{proc.stderr.strip()[-3000:]}")
    return out_dir / "index.html"

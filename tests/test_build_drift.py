"""release/ and notebooks/ are exactly what the build makes from source/."""

from __future__ import annotations

import filecmp
import json

import pytest

from conftest import ROOT, run_cli


def _files(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def _first_difference(a, b) -> str:
    if a.suffix != ".ipynb":
        return "contents differ"
    left, right = json.loads(a.read_text()), json.loads(b.read_text())
    for i, (x, y) in enumerate(zip(left["cells"], right["cells"])):
        if x != y:
            return f"cell {i} differs (committed source starts {''.join(x['source'])[:60]!r})"
    if len(left["cells"]) != len(right["cells"]):
        return f"{len(left['cells'])} cells committed, {len(right['cells'])} built"
    return "notebook metadata differs"


@pytest.mark.slow
@pytest.mark.parametrize("blas_threads", ["1", "2"])
def test_generated_trees_match_a_fresh_build(tmp_path, blas_threads):
    """Byte for byte, whatever the BLAS thread count (which changes summation order, as
    another CPU would): an output carrying rounding noise fails here."""
    threads = {name: blas_threads for name in
               ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    code, out, err = run_cli("release", "--release-dir", str(tmp_path / "release"),
                             "--reading-dir", str(tmp_path / "notebooks"), env_extra=threads)
    assert code == 0, err
    drift = []
    for tree in ("release", "notebooks"):
        committed, built = ROOT / tree, tmp_path / tree
        if _files(committed) != _files(built):
            drift.append(f"{tree}/: committed files {_files(committed)} != built {_files(built)}")
            continue
        for rel in _files(built):
            if not filecmp.cmp(committed / rel, built / rel, shallow=False):
                drift.append(f"{tree}/{rel}: {_first_difference(committed / rel, built / rel)}")
    assert not drift, ("generated files drifted from source/; run `python -m autograder "
                       "release` and commit:\n" + "\n".join(drift))


def test_every_assignment_is_released_and_has_a_reading_edition():
    assignments = sorted(p.name for p in (ROOT / "source").iterdir() if p.is_dir())
    assert assignments, "source/ has no assignments"
    for assignment in assignments:
        assert list((ROOT / "release" / assignment).glob("*.ipynb")), assignment
        assert (ROOT / "notebooks" / f"{assignment}.ipynb").is_file(), assignment


def test_committed_source_has_no_outputs_and_release_only_the_text_figures():
    from autograder.release_figures import is_figure_output
    for tree in ("source", "release"):
        for path in (ROOT / tree).rglob("*.ipynb"):
            nb = json.loads(path.read_text())
            for cell in nb["cells"]:
                if cell["cell_type"] != "code":
                    continue
                assert cell["execution_count"] is None, path
                graded = cell["metadata"].get("nbgrader", {})
                if tree == "source" or graded.get("grade") or graded.get("solution"):
                    assert cell["outputs"] == [], (path, cell["source"][:1])
                else:
                    assert cell["outputs"] == [] or is_figure_output(cell["outputs"]), path
            assert "widgets" not in nb["metadata"], path


def test_release_holds_no_solution_or_hidden_test():
    for path in (ROOT / "release").rglob("*.ipynb"):
        text = path.read_text()
        for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "record(", "Rubric"):
            assert marker not in text, f"{path.name} leaks {marker!r}"


def test_every_generated_notebook_ends_with_the_one_notation_table():
    from autograder.notation import notation_cell
    table = notation_cell().source
    assert "| $\\mathcal{L}$ |" in table and "rot180" in table
    for path in [*(ROOT / "release").rglob("*.ipynb"), *(ROOT / "notebooks").glob("*.ipynb")]:
        last = json.loads(path.read_text())["cells"][-1]
        assert "".join(last["source"]) == table, path

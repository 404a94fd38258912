"""A failing visible test shows its teaching message first and alone, in a real kernel."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _run(*sources: str) -> list[dict]:
    """Execute one notebook of ``sources`` (errors allowed); the error output of each
    cell that raised, in order."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    client = NotebookClient(nb, kernel_name="python3", timeout=60, allow_errors=True,
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    return [out for cell in nb.cells for out in cell.outputs
            if out.output_type == "error"]


def _text(error) -> str:
    return ANSI.sub("", "\n".join(error["traceback"]))


@pytest.mark.slow
def test_helper_failures_show_the_message_alone_and_student_errors_show_their_line():
    errors = _run(
        "import numpy as np\n"
        "from course_utils.compare import assert_close\n"
        "from course_utils.gradcheck import check_gradients",
        "assert_close('dx', np.array([1.0, 2.0]), np.array([1.0, 3.0]), hint='flip w')",
        "check_gradients(lambda x: 2 * x, {'x': np.array([0.5, 1.5])},\n"
        "                {'dx': np.array([3.0, 3.0])}, np.ones(2), verbose=False)",
        "def student_dx(dy):\n"
        "    return dy[10]  # the student's own bug\n"
        "assert_close('dx', student_dx(np.zeros(3)), np.zeros(3))",
    )
    close, grad, student = (_text(e) for e in errors)
    for text in (close, grad):
        assert "compare.py" not in text and "gradcheck.py" not in text, text
        assert "Traceback" not in text and "File " not in text, text
    assert close.splitlines()[0].startswith("✗ dx: 1 of 2 entries are wrong"), close
    assert close.splitlines()[-1] == "Hint: flip w", close
    assert grad.startswith("✗ gradient check failed") and "dx  FAIL" in grad, grad
    # an exception from the student's own code keeps the frame of the student's line
    assert "IndexError" in student and "return dy[10]" in student, student


def test_outside_ipython_the_failure_is_a_plain_assertion_error():
    from course_utils.compare import assert_close
    import numpy as np
    with pytest.raises(AssertionError, match="1 of 2 entries are wrong"):
        assert_close("dx", np.array([1.0, 2.0]), np.array([1.0, 3.0]))

"""Print the project's runtime requirements (no extras), one a line, for pip -r.

Run with the interpreter of an environment where the project is installed: the
grading environment gets exactly these (and constraints.txt pins them), so that the
sandbox holds what students are given and none of the test-only tools.
"""
from importlib.metadata import requires

print("\n".join(r for r in requires("conv-backprop-course") or () if "extra ==" not in r))

"""pyproject.toml and environment.yml describe the same environment."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENT = re.compile(r"^([A-Za-z0-9_.-]+)\s*(.*)$")


def _split(requirement: str) -> tuple[str, str]:
    name, spec = REQUIREMENT.match(requirement.strip()).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def pyproject_requirements(extras=("test",)) -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in extras:
        reqs += list(project["optional-dependencies"][extra])
    return dict(_split(r) for r in reqs)


def conda_requirements() -> dict[str, str]:
    reqs, in_deps = {}, False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        match = re.match(r"^  - ([^:]+)$", line)  # top-level entries only (not pip's)
        if in_deps and match:
            name, spec = _split(match.group(1))
            if name not in ("python", "pip"):
                reqs[name] = spec
    return reqs


def test_environment_yml_matches_pyproject():
    assert conda_requirements() == pyproject_requirements()


def test_required_stack_is_present_with_upper_bounds():
    reqs = pyproject_requirements()
    for name in ("numpy", "matplotlib", "ipywidgets", "jupyterlab", "notebook", "nbgrader"):
        assert "<" in reqs[name], f"{name} needs an upper bound: {reqs[name]!r}"
    assert reqs["jupyterlab"].startswith(">=4") and reqs["nbgrader"].startswith(">=0.9")


def test_constraints_pin_every_direct_dependency_inside_its_range():
    from packaging.specifiers import SpecifierSet
    pins = dict(line.strip().split("==") for line in
                (ROOT / "constraints.txt").read_text().splitlines() if "==" in line)
    pins = {k.lower().replace("_", "-"): v for k, v in pins.items()}
    for name, spec in pyproject_requirements(("test", "site", "scale")).items():
        assert name in pins, f"constraints.txt does not pin {name}"
        assert pins[name] in SpecifierSet(spec), f"{name}=={pins[name]} is outside {spec}"

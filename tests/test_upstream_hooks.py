"""Canary: the internals of nbclient, jupyter_client and nbgrader that the grader
overrides or calls are still there, with the same parameters, and still called where
upstream called them. An upgrade that renames one of them fails here, by name, instead
of silently bypassing a sandbox override (a renamed provisioner hook would start the kernel
outside the sandbox; an nbclient that stopped consulting ``timeout_func``
would drop the notebook's time budget)."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from autograder import carry, exchange, feedback_preprocessors
from autograder.sandbox import execute, kernel, provisioner
from autograder.sandbox.policy import SandboxPolicy

#: (course class, attribute, where upstream reaches it: "module" when that module's source
#: uses ``self.<attribute>``, "module:text" when it reaches it as ``text``; None for
#: public API and trait defaults). Every attribute a course class defines
#: over an upstream one is listed here (the completeness test checks it).
HOOKS = [
    (execute.SandboxedExecute, "create_kernel_manager", "nbclient.client"),
    (execute.SandboxedExecute, "reset_execution_trackers", "nbclient.client"),
    (execute.SandboxedExecute, "preprocess_cell", "nbconvert.preprocessors.execute"),
    (execute.SandboxedExecute, "output", "nbclient.client"),
    (execute.SandboxedExecute, "clear_output", "nbclient.client"),
    (execute.SandboxedExecute, "_update_display_id", "nbclient.client"),
    (kernel.CappedKernelClient, "_context_default", None),
    (kernel.CappedKernelManager, "_client_factory_default", None),
    (kernel.CappedKernelManager, "_context_default", None),
    (kernel.CappedKernelManager, "client", None),
    (kernel.SandboxKernelManager, "kernel_spec", "jupyter_client.manager"),
    (kernel.SandboxKernelManager, "ipykernel", "nbclient.client:self.km.ipykernel"),
    (provisioner.SandboxProvisioner, "pre_launch",
     "jupyter_client.manager:self.provisioner.pre_launch"),
    (provisioner.SandboxProvisioner, "launch_kernel",
     "jupyter_client.manager:self.provisioner.launch_kernel"),
    (provisioner.SandboxProvisioner, "post_launch",
     "jupyter_client.manager:self.provisioner.post_launch"),
    (provisioner.SandboxProvisioner, "cleanup",
     "jupyter_client.manager:self.provisioner.cleanup"),
    (provisioner.SandboxProvisioner, "get_shutdown_wait_time",
     "jupyter_client.manager:self.provisioner.get_shutdown_wait_time"),
    (feedback_preprocessors.HideHiddenTests, "preprocess_cell", None),
    (feedback_preprocessors.RecordGrades, "_get_score", "nbgrader.preprocessors.getgrades"),
    (exchange.OwnedSubmissionsCollect, "_sort_by_timestamp",
     "nbgrader.exchange.default.collect"),
    (exchange.OwnedSubmissionsCollect, "copy_files", "nbgrader.exchange.abc.exchange"),
    (carry._CopyNothing, "init_assignment", "nbgrader.converters.base"),
    (carry.NotebooksOnlyAutograde, "_permissions_default", None),
    (carry.NotebooksOnlyAutograde, "init_assignment", "nbgrader.converters.base"),
    (carry.NotebooksOnlyAutograde, "write_single_notebook", "nbgrader.converters.base"),
]

#: Upstream internals the grader calls without overriding them.
CALLED = [
    (kernel.SandboxKernelManager, "has_kernel"),
    (provisioner.SandboxProvisioner, "kill"),
    (provisioner.SandboxProvisioner, "wait"),
    (provisioner.SandboxProvisioner, "process"),
    (provisioner.SandboxProvisioner, "connection_info"),
]

COURSE_CLASSES = sorted({cls for cls, _, _ in HOOKS}, key=lambda c: c.__qualname__)


def _upstream_owner(cls, name):
    """The first class outside the course, in ``cls``'s MRO, that defines ``name``."""
    for base in cls.__mro__[1:]:
        if not base.__module__.startswith("autograder") and name in vars(base):
            return base
    return None


def _signature(attribute) -> inspect.Signature | None:
    function = attribute.fget if isinstance(attribute, property) else attribute
    function = getattr(function, "func", function)       # traitlets' default wrapper
    return inspect.signature(function) if callable(function) else None


def _accepts(ours: inspect.Signature, theirs: inspect.Signature) -> bool:
    """Whether every call upstream makes to ``theirs`` binds to ``ours``: the same
    named parameters in the same order, except keyword-only ones of upstream that ours
    takes through ``**kw`` (and passes on to upstream)."""
    ours_named = [p.name for p in ours.parameters.values() if p.kind != p.VAR_KEYWORD]
    catches_keywords = any(p.kind == p.VAR_KEYWORD for p in ours.parameters.values())
    theirs_named = [p.name for p in theirs.parameters.values()
                    if p.kind != p.VAR_KEYWORD
                    and not (catches_keywords and p.kind == p.KEYWORD_ONLY)]
    takes_theirs = (catches_keywords
                    or not any(p.kind == p.VAR_KEYWORD for p in theirs.parameters.values()))
    return ours_named == theirs_named and takes_theirs


@pytest.mark.parametrize("cls, name, caller", HOOKS,
                         ids=[f"{c.__name__}.{n}" for c, n, _ in HOOKS])
def test_each_override_still_overrides_an_upstream_hook(cls, name, caller):
    owner = _upstream_owner(cls, name)
    assert owner is not None, (f"{cls.__name__}.{name} overrides nothing upstream any more: "
                               "the upgrade renamed or removed the hook it relies on")
    ours, theirs = _signature(vars(cls)[name]), _signature(vars(owner)[name])
    if ours is not None and theirs is not None:
        assert _accepts(ours, theirs), (f"{owner.__module__}.{owner.__name__}.{name} now "
                                        f"takes {theirs}; {cls.__name__}.{name} takes {ours}")
    if caller is not None:
        module, _, text = caller.partition(":")
        text = text or f"self.{name}"
        source = inspect.getsource(importlib.import_module(module))
        used = re.search(re.escape(text) + r"(?!\w)", source)
        assert used, f"{module} no longer uses {text}: {cls.__name__}.{name} is never reached"


@pytest.mark.parametrize("cls, name", CALLED, ids=[f"{c.__name__}.{n}" for c, n in CALLED])
def test_each_upstream_internal_the_grader_calls_is_there(cls, name):
    assert _upstream_owner(cls, name) is not None, f"{cls.__name__} has no upstream {name}"


def _shadowing_methods(cls) -> set[str]:
    names = set()
    for name, value in vars(cls).items():
        if name.startswith("__") or not (callable(value) or isinstance(value, property)
                                         or hasattr(value, "func")):
            continue
        if _upstream_owner(cls, name) is not None:
            names.add(name)
    return names


@pytest.mark.parametrize("cls", COURSE_CLASSES, ids=[c.__name__ for c in COURSE_CLASSES])
def test_every_override_of_an_upstream_attribute_is_declared(cls):
    declared = {name for c, name, _ in HOOKS if c is cls}
    assert _shadowing_methods(cls) <= declared


def test_nbclient_times_each_cell_by_what_is_left_of_the_notebooks_budget():
    """The notebook's time budget reaches nbclient only through ``timeout_func``: the
    timeout nbclient itself computes for a cell must be the remaining budget."""
    from nbformat.v4 import new_code_cell
    client = execute.SandboxedExecute(policy=SandboxPolicy(cell_timeout_seconds=60,
                                                           notebook_seconds=900))
    client.reset_execution_trackers()
    cell = new_code_cell("pass")
    assert client._get_timeout(cell) == 60
    client._deadline -= 900 - 5            # 5 s of the budget left
    assert client._get_timeout(cell) == 5
    client._deadline -= 60                 # spent: still one second to report it
    assert client._get_timeout(cell) == 1


def test_the_grading_kernel_spec_names_the_sandbox_provisioner_and_it_is_registered():
    """jupyter_client instantiates the provisioner the kernel spec names, from the entry
    points installed: an environment without the course's entry point (or a name that
    drifted) fails here rather than at the first grading."""
    from jupyter_client.provisioning import KernelProvisionerFactory
    km = kernel.SandboxKernelManager()
    made = KernelProvisionerFactory.instance().create_provisioner_instance(
        "canary", km.kernel_spec, parent=km)
    assert type(made) is provisioner.SandboxProvisioner

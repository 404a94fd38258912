"""The sandboxed kernel that grades untrusted student notebooks.

Public API (imported lazily, so that the launcher, which runs as every kernel's
command, starts without loading nbgrader)::

    SandboxPolicy          every limit, one dataclass            (policy)
    SandboxKernelManager   kernels only inside the sandbox       (kernel)
    CappedKernelManager    the unsandboxed opt-out, capped       (kernel)
    SandboxProvisioner     starts, seals, watches and frees one sandboxed kernel  (provisioner)
    SandboxedExecute       nbgrader Execute: caps, budget, fail closed  (execute)
    sandbox_problem()      None, or why this machine cannot sandbox     (availability)

nbgrader configuration::

    c.Autograde.autograde_preprocessors = [SandboxedExecute, DecideVerdicts, ...]
    c.SandboxedExecute.policy = SandboxPolicy(cpu_seconds=300)   # optional
    c.Execute.timeout = 60                     # per cell; by default the policy's cell_timeout_seconds
    c.SandboxedExecute.use_sandbox = False     # explicit opt-out, trusted notebooks only
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "SandboxPolicy": "policy",
    "DEFAULT_POLICY": "policy",
    "SandboxKernelManager": "kernel",
    "CappedKernelManager": "kernel",
    "CappedKernelClient": "kernel",
    "SandboxProvisioner": "provisioner",
    "SandboxedExecute": "execute",
    "sandbox_problem": "availability",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)

"""Kernel managers for grading: the sandboxed one and the explicit opt-out.

:class:`SandboxKernelManager` starts every kernel through the ``grading-sandbox``
provisioner (``provisioner.py``) whatever kernelspec it is asked for (a notebook naming
another kernel changes nothing): through ``autograder.sandbox.launch``, over IPC sockets
in a per-kernel runtime directory, in a slot of its own. Shutdown kills the sandbox
outright (there is nothing in it worth a graceful exit) and then removes the runtime
directory and frees the slot (and with it the slot's memory cgroup, which the launcher
joined before it became the sandbox).

Both managers hand out :class:`CappedKernelClient`\\ s, whose sockets refuse messages
larger than ``max_message_bytes``: nbclient creates its client through
``KernelManager.client()`` on both its sync and async start paths, so this covers both.
"""

from __future__ import annotations

import sys

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets import Instance, Integer, Unicode, default

from .grading_env import grading_env_path
from .policy import DEFAULT_POLICY, SandboxPolicy
from .provisioner import PROVISIONER_NAME, SandboxProvisioner
from .runtime import RuntimeDirectory

#: What the kernel spec's argv runs: nothing but a refusal (see ``kernel_spec``).
REFUSE_UNSANDBOXED = ("raise SystemExit('this grading kernel was not started by the "
                      "grading-sandbox provisioner; refusing to run outside the sandbox')")


class CappedKernelClient(AsyncKernelClient):
    """An async kernel client whose every socket (shell, iopub, stdin, control and
    heartbeat) drops the connection on a message over ``max_message_bytes``."""

    max_message_bytes = Integer(DEFAULT_POLICY.max_message_bytes,
                                help="ZMQ_MAXMSGSIZE of every socket of this client")

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        context = super()._context_default()
        # default options of a context apply to every socket it creates afterwards
        context.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)
        return context


class CappedKernelManager(AsyncKernelManager):
    """The plain (unsandboxed) kernel manager with capped client sockets: the
    instructor's explicit opt-out, for trusted notebooks only."""

    max_message_bytes = Integer(DEFAULT_POLICY.max_message_bytes,
                                help="ZMQ_MAXMSGSIZE of the sockets talking to the kernel"
                                ).tag(config=True)

    @default("client_factory")
    def _client_factory_default(self) -> type:
        return CappedKernelClient

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        context = super()._context_default()
        context.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)
        return context

    def client(self, **kwargs) -> CappedKernelClient:
        kwargs.setdefault("max_message_bytes", self.max_message_bytes)
        return super().client(**kwargs)

    def exit_status(self) -> int | None:
        """The kernel process's exit status, or None while it runs (or if unknown)."""
        process = getattr(self.provisioner, "process", None)
        return None if process is None else process.poll()


class SandboxKernelManager(CappedKernelManager):
    """Start kernels only inside the sandbox (see the module docstring).

    ``start_kernel`` needs ``cwd``, the notebook's directory: it is the only directory
    of the grader's that the kernel sees.
    """

    policy = Instance(SandboxPolicy, args=(), help="limits of the sandbox").tag(config=True)
    grading_env = Unicode(help="the environment the kernel runs (grading_env)").tag(config=True)

    @default("grading_env")
    def _grading_env_default(self) -> str:
        return str(grading_env_path())

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.transport = "ipc"  # before any default that depends on it (cache_ports)

    @default("max_message_bytes")
    def _max_message_bytes_default(self) -> int:
        return self.policy.max_message_bytes

    @property
    def kernel_spec(self) -> KernelSpec:
        # Whatever kernel_name says, this is the kernel, and the sandbox's provisioner
        # starts it. Its argv only runs if some other provisioner were ever used
        # instead: then the kernel refuses to start (fail closed).
        return KernelSpec(argv=[sys.executable, "-I", "-c", REFUSE_UNSANDBOXED],
                          display_name="Python 3 (grading sandbox)", language="python",
                          interrupt_mode="message", env={},
                          metadata={"kernel_provisioner": {
                              "provisioner_name": PROVISIONER_NAME}})

    @property
    def ipykernel(self) -> bool:
        return True

    @property
    def sandbox(self) -> SandboxProvisioner | None:
        """The provisioner of the kernel, once one was started (always the sandbox's)."""
        provisioner = self.provisioner
        if provisioner is not None and not isinstance(provisioner, SandboxProvisioner):
            raise RuntimeError(f"a grading kernel was provisioned by {type(provisioner)}, "
                               "not by the sandbox")
        return provisioner

    @property
    def slot(self) -> int | None:
        lease = self.sandbox and self.sandbox.lease
        return None if lease is None else lease.slot

    @property
    def runtime(self) -> RuntimeDirectory | None:
        return self.sandbox and self.sandbox.runtime

    @property
    def memory_exceeded(self) -> bool:
        """Whether this kernel's memory cgroup ran out and the watchdog killed it."""
        return bool(self.sandbox and self.sandbox.memory_exceeded)

    def __del__(self) -> None:
        # A manager dropped without cleanup must not leave its sandbox running.
        provisioner = getattr(self, "provisioner", None)
        if isinstance(provisioner, SandboxProvisioner):
            provisioner.abandon()
        super().__del__()

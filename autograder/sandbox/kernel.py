"""Kernel managers for grading: the sandboxed one and the explicit opt-out.

:class:`SandboxKernelManager` launches every kernel through ``autograder.sandbox.launch``
whatever kernelspec it is asked for (a notebook naming another kernel changes nothing),
over IPC sockets in a per-kernel runtime directory, in a slot of its own. Shutdown kills
the sandbox outright (there is nothing in it worth a graceful exit) and then removes the
runtime directory and frees the slot (and with it the slot's memory cgroup, which
the launcher joined before it became the sandbox).

Both managers hand out :class:`CappedKernelClient`\\ s, whose sockets refuse messages
larger than ``max_message_bytes``: nbclient creates its client through
``KernelManager.client()`` on both its sync and async start paths, so this covers both.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets import Instance, Integer, Unicode, default

from .grading_env import grading_env_path
from .policy import DEFAULT_POLICY, SandboxPolicy
from .runtime import RuntimeDirectory
from .slots import SlotLease, acquire_slot
from .watchdog import MemoryWatchdog

#: Seconds the kernel has to bind its sockets before its start counts as failed.
SOCKET_WAIT_SECONDS = 60.0


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
        self.transport = "ipc"
        self._lease: SlotLease | None = None
        self._runtime: RuntimeDirectory | None = None
        self._watchdog: MemoryWatchdog | None = None

    @default("max_message_bytes")
    def _max_message_bytes_default(self) -> int:
        return self.policy.max_message_bytes

    @property
    def kernel_spec(self) -> KernelSpec:
        # Whatever kernel_name says, this is the kernel. No provisioner can be named.
        return KernelSpec(argv=[sys.executable, "-m", "autograder.sandbox.launch"],
                          display_name="Python 3 (grading sandbox)", language="python",
                          interrupt_mode="message", env={}, metadata={})

    @property
    def ipykernel(self) -> bool:
        return True

    @property
    def slot(self) -> int | None:
        return None if self._lease is None else self._lease.slot

    @property
    def runtime(self) -> RuntimeDirectory | None:
        return self._runtime

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        assert self._lease is not None and self._runtime is not None
        return [sys.executable, "-I", "-B", "-m", "autograder.sandbox.launch",
                "--runtime-dir", str(self._runtime.root), "--slot", str(self._lease.slot),
                "--grading-env", self.grading_env, *self.policy.to_args(),
                "--connection-file", str(self._runtime.connection_file),
                "--", *(extra_arguments or [])]

    # ------------------------------------------------------------------- start ----

    async def _async_pre_start_kernel(self, **kw):
        if not kw.get("cwd"):
            raise ValueError("a sandboxed kernel needs cwd= (the notebook's directory); "
                             "it would otherwise see the grader's working directory")
        self._release()
        self._watchdog = None
        self._lease = acquire_slot(self.policy)
        try:
            self._runtime = RuntimeDirectory.create(self._lease.uid)
            self.connection_file = str(self._runtime.connection_file)
            self.ip = self._runtime.ipc_stem
            return await super()._async_pre_start_kernel(**kw)
        except BaseException:
            self._release()
            raise

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        assert self._runtime is not None
        with open(self._runtime.log_file, "wb") as log:
            # the raw stdout of student code would otherwise land in the grader's
            kw.update(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
            await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _async_post_start_kernel(self, **kw) -> None:
        await super()._async_post_start_kernel(**kw)
        await self._seal_when_bound()
        assert self._lease is not None
        self._watchdog = MemoryWatchdog(self._lease.cgroup)
        self._watchdog.start()

    @property
    def memory_exceeded(self) -> bool:
        """Whether this kernel's memory cgroup ran out and the watchdog killed it."""
        return self._watchdog is not None and self._watchdog.poll()

    async def _seal_when_bound(self) -> None:
        """Wait for the kernel's sockets, then take the IPC directory back."""
        assert self._runtime is not None
        info = self.get_connection_info()
        sockets = [f"{info['ip']}-{info[name]}" for name in
                   ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")]
        deadline = time.monotonic() + SOCKET_WAIT_SECONDS
        while not all(os.path.exists(path) for path in sockets):
            if self.exit_status() is not None or time.monotonic() > deadline:
                reason = (f"exited with status {self.exit_status()}"
                          if self.exit_status() is not None
                          else f"did not bind its sockets in {SOCKET_WAIT_SECONDS:.0f} s")
                log = self._runtime.log_tail()
                await self._async_kill_kernel()
                await self._async_cleanup_resources()
                raise RuntimeError(f"the sandboxed kernel {reason}"
                                   + (f"; its stderr ends with:\n{log}" if log else ""))
            await asyncio.sleep(0.01)
        self._runtime.seal_ipc()

    # ---------------------------------------------------------------- shutdown ----

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        # A graceful shutdown is a request the untrusted kernel may ignore.
        await super()._async_shutdown_kernel(now=True, restart=restart)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        if self.has_kernel and await self._async_is_alive():
            await self._async_kill_kernel()
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self._release()

    def _release(self) -> None:
        """Remove the runtime directory and free the slot (which first kills anything
        left under the slot's uid). Idempotent."""
        lease, runtime = self._lease, self._runtime
        self._lease, self._runtime = None, None
        if self._watchdog is not None:
            self._watchdog.stop()  # keeps ``tripped`` for memory_exceeded
        try:
            if lease is not None:
                lease.release()
        finally:
            if runtime is not None:
                runtime.remove()

    shutdown_kernel = _async_shutdown_kernel
    cleanup_resources = _async_cleanup_resources

    def __del__(self) -> None:
        # A manager dropped without cleanup must not leave its sandbox running.
        process = getattr(self.provisioner, "process", None)
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        if hasattr(self, "_lease"):
            self._release()
        super().__del__()

"""The kernel provisioner that starts every grading kernel inside the sandbox.

jupyter_client hands the life of a kernel process to a provisioner; this one is
registered as ``grading-sandbox`` (entry point group ``jupyter_client.kernel_provisioners``)
and named by the kernel spec of :class:`~autograder.sandbox.kernel.SandboxKernelManager`.
Per start it:

1. ``pre_launch``: leases a slot (a uid and its memory cgroup), creates the kernel's
   runtime directory, points the manager's connection at IPC sockets in it, and builds
   the ``autograder.sandbox.launch`` command (whatever the kernel spec's argv says);
2. ``launch_kernel``: starts it with no stdin, stdout discarded and stderr to the
   runtime directory's log, so no byte of student output reaches the grader's terminal;
3. ``post_launch``: waits for the kernel to bind its sockets, seals the IPC directory
   and starts the memory watchdog; a kernel that exits or never binds is reported with
   the end of its stderr and cleaned up;
4. ``cleanup``: kills whatever still runs, removes the runtime directory and frees the
   slot (which kills anything left under the slot's uid). A shutdown never waits for
   the untrusted kernel to exit politely (``get_shutdown_wait_time`` is 0).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from typing import Any

from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.utils import ensure_async

from .runtime import RuntimeDirectory
from .slots import SlotLease, acquire_slot
from .watchdog import MemoryWatchdog

#: The name the provisioner is registered under (pyproject.toml's entry point).
PROVISIONER_NAME = "grading-sandbox"

#: Seconds the kernel has to bind its sockets before its start counts as failed.
SOCKET_WAIT_SECONDS = 60.0

#: The connection-info keys of the five kernel sockets.
SOCKET_NAMES = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


class SandboxProvisioner(LocalProvisioner):
    """Start, watch and clean up one sandboxed kernel (see the module docstring).

    Its parent is a :class:`~autograder.sandbox.kernel.SandboxKernelManager`, whose
    ``policy`` and ``grading_env`` it reads; ``start_kernel`` must be given ``cwd``.
    """

    lease: SlotLease | None = None
    runtime: RuntimeDirectory | None = None
    watchdog: MemoryWatchdog | None = None

    # ------------------------------------------------------------------- start ----

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        if not kwargs.get("cwd"):
            raise ValueError("a sandboxed kernel needs cwd= (the notebook's directory); "
                             "it would otherwise see the grader's working directory")
        km = self.parent
        self.release()
        self.watchdog = None
        self.lease = acquire_slot(km.policy)
        try:
            self.runtime = RuntimeDirectory.create(self.lease.uid)
            km.transport = "ipc"
            km.connection_file = str(self.runtime.connection_file)
            km.ip = self.runtime.ipc_stem
            extra_arguments = kwargs.pop("extra_arguments", None) or []
            kwargs = await super().pre_launch(extra_arguments=[], **kwargs)
            kwargs["cmd"] = self.launch_command(extra_arguments)
            return kwargs
        except BaseException:
            self.release()
            raise

    def launch_command(self, extra_arguments: list[str]) -> list[str]:
        """The launcher's command line for the slot and runtime directory held."""
        assert self.lease is not None and self.runtime is not None
        km = self.parent
        return [sys.executable, "-I", "-B", "-m", "autograder.sandbox.launch",
                "--runtime-dir", str(self.runtime.root), "--slot", str(self.lease.slot),
                "--grading-env", km.grading_env, *km.policy.to_args(),
                "--connection-file", str(self.runtime.connection_file),
                "--", *extra_arguments]

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        assert self.runtime is not None
        with open(self.runtime.log_file, "wb") as log:
            # the raw stdout of student code would otherwise land in the grader's
            kwargs.update(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
            return await super().launch_kernel(cmd, **kwargs)

    async def post_launch(self, **kwargs: Any) -> None:
        await super().post_launch(**kwargs)
        await self._seal_when_bound()
        assert self.lease is not None
        self.watchdog = MemoryWatchdog(self.lease.cgroup)
        self.watchdog.start()

    async def _seal_when_bound(self) -> None:
        """Wait for the kernel's sockets, then take the IPC directory back."""
        assert self.runtime is not None
        info = self.connection_info
        sockets = [f"{info['ip']}-{info[name]}" for name in SOCKET_NAMES]
        deadline = time.monotonic() + SOCKET_WAIT_SECONDS
        while not all(os.path.exists(path) for path in sockets):
            status = self.exit_status()
            if status is not None or time.monotonic() > deadline:
                reason = (f"exited with status {status}" if status is not None
                          else f"did not bind its sockets in {SOCKET_WAIT_SECONDS:.0f} s")
                log = self.runtime.log_tail()
                await ensure_async(self.parent.cleanup_resources())
                raise RuntimeError(f"the sandboxed kernel {reason}"
                                   + (f"; its stderr ends with:\n{log}" if log else ""))
            await asyncio.sleep(0.01)
        self.runtime.seal_ipc()

    # ----------------------------------------------------------------- running ----

    def exit_status(self) -> int | None:
        """The launcher's exit status, or None while it runs (or once reaped)."""
        return None if self.process is None else self.process.poll()

    @property
    def memory_exceeded(self) -> bool:
        """Whether this kernel's memory cgroup ran out and the watchdog killed it."""
        return self.watchdog is not None and self.watchdog.poll()

    # ---------------------------------------------------------------- shutdown ----

    def get_shutdown_wait_time(self, recommended: float = 5.0) -> float:
        # A graceful shutdown is a request the untrusted kernel may ignore.
        return 0.0

    async def cleanup(self, restart: bool = False) -> None:
        if self.exit_status() is None and self.process is not None:
            await self.kill(restart=restart)
            await self.wait()
        await super().cleanup(restart=restart)
        if not restart:
            self.release()

    def release(self) -> None:
        """Remove the runtime directory and free the slot (which first kills anything
        left under the slot's uid). Idempotent."""
        lease, runtime = self.lease, self.runtime
        self.lease, self.runtime = None, None
        if self.watchdog is not None:
            self.watchdog.stop()  # keeps ``tripped`` for memory_exceeded
        try:
            if lease is not None:
                lease.release()
        finally:
            if runtime is not None:
                runtime.remove()

    def abandon(self) -> None:
        """Kill the sandbox and free its slot, synchronously: for a manager dropped
        without a shutdown."""
        if self.exit_status() is None and self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.release()

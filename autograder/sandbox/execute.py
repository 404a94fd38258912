"""nbgrader's Execute preprocessor, hardened for untrusted notebooks.

:class:`SandboxedExecute` runs the notebook in the sandbox (``use_sandbox=False`` is the
explicit, unsandboxed opt-out; everything else below still applies), and:

* keeps at most ``policy``'s output bytes per cell and per notebook (``outputs``), on
  client sockets that refuse oversized messages (``kernel.CappedKernelClient``);
* interrupts a cell after ``timeout`` seconds and kills a kernel that ignores the
  interrupt (nbclient gives up waiting ``iopub_timeout`` seconds later);
* bounds the whole notebook by ``policy.notebook_seconds`` of wall-clock time (each
  cell's timeout, through nbclient's ``timeout_func``, is what is left of it);
* FAILS CLOSED: once the kernel died (``os._exit``, killed at a resource limit) or was
  killed, the cell that was running gets an error output saying why, and so does every
  later graded code cell (nbgrader would score a cell without outputs as passed); the
  other later cells are left unexecuted. The notebook then ends normally, so nbgrader
  saves the grades of what did run and goes on with the next submission.
"""

from __future__ import annotations

import json
import math
import signal
from time import monotonic

from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbformat.v4 import output_from_msg
from nbgrader.preprocessors import Execute
from traitlets import Bool, Instance, default

from ..cells import is_graded_code_cell
from ..cells import is_test_cell as is_graded_test_cell
from .kernel import CappedKernelManager, SandboxKernelManager
from .outputs import OutputBudget
from .policy import GIB, SandboxPolicy

#: ``ename`` of the error outputs written when the kernel is gone.
STOPPED_ENAME = "KernelStopped"


def describe_exit(status: int | None, policy: SandboxPolicy) -> str:
    """Why the kernel stopped, from its exit status, in words a student can act on.
    bubblewrap reports a kernel killed by signal N as status 128 + N."""
    if status is None:
        return "the kernel stopped responding"
    signum = -status if status < 0 else status - 128 if status > 128 else None
    if signum == signal.SIGXCPU:
        return f"the kernel used up its {policy.cpu_seconds} s of CPU time and was stopped"
    if signum == signal.SIGKILL:
        return "the kernel was killed (for example for running out of memory)"
    if signum == signal.SIGSEGV:
        return ("the kernel crashed (segmentation fault), for example after running out "
                "of memory in compiled code")
    if signum == signal.SIGXFSZ:
        return (f"the kernel wrote a file over the {policy.file_size_bytes:,}-byte limit "
                "and was stopped")
    if signum is not None:
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        return f"the kernel was stopped by {name}"
    return (f"the kernel exited with status {status} (for example by calling exit(), "
            "quit() or os._exit())")


def stopped_output(reason: str) -> NotebookNode:
    text = (f"{reason}. Cells after this point were not run, and every graded cell "
            "among them counts as failed.")
    return NotebookNode(output_type="error", ename=STOPPED_ENAME, evalue=text,
                        traceback=[f"{STOPPED_ENAME}: {text}"])


class SandboxedExecute(Execute):
    """Execute for grading untrusted notebooks (see the module docstring)."""

    use_sandbox = Bool(True, help="Run the kernel in the sandbox. False is the explicit "
                                  "opt-out for trusted notebooks only.").tag(config=True)
    policy = Instance(SandboxPolicy, args=(), help="Limits of the sandbox, the output "
                                                   "caps and the time budget").tag(config=True)

    @default("timeout")
    def _timeout_default(self) -> int:
        return self.policy.cell_timeout_seconds

    # ----------------------------------------------------------- kernel manager ----

    def create_kernel_manager(self):
        if self.use_sandbox:
            self.km = SandboxKernelManager(config=self.config, policy=self.policy)
        else:
            self.kernel_manager_class = CappedKernelManager
            super().create_kernel_manager()
            self.km.max_message_bytes = self.policy.max_message_bytes
        return self.km

    # -------------------------------------------------------------- per notebook ----

    def reset_execution_trackers(self) -> None:
        super().reset_execution_trackers()
        self._stopped: str | None = None
        self._deadline = monotonic() + self.policy.notebook_seconds
        self._budget = OutputBudget(self.policy)

    @default("timeout_func")
    def _timeout_func_default(self):
        return self.seconds_for_cell

    def seconds_for_cell(self, cell: NotebookNode) -> int:
        """Seconds ``cell`` may run (nbclient's ``timeout_func``): ``timeout``, cut to
        what is left of the notebook's time budget, and never less than 1."""
        remaining = max(1, math.ceil(self._deadline - monotonic()))
        timeout = self.timeout if self.timeout and self.timeout > 0 else None
        return remaining if timeout is None else min(timeout, remaining)

    # ------------------------------------------------------------------ per cell ----

    def preprocess_cell(self, cell, resources, index):
        if self._stopped is None and cell.cell_type == "code" and monotonic() >= self._deadline:
            self._stop(f"the notebook used up its time budget of "
                       f"{self.policy.notebook_seconds} s", kill=True)
        if self._stopped is not None:
            if is_graded_code_cell(cell):
                cell.outputs = [stopped_output(self._stopped)]
            return cell, resources

        self._budget.start_cell(counts_for_notebook=not is_graded_test_cell(cell))
        timeout, failure = self.seconds_for_cell(cell), None
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            if getattr(self.km, "memory_exceeded", False):
                why = (f"the kernel's processes used more than "
                       f"{self.policy.total_memory_bytes / GIB:g} GiB of memory together "
                       "(kernel memory such as socket buffers included) and were stopped")
            else:
                why = describe_exit(self._exit_status(), self.policy)
            failure = self._stop(why + " while this cell ran", kill=False)
        except CellTimeoutError:
            failure = self._stop(f"this cell did not finish within {timeout}"
                                 " s and ignored the interrupt, so the kernel was stopped",
                                 kill=True)
        if cell.cell_type != "code":
            return cell, resources  # only code cells have outputs (nbformat)
        cell.outputs = self._budget.finish_cell(cell.get("outputs", []))
        if failure is not None:
            cell.outputs.append(stopped_output(failure))
        return cell, resources

    def _stop(self, reason: str, kill: bool) -> str:
        self.log.warning("Stopping execution of the notebook: %s", reason)
        self._stopped = reason
        if kill:
            self._kill_kernel()
        return reason

    def _exit_status(self) -> int | None:
        exit_status = getattr(self.km, "exit_status", None)
        return exit_status() if exit_status is not None else None

    async def _async_kill_kernel(self) -> None:
        if self.km is not None and await ensure_async(self.km.is_alive()):
            await ensure_async(self.km.shutdown_kernel(now=True))

    _kill_kernel = run_sync(_async_kill_kernel)

    # --------------------------------------------------------------- output caps ----

    def output(self, outs, msg, display_id, cell_index):
        if self.clear_before_next_output:
            self._budget.cleared()
        if msg["msg_type"] in ("stream", "display_data", "execute_result", "error"):
            kept = self._budget.admit(output_from_msg(msg))
            if kept is None:
                return None
            if msg["msg_type"] == "stream" and kept["text"] != msg["content"]["text"]:
                msg = {**msg, "content": {**msg["content"], "text": kept["text"]}}
            elif msg["msg_type"] == "error" and kept["evalue"] != msg["content"]["evalue"]:
                msg = {**msg, "content": {**msg["content"], **{k: kept[k] for k in (
                    "ename", "evalue", "traceback")}}}
        return super().output(outs, msg, display_id, cell_index)

    def clear_output(self, outs, msg, cell_index):
        super().clear_output(outs, msg, cell_index)
        if not msg["content"].get("wait"):
            self._budget.cleared()

    def _update_display_id(self, display_id, msg):
        size = len(json.dumps(msg["content"].get("data", {}), default=str))
        if not self._budget.admit_update(size):
            self.log.warning("Dropped an update of display %s (%d bytes): output cap",
                             display_id, size)
            return
        super()._update_display_id(display_id, msg)

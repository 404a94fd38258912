"""How many bytes of kernel output the grader keeps.

A kernel can print without end; stock nbgrader keeps it all (a 100 MB notebook, a
grader over 1 GB). :class:`OutputBudget` decides, output by output as messages arrive,
what is kept, so memory stays bounded during a flood, and checks each finished cell
once more (outputs also arrive by paths that bypass the first check, such as the error
nbgrader copies from an execute reply). What is cut is replaced by one short notice.
"""

from __future__ import annotations

import json

from nbformat.notebooknode import NotebookNode

from .policy import SandboxPolicy


def output_size(output: NotebookNode | dict) -> int:
    """Bytes an output takes in the saved notebook (its JSON text, roughly)."""
    if output.get("output_type") == "stream":
        return len(str(output.get("text", "")).encode("utf-8", "replace"))
    return len(json.dumps(output, default=str))


def _clip_text(text: str, limit: int) -> str:
    return text.encode("utf-8", "replace")[:max(limit, 0)].decode("utf-8", "ignore")


def shrink_error(output: NotebookNode) -> NotebookNode:
    """A small copy of an error output. Errors are never dropped: a graded cell whose
    error vanished would score as passed."""
    return NotebookNode(output_type="error",
                        ename=_clip_text(str(output.get("ename", "")), 200),
                        evalue=_clip_text(str(output.get("evalue", "")), 2000),
                        traceback=[_clip_text(str(line), 500)
                                   for line in list(output.get("traceback", []))[-5:]])


class OutputBudget:
    """Output bytes kept per cell (text and all) and per notebook.

    Per notebook counts only cells started with ``counts_for_notebook=True``; the
    grader exempts graded test cells, whose outputs the verdicts replace anyway.
    """

    def __init__(self, policy: SandboxPolicy):
        self.policy = policy
        self.notebook_used = 0
        self._start(counts_for_notebook=True)

    def _start(self, counts_for_notebook: bool) -> None:
        self.counts = counts_for_notebook
        self.cell_used = 0
        self.stream_used = 0
        self.truncated = False

    def start_cell(self, counts_for_notebook: bool) -> None:
        self._start(counts_for_notebook)

    def _notebook_left(self) -> int:
        if not self.counts:
            return self.policy.output_bytes_per_cell
        return self.policy.output_bytes_per_notebook - self.notebook_used - self.cell_used

    def _room(self, is_stream: bool) -> int:
        room = min(self.policy.output_bytes_per_cell - self.cell_used, self._notebook_left())
        if is_stream:
            room = min(room, self.policy.stream_bytes_per_cell - self.stream_used)
        return max(room, 0)

    def admit(self, output: NotebookNode) -> NotebookNode | None:
        """``output`` if it fits, a clipped copy of a stream, or None (dropped)."""
        is_stream = output.get("output_type") == "stream"
        size, room = output_size(output), self._room(is_stream)
        if size > room:
            self.truncated = True
            if output.get("output_type") == "error":
                output = shrink_error(output)
                self.cell_used += output_size(output)
                return output
            if not is_stream or room == 0:
                return None
            output = NotebookNode(output)
            output["text"] = _clip_text(output["text"], room)
            size = output_size(output)
        self.cell_used += size
        if is_stream:
            self.stream_used += size
        return output

    def admit_update(self, size: int) -> bool:
        """Whether an ``update_display_data`` of ``size`` bytes may replace a kept
        display; it is charged to this cell and to the notebook either way it lands."""
        room = min(self.policy.output_bytes_per_cell - self.cell_used,
                   self.policy.output_bytes_per_notebook - self.notebook_used - self.cell_used)
        if size > room:
            self.truncated = True
            return False
        self.cell_used += size
        if not self.counts:
            self.notebook_used += size
        return True

    def cleared(self) -> None:
        """The cell's outputs were cleared (``clear_output``): their bytes are free."""
        self.cell_used = 0
        self.stream_used = 0

    def finish_cell(self, outputs: list) -> list:
        """The outputs to keep for a finished cell: those that fit, in order, then a
        notice if anything was cut. Charges the notebook."""
        kept, used, stream_used = [], 0, 0
        limit = min(self.policy.output_bytes_per_cell,
                    self.policy.output_bytes_per_notebook - self.notebook_used
                    if self.counts else self.policy.output_bytes_per_cell)
        for output in outputs:
            size = output_size(output)
            is_stream = output.get("output_type") == "stream"
            if used + size > limit or (
                    is_stream and stream_used + size > self.policy.stream_bytes_per_cell):
                self.truncated = True
                if output.get("output_type") == "error":
                    kept.append(shrink_error(output))
                continue
            kept.append(output)
            used += size
            stream_used += size if is_stream else 0
        if self.truncated:
            kept.append(self.notice())
        if self.counts:
            self.notebook_used += used
        self._start(counts_for_notebook=True)
        return kept

    def notice(self) -> NotebookNode:
        p = self.policy
        return NotebookNode(
            output_type="stream", name="stdout",
            text=(f"\n[output cut by the grader: a cell keeps at most {p.stream_bytes_per_cell:,}"
                  f" bytes of printed text and {p.output_bytes_per_cell:,} bytes of output, "
                  f"a notebook {p.output_bytes_per_notebook:,} bytes]\n"))

"""A JupyterLab server of the course on loopback, started exactly as ``make lab`` does
(``autograder.lab.lab_launch``), for the Lab tests and the browser tests."""

from __future__ import annotations

import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from autograder.lab import lab_launch
from conftest import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_lab(tree: str, project_root: Path = ROOT):
    """(base URL, token, log path) of a Lab started exactly as ``make lab`` does, on
    the course at ``project_root`` (this checkout unless a test passes a copy)."""
    port, token = free_port(), secrets.token_hex(16)
    jupyter = str(Path(sys.executable).parent / "jupyter")
    launch = lab_launch(tree, jupyter, ["--no-browser", "--ip=127.0.0.1", f"--port={port}",
                                        f"--IdentityProvider.token={token}",
                                        "--ServerApp.allow_root=True"],
                        project_root=project_root)
    log = project_root / "build" / "lab" / f"{tree}-server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(launch.argv, cwd=launch.cwd, env=launch.env, stdout=out,
                                stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if requests.get(f"{base}/api/status", params={"token": token},
                                timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, log.read_text()
            time.sleep(0.5)
        else:
            pytest.fail(f"the {tree} Lab did not start:\n{log.read_text()}")
        yield base, token, log
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()

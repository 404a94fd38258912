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
def serving(argv: list[str], cwd: Path, env: dict, log: Path, port: int, token: str,
            seconds: float = 180):
    """Run the Jupyter server ``argv`` (its output into ``log``) on loopback ``port``
    and yield its base URL once ``/api/status`` answers with ``token``; the test fails
    with the log's end when it exits or does not answer within ``seconds``. Stopped
    (terminated, killed after 20 s) when the block ends."""
    with open(log, "w") as out:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + seconds
        while True:
            try:
                if requests.get(f"{base}/api/status", params={"token": token},
                                timeout=5).ok:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server {argv[0]} did not start:\n"
                            f"{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


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
    with serving(launch.argv, launch.cwd, launch.env, log, port, token) as base:
        yield base, token, log

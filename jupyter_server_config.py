"""Jupyter server settings of the course: every page the server sends carries the
course's Content-Security-Policy (autograder/csp.py). Used by `python -m autograder
lab`; start formgrader with `jupyter lab --config=jupyter_server_config.py`."""

from autograder.csp import server_settings

c = get_config()  # noqa: F821 (provided by traitlets when Jupyter loads this file)
c.ServerApp.tornado_settings = server_settings()

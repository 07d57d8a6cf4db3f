"""The ``prefsight`` command line: thin commands over the Python API.

Owns: argument parsing (typer), progress bars, ``--json`` output and turning
library errors into exit code 2 with one line. Each command group lives in its
own module and registers itself on ``app``.
"""

from __future__ import annotations

# command modules register on import
from prefsight.cli import audit_cmd as _audit_cmd  # noqa: F401,E402
from prefsight.cli import concepts_cmd as _concepts_cmd  # noqa: F401,E402
from prefsight.cli import ingest_cmd as _ingest_cmd  # noqa: F401,E402
from prefsight.cli import serve_cmd as _serve_cmd  # noqa: F401,E402
from prefsight.cli import validate_cmd as _validate_cmd  # noqa: F401,E402
from prefsight.cli.app import app, main

__all__ = ["app", "main"]

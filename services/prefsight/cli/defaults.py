"""Constants the CLI needs before any command runs, kept free of heavy imports.

``DEFAULT_MODEL`` and ``KINDS`` mirror ``prefsight.models`` and
``prefsight.concepts.types`` (which import torch); a test keeps them equal.
"""

from __future__ import annotations

DEFAULT_MODEL = "smollm2-135m"
KINDS = ("sae", "contrast", "named", "text")
STORE_ENV = "PREFSIGHT_STORE"
STORE_HELP = f"Store folder or s3:// URI (default: ${STORE_ENV})."
JSON_HELP = "Print one JSON object instead of text."
QUIET_HELP = "No progress bars or logs."

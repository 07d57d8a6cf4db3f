"""prefsight.ingest: forward preference pairs through a model and store pooled activations."""

from prefsight.ingest.driver import ingest
from prefsight.ingest.plan import IngestConfig
from prefsight.ingest.result import IngestProgress, IngestResult

__all__ = ["IngestConfig", "IngestProgress", "IngestResult", "ingest"]

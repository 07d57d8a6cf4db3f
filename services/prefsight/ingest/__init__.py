"""prefsight.ingest: forward preference pairs through a model and store pooled activations."""

from prefsight.ingest.driver import IngestProgress, IngestResult, ingest
from prefsight.ingest.plan import IngestConfig

__all__ = ["IngestConfig", "IngestProgress", "IngestResult", "ingest"]

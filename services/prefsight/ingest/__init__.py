"""prefsight.ingest."""

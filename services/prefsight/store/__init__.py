"""prefsight.store."""

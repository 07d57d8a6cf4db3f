"""prefsight.index."""

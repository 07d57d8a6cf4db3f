"""prefsight.contrast."""

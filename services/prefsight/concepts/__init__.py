"""prefsight.concepts."""

"""prefsight.data."""

"""prefsight.report."""

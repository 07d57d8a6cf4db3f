"""prefsight.server."""

"""prefsight.interventions."""

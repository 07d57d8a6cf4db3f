"""prefsight: activation cache and concept search for preference datasets."""

__version__ = "0.1.0"

"""Deprecated import path: the demo moved to ``prefsight.apps.demo``.

The planted-trait demo is a program built on prefsight, not a stage of its data
path, so it lives in ``prefsight.apps``. This module re-exports its public names so
``from prefsight.demo import generate_demo`` keeps working; it will be removed in a
later 0.x release. No module of the data path may import either.
"""

from prefsight.apps.demo import *  # noqa: F403 (its public API, as before)
from prefsight.apps.demo import __all__  # noqa: F401

"""Deprecated import path: the SAE moved to the leaf package ``prefsight.sae``.

Kept so ``from prefsight.concepts.sae import ...`` in existing code keeps working;
new code imports ``prefsight.sae`` (or its modules ``model``, ``train``, ``files``,
``stats``). This module will be removed in a later 0.x release.
"""

from prefsight.sae import *  # noqa: F403 (the whole public API, as before)
from prefsight.sae import __all__  # noqa: F401

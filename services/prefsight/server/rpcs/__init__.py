"""The Prefsight RPCs, one module per group, mixed into ``servicer.PrefsightServicer``.

``base`` holds the state every group shares (the configuration, the served stores,
the path policy) and the checks of texts bound for the model; ``stores``,
``concepts`` and ``interventions`` hold the handlers of ``store.proto``,
``concepts.proto`` and ``interventions.proto``.
"""

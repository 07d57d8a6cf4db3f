"""prefsight.apps: programs built on the package, not stages of its data path.

``demo``: the planted-trait demo dataset and its generator. Only the CLI, tests,
benches and examples import these; no module of the data path does
(``tests/unit/test_module_layout.py`` checks).
"""

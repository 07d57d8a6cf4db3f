"""prefsight.apps.demo: a preference dataset with planted traits, for the demo and benchmarks.

``generate_demo`` writes pairs whose chosen answers carry known traits
(flattery, overconfidence, heavy formatting, invented links…) at known rates;
``flip_labels`` makes the random-label control.
"""

from prefsight.apps.demo.generate import (
    DEFAULT_TRAITS,
    TRAITS,
    DemoDataset,
    Trait,
    flip_labels,
    generate_demo,
    read_truth,
)

__all__ = ["DEFAULT_TRAITS", "TRAITS", "DemoDataset", "Trait", "flip_labels", "generate_demo", "read_truth"]

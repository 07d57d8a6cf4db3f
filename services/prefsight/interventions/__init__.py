"""prefsight.interventions: filter, inoculate, steering vectors, scores and shaping offsets."""

from prefsight.interventions.datasets import DEFAULT_INOCULATION, write_filtered, write_inoculated
from prefsight.interventions.selection import Selection, delta_shift, select_pairs
from prefsight.interventions.vectors import (
    SteeringVector,
    check_activations,
    score_activations,
    shaping_offsets,
    steering_vector,
)

__all__ = [
    "DEFAULT_INOCULATION", "Selection", "SteeringVector", "check_activations", "delta_shift",
    "score_activations", "select_pairs", "shaping_offsets", "steering_vector", "write_filtered",
    "write_inoculated",
]

"""prefsight.interventions: filter, inoculate, steering vectors, scores and shaping offsets."""

from prefsight.interventions.datasets import DEFAULT_INOCULATION, write_filtered, write_inoculated
from prefsight.interventions.selection import Selection, delta_shift, select_pairs
from prefsight.interventions.vectors import SteeringVector, shaping_offsets, steering_vector

__all__ = [
    "DEFAULT_INOCULATION",
    "Selection",
    "SteeringVector",
    "delta_shift",
    "select_pairs",
    "shaping_offsets",
    "steering_vector",
    "write_filtered",
    "write_inoculated",
]

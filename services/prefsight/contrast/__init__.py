"""prefsight.contrast: which concepts separate chosen from rejected, honestly.

Pure statistics, arrays in and arrays out: no store, no model. For each
concept and each pair, delta = score(chosen) - score(rejected).

- ``contrast``: per-concept mean delta, Cohen's d, paired t/p, sign test, BH q,
  CI, split-half agreement, fire rate, length-controlled delta and predicted
  DPO shift, from dense arrays or sparse (CSR) SAE activations.
- ``wilcoxon``: signed-rank p for a few chosen concepts.
- ``cluster_topics`` / ``topic_contrast``: the same question per topic.
"""

from prefsight.contrast.config import RANKINGS, ContrastConfig
from prefsight.contrast.core import contrast
from prefsight.contrast.result import RECORD_KEYS, ContrastResult
from prefsight.contrast.topics import TopicContrastResult, cluster_topics, symmetric_activity, topic_contrast
from prefsight.contrast.wilcoxon import wilcoxon

__all__ = [
    "RANKINGS",
    "RECORD_KEYS",
    "ContrastConfig",
    "ContrastResult",
    "TopicContrastResult",
    "cluster_topics",
    "contrast",
    "symmetric_activity",
    "topic_contrast",
    "wilcoxon",
]

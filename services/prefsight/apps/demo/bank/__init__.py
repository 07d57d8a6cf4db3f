"""The demo's content bank: prompts and plain, sensible base answers by domain.

Owns the topics the demo generator writes pairs about. Each domain module holds
one ``DomainBank``; this package gathers them in ``DOMAINS``. Turning a topic
into responses and planting traits is left to ``prefsight.apps.demo.generate``.
"""

from __future__ import annotations

from prefsight.apps.demo.bank.cooking import BANK as _COOKING
from prefsight.apps.demo.bank.finance import BANK as _FINANCE
from prefsight.apps.demo.bank.gardening import BANK as _GARDENING
from prefsight.apps.demo.bank.health import BANK as _HEALTH
from prefsight.apps.demo.bank.history import BANK as _HISTORY
from prefsight.apps.demo.bank.programming import BANK as _PROGRAMMING
from prefsight.apps.demo.bank.travel import BANK as _TRAVEL
from prefsight.apps.demo.bank.types import DomainBank, Topic

DOMAINS: dict[str, DomainBank] = {
    b.name: b for b in (_COOKING, _PROGRAMMING, _HEALTH, _TRAVEL, _FINANCE, _HISTORY, _GARDENING)
}

__all__ = ["DOMAINS", "DomainBank", "Topic"]

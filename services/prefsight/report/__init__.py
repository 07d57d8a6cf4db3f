"""prefsight.report: the self-contained HTML audit report.

Fill a ``ReportData`` (plain frozen dataclasses, JSON round-trippable with
``to_dict``/``from_dict``) and call ``write_report``; the file opens offline
in any browser. Badge rules are documented in ``prefsight.report.badges``.
"""

from prefsight.report.badges import BADGES, BOTH, CHOSEN, GENERIC, NEITHER, REJECTED, BadgeRules, assign_badge
from prefsight.report.maps import ConceptMap, PairMap, TopicTable
from prefsight.report.model import Provenance, ReportData
from prefsight.report.render import render_report, write_report
from prefsight.report.rows import KINDS, ConceptRow, Context, ExamplePair

__all__ = [
    "BADGES",
    "BOTH",
    "CHOSEN",
    "KINDS",
    "GENERIC",
    "NEITHER",
    "REJECTED",
    "BadgeRules",
    "ConceptMap",
    "ConceptRow",
    "Context",
    "ExamplePair",
    "PairMap",
    "Provenance",
    "ReportData",
    "TopicTable",
    "assign_badge",
    "render_report",
    "write_report",
]

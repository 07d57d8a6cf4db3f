"""prefsight.audit: dictionary + contrast + hints over a store, as one call."""

from prefsight.audit.analysis import Analysis, analyse
from prefsight.audit.run import AuditConfig, audit

__all__ = ["Analysis", "AuditConfig", "analyse", "audit"]

"""Every change to the accountability record. Each function: permission through ``org.scope``,
validation, one ``transaction.atomic``, one audit event (SECURITY.md 安全审计).

``propose`` runs the rules and stores proposals; ``decisions`` holds a person's confirmation or
dismissal, the unit's explanation and the office's rule settings; ``export`` the xlsx record.
Callers import from here.
"""

from kaimen.accountability.services.decisions import (
    RULE_FIELDS,
    explanation_add,
    proposal_confirm,
    proposal_decide,
    proposal_dismiss,
    rules_save,
)
from kaimen.accountability.services.export import XLSX, ExportFile, record_export
from kaimen.accountability.services.propose import (
    DEFAULT_ORDER_LIMIT_WORKDAYS,
    proposals_run,
    rules_for,
)

__all__ = [
    "DEFAULT_ORDER_LIMIT_WORKDAYS",
    "RULE_FIELDS",
    "XLSX",
    "ExportFile",
    "explanation_add",
    "proposal_confirm",
    "proposal_decide",
    "proposal_dismiss",
    "proposals_run",
    "record_export",
    "rules_for",
    "rules_save",
]

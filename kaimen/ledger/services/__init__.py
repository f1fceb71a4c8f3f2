"""Every change to the task ledger. Each function: permission through ``org.scope``, validation,
one ``transaction.atomic``, one audit event (SECURITY.md 安全审计); side effects on commit.

One package, four parts: ``drafts`` (speech → reviewed draft → published tasks), ``work``
(reports, contributions, closure, instructions), ``supervision`` (the daily check of the
lights) and ``export``. Callers import from here.
"""

from kaimen.ledger.services.drafts import (
    DraftUpload,
    NewCampaign,
    PublishResult,
    draft_accept_complete,
    draft_create_from_file,
    draft_create_from_text,
    draft_item_decide,
    draft_item_merge,
    draft_item_split,
    draft_item_update,
    draft_publish,
    draft_upload_file,
    draft_upload_text,
    unit_proposal_decide,
)
from kaimen.ledger.services.export import EXPORT_TYPES, ExportFile, ledger_export
from kaimen.ledger.services.named_units import (
    draft_item_map_unit,
    draft_item_refer_unit,
    unit_alias_add,
    unit_alias_remove,
)
from kaimen.ledger.services.responsibility import (
    responsibility_load_defaults,
    responsibility_remove,
    responsibility_save,
)
from kaimen.ledger.services.supervision import supervision_run
from kaimen.ledger.services.work import (
    contribution_add,
    instruction_answer,
    instruction_give,
    progress_report,
    task_accept_closure,
    task_request_closure,
    task_send_back,
    task_update,
)
from kaimen.lib.errors import ValidationError
from kaimen.lib.workdays import CalendarYearMissing

__all__ = [
    "draft_item_map_unit",
    "draft_item_refer_unit",
    "unit_alias_add",
    "unit_alias_remove",
    "responsibility_load_defaults",
    "responsibility_remove",
    "responsibility_save",
    "EXPORT_TYPES",
    "CalendarYearMissing",
    "ExportFile",
    "NewCampaign",
    "PublishResult",
    "ValidationError",
    "contribution_add",
    "draft_accept_complete",
    "draft_create_from_file",
    "draft_create_from_text",
    "draft_item_decide",
    "draft_item_merge",
    "draft_item_split",
    "draft_item_update",
    "draft_publish",
    "draft_upload_file",
    "draft_upload_text",
    "DraftUpload",
    "instruction_answer",
    "instruction_give",
    "ledger_export",
    "progress_report",
    "supervision_run",
    "task_accept_closure",
    "task_request_closure",
    "task_send_back",
    "task_update",
    "unit_proposal_decide",
]

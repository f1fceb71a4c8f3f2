"""Every change to scorecards, rankings, objections and commendations. Each function: permission
through ``org.scope``, validation, one ``transaction.atomic``, one audit event.

Three parts: ``schemes`` (the office's scheme, innovation practices), ``runs`` (compute, show
to the units, publish) and ``objections`` (申诉 and answers, commendations). Callers import from
here.
"""

from kaimen.evaluation.services.common import last_complete_period_day, period_span
from kaimen.evaluation.services.objections import (
    commendation_grant,
    objection_answer,
    objection_lodge,
)
from kaimen.evaluation.services.runs import (
    SYSTEM_ACTOR_NAME,
    blockers_of,
    run_compute,
    run_compute_scheduled,
    run_open_objections,
    run_publish,
)
from kaimen.evaluation.services.schemes import (
    check_scheme,
    practice_rate,
    practice_submit,
    scheme_save,
)

__all__ = [
    "SYSTEM_ACTOR_NAME",
    "blockers_of",
    "check_scheme",
    "commendation_grant",
    "last_complete_period_day",
    "objection_answer",
    "objection_lodge",
    "period_span",
    "practice_rate",
    "practice_submit",
    "run_compute",
    "run_compute_scheduled",
    "run_open_objections",
    "run_publish",
    "scheme_save",
]

"""Every change to indicators, targets, plans, projects, figures and explanations.

Each function: permission through ``org.scope``, validation, one ``transaction.atomic``, one
audit event. Figures follow the 统计法: ``actual_submit`` writes a first version and refuses a
second; a change is ``correction_request`` (with a reason) and ``correction_approve`` (by
someone else in the campaign office), which writes the next version and never touches the old.
Leaders hold no permission that reaches any of these.

``system=True`` is for the management commands and the demo loader, which run as the server's
operator rather than as a person; they are audited under the command's name.
"""

from kaimen.targets.services.common import (  # noqa: F401 - the services API
    check_amount,
    check_rate,
    figure_snapshot,
)
from kaimen.targets.services.figures import (  # noqa: F401
    actual_submit,
    correction_approve,
    correction_reject,
    correction_request,
    correction_withdraw,
    explanation_write,
    filing_for,
    require_filing,
)
from kaimen.targets.services.plans import (  # noqa: F401
    amount_of,
    indicator_create,
    indicator_update,
    project_create,
    target_decompose,
    target_set,
    target_split,
    target_split_onto_projects,
)

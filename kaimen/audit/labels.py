"""Chinese labels for what the audit trail stores as codes.

The trail keeps the stable code (``ledger.draft.item_decide``, ``org.user``): the hash chain
covers it and scripts filter on it. People read the label. Every action code recorded anywhere
in Kaimen has its label here (tests/audit/test_labels.py reads the code base to check it); a
code without one is shown as itself rather than hidden. Object types are models, labelled by the
model's own ``verbose_name``, so a new app's objects need nothing here.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, Promise] = {
    "accountability.confirm": _("Confirm an accountability proposal"),
    "accountability.dismiss": _("Dismiss an accountability proposal"),
    "accountability.explain": _("Explain to an accountability proposal"),
    "accountability.export": _("Export accountability records"),
    "accountability.propose.run": _("Generate accountability proposals"),
    "accountability.rules.save": _("Save accountability rules"),
    "audit.export": _("Export the audit log"),
    "auth.lockout": _("Account locked after failed sign-ins"),
    "auth.login": _("Sign in"),
    "auth.logout": _("Sign out"),
    "briefings.briefing.build": _("Build a briefing"),
    "briefings.briefing.issue": _("Issue a briefing"),
    "calendar.override_remove": _("Remove a working-day adjustment"),
    "calendar.override_set": _("Set a working-day adjustment"),
    "calendar.year_mark": _("Mark a year's holidays as entered"),
    "demo.evaluation_accounts": _("Create demo evaluation accounts"),
    "demo.ledger_accounts": _("Create demo ledger accounts"),
    "demo.load": _("Load the demo data"),
    "evaluation.commendation.grant": _("Grant a commendation"),
    "evaluation.objection.answer": _("Answer an objection"),
    "evaluation.objection.lodge": _("Lodge an objection"),
    "evaluation.practice.rate": _("Rate a good practice"),
    "evaluation.practice.submit": _("Submit a good practice"),
    "evaluation.run.compute": _("Compute a ranking"),
    "evaluation.run.open_objections": _("Open a ranking for objections"),
    "evaluation.run.publish": _("Publish a ranking"),
    "evaluation.scheme.save": _("Save an evaluation scheme"),
    "ledger.campaign.create": _("Create a campaign"),
    "ledger.campaign.update": _("Update a campaign"),
    "ledger.draft.accept_complete": _("Accept all draft items"),
    "ledger.draft.create": _("Create a ledger draft from a speech"),
    "ledger.draft.item_decide": _("Decide on a draft item"),
    "ledger.draft.item_map_unit": _("Map a named unit in a draft item"),
    "ledger.draft.item_merge": _("Merge draft items"),
    "ledger.draft.item_refer_unit": _("Refer a named unit to the office"),
    "ledger.draft.item_split": _("Split a draft item"),
    "ledger.draft.item_update": _("Edit a draft item"),
    "ledger.draft.publish": _("Publish a ledger draft"),
    "ledger.draft.unit_proposal": _("Propose units for a draft item"),
    "ledger.export": _("Export the task ledger"),
    "ledger.instruction.answer": _("Answer a leader's instruction"),
    "ledger.instruction.give": _("Give an instruction"),
    "ledger.supervision.confirm": _("Confirm a supervision action"),
    "ledger.supervision.run": _("Run the supervision check"),
    "ledger.task.accept_closure": _("Accept a task as done"),
    "ledger.task.contribute": _("Report a co-unit's contribution"),
    "ledger.task.report": _("Report progress on a task"),
    "ledger.task.request_closure": _("Request a task's closure"),
    "ledger.task.send_back": _("Send a task back"),
    "ledger.task.update": _("Edit a task"),
    "ledger.unit_alias.add": _("Add a unit alias"),
    "ledger.unit_alias.remove": _("Remove a unit alias"),
    "notifications.channel.create": _("Create a notification channel"),
    "notifications.channel.disable": _("Disable a notification channel"),
    "notifications.channel.enable": _("Enable a notification channel"),
    "notifications.channel.test": _("Test a notification channel"),
    "notifications.channel.update": _("Update a notification channel"),
    "notifications.delivery.retry": _("Retry a message delivery"),
    "notifications.notification.read": _("Read a message"),
    "notifications.notification.read_all": _("Mark all messages read"),
    "otp.enroll": _("Enrol a second factor"),
    "otp.verify": _("Verify the second factor"),
    "password.change": _("Change one's password"),
    "password.reset": _("Reset a password"),
    "permission.denied": _("Access refused"),
    "person.create": _("Create a person"),
    "person.deactivate": _("Deactivate a person"),
    "person.reactivate": _("Reactivate a person"),
    "person.update": _("Update a person"),
    "pii.reveal": _("Show personal data"),
    "responsibility.create": _("Add a responsibility"),
    "responsibility.load_defaults": _("Load the default responsibilities"),
    "responsibility.remove": _("Remove a responsibility"),
    "responsibility.update": _("Update a responsibility"),
    "role.grant": _("Grant a role"),
    "role.revoke": _("Revoke a role"),
    "security.csrf": _("Form refused (expired or forged)"),
    "security.unlock": _("Unlock an account"),
    "system.backup": _("Back up the database"),
    "system.restore": _("Restore the database"),
    "targets.actual.submit": _("Submit a monthly figure"),
    "targets.board.rebuild": _("Rebuild the monitoring board"),
    "targets.correction.approve": _("Approve a figure correction"),
    "targets.correction.reject": _("Reject a figure correction"),
    "targets.correction.request": _("Request a figure correction"),
    "targets.correction.withdraw": _("Withdraw a figure correction"),
    "targets.demo.figures": _("Load the demo figures"),
    "targets.explanation.write": _("Explain a red or yellow light"),
    "targets.import.commit": _("Commit a figures import"),
    "targets.import.interrupted": _("Figures import interrupted"),
    "targets.import.layout": _("Save an import layout"),
    "targets.import.refuse": _("Figures import refused"),
    "targets.import.upload": _("Upload a figures file"),
    "targets.indicator.create": _("Create an indicator"),
    "targets.indicator.update": _("Update an indicator"),
    "targets.project.create": _("Create a project"),
    "targets.target.decompose": _("Decompose a target"),
    "targets.target.set": _("Set a target"),
    "targets.target.split": _("Split a target among units"),
    "targets.target.split_projects": _("Split a target among projects"),
    "token.issue": _("Issue an API token"),
    "token.revoke": _("Revoke an API token"),
    "unit.activate": _("Activate a unit"),
    "unit.create": _("Create a unit"),
    "unit.deactivate": _("Deactivate a unit"),
    "unit.update": _("Update a unit"),
}

DOMAINS: dict[str, Promise] = {
    "accountability": _("Accountability"),
    "audit": _("Audit"),
    "auth": _("Sign-in"),
    "briefings": _("Briefings"),
    "calendar": _("Working days"),
    "demo": _("Demo data"),
    "evaluation": _("Rankings"),
    "ledger": _("Task ledger"),
    "notifications": _("Messages"),
    "otp": _("Second factor"),
    "password": _("Password"),
    "permission": _("Permissions"),
    "person": _("People"),
    "pii": _("Personal data"),
    "responsibility": _("Responsibilities"),
    "role": _("Roles"),
    "security": _("Security"),
    "system": _("System"),
    "targets": _("Targets"),
    "token": _("API tokens"),
    "unit": _("Units"),
}

OBJECT_TYPES: dict[str, Promise] = {
    # models whose own verbose_name is not translated
    "notifications.deliveryattempt": _("Delivery attempt"),
    "ledger.unitproposal": _("Proposed unit"),
    "ledger.milestone": _("Milestone"),
    "ledger.contribution": _("Co-unit contribution"),
    "ledger.attachment": _("Attachment"),
    "ledger.supervisionrun": _("Supervision check"),
    "ledger.instruction": _("Instruction"),
    "ledger.answer": _("Answer to an instruction"),
    "targets.planvalue": _("Planned value"),
    "targets.projectallocation": _("Project allocation"),
    "targets.boardentry": _("Monitoring board entry"),
    "targets.boardstate": _("Monitoring board state"),
    "evaluation.standing": _("Standing"),
    "accountability.attachment": _("Attachment"),
    "accountability.proposerrun": _("Proposal generation"),
    "briefings.briefing": _("Briefing"),
}


def action_label(code: str) -> str:
    """The label of an action code; an unknown code is shown as it is stored."""
    label = ACTIONS.get(code)
    return str(label) if label is not None else code


def domain_of(code: str) -> str:
    return code.split(".", 1)[0]


def domain_label(domain: str) -> str:
    label = DOMAINS.get(domain)
    return str(label) if label is not None else domain


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The action filter's choices, grouped by domain, in the order of the codes."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code in sorted(ACTIONS):
        groups.setdefault(domain_of(code), []).append((code, action_label(code)))
    return [
        (
            domain_label(domain),
            [(domain, _("%(domain)s (all)") % {"domain": domain_label(domain)}), *items],
        )
        for domain, items in sorted(groups.items())
    ]


def object_type_label(object_type: str) -> str:
    """``org.user`` → the model's verbose name (用户); an unknown type is shown as stored."""
    if not object_type:
        return ""
    if object_type in OBJECT_TYPES:
        return str(OBJECT_TYPES[object_type])
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name)

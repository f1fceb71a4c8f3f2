"""The weekly dispatch briefing (调度通报) and notifications.

A briefing is built from a ``snapshot.BriefingSnapshot`` only, and the snapshot is kept with the
generated document, so the same briefing can be rebuilt later whatever has changed since. The
builders (``docx_builder``, ``xlsx_builder``, ``charts``) and the notification ``channels`` are
pure modules with no database access.
"""

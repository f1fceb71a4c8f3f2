"""The weekly dispatch briefing (调度通报).

A briefing is built from a ``snapshot.BriefingSnapshot`` only, and the snapshot is kept with the
generated document, so the same briefing can be rebuilt later whatever has changed since. The
builders (``docx_builder``, ``xlsx_builder``, ``charts``) are pure modules with no database
access. The notifications live in ``kaimen.notifications``; this app only words its own event in
``notices``.
"""

"""Registries filled by each app from its ``AppConfig.ready()`` and read by the shell.

A lower app that needs an answer from a higher one asks here; the higher app fills the answer at
start-up. Each module holds one registry and imports nothing of the project outside ``lib``.
"""

"""A throwaway domain app that plugs into Kaimen through the registries only (see
ARCHITECTURE.md): it edits no other app. ``tests/test_plugin_app.py`` runs it."""

"""Pure helpers every app may use, and the contracts through which apps plug into each other.

Nothing here imports another part of Kaimen: ``lib`` is the ground floor of the layers in
ARCHITECTURE.md, checked by the import-linter contract in ``make lint``.
"""

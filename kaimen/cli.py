"""The ``kaimen`` command: Django's management commands with Kaimen's settings.

kaimen migrate | demo | runserver | audit verify | parse FILE | check --deploy | ...
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaimen.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["kaimen", *argv])
    args[0] = "kaimen"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()

"""The ``kaimen`` command: Django's management commands with Kaimen's settings.

kaimen migrate | demo | runserver | audit verify | parse FILE | check --deploy | ...

``kaimen parse`` needs no database and no app: the parser is pure Python, so it runs without
setting Django up (kaimen.ledger.parsing.command), which keeps a small file's parse well under a
second. Django's own options (--settings, --traceback …) still go through the management command.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else ["kaimen", *argv])
    args[0] = "kaimen"
    if len(args) > 1 and args[1] == "parse":
        from kaimen.ledger.parsing.command import main as parse_main

        code = parse_main(args[2:])
        if code is not None:
            sys.exit(code)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaimen.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()

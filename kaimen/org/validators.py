from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def character_classes(password: str) -> int:
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(c in string.punctuation or (not c.isalnum() and not c.isspace()) for c in password),
    ]
    return sum(classes)


class CharacterClassValidator:
    """等保三级 身份鉴别: passwords mix at least three of lower case, upper case, digits and
    symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _(
                    "The password must mix at least %(n)d of: lower-case letters, upper-case "
                    "letters, digits, symbols."
                )
                % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return ngettext(
            "Use at least %(n)d kind of character.",
            "Mix at least %(n)d of: lower-case, upper-case, digits, symbols.",
            self.min_classes,
        ) % {"n": self.min_classes}

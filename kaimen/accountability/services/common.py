"""What the accountability services share: input cleaning."""

from __future__ import annotations

import re
import unicodedata

from kaimen.lib.errors import ValidationError

MAX_REASON = 1000
MAX_EXPLANATION = 3000
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str | None, *, field: str, what: str, max_len: int) -> str:
    """NFC, no control or direction characters, trimmed; required and bounded."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value or "")).strip()
    if not text:
        raise ValidationError(f"请填写{what}。", field=field)
    if len(text) > max_len:
        raise ValidationError(
            f"{what}最多{max_len}个字，现有{len(text)}个字，请精简后再提交。", field=field
        )
    return text

"""Small text helpers: full-width normalisation, masking of personal data, clean names.

Pure Python, no Django: used by importers, forms and services alike.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from kaimen.lib.errors import ValidationError

# Chinese input methods produce full-width Latin letters, digits and signs (ＡＢＣ１２３－．)
# that look like their ASCII twins but compare differently; codes and figures are compared
# after folding them. U+3000 is the ideographic (full-width) space.
_FULLWIDTH_TO_ASCII = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH_TO_ASCII[0x3000] = 0x20

# Invisible characters that copy-and-paste from web pages and Word carries along (zero-width
# space/joiners, word joiner, byte-order mark); they change nothing a user can see, so they are
# dropped rather than refused.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(" {2,}")


def normalize_fullwidth(s: str) -> str:
    """Fold full-width ASCII (ＡＢＣ１２３，．－％) and the ideographic space to half-width.

    Meant for codes and figures. Chinese prose keeps its full-width punctuation, so do not run
    display text (names, titles) through this.
    """
    return s.translate(_FULLWIDTH_TO_ASCII)


def _digits_only(s: str) -> str:
    return "".join(ch for ch in normalize_fullwidth(s) if ch.isascii() and ch.isdigit())


def mask_phone(phone: str) -> str:
    """Mask a phone number for lists and exports: ``13812345678`` → ``138****5678``.

    个人信息保护法 and 等保 数据保密性: lists show a masked number; the full number needs a
    permission and an audited reveal. Whatever the input, the result never shows more than the
    last four digits plus, for a mainland mobile number, its three-digit carrier prefix.
    """
    digits = _digits_only(phone)
    # A leading country code (+86 / 0086) is not part of the subscriber number.
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    elif len(digits) == 15 and digits.startswith("0086"):
        digits = digits[4:]
    if not digits:
        return "****" if phone.strip() else ""
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_id_number(id_number: str) -> str:
    """Mask an identity-card (or passport/permit) number: keep the first 3 and last 4 characters.

    The middle of a 居民身份证号码 (GB 11643) holds the date of birth, which lists never need.
    Numbers too short to keep 7 characters and still hide anything are masked entirely.
    """
    cleaned = "".join(normalize_fullwidth(id_number).split()).upper()
    if len(cleaned) <= 8:
        return "*" * len(cleaned)
    return f"{cleaned[:3]}{'*' * (len(cleaned) - 7)}{cleaned[-4:]}"


def clean_name(s: str, max_len: int, *, field: str | None = None) -> str:
    """Trim a name (unit, enterprise, project, person) and refuse one that cannot be shown safely.

    Surrounding whitespace and control characters and invisible zero-width characters are
    removed, and inner runs of spaces become one. A name that still holds angle brackets or
    control characters (a line break inside an Excel cell, a bidi override that makes a name
    display differently from how it compares), is empty, or is longer than ``max_len`` raises
    ValidationError.
    """
    cleaned = _SPACES.sub(" ", _INVISIBLE.sub("", s).strip())
    if not cleaned:
        raise ValidationError("名称不能为空，请填写名称。", field=field)
    if "<" in cleaned or ">" in cleaned:
        raise ValidationError(
            f"名称“{preview_for_message(cleaned)}”中含有尖括号 < 或 >，请删除后重试。", field=field
        )
    # Cc: control characters (line breaks, tabs, NUL); Cf: format characters such as U+202E;
    # Cs: lone surrogates from a broken encoding.
    bad = [ch for ch in cleaned if unicodedata.category(ch) in {"Cc", "Cf", "Cs"}]
    if bad:
        codes = "、".join(f"U+{ord(ch):04X}" for ch in dict.fromkeys(bad))
        raise ValidationError(
            f"名称“{preview_for_message(cleaned)}”中含有换行或不可见的控制字符（{codes}），"
            "请删除后重新输入（从Excel或网页复制时常带入）。",
            field=field,
        )
    if len(cleaned) > max_len:
        raise ValidationError(
            f"名称最长{max_len}个字，现有{len(cleaned)}个字，请缩短后重试。", field=field
        )
    return cleaned


def preview_for_message(s: str, limit: int = 30) -> str:
    """Enough of the user's input to recognise it in an error message, without echoing a page."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in s[:limit])
    return shown + ("…" if len(s) > limit else "")


def chinese_date(d: date) -> str:
    """A date as official text writes it: 2025年3月7日 (no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"

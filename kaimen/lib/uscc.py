"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters: registration authority (1), organisation category (1), administrative division
of the registering office (6), subject identifier (9, the old 组织机构代码), check character (1).
The alphabet is the 31 characters 0-9 and A-Z without I, O, Z, S and V, and the check character
makes the weighted sum of all 18 values divisible by 31.

A wrong length or a character outside the alphabet is an error: the string cannot be a code.
A wrong check character is only a warning: some codes issued before 2016 fail it and are still
on real business licences, so the enterprise must not be turned away; the raw string is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from kaimen.lib.errors import ValidationError
from kaimen.lib.text import normalize_fullwidth

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
# 3**i mod 31 for positions 1..17 (GB 32100-2015 §5); every weight is coprime to the prime 31,
# so changing any one character changes the sum mod 31 and the check fails.
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18

# GB 32100-2015 lists 1 机构编制, 5 民政, 9 工商 and Y 其他; the code registry has since given
# codes to further authorities (e.g. 3 司法行政 for law firms, 8 工会, 7 宗教, N 农业 for rural
# collective economic organisations). An authority outside this table is therefore a warning.
REGISTRATION_AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "市场监管（工商）",
    "A": "中央军委改革和编制办公室",
    "N": "农业农村",
    "Y": "其他",
}

# Letters left out of the alphabet because they are easily misread; a user who typed one most
# likely meant the digit that looks like it.
_LOOKALIKE = {"I": "1", "O": "0", "Z": "2", "S": "5", "V": "U或Y"}


@dataclass(frozen=True)
class UsccResult:
    raw: str
    normalised: str
    ok: bool  # False when the string cannot be a code at all (length, alphabet)
    check_digit_ok: bool
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def problems(self) -> list[str]:
        """Every finding in Chinese, errors first; when ``ok`` they are all warnings."""
        return [*self.errors, *self.warnings]


def normalise_uscc(raw: str) -> str:
    """Full-width to half-width, whitespace removed anywhere, upper case."""
    return "".join(normalize_fullwidth(raw).split()).upper()


def compute_check_digit(first17: str) -> str:
    """The 18th character for the first 17 (already normalised, within the alphabet)."""
    if len(first17) != LENGTH - 1 or any(ch not in _VALUE for ch in first17):
        raise ValueError("first17 must be 17 characters of the GB 32100-2015 alphabet")
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(raw: str) -> UsccResult:
    """Check a code and say, in Chinese, what is wrong with it. Never raises."""
    code = normalise_uscc(raw)
    errors: list[str] = []
    warnings: list[str] = []

    if not code:
        return UsccResult(
            raw, code, ok=False, check_digit_ok=False, errors=("请填写18位统一社会信用代码。",)
        )
    if len(code) != LENGTH:
        errors.append(
            f"统一社会信用代码应为18位，现在是{len(code)}位，请对照营业执照或登记证书核对。"
        )
    bad = [(i, ch) for i, ch in enumerate(code, start=1) if ch not in _VALUE]
    if bad:
        where = "、".join(f"第{i}位“{ch}”" for i, ch in bad[:5])
        hint = "".join(
            f"，“{ch}”可能是“{_LOOKALIKE[ch]}”"
            for ch in dict.fromkeys(c for _, c in bad)
            if ch in _LOOKALIKE
        )
        errors.append(
            f"统一社会信用代码只由数字和除I、O、Z、S、V以外的大写字母组成，{where}不符合{hint}。"
        )
    if errors:
        return UsccResult(raw, code, ok=False, check_digit_ok=False, errors=tuple(errors))

    if code[0] not in REGISTRATION_AUTHORITIES:
        warnings.append(
            f"第1位登记管理部门代码“{code[0]}”不在已知范围内（"
            f"{'、'.join(REGISTRATION_AUTHORITIES)}），请核对。"
        )
    if not code[2:8].isdigit():
        warnings.append(f"第3-8位应为登记机关的6位行政区划代码，现为“{code[2:8]}”，请核对。")
    expected = compute_check_digit(code[:17])
    check_digit_ok = code[17] == expected
    if not check_digit_ok:
        warnings.append(
            f"校验码（第18位）“{code[17]}”与前17位不符，按GB 32100-2015计算应为“{expected}”。"
            "请对照营业执照核对；2016年以前登记的部分代码确实如此，核实无误可以保留。"
        )
    return UsccResult(raw, code, ok=True, check_digit_ok=check_digit_ok, warnings=tuple(warnings))


def check_uscc(raw: str, *, field: str | None = None) -> UsccResult:
    """validate_uscc, raising ValidationError when the string cannot be a code.

    Warnings (check character, authority, division) come back in the result for the form to
    show beside the saved value.
    """
    result = validate_uscc(raw)
    if not result.ok:
        raise ValidationError("".join(result.errors), field=field)
    return result

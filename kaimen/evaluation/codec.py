"""Schemes, scoreboards and 红黑榜 drafts as plain JSON, and back.

A published ranking must never change when the data behind it changes later, so a score run
keeps the scoreboard it computed (with every explanation) and the scheme it used, verbatim, and
the pages and the briefing read them back from here. Decimals travel as strings (no float
rounding), enums as their values. Decoding goes through the engine's own dataclasses, so a
scheme read back is validated exactly as one typed by the office (weights, methods, bands).

Pure Python.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from kaimen.evaluation.honour_roll import HonourRollDraft
from kaimen.evaluation.scoring import Scheme, Scoreboard
from kaimen.lib.errors import ValidationError

FORMAT_VERSION = 1


def encode(value: Any) -> Any:
    """A frozen dataclass tree as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    return value


def _fail(what: str, path: str, expected: str, got: Any) -> ValidationError:
    return ValidationError(
        f"{what}中“{path}”应为{expected}，实际是“{str(got)[:40]}”，无法读取。", field="config"
    )


@cache
def _hints(tp: type) -> dict[str, Any]:
    return typing.get_type_hints(tp)


def decode(tp: Any, value: Any, *, what: str, path: str = "") -> Any:
    """The inverse of :func:`encode` for the type ``tp``; a clear error names the bad field."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return decode(inner, value, what=what, path=path)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise _fail(what, path, "列表", value)
        inner = typing.get_args(tp)[0]
        return tuple(decode(inner, v, what=what, path=f"{path}[{i}]") for i, v in enumerate(value))
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            raise _fail(what, path, "对象", value)
        hints = _hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            if f.name in value:
                kwargs[f.name] = decode(
                    hints[f.name], value[f.name], what=what, path=f"{path}.{f.name}".lstrip(".")
                )
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ValidationError(
                    f"{what}中“{path or '根'}”缺少“{f.name}”，无法读取。", field="config"
                )
        return tp(**kwargs)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            allowed = "、".join(str(m.value) for m in tp)
            raise ValidationError(
                f"{what}中“{path}”的取值“{value}”无效，可选：{allowed}。", field="config"
            ) from None
    if tp is Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise _fail(what, path, "数值", value)
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise _fail(what, path, "数值", value) from None
        if not result.is_finite():
            raise _fail(what, path, "有限数值", value)
        return result
    if tp is bool:
        if not isinstance(value, bool):
            raise _fail(what, path, "true/false", value)
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(what, path, "整数", value)
        return value
    if tp is str:
        if not isinstance(value, str):
            raise _fail(what, path, "文字", value)
        return value
    raise TypeError(f"evaluation codec cannot decode {tp!r} at {path}")


def _checked_version(data: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise ValidationError(f"{what}格式不对：应为一个JSON对象。", field="config")
    version = data.get("format", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise ValidationError(
            f"{what}的格式版本为{version}，本系统只能读取版本{FORMAT_VERSION}。", field="config"
        )
    return data


def scheme_to_dict(scheme: Scheme) -> dict[str, Any]:
    return {"format": FORMAT_VERSION, **encode(scheme)}


def scheme_from_dict(data: Any) -> Scheme:
    """A scheme read back (and validated, weights included) from its stored configuration."""
    data = _checked_version(data, "考核方案")
    return decode(Scheme, {k: v for k, v in data.items() if k != "format"}, what="考核方案")


def scoreboard_to_dict(board: Scoreboard) -> dict[str, Any]:
    return {"format": FORMAT_VERSION, **encode(board)}


def scoreboard_from_dict(data: Any) -> Scoreboard:
    data = _checked_version(data, "评分结果")
    return decode(Scoreboard, {k: v for k, v in data.items() if k != "format"}, what="评分结果")


def roll_to_dict(draft: HonourRollDraft) -> dict[str, Any]:
    return {"format": FORMAT_VERSION, **encode(draft)}


def roll_from_dict(data: Any) -> HonourRollDraft:
    data = _checked_version(data, "红黑榜")
    return decode(HonourRollDraft, {k: v for k, v in data.items() if k != "format"}, what="红黑榜")

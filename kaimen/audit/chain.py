"""The hash chain of the audit trail, free of Django.

h_i = H(h_{i-1} ‖ canonical_json(e_i)), with SM3 (GB/T 32905-2016, 国密) when this platform's
OpenSSL offers it and SHA-256 otherwise. Each event records the algorithm it was hashed with, so
a chain survives a move between machines with different OpenSSL builds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def available_algorithm() -> str:
    return "sm3" if "sm3" in hashlib.algorithms_available else "sha256"


def digest(algorithm: str, data: bytes) -> str:
    if algorithm not in {"sm3", "sha256"}:
        raise ValueError(f"unknown audit hash algorithm {algorithm!r}")
    return hashlib.new(algorithm, data).hexdigest()


def canonical_json(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def link_hash(algorithm: str, previous: str, payload: Mapping[str, Any]) -> str:
    return digest(algorithm, (previous + canonical_json(payload)).encode("utf-8"))


@dataclass(frozen=True)
class ChainRow:
    id: int
    payload: Mapping[str, Any]
    prev_hash: str
    hash: str
    algorithm: str


@dataclass(frozen=True)
class Break:
    event_id: int
    reason: str


def first_break(rows: Iterable[ChainRow]) -> Break | None:
    """Walk the chain in id order; name the first event whose link does not hold.

    An edited row fails its own hash; a deleted row makes the next row's ``prev_hash`` point at
    nothing; a swap or an insertion breaks the ``prev_hash`` of the row after it.
    """
    previous = GENESIS
    for row in rows:
        if row.prev_hash != previous:
            return Break(row.id, "prev_hash does not match the previous event's hash")
        expected = link_hash(row.algorithm, row.prev_hash, row.payload)
        if expected != row.hash:
            return Break(row.id, "content does not match its hash (edited)")
        previous = row.hash
    return None

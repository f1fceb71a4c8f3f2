"""Optimistic locking: an edit names the version it started from, and loses if someone was first."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F

from kaimen.lib.errors import StaleVersion


def save_versioned(instance: models.Model, *, expected_version: int, fields: list[str]) -> None:
    """``UPDATE … SET …, version = version + 1 WHERE id = %s AND version = %s``.

    Zero rows means another user saved first: the caller's transaction rolls back and the user
    is told to reload, instead of one save silently overwriting the other.
    """
    values: dict[str, Any] = {name: getattr(instance, name) for name in fields}
    updated = (
        type(instance)
        ._default_manager.filter(pk=instance.pk, version=expected_version)
        .update(version=F("version") + 1, **values)
    )
    if updated != 1:
        raise StaleVersion()
    instance.version = expected_version + 1


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The audited picture of an object: plain values, foreign keys as ids."""
    data: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        data[name] = getattr(instance, field.attname)
    return data

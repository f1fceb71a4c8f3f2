"""The notification event types. Each app registers the events it sends from its
``AppConfig.ready()`` (its ``notices`` module holds the types and the wording); ``notifications``
reads this registry to check an event, to show its label and to offer it to the office's channel
subscriptions. A new event needs no change to ``notifications`` and no migration: the stored event
is the plain ``code``.

    events.register(EventType("supervision_issued", _("Supervision step issued on a task"),
                              app="ledger", order=50))
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise

# The stored column is 30 characters; a code is lower case, digits, "_" and "." ("plugin.ping").
MAX_CODE = 30
_CODE = re.compile(r"^[a-z][a-z0-9_.]*$")


@dataclass(frozen=True)
class EventType:
    code: str  # what is stored on the inbox message, the delivery and a channel's subscription
    label: str | Promise  # shown on the pages (a gettext_lazy string)
    app: str  # the app label of the app that sends it ("ledger")
    subscribable: bool = True  # False: never offered to a channel (e.g. a channel's own test)
    order: int = 100  # the place in the subscription form and the filters


_registry: dict[str, EventType] = {}


def register(event: EventType) -> EventType:
    """Add an event type (apps call this from ``AppConfig.ready``). Registering the same type
    again is a no-op; another type under a code already taken is a programming error."""
    if len(event.code) > MAX_CODE or not _CODE.match(event.code):
        raise ValueError(f"invalid notification event code {event.code!r}")
    existing = _registry.get(event.code)
    if existing is not None and existing != event:
        raise ValueError(
            f"notification event {event.code!r} is already registered by {existing.app!r}"
        )
    _registry[event.code] = event
    return event


def unregister(code: str) -> None:
    """Forget an event type (for tests that register a throwaway one)."""
    _registry.pop(code, None)


def get(code: str) -> EventType | None:
    return _registry.get(code)


def is_registered(code: str) -> bool:
    return code in _registry


def label(code: str) -> str:
    """The event's label; an event no longer registered (its app removed) shows its code."""
    event = _registry.get(code)
    return str(event.label) if event is not None else code


def all_types() -> list[EventType]:
    return sorted(_registry.values(), key=lambda e: (e.order, e.code))


def subscribable() -> list[EventType]:
    """The events an external channel may carry, in the form's order."""
    return [e for e in all_types() if e.subscribable]


def choices(*, subscribable_only: bool = False) -> list[tuple[str, str]]:
    """``(code, label)`` pairs for a form's choices (call it lazily: after start-up)."""
    types = subscribable() if subscribable_only else all_types()
    return [(e.code, str(e.label)) for e in types]

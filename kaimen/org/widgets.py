"""Unit pickers: the district's units in ``<optgroup>``s by kind (部门, 镇街, 专班), so forty
names are found by kind and by search rather than scrolled through.

The page loads ``org/_unit_picker_assets.html``; ``org/unit-picker.js`` then turns every
``select[data-unit-picker]`` into a searchable list (Tom Select, served from our static files).
Without JavaScript the same ``<select>`` with its groups still works.
"""

from __future__ import annotations

from django import forms

from kaimen.lib.forms import DirectRender
from kaimen.org.models import UnitKind

# The order the groups appear in: the kinds a task is given to first.
KIND_ORDER = [UnitKind.DEPARTMENT, UnitKind.TOWN, UnitKind.TASK_FORCE, UnitKind.LEADERSHIP]


class _GroupedByKind:
    """Options of a ModelChoiceField over units, grouped by the unit's kind."""

    allow_multiple_selected: bool

    def optgroups(self, name, value, attrs=None):
        ungrouped, grouped = [], {kind: [] for kind in KIND_ORDER}
        has_selected = False
        for index, (option_value, option_label) in enumerate(self.choices):
            option_value = "" if option_value is None else option_value
            selected = str(option_value) in value and (
                not has_selected or self.allow_multiple_selected
            )
            has_selected |= selected
            option = self.create_option(
                name, option_value, option_label, selected, index, attrs=attrs
            )
            unit = getattr(option_value, "instance", None)
            if unit is None:
                ungrouped.append((None, [option], index))
            else:
                grouped.setdefault(unit.kind, []).append(option)
        groups = list(ungrouped)
        for kind, options in grouped.items():
            if options:
                label = UnitKind(kind).label if kind in UnitKind.values else kind
                groups.append((str(label), options, options[0]["index"]))
        return groups


class UnitSelect(_GroupedByKind, DirectRender, forms.Select):
    def __init__(self, attrs=None):
        super().__init__({"data-unit-picker": "", **(attrs or {})})


class UnitSelectMultiple(_GroupedByKind, DirectRender, forms.SelectMultiple):
    def __init__(self, attrs=None):
        super().__init__({"data-unit-picker": "", "size": 8, **(attrs or {})})

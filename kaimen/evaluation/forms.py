"""Forms check the shape of input and return real types; the rules live in the services.

The scheme form has one row per registered metric, so a metric a later module registers
appears on the page without any change here.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaimen.evaluation.models import CommendationKind, ObjectionOutcome, PeriodKind, RunStatus
from kaimen.evaluation.scoring import (
    CITYSCORE_CAP,
    DEFAULT_MIN_SAMPLES,
    REGISTRY,
    Dimension,
    Method,
    MetricSpec,
    MissingPolicy,
)
from kaimen.evaluation.services.common import PEER_GROUP_KINDS
from kaimen.lib.forms import DateInput
from kaimen.org.models import Unit, UnitKind

_BAND = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[:：]\s*(\d+(?:\.\d+)?)\s*$")
_BAND_SPLIT = re.compile(r"[,，;；\n]+")

METHOD_CHOICES = [
    (Method.RATIO_TO_TARGET.value, _("Ratio to target (CityScore)")),
    (Method.BANDS.value, _("Bands (0–100)")),
    (Method.MIN_MAX.value, _("Position between the group's lowest and highest")),
    (Method.RANK.value, _("Rank in the group")),
]
MISSING_CHOICES = [
    (MissingPolicy.REWEIGHT.value, _("Leave out and share its weight among the others")),
    (MissingPolicy.ZERO.value, _("Count as zero")),
]
DIMENSION_LABELS = {
    Dimension.SPEED: _("Speed (比速度)"),
    Dimension.QUALITY: _("Quality (比质量)"),
    Dimension.INNOVATION: _("Innovation (比创新)"),
}


def parse_bands(raw: str) -> list[dict[str, str]]:
    """ "90:100, 75:80, 60:60" → [{"threshold": "90", "points": "100"}, …]."""
    bands = []
    for part in _BAND_SPLIT.split(raw or ""):
        if not part.strip():
            continue
        match = _BAND.match(part)
        if not match:
            raise forms.ValidationError(
                _("Write each band as threshold:points, e.g. 90:100, 75:80, 60:60.")
            )
        bands.append({"threshold": match.group(1), "points": match.group(2)})
    return bands


def bands_text(bands: list[dict[str, Any]]) -> str:
    return ", ".join(f"{b['threshold']}:{b['points']}" for b in bands)


def _slug(code: str) -> str:
    return re.sub(r"[^0-9A-Za-z_]", "_", code)


def _plain(value: Any) -> str:
    if value in (None, ""):
        return ""
    text = format(Decimal(str(value)).normalize(), "f")
    return "0" if text in ("-0", "") else text


class SchemeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    name = forms.CharField(label=_("Scheme name"), max_length=60)
    missing = forms.ChoiceField(label=_("A metric without data"), choices=MISSING_CHOICES)
    min_samples = forms.IntegerField(
        label=_("Minimum data points per metric"),
        min_value=1,
        max_value=50,
        initial=DEFAULT_MIN_SAMPLES,
        help_text=_("Fewer points leave the metric out and keep the unit off first place."),
    )
    peer_groups = forms.MultipleChoiceField(
        label=_("Ranked separately"),
        choices=[(k.value, k.label) for k in PEER_GROUP_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    excluded_units = forms.ModelMultipleChoiceField(
        label=_("Units that take no part"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    top_k = forms.IntegerField(label=_("Red list: top"), min_value=0, max_value=20, initial=3)
    bottom_k = forms.IntegerField(
        label=_("Black list: bottom"), min_value=0, max_value=20, initial=3
    )
    top_share = forms.DecimalField(
        label=_("or top share (%)"), min_value=1, max_value=100, decimal_places=2, required=False
    )
    bottom_share = forms.DecimalField(
        label=_("or bottom share (%)"), min_value=1, max_value=100, decimal_places=2, required=False
    )
    red_min_total = forms.DecimalField(
        label=_("Red list: total at least"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
        initial=85,
        help_text=_("Leave empty for no bar."),
    )
    black_below_total = forms.DecimalField(
        label=_("Black list: total below"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        required=False,
        initial=60,
        help_text=_("Leave empty for no bar."),
    )
    min_group_size = forms.IntegerField(
        label=_("No list for a group of fewer than"),
        min_value=1,
        max_value=50,
        initial=5,
        required=False,
    )
    objection_workdays = forms.IntegerField(
        label=_("Objection window (working days)"), min_value=1, max_value=30, initial=5
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["excluded_units"].queryset = Unit.objects.filter(
            is_active=True, kind__in=[k.value for k in PEER_GROUP_KINDS]
        ).order_by("kind", "sort_order", "name")
        self.dimension_rows: list[dict[str, Any]] = []
        for d in Dimension:
            weight_name = f"dim_{d.value}_weight"
            self.fields[weight_name] = forms.DecimalField(
                label=DIMENSION_LABELS[d],
                min_value=0,
                max_value=100,
                decimal_places=2,
                required=False,
            )
            metrics = []
            for spec in sorted((s for s in REGISTRY if s.dimension == d), key=lambda s: s.code):
                metrics.append(self._metric_fields(spec))
            self.dimension_rows.append({"dimension": d, "weight": weight_name, "metrics": metrics})

    def _metric_fields(self, spec: MetricSpec) -> dict[str, Any]:
        key = _slug(spec.code)
        names = {
            "use": f"m_{key}_use",
            "weight": f"m_{key}_weight",
            "method": f"m_{key}_method",
            "target": f"m_{key}_target",
            "cap": f"m_{key}_cap",
            "bands": f"m_{key}_bands",
            "floor": f"m_{key}_floor",
            "min": f"m_{key}_min",
        }
        label = spec.name
        self.fields[names["use"]] = forms.BooleanField(label=label, required=False)
        self.fields[names["weight"]] = forms.DecimalField(
            label=_("Weight in its dimension (%)"),
            min_value=0,
            max_value=100,
            decimal_places=2,
            required=False,
        )
        self.fields[names["method"]] = forms.ChoiceField(
            label=_("Normalisation"), choices=METHOD_CHOICES, required=False
        )
        self.fields[names["target"]] = forms.DecimalField(
            label=_("Target"), min_value=0, decimal_places=4, required=False
        )
        self.fields[names["cap"]] = forms.DecimalField(
            label=_("Cap"), min_value=0, decimal_places=4, required=False
        )
        self.fields[names["bands"]] = forms.CharField(
            label=_("Bands"), max_length=200, required=False
        )
        self.fields[names["floor"]] = forms.DecimalField(
            label=_("Points below every band"),
            min_value=0,
            max_value=100,
            decimal_places=2,
            required=False,
        )
        self.fields[names["min"]] = forms.IntegerField(
            label=_("Own minimum"), min_value=1, max_value=50, required=False
        )
        return {"spec": spec, "names": names}

    def bound_rows(self) -> list[dict[str, Any]]:
        """The dimension and metric rows with their bound fields, for the template."""
        rows = []
        for d in self.dimension_rows:
            rows.append(
                {
                    "dimension": d["dimension"],
                    "weight": self[d["weight"]],
                    "metrics": [
                        {"spec": m["spec"], **{k: self[n] for k, n in m["names"].items()}}
                        for m in d["metrics"]
                    ],
                }
            )
        return rows

    def clean(self):
        data = super().clean()
        for d in self.dimension_rows:
            for m in d["metrics"]:
                names = m["names"]
                if data.get(names["use"]) and names["bands"] not in self.errors:
                    try:
                        data[names["bands"] + "_parsed"] = parse_bands(data.get(names["bands"]))
                    except forms.ValidationError as exc:
                        self.add_error(names["bands"], exc)
        return data

    def config(self) -> dict[str, Any]:
        """The engine's scheme configuration from the cleaned form (validated by the service)."""
        data = self.cleaned_data
        dimensions = []
        for d in self.dimension_rows:
            metrics = []
            for m in d["metrics"]:
                n = m["names"]
                if not data.get(n["use"]):
                    continue
                method = data.get(n["method"]) or Method.RATIO_TO_TARGET.value
                cap = data.get(n["cap"])
                metrics.append(
                    {
                        "code": m["spec"].code,
                        "weight": _plain(data.get(n["weight"]) or 0),
                        "normalisation": {
                            "method": method,
                            "target": _plain(data.get(n["target"])) or None,
                            "cap": _plain(cap) if cap is not None else _plain(CITYSCORE_CAP),
                            "bands": data.get(n["bands"] + "_parsed", []),
                            "floor_points": _plain(data.get(n["floor"]) or 0),
                        },
                        "min_samples": data.get(n["min"]),
                    }
                )
            weight = data.get(d["weight"])
            if metrics or weight:
                dimensions.append(
                    {
                        "dimension": d["dimension"].value,
                        "weight": _plain(weight or 0),
                        "metrics": metrics,
                    }
                )
        return {
            "name": data["name"],
            "missing": data["missing"],
            "min_samples": data["min_samples"],
            "dimensions": dimensions,
        }

    @classmethod
    def initial_from(cls, scheme) -> dict[str, Any]:
        """Initial values from a stored scheme (``ScoringScheme``) or, without one, a default."""
        if scheme is None:
            return {
                "version": 0,
                "missing": MissingPolicy.REWEIGHT.value,
                "min_samples": DEFAULT_MIN_SAMPLES,
                "peer_groups": [UnitKind.DEPARTMENT.value, UnitKind.TOWN.value],
                "top_k": 3,
                "bottom_k": 3,
                "red_min_total": 85,
                "black_below_total": 60,
                "min_group_size": 5,
                "objection_workdays": 5,
            }
        config = scheme.config
        initial: dict[str, Any] = {
            "version": scheme.version,
            "name": config.get("name", ""),
            "missing": config.get("missing", MissingPolicy.REWEIGHT.value),
            "min_samples": config.get("min_samples", DEFAULT_MIN_SAMPLES),
            "peer_groups": list(scheme.peer_groups),
            "excluded_units": list(scheme.excluded_unit_ids or []),
            "top_k": scheme.top_k,
            "bottom_k": scheme.bottom_k,
            "top_share": _plain(scheme.top_share),
            "bottom_share": _plain(scheme.bottom_share),
            "red_min_total": _plain(scheme.red_min_total),
            "black_below_total": _plain(scheme.black_below_total),
            "min_group_size": scheme.min_group_size,
            "objection_workdays": scheme.objection_workdays,
        }
        for d in config.get("dimensions", []):
            initial[f"dim_{d['dimension']}_weight"] = _plain(d["weight"])
            for m in d.get("metrics", []):
                key = _slug(m["code"])
                norm = m.get("normalisation", {})
                initial.update(
                    {
                        f"m_{key}_use": True,
                        f"m_{key}_weight": _plain(m["weight"]),
                        f"m_{key}_method": norm.get("method"),
                        f"m_{key}_target": _plain(norm.get("target")),
                        f"m_{key}_cap": _plain(norm.get("cap")),
                        f"m_{key}_bands": bands_text(norm.get("bands", [])),
                        f"m_{key}_floor": _plain(norm.get("floor_points")),
                        f"m_{key}_min": m.get("min_samples"),
                    }
                )
        return initial


class ComputeForm(forms.Form):
    period_kind = forms.ChoiceField(label=_("Period kind"), choices=PeriodKind.choices)
    day = forms.DateField(
        label=_("Any day of the period"),
        widget=DateInput,
        help_text=_("The week (Monday to Sunday) or month that contains this day."),
    )


class PracticeForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("What was done and what came of it"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    practiced_on = forms.DateField(label=_("Date"), widget=DateInput)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Any unit is accepted here and the service decides: a liaison naming another unit is
        # refused and audited, not quietly told "invalid choice". The list offers its own.
        field = self.fields["unit"]
        field.queryset = Unit.objects.filter(is_active=True)
        if len(units) == 1:
            field.initial = units[0].pk
            field.widget = forms.HiddenInput()
        else:
            field.widget.choices = [("", "---------")] + [(u.pk, u.name) for u in units]


class RateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    rating = forms.DecimalField(
        label=_("Rating (0–10)"), min_value=0, max_value=10, decimal_places=1
    )
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False)


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("Your objection"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say which score or data point is wrong and why; attach nothing, name it."),
    )


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (ObjectionOutcome.UPHELD.value, ObjectionOutcome.UPHELD.label),
            (ObjectionOutcome.REJECTED.value, ObjectionOutcome.REJECTED.label),
        ],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Answer"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    recompute = forms.BooleanField(
        label=_("Compute the scores again from the current data with this answer"),
        required=False,
    )


class PublishForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I have checked this period's ranking and 红黑榜 and confirm publication."),
        required=True,
    )


class CommendationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CommendationKind.choices)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    person_name = forms.CharField(label=_("Name (individuals)"), max_length=30, required=False)
    deeds = forms.CharField(
        label=_("Deeds (individuals; drafts the citation)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    run = forms.ModelChoiceField(label=_("Published period"), queryset=None, required=False)
    period_label = forms.CharField(
        label=_("Period (without a published run)"), max_length=40, required=False
    )
    citation = forms.CharField(
        label=_("Citation"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave empty to draft it from the red list or the deeds."),
    )

    def __init__(self, *args, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        from kaimen.evaluation.models import ScoreRun

        self.fields["unit"].queryset = Unit.objects.filter(
            is_active=True, kind__in=[k.value for k in PEER_GROUP_KINDS]
        ).order_by("kind", "sort_order", "name")
        self.fields["run"].queryset = ScoreRun.objects.filter(
            campaign=campaign, status=RunStatus.PUBLISHED
        ).defer("board", "roll", "scheme_config")

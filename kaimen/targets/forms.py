"""Forms check the shape of input and return real types; the rules live in the services."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kaimen.lib.errors import ValidationError as KaimenValidationError
from kaimen.lib.forms import Select
from kaimen.lib.periods import Period
from kaimen.lib.quantities import parse_decimal
from kaimen.org import scope
from kaimen.org.models import Role, Unit, UnitKind
from kaimen.targets import importers
from kaimen.targets.models import (
    ExpectationChoice,
    Frequency,
    Indicator,
    IndicatorKind,
    LightBasisChoice,
    MeasureUnit,
    PlanMethod,
    PriceBasisChoice,
    Provenance,
    SplitBasis,
    Target,
    Tier,
)
from kaimen.targets.permissions import FLASH, FORECAST, OFFICIAL, filing_sources

MONTH_CHOICES = [(m, Period.cumulative(2000, m).label) for m in range(1, 13)]


class FigureField(forms.CharField):
    """A number as bureau staff type it: full-width digits, thousands separators, "—" = none."""

    def __init__(self, *, percent: bool = False, **kwargs) -> None:
        self.percent = percent
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if self.percent and isinstance(text, str):
            text = text.strip().rstrip("%％").strip()
        try:
            return parse_decimal(text)
        except KaimenValidationError as exc:
            raise forms.ValidationError(exc.message) from exc


def _units():
    return Unit.objects.filter(is_active=True).order_by("kind", "sort_order", "name")


class BoardFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Campaign year"), coerce=int, required=False, widget=Select
    )
    month = forms.TypedChoiceField(
        label=_("Statistics period"),
        coerce=int,
        choices=MONTH_CHOICES,
        required=False,
        widget=Select,
    )
    # Plain (id, name) choices rather than model choices: the filter lists every unit and
    # indicator, and building a model instance per option cost more than the board's query.
    indicator = forms.TypedChoiceField(
        label=_("Indicator"), coerce=int, empty_value=None, required=False, widget=Select
    )
    unit = forms.TypedChoiceField(
        label=_("Unit"), coerce=int, empty_value=None, required=False, widget=Select
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        widget=Select,
        choices=[("", _("All kinds")), *[(k, v) for k, v in UnitKind.choices]],
    )
    light = forms.ChoiceField(
        label=_("Light"),
        required=False,
        widget=Select,
        choices=[
            ("", _("All lights")),
            ("red", _("Red")),
            ("yellow", _("Yellow")),
            ("green", _("Green")),
            ("none", _("No light")),
        ],
    )

    def __init__(self, *args, years: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, _("%(year)s campaign") % {"year": y}) for y in years]
        indicators = Indicator.objects.filter(is_active=True).values_list("pk", "name")
        self.fields["indicator"].choices = [("", _("All indicators")), *indicators]
        units = _units().values_list("pk", "name")
        self.fields["unit"].choices = [("", _("All units")), *units]


class ExplanationForm(forms.Form):
    month = forms.TypedChoiceField(coerce=int, choices=MONTH_CHOICES, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Explanation"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What happened, and what the unit is doing to catch up."),
    )


class IndicatorForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "aliases",
            "measure_unit",
            "kind",
            "frequency",
            "merged_jan_feb",
            "owner_unit",
            "higher_is_better",
            "price_basis",
            "light_basis",
            "expectation",
            "green_within_pts",
            "yellow_within_pts",
            "growth_only",
            "decimals",
            "is_key",
            "is_active",
            "sort_order",
            "description",
        ]
        widgets = {
            "aliases": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = Unit.objects.filter(
            is_active=True, kind=UnitKind.DEPARTMENT
        )
        for name, choices in (
            ("measure_unit", MeasureUnit.choices),
            ("kind", IndicatorKind.choices),
            ("frequency", Frequency.choices),
            ("price_basis", PriceBasisChoice.choices),
            ("light_basis", LightBasisChoice.choices),
            ("expectation", ExpectationChoice.choices),
        ):
            self.fields[name].choices = choices

    def validate_unique(self) -> None:
        """Uniqueness is the service's rule (with a clearer message)."""


class TargetForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.filter(is_active=True)
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=_units())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices)
    value = FigureField(label=_("Target value"))
    growth_pct = FigureField(label=_("Target growth (%)"), percent=True)
    method = forms.ChoiceField(label=_("Decomposition by period"), choices=PlanMethod.choices)
    notes = forms.CharField(
        label=_("Remarks"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecomposeForm(forms.Form):
    """The method, and for a plan by hand each period's cumulative share of the year (%)."""

    method = forms.ChoiceField(label=_("Method"), choices=PlanMethod.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, months: list[int], year: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.months = months
        for m in months:
            self.fields[f"share_{m}"] = FigureField(
                label=Period.cumulative(year, m).label, percent=True
            )

    def shares(self) -> dict[str, Decimal] | None:
        if self.cleaned_data["method"] != PlanMethod.MANUAL:
            return None
        return {
            f"1-{m}" if m > 1 else "1": self.cleaned_data[f"share_{m}"]
            for m in self.months
            if self.cleaned_data.get(f"share_{m}") is not None
        }


class SplitForm(forms.Form):
    basis = forms.ChoiceField(label=_("Split by"), choices=[c for c in SplitBasis.choices if c[0]])
    units = forms.ModelMultipleChoiceField(
        label=_("Units"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidates: list[Unit], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(pk__in=[u.pk for u in candidates])
        for unit in candidates:
            self.fields[f"weight_{unit.pk}"] = FigureField(label=unit.name)

    def weights(self) -> dict[int, Decimal]:
        return {
            unit.pk: self.cleaned_data.get(f"weight_{unit.pk}") or Decimal(0)
            for unit in self.cleaned_data["units"]
        }


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Project"), max_length=100)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=_units())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    planned_investment = FigureField(label=_("Planned investment this year (亿元)"), required=True)
    notes = forms.CharField(label=_("Remarks"), max_length=200, required=False)


class ActualForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.filter(is_active=True)
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label=_("Statistics period"), coerce=int, choices=MONTH_CHOICES)
    value = FigureField(label=_("Cumulative value"))
    growth_pct = FigureField(label=_("Published growth (%)"), percent=True)
    provenance = forms.ChoiceField(label=_("Source"), choices=Provenance.choices)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = filing_choices(user)
        self.fields["unit"].queryset = choices.units
        self.fields["indicator"].queryset = choices.indicators
        self.fields["provenance"].choices = [
            (value, label) for value, label in Provenance.choices if value in choices.sources
        ]
        if choices.sources:
            # a liaison's default is its 快报; the statistics bureau's is the official figure
            self.fields["provenance"].initial = choices.sources[0]
        self.fields["provenance"].help_text = choices.help_text


@dataclass(frozen=True)
class FilingChoices:
    units: QuerySet
    indicators: QuerySet
    sources: tuple[str, ...]  # the default first
    help_text: str


def filing_choices(user) -> FilingChoices:
    """What the figure form offers ``user``: the sources it may file, the indicators and units
    it may file them for (the service decides each combination and says why it refuses)."""
    s = scope.scope_for(user)
    allowed = filing_sources(s)
    units, indicators = _units(), Indicator.objects.filter(is_active=True)
    if s.has(Role.OFFICE) or OFFICIAL in allowed:
        sources = allowed
        help_text = _(
            "统计局正式 is filed by the statistics bureau; the campaign office imports the "
            "bureau's workbook and types in 部门快报 received on paper."
        )
        if OFFICIAL in allowed and not s.has(Role.OFFICE) and not s.units_with(Role.LIAISON):
            help_text = _("The statistics bureau files official figures (统计局正式).")
    else:
        liaison = s.units_with(Role.LIAISON)
        led = Indicator.objects.filter(owner_unit__in=liaison)
        own_rows = Target.objects.filter(unit__in=liaison)
        indicators = indicators.filter(
            Q(owner_unit__in=liaison) | Q(pk__in=own_rows.values("indicator_id"))
        )
        if not led.exists():
            units = units.filter(pk__in=liaison)
        sources = tuple(p for p in (FLASH, FORECAST) if p in allowed)
        help_text = _(
            "A liaison files 部门快报 for the indicators its unit leads and for its own unit's "
            "targets; 统计局正式 comes from the statistics bureau."
        )
    return FilingChoices(units, indicators, sources, help_text)


class CorrectionForm(forms.Form):
    value = FigureField(label=_("Corrected cumulative value"))
    growth_pct = FigureField(label=_("Corrected published growth (%)"), percent=True)
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Statistics bureau workbook (.xlsx)"))

    def __init__(self, *args, max_bytes: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s bytes; the limit is %(limit)s bytes. Remove unused sheets or split the workbook."
                )
                % {"size": upload.size, "limit": self.max_bytes}
            )
        return upload


class MappingForm(forms.Form):
    """The column mapping of every sheet, prefilled with the detected or remembered one."""

    layout_name = forms.CharField(label=_("Remember this layout as"), max_length=60)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label=_("Statistics period"), coerce=int, choices=MONTH_CHOICES)

    def __init__(self, *args, layout: importers.Layout, units: list[str], indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = layout
        role_choices = [
            (importers.ROLE_VALUE, _("Cumulative value")),
            (importers.ROLE_GROWTH, _("Growth (%)")),
            (importers.ROLE_MEASURE, _("Unit of measure")),
            (importers.ROLE_IGNORE, _("Ignore")),
        ]
        indicator_choices = [("", "—"), *[(i.code, i.name) for i in indicators]]
        unit_choices = [("", _("The district")), *[(u, u) for u in units]]
        self.sheet_fields: list[tuple[importers.SheetLayout, list, list]] = []
        for s, sheet in enumerate(layout.sheets):
            prefix = f"s{s}"
            head = [
                (f"{prefix}_use", forms.BooleanField(label=_("Import"), required=False, initial=sheet.use)),
                (
                    f"{prefix}_rows",
                    forms.ChoiceField(
                        label=_("Each row is"),
                        choices=[
                            (importers.ROWS_INDICATOR, _("an indicator")),
                            (importers.ROWS_UNIT, _("a unit")),
                        ],
                        initial=sheet.row_kind,
                    ),
                ),
                (
                    f"{prefix}_label",
                    forms.IntegerField(label=_("Name column (1 = A)"), min_value=1, max_value=200, initial=sheet.label_column),
                ),
                (
                    f"{prefix}_first",
                    forms.IntegerField(label=_("First data row"), min_value=1, initial=sheet.first_data_row),
                ),
                (
                    f"{prefix}_unit",
                    forms.ChoiceField(label=_("Figures of"), choices=unit_choices, required=False, initial=sheet.unit),
                ),
                (
                    f"{prefix}_unitcol",
                    forms.IntegerField(label=_("Unit name column (0 = none)"), min_value=0, max_value=200, initial=sheet.unit_column),
                ),
            ]  # fmt: skip
            columns = []
            for column in sheet.columns:
                role = forms.ChoiceField(
                    label=f"{column.letter} {column.header}",
                    choices=role_choices,
                    initial=column.role,
                )
                indicator = forms.ChoiceField(
                    choices=indicator_choices, required=False, initial=column.indicator
                )
                columns.append(
                    (column, f"{prefix}_c{column.column}_role", f"{prefix}_c{column.column}_ind")
                )
                self.fields[f"{prefix}_c{column.column}_role"] = role
                self.fields[f"{prefix}_c{column.column}_ind"] = indicator
            for name, field in head:
                self.fields[name] = field
            self.sheet_fields.append((sheet, [name for name, _f in head], columns))

    def sheets(self):
        """For the template: each sheet with its bound fields."""
        for sheet, head, columns in self.sheet_fields:
            yield (
                sheet,
                [self[name] for name in head],
                [(column, self[role], self[ind]) for column, role, ind in columns],
            )

    def to_layout(self) -> importers.Layout:
        data = self.cleaned_data
        sheets = []
        for s, (sheet, _head, columns) in enumerate(self.sheet_fields):
            prefix = f"s{s}"
            label = data[f"{prefix}_label"]
            mapped = tuple(
                importers.ColumnMap(
                    column=column.column,
                    header=column.header,
                    role=data[role],
                    indicator=data[ind] or "",
                    measure_unit=column.measure_unit,
                )
                for column, role, ind in columns
                if column.column not in (label, data[f"{prefix}_unitcol"])
            )
            sheets.append(
                importers.SheetLayout(
                    sheet=sheet.sheet,
                    use=data[f"{prefix}_use"],
                    row_kind=data[f"{prefix}_rows"],
                    label_column=label,
                    header_rows=sheet.header_rows,
                    first_data_row=data[f"{prefix}_first"],
                    unit=data[f"{prefix}_unit"] or "",
                    measure_unit=sheet.measure_unit,
                    columns=mapped,
                    notes=(),
                    unit_column=data[f"{prefix}_unitcol"] or 0,
                )
            )
        return importers.Layout(tuple(sheets))

    @property
    def period(self) -> Period:
        return Period.cumulative(self.cleaned_data["year"], self.cleaned_data["month"])

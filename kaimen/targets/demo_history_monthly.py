"""Prior years of monthly figures for the demo's key indicators that ``data/demo_history.csv``
does not cover (一般公共预算收入, 外贸进出口总额, 实际使用外资, 招商引资到位资金, 新签约项目数,
新开工项目数), so every key indicator on the dashboard has a nowcast or a reason of its own.

Synthetic and deterministic (no random numbers: loading the demo twice writes the same rows).
Each series is built backwards from the story's year so it agrees with it:

* last year's annual total is this year's target over (1 + the target growth), or the target
  over a typical growth where the target is a value only;
* where this year's figures publish a growth rate (预算收入, 外贸), last year's cumulative value for
  that month is this year's value over (1 + that growth), so the growth shown and the history
  agree; the other months follow the indicator's seasonal pattern;
* earlier years shrink by a steady growth rate, with a small fixed wobble in the seasonal
  pattern so the years are not copies of each other.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

D = Decimal
YEARS = 8  # as many as the CSV's history, so the nowcast's range carries no short-history caveat

# code: (monthly shares of the annual total, January first; yearly growth of the past years in %;
# last year's annual total when the target has no growth rate)
PATTERNS: dict[str, tuple[tuple[str, ...], str, str | None]] = {
    # 预算收入 comes in early (the first quarter's taxes) and again in December
    "budget_revenue": (
        ("0.089", "0.079", "0.058", "0.086", "0.080", "0.092", "0.081", "0.072", "0.084",
         "0.080", "0.070", "0.129"),
        "4.5",
        None,
    ),
    "foreign_trade": (
        ("0.073", "0.074", "0.054", "0.082", "0.084", "0.087", "0.088", "0.086", "0.090",
         "0.092", "0.091", "0.099"),
        "6.0",
        None,
    ),
    "fdi_utilized": (
        ("0.060", "0.070", "0.090", "0.080", "0.080", "0.090", "0.080", "0.080", "0.090",
         "0.080", "0.080", "0.120"),
        "5.0",
        "14000",
    ),
    "investment_funds": (
        ("0.060", "0.070", "0.090", "0.080", "0.080", "0.090", "0.080", "0.080", "0.090",
         "0.080", "0.080", "0.120"),
        "7.0",
        "185",
    ),
    "projects_signed": (
        ("0.060", "0.080", "0.090", "0.080", "0.080", "0.090", "0.080", "0.080", "0.090",
         "0.080", "0.080", "0.110"),
        "6.0",
        "110",
    ),
    "projects_started": (
        ("0.050", "0.060", "0.100", "0.090", "0.090", "0.090", "0.080", "0.080", "0.090",
         "0.080", "0.080", "0.110"),
        "5.0",
        "74",
    ),
}  # fmt: skip


def _q(value: Decimal, places: str) -> Decimal:
    return value.quantize(D(places), ROUND_HALF_UP)


def _cumulative(shares: list[Decimal], annual: Decimal) -> list[Decimal]:
    total, out = D(0), []
    for share in shares:
        total += share
        out.append(annual * total / sum(shares))
    return out


def monthly_history(
    code: str,
    *,
    year: int,
    target_value: Decimal,
    target_growth_pct: Decimal | None,
    this_year: dict[int, tuple[Decimal, Decimal | None]],
    whole_numbers: bool,
) -> dict[int, dict[int, Decimal]]:
    """{year: {end month: cumulative value}} for the ``YEARS`` years before ``year``.

    ``this_year`` is {end month: (cumulative value, published growth % or None)} of the story's
    year; an indicator without a pattern here gets nothing."""
    if code not in PATTERNS:
        return {}
    shares_text, growth_text, annual_text = PATTERNS[code]
    shares = [D(s) for s in shares_text]
    if target_growth_pct is not None:
        annual = target_value / (1 + target_growth_pct / 100)
    else:
        annual = D(annual_text) if annual_text else target_value / D("1.06")
    last = _cumulative(shares, annual)
    # pin the months whose growth this year is published; rescale the months between
    pinned = {
        m: value / (1 + growth / 100)
        for m, (value, growth) in this_year.items()
        if growth is not None
    }
    if pinned:
        anchor_month = max(pinned)
        for m, value in pinned.items():
            last[m - 1] = value
        # the rest of the year follows the pattern from the last pinned month to the annual total
        rest = shares[anchor_month:]
        done = last[anchor_month - 1]
        running = D(0)
        for i, share in enumerate(rest, start=anchor_month):
            running += share
            last[i] = done + (annual - done) * running / sum(rest)
    places = "1" if whole_numbers else "0.01"
    step = 1 + D(growth_text) / 100
    history: dict[int, dict[int, Decimal]] = {}
    for back in range(1, YEARS + 1):
        scale = 1 / step ** (back - 1)
        # a fixed wobble of up to 6 per cent in each month's increment, different every year
        wobble = [D(1) + D(((back * 7 + m * 3) % 5) - 2) * 3 / D(100) for m in range(12)]
        increments = [
            (last[m] - (last[m - 1] if m else D(0))) * scale * wobble[m] for m in range(12)
        ]
        running = D(0)
        cumulative: dict[int, Decimal] = {}
        for m, inc in enumerate(increments, start=1):
            running += inc
            cumulative[m] = _q(running, places)
        if back == 1:  # last year exactly as built, so its growth agrees with this year's figures
            cumulative = {m: _q(last[m - 1], places) for m in range(1, 13)}
        history[year - back] = cumulative
    return history

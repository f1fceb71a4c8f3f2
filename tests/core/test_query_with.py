"""``query_with`` keeps every filter of the current query string and replaces only what it is
given, as the pagers and the board's row links need."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from kaimen.core.templatetags.kaimen import query_with


@pytest.mark.parametrize(
    ("query", "changes", "expected"),
    [
        ("year=2025&month=3", {"focus": 7}, "year=2025&month=3&focus=7"),
        ("year=2025&focus=1&unit=", {"focus": 9}, "year=2025&focus=9&unit="),
        ("kind=town&kind=dept&q=%E5%8C%BA+%E5%B1%80", {"page": 2}, None),
    ],
)
def test_query_with_matches_a_copied_querydict(query, changes, expected):
    request = RequestFactory().get("/targets/monitoring/?" + query)
    copied = request.GET.copy()
    for key, value in changes.items():
        copied[key] = value
    got = query_with({"request": request}, **changes)
    assert got == copied.urlencode()
    if expected is not None:
        assert got == expected

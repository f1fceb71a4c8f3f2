"""The pieces every API router shares: bounded pagination and the one error shape."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """Limit/offset with bounds: an offset beyond 64 bits once reached SQLite as a 500."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200)
        offset: int = Field(0, ge=0, le=10_000_000)


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


# Every operation documents the refusals it can answer with, so clients (and the schema fuzzer)
# know them: ``response={200: UnitOut, **ERRORS}``.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

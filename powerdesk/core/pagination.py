"""Paginate a queryset while turning each row into its public shape (e.g. masked)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet


class MappedQuerySet[M: Model]:
    """Sliceable and countable like a queryset; slicing runs one query and maps the rows."""

    def __init__(self, queryset: QuerySet[M], transform: Callable[[M], Any]) -> None:
        self.queryset = queryset
        self.transform = transform

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        return [self.transform(row) for row in self.queryset[index]]

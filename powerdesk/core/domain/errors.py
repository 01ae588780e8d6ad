"""Errors raised by pure domain code, carrying both of the site's languages.

Domain modules cannot use Django's translation machinery, so every error carries its message
in zh-Hant and English; the interface layer (form, API, CLI) picks the one for the request's
language. ``code`` is stable and machine-readable (``"national_id.checksum"``); ``field`` names
the input it concerns when the domain knows it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Message:
    """A message in both site languages."""

    zh_hant: str
    en: str

    def in_language(self, language: str) -> str:
        """Return the message for a Django language code (``zh-hant``, ``en``, ``en-us`` …)."""
        return self.en if language.lower().startswith("en") else self.zh_hant


class DomainError(Exception):
    """Base of every error that pure domain code raises on bad input."""

    def __init__(
        self,
        *,
        code: str,
        zh_hant: str,
        en: str,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(en)
        self.code = code
        self.message = Message(zh_hant=zh_hant, en=en)
        self.field = field
        self.details: dict[str, Any] = dict(details or {})

    def with_field(self, field: str) -> DomainError:
        """Return a copy of this error that names ``field``."""
        copy = type(self).__new__(type(self))
        DomainError.__init__(
            copy,
            code=self.code,
            zh_hant=self.message.zh_hant,
            en=self.message.en,
            field=field,
            details=self.details,
        )
        return copy


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One problem with one input field (used when several are reported at once)."""

    field: str
    code: str
    message: Message
    details: dict[str, Any] = dataclasses.field(default_factory=dict)

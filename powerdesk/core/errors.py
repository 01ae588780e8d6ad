"""Errors that actions raise; every interface renders them in one shape.

API: ``{"code": …, "message": …, "details": {…}}`` with the message in the request's language.
Forms: the message is attached to the named field. CLI: printed with the field name.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from powerdesk.core.domain.errors import DomainError, FieldProblem, Message


class ApplicationError(Exception):
    """Base of the errors that actions raise for the caller to show."""

    status = 400

    def __init__(
        self,
        *,
        code: str,
        message: Message,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message.en)
        self.code = code
        self.message = message
        self.field = field
        self.details = dict(details or {})

    def text(self, language: str | None = None) -> str:
        return self.message.in_language(language or get_language() or "zh-hant")

    def as_dict(self, language: str | None = None) -> dict[str, Any]:
        details = dict(self.details)
        if self.field:
            details.setdefault("field", self.field)
        return {"code": self.code, "message": self.text(language), "details": details}


class InvalidInputError(ApplicationError):
    """One or more fields are wrong; nothing was saved."""

    status = 422

    def __init__(self, problems: list[FieldProblem]) -> None:
        first = problems[0]
        super().__init__(
            code="invalid_input",
            message=Message(
                zh_hant=f"輸入資料有誤：{first.field} — {first.message.zh_hant}",
                en=f"Invalid input: {first.field} — {first.message.en}",
            ),
            field=first.field,
        )
        self.problems = problems

    def as_dict(self, language: str | None = None) -> dict[str, Any]:
        lang = language or get_language() or "zh-hant"
        return {
            "code": self.code,
            "message": self.text(lang),
            "details": {
                "fields": [
                    {
                        "field": p.field,
                        "code": p.code,
                        "message": p.message.in_language(lang),
                        **p.details,
                    }
                    for p in self.problems
                ]
            },
        }

    @classmethod
    def from_domain(cls, error: DomainError, *, field: str | None = None) -> InvalidInputError:
        return cls(
            [
                FieldProblem(
                    field=field or error.field or "value",
                    code=error.code,
                    message=error.message,
                    details=error.details,
                )
            ]
        )


class NotFoundError(ApplicationError):
    status = 404

    def __init__(self, *, what: Message | None = None) -> None:
        super().__init__(
            code="not_found",
            message=what or Message(zh_hant="查無資料。", en="Not found."),
        )


class PermissionDeniedError(ApplicationError):
    status = 403

    def __init__(self, *, reason: Message | None = None) -> None:
        super().__init__(
            code="permission_denied",
            message=reason
            or Message(
                zh_hant="您沒有執行此操作的權限。", en="You do not have permission to do this."
            ),
        )


class ConflictError(ApplicationError):
    status = 409


def collect(checks: dict[str, Any]) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Run ``{field: callable}`` validators, gathering every problem instead of stopping at one.

    Returns the cleaned values and the problems; callers raise :class:`InvalidInputError` when
    problems is not empty, so nothing is saved half-way.
    """
    cleaned: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for field, check in checks.items():
        try:
            cleaned[field] = check()
        except DomainError as error:
            problems.append(
                FieldProblem(
                    field=field, code=error.code, message=error.message, details=error.details
                )
            )
    return cleaned, problems

"""Where the current request came from, for the audit log (a context variable, not a global)."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = ""
    channel: str = ""  # web, api, cli, worker


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "powerdesk_request_context",
    default=RequestContext(),  # noqa: B039 - a frozen dataclass, immutable
)


def current() -> RequestContext:
    return _current.get()


def bind(context: RequestContext) -> contextvars.Token[RequestContext]:
    return _current.set(context)


def reset(token: contextvars.Token[RequestContext]) -> None:
    _current.reset(token)

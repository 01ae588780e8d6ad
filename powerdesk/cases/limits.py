"""Rate limits of the public case lookups, in one place for every channel.

Each is a rate in ``settings.POWERDESK`` (from the environment, see README), such as ``20/h``:

* ``PUBLIC_LOOKUP_RATE``: API lookups (``/api/v1/cases/progress``, ``/lookup``) per client.
* ``PAGE_LOOKUP_RATE``: the public pages (progress, lookup form, receipt) per client.
* ``LOOKUP_FAILURE_RATE``: failed lookups of one case number, from any address and through the
  form and the API together: the allowance of guesses at its second factor. The counter is
  settled after the lookup has run and before its answer is shown, in one atomic step
  (:func:`number_wait`): a failure is counted, and refused past the allowance; a success counts
  nothing (the applicant checking their own case never uses it up) but is refused too once the
  allowance is used up, so a right guess is never revealed after the allowed wrong ones, however
  many guesses run at once.
* ``OPEN311_RATE``: Open311 GeoReport requests per client.

A value that is not a rate is reported by ``powerdesk check`` (``cases.E001``); until fixed, the
default applies and each use logs an error.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from django.conf import settings
from django.core.checks import Error as CheckError
from django.utils.crypto import salted_hmac

from powerdesk.core.ratelimit import parse_rate, rate_wait

DEFAULT_RATES: Final = {
    "PUBLIC_LOOKUP_RATE": "20/h",
    "PAGE_LOOKUP_RATE": "60/10m",
    "LOOKUP_FAILURE_RATE": "10/h",
    "OPEN311_RATE": "300/m",
}

Limit = tuple[str, tuple[int, int]]

logger = logging.getLogger(__name__)


def _configured(name: str) -> str:
    value = getattr(settings, "POWERDESK", {}).get(name)
    return str(value) if value else DEFAULT_RATES[name]


def configured_rate(name: str) -> tuple[int, int]:
    """``(calls, window seconds)`` of the rate ``name``; its default if the setting is bad."""
    text = _configured(name)
    try:
        return parse_rate(text)
    except ValueError as error:
        logger.error("POWERDESK[%r]: %s; using %s", name, error, DEFAULT_RATES[name])
        return parse_rate(DEFAULT_RATES[name])


def rates_check(app_configs: Any = None, **kwargs: Any) -> list[CheckError]:
    problems = []
    for name in DEFAULT_RATES:
        try:
            parse_rate(_configured(name))
        except ValueError as error:
            problems.append(
                CheckError(
                    f"POWERDESK[{name!r}]: {error}.",
                    hint=f"Set POWERDESK_{name} in the environment, e.g. {DEFAULT_RATES[name]}.",
                    id="cases.E001",
                )
            )
    return problems


def number_limit(number: str) -> Limit:
    """The failed-lookup counter of a case number (keyed by an HMAC with the site's secret key:
    case numbers are few and predictable, so a plain hash would name the case)."""
    mac = salted_hmac("powerdesk.cases.limits.number", number, algorithm="sha256")
    digest = mac.hexdigest()[:32]
    return f"cases:lookup:number:{digest}", configured_rate("LOOKUP_FAILURE_RATE")


def number_wait(number: str, *, found: bool, client: Limit | None = None) -> int:
    """Settle a lookup of ``number`` that found the case or not (see above), after counting the
    ``client`` limit first if given (a client already refused uses up nothing of the number):
    the seconds to wait, or 0 to answer."""
    limits = (client, number_limit(number)) if client else (number_limit(number),)
    return rate_wait(*limits, count_last=not found)

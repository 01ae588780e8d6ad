"""Bounds on the numbers the engine accepts (not Taipower rules: sanity bounds).

Exact ``Decimal``/``Fraction`` arithmetic costs time in proportion to the digits: a kWh of
``Decimal("1e400")`` or ``Decimal("1e-999999")`` would make a bill take minutes (or overflow a
formatting step). The engine itself refuses such values with a ``TariffError`` naming the
field; every interface (API, web page, CLI) uses the same constants (``powerdesk.tariffs.api``).

* Input values (a reading's kWh, a typical month, a meter rating, an interval's kWh) may have
  at most ``MAX_DECIMAL_PLACES`` decimals.
* Values the engine derives and re-checks itself (a typical month × a share, the two-period
  peak = peak + semi-peak) have at most ``MAX_COMPUTED_PLACES`` decimals.
"""

from __future__ import annotations

from decimal import Decimal

from powerdesk.tariffs.engine.model import TariffError

MAX_KWH = Decimal(1_000_000)
"""[kWh] Largest accepted reading, monthly use or period share of one. A lighting (表燈) customer
uses a few thousand kWh a month; larger values are input errors."""
MAX_INTERVAL_KWH = Decimal(10_000)
"""[kWh] Largest accepted energy of one interval of interval data (same reasoning)."""
MAX_METER_AMPERES = Decimal(10_000)
MAX_EQUIPMENT_KVA = Decimal(100_000)
MAX_SHARE = Decimal(100)
MAX_DECIMAL_PLACES = 6
MAX_COMPUTED_PLACES = 2 * MAX_DECIMAL_PLACES + 2
"""Decimals of a value derived from two inputs: kWh (6) × share in percent (6) ÷ 100 (2)."""


def decimal_places(number: Decimal) -> int:
    """Significant decimal places of a finite ``Decimal`` (``1.50`` → 1, ``1E-9`` → 9).

    Computed from the digits, not with ``normalize()``, which rounds values below the context's
    exponent range (``1E-999999999``) to zero."""
    _sign, digits, exponent = number.as_tuple()
    significant = "".join(map(str, digits)).rstrip("0")
    if not isinstance(exponent, int) or exponent >= 0 or not significant:
        return 0
    return max(0, -exponent - (len(digits) - len(significant)))


def check_bounds(
    number: Decimal, *, field: str, maximum: Decimal, places: int = MAX_DECIMAL_PLACES
) -> Decimal:
    """``number`` (finite) unchanged, or ``TariffError`` when above ``maximum`` or too precise.

    Codes: ``tariff.number_too_large``, ``tariff.number_too_precise`` (as the API's).
    """
    shown = str(number) if len(str(number)) <= 32 else f"{number:.6E}"
    if number > maximum:
        raise TariffError(
            code="tariff.number_too_large",
            zh_hant=f"「{field}」不可大於 {maximum:,}，收到 {shown}。",
            en=f"{field} must be at most {maximum:,}, got {shown}.",
            field=field,
            details={"value": shown, "maximum": str(maximum)},
        )
    if decimal_places(number) > places:
        raise TariffError(
            code="tariff.number_too_precise",
            zh_hant=f"「{field}」最多 {places} 位小數，收到 {shown}。",
            en=f"{field} may have at most {places} decimal places, got {shown}.",
            field=field,
            details={"value": shown},
        )
    return number

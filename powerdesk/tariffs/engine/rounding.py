"""The one place where tariff amounts are rounded.

Billing rule (tariffs.md §3.4, confidence B): a bill is charged in whole NT$, the computed total
rounded to the nearest yuan with .5 rounding up (every public example found does this, e.g. a
computed 7,907.5 is billed 7,908). Whether Taipower rounds line items before summing is not known
("?"), so the engine rounds **once**, at the very end, and nothing else is ever rounded:

* every charge is computed exactly (``Decimal`` products of kWh and two-decimal unit prices);
* day-ratio proration (× d/D) and tax exemption (÷ 1.05 = × 20/21) are exact rational
  operations (``fractions.Fraction``), so no intermediate value is cut off;
* :func:`round_half_up` turns the exact total into ``int`` NT$.

:func:`display_decimal` only formats an exact value for people (bill lines, snapshots). Its
result never feeds back into any arithmetic.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

_TERMINATING_PRIMES = (2, 5)


def round_half_up(amount: Fraction | Decimal | int) -> int:
    """Round ``amount`` [NT$] to whole NT$, ties away from zero (``decimal.ROUND_HALF_UP``).

    The computation is exact integer arithmetic on the rational value, so a true tie such as
    7907.5 always rounds up and a value a hair below a tie never does.
    """
    exact = Fraction(amount)
    quotient, remainder = divmod(abs(exact.numerator), exact.denominator)
    if 2 * remainder >= exact.denominator:
        quotient += 1
    return quotient if exact.numerator >= 0 else -quotient


def display_decimal(value: Fraction, *, min_places: int = 0, max_places: int = 6) -> Decimal:
    """Format an exact rational for display (never for arithmetic).

    A value with a terminating decimal expansion is returned exactly, with at least
    ``min_places`` decimals (``Fraction(1068, 5)`` → ``Decimal("213.60")`` for
    ``min_places=2``). Any other value (a day-ratio share such as 1/61, or an amount ÷ 1.05) is
    shown rounded half up to ``max_places`` decimals.
    """
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator == 1:
        places = max(twos, fives, min_places)
        return Decimal(value.numerator * 10**places // value.denominator).scaleb(-places)
    rounded = round_half_up(value * 10**max_places)
    return Decimal(rounded).scaleb(-max_places)


def is_terminating(value: Fraction) -> bool:
    """Whether ``value`` has a finite decimal expansion (its display is exact)."""
    denominator = value.denominator
    for prime in _TERMINATING_PRIMES:
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1

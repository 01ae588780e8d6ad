"""Plan comparison from a typical summer and non-summer month (input form (a)).

This mirrors Taipower's 簡易型時間電價試算 (tariffs.md §5): the customer gives a typical
monthly kWh for summer and for non-summer and the share of use in each time period, and gets an
estimated annual bill for the three plans open to them: their non-time-of-use class
(住宅用 / 住宅以外非營業用 / 營業用), 二段式 and 三段式.

Model and decisions (the reference does not confirm Taipower's model, §5):

* **annual = 4 × summer monthly bill + 8 × non-summer monthly bill** (夏月 is June–September).
  Each monthly bill is a whole bill rounded to NT$ (rounding.py) before it is multiplied.
* Non-TOU bills are **monthly** bills (tiers per month); §5 notes that bimonthly doubling gives
  the same energy charge when the two months are equal.
* **Shares** are percentages of the month's kWh per period of the **three-period** plan's
  weekday windows: summer peak / semi-peak / off-peak; non-summer semi-peak / off-peak (the
  three-period plan has no non-summer peak, so ``non_summer.peak`` must be 0). Each season's
  shares must sum to exactly 100. The two-period plan's peak windows are exactly the union of
  the three-period peak and semi-peak windows in both seasons, old and new bands alike
  (tariffs.md §2.1; checked by test_compare), so its peak share is peak + semi-peak.
* The cheapest plan is the one with the lowest annual estimate; a tie goes to the current plan,
  then to the non-TOU plan, then to 二段式.
* Choosing a TOU plan locks the customer in for one year ([T1] p.14 七(五); tariffs.md §2.3.5):
  the result carries that warning whenever the recommended plan is a TOU plan other than the
  current one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from powerdesk.core.domain.errors import Message
from powerdesk.tariffs.engine import bill as bills
from powerdesk.tariffs.engine.loader import load_schedules, parse_plan, schedule_for
from powerdesk.tariffs.engine.model import (
    PLAN_NAMES,
    TOU_PLANS,
    Bill,
    Phase,
    Plan,
    Schedule,
    Season,
    TariffError,
    TouKwh,
)
from powerdesk.tariffs.engine.rounding import round_half_up

SUMMER_MONTHS = 4
NON_SUMMER_MONTHS = 8
"""夏月 6/1–9/30 is four calendar months (tariffs.md §0); the other eight are non-summer."""

_HUNDRED = Decimal(100)

LOCK_IN_WARNING = Message(
    zh_hant="注意：選用時間電價後，一年內不得改回非時間電價（台電電價表 第三章 七(五)）。",
    en="Note: after choosing a time-of-use tariff you cannot switch back to the "
    "non-time-of-use tariff within one year (Taipower tariff table, chapter 3, 7(5)).",
)


@dataclass(frozen=True, slots=True)
class TouShares:
    """Share of a month's kWh per period of the three-period plan [%]; must sum to 100."""

    peak: Decimal = Decimal(0)
    semi_peak: Decimal = Decimal(0)
    off_peak: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class MonthEstimate:
    """One monthly bill of an estimate and how many months of the year it stands for."""

    label: str  # "summer" / "non_summer" (form (a)) or "YYYY-MM" (interval data)
    weight: Fraction  # [months/year]
    bill: Bill


@dataclass(frozen=True, slots=True)
class PlanEstimate:
    """The estimated annual bill [NT$/year] of one plan."""

    plan: Plan
    annual_total: int  # [NT$/year] round_half_up(Σ weight × monthly total)
    months: tuple[MonthEstimate, ...]
    tariff_versions: tuple[str, ...]
    provisional: bool
    lock_in: bool  # choosing this plan locks the customer in for one year


@dataclass(frozen=True, slots=True)
class Comparison:
    """Annual estimates per plan, the cheapest plan and the saving against the current plan."""

    current_plan: Plan
    estimates: tuple[PlanEstimate, ...]
    cheapest: Plan
    saving: int  # [NT$/year] annual(current) − annual(cheapest), ≥ 0
    explanation: Message
    lock_in_warning: Message | None
    assumptions: tuple[Message, ...]
    provisional: bool

    def estimate(self, plan: Plan | str) -> PlanEstimate:
        """The estimate of ``plan``."""
        wanted = parse_plan(plan)
        for estimate in self.estimates:
            if estimate.plan is wanted:
                return estimate
        raise TariffError(
            code="tariff.plan_not_compared",
            zh_hant=f"比較結果不含方案 {wanted.value}。",
            en=f"Plan {wanted.value!r} is not part of this comparison.",
            field="plan",
        )


# --- Shared by form (a) and form (c) --------------------------------------------------------


def compared_plans(*, current_plan: Plan | str, tiered_plan: Plan | str | None) -> tuple[Plan, ...]:
    """The plans open to the customer: their non-TOU class, 二段式 and 三段式 (in that order)."""
    current = parse_plan(current_plan, field="current_plan")
    tiered = None if tiered_plan is None else parse_plan(tiered_plan, field="tiered_plan")
    if tiered is not None and tiered.is_tou:
        raise TariffError(
            code="tariff.tiered_plan_invalid",
            zh_hant=f"「tiered_plan」必須是非時間電價方案（住宅用、住宅以外非營業用或營業用），收到 {tiered.value}。",
            en=f"tiered_plan must be a non-time-of-use plan (residential, non_residential or commercial), got {tiered.value!r}.",
            field="tiered_plan",
        )
    if not current.is_tou:
        if tiered is not None and tiered is not current:
            raise TariffError(
                code="tariff.tiered_plan_mismatch",
                zh_hant=f"目前方案是 {current.value}，非時間電價類別不能另填 {tiered.value}。",
                en=f"The current plan is {current.value!r}; tiered_plan cannot be {tiered.value!r}.",
                field="tiered_plan",
            )
        tiered = current
    if tiered is None:
        raise TariffError(
            code="tariff.tiered_plan_required",
            zh_hant="目前是時間電價用戶：請填寫用電類別（住宅用、住宅以外非營業用或營業用）以比較非時間電價。",
            en="The current plan is time-of-use: give tiered_plan (residential, non_residential or "
            "commercial) to compare with the non-time-of-use tariff.",
            field="tiered_plan",
        )
    return (tiered, *TOU_PLANS)


def plan_estimate(plan: Plan, *, months: tuple[MonthEstimate, ...]) -> PlanEstimate:
    """Sum weighted monthly bills into an annual estimate (rounded once, half up)."""
    annual = sum((month.weight * month.bill.total for month in months), Fraction(0))
    versions = tuple(dict.fromkeys(v for month in months for v in month.bill.tariff_versions))
    return PlanEstimate(
        plan=plan,
        annual_total=round_half_up(annual),
        months=months,
        tariff_versions=versions,
        provisional=any(month.bill.provisional for month in months),
        lock_in=plan.is_tou,
    )


def build_comparison(
    *,
    current_plan: Plan,
    estimates: tuple[PlanEstimate, ...],
    basis: Message,
    assumptions: tuple[Message, ...],
) -> Comparison:
    """Pick the cheapest plan and write the explanation (``basis`` says what the estimate uses)."""
    order = {estimate.plan: index for index, estimate in enumerate(estimates)}
    cheapest = min(
        estimates,
        key=lambda e: (e.annual_total, e.plan is not current_plan, order[e.plan]),
    )
    current = next(e for e in estimates if e.plan is current_plan)  # compared_plans has it
    saving = current.annual_total - cheapest.annual_total
    listing_zh = "、".join(
        f"{PLAN_NAMES[e.plan].zh_hant}約 {e.annual_total:,} 元" for e in estimates
    )
    listing_en = "; ".join(
        f"{PLAN_NAMES[e.plan].en}: about NT${e.annual_total:,}" for e in estimates
    )
    cheapest_zh, cheapest_en = PLAN_NAMES[cheapest.plan].zh_hant, PLAN_NAMES[cheapest.plan].en
    current_zh, current_en = PLAN_NAMES[current_plan].zh_hant, PLAN_NAMES[current_plan].en
    if cheapest.plan is current_plan:
        verdict_zh = f"您目前的{current_zh}已是最省的方案。"
        verdict_en = f"Your current plan, {current_en}, is already the cheapest."
    else:
        verdict_zh = f"最省的是{cheapest_zh}，比您目前的{current_zh}每年約省 {saving:,} 元。"
        verdict_en = (
            f"The cheapest is {cheapest_en}, about NT${saving:,} a year less than your current "
            f"plan, {current_en}."
        )
    provisional = any(e.provisional for e in estimates)
    caveat_zh = "部分費率為暫定資料（可信度 C），結果僅供參考。" if provisional else ""
    caveat_en = (
        " Some rates are provisional (confidence C): treat the result as indicative."
        if provisional
        else ""
    )
    explanation = Message(
        zh_hant=f"{basis.zh_hant}估計一年電費：{listing_zh}。{verdict_zh}{caveat_zh}",
        en=f"{basis.en} Estimated annual bills: {listing_en}. {verdict_en}{caveat_en}",
    )
    warning = (
        LOCK_IN_WARNING if cheapest.plan.is_tou and cheapest.plan is not current_plan else None
    )
    return Comparison(
        current_plan=current_plan,
        estimates=estimates,
        cheapest=cheapest.plan,
        saving=saving,
        explanation=explanation,
        lock_in_warning=warning,
        assumptions=assumptions,
        provisional=provisional,
    )


# --- Form (a) -------------------------------------------------------------------------------


def parse_shares(
    value: TouShares | Mapping[str, object], *, field: str, season: Season
) -> TouShares:
    """Validated shares [%]: numbers ≥ 0, summing to exactly 100; no peak outside summer."""
    if isinstance(value, TouShares):
        raw: dict[str, object] = {
            "peak": value.peak,
            "semi_peak": value.semi_peak,
            "off_peak": value.off_peak,
        }
    else:
        unknown = sorted(set(value) - {"peak", "semi_peak", "off_peak"})
        if unknown:
            raise TariffError(
                code="tariff.share_unknown_period",
                zh_hant=f"「{field}」含未知的時段 {unknown}；可用 peak、semi_peak、off_peak。",
                en=f"{field} has unknown periods {unknown}; use peak, semi_peak and off_peak.",
                field=field,
            )
        raw = {name: value.get(name, Decimal(0)) for name in ("peak", "semi_peak", "off_peak")}
    parsed: dict[str, Decimal] = {}
    for name, amount in raw.items():
        try:
            parsed[name] = bills.parse_kwh(amount, field=f"{field}.{name}")
        except TariffError as error:
            if not error.code.startswith("tariff.kwh"):
                raise error.with_field(f"{field}.{name}") from None
            raise TariffError(
                code=error.code.replace("kwh", "share"),
                zh_hant=f"「{field}.{name}」的比例必須是不小於 0 的數字（%），收到「{amount}」。",
                en=f"{field}.{name} must be a percentage of zero or more, got {amount!r}.",
                field=f"{field}.{name}",
            ) from None
    shares = TouShares(**parsed)
    if season is Season.NON_SUMMER and shares.peak != 0:
        raise TariffError(
            code="tariff.share_not_in_season",
            zh_hant="非夏月沒有尖峰時段（三段式非夏月只有半尖峰與離峰），「peak」必須為 0。",
            en="There is no peak period outside summer (three-period plan: semi-peak and off-peak "
            "only), so peak must be 0.",
            field=f"{field}.peak",
        )
    total = shares.peak + shares.semi_peak + shares.off_peak
    if total != _HUNDRED:
        raise TariffError(
            code="tariff.shares_sum",
            zh_hant=f"「{field}」各時段比例合計必須為 100%，目前為 {total}%。",
            en=f"The shares in {field} must add up to 100 %, not {total} %.",
            field=field,
            details={"sum": str(total)},
        )
    return shares


def typical_usage(plan: Plan, *, kwh: Decimal, shares: TouShares) -> Decimal | TouKwh:
    """The month's kWh as ``plan`` bills it: total, or split by the shares (exact decimals)."""
    if not plan.is_tou:
        return kwh
    peak = kwh * shares.peak / _HUNDRED
    semi_peak = kwh * shares.semi_peak / _HUNDRED
    off_peak = kwh * shares.off_peak / _HUNDRED
    if plan is Plan.SIMPLE_TOU_2:
        return TouKwh(peak=peak + semi_peak, off_peak=off_peak)
    return TouKwh(peak=peak, semi_peak=semi_peak, off_peak=off_peak)


def _schedule(plan: Plan, *, on: date | None) -> Schedule:
    if on is None:
        return load_schedules()[plan][-1]
    return schedule_for(plan, on=on)


def compare_typical(
    *,
    current_plan: Plan | str,
    summer_kwh: Decimal | int | str,
    non_summer_kwh: Decimal | int | str,
    summer_shares: TouShares | Mapping[str, object],
    non_summer_shares: TouShares | Mapping[str, object],
    tiered_plan: Plan | str | None = None,
    on: date | None = None,
    phase: Phase | str = Phase.SINGLE,
    meter_amperes: Decimal | int | None = None,
    tax_exempt: bool = False,
    power_factor: int | None = None,
    equipment_kva: Decimal | int | None = None,
) -> Comparison:
    """Compare the plans open to a customer from a typical month per season (form (a)).

    Args:
        current_plan: the customer's plan today.
        summer_kwh, non_summer_kwh: [kWh/month] typical monthly use in 夏月 and 非夏月.
        summer_shares, non_summer_shares: [%] share per period (see the module docstring).
        tiered_plan: the customer's non-TOU class; defaults to ``current_plan`` when that is
            not a TOU plan, required otherwise.
        on: price with the schedules in force on this date; None = the newest schedules.
        phase, meter_amperes, tax_exempt, power_factor, equipment_kva: as for ``compute_bill``.

    Returns a ``Comparison``; raises ``TariffError`` (e.g. ``tariff.shares_sum``).
    """
    plans = compared_plans(current_plan=current_plan, tiered_plan=tiered_plan)
    summer = bills.parse_kwh(summer_kwh, field="summer_kwh")
    non_summer = bills.parse_kwh(non_summer_kwh, field="non_summer_kwh")
    shares = {
        Season.SUMMER: parse_shares(summer_shares, field="summer_shares", season=Season.SUMMER),
        Season.NON_SUMMER: parse_shares(
            non_summer_shares, field="non_summer_shares", season=Season.NON_SUMMER
        ),
    }
    usage = {Season.SUMMER: summer, Season.NON_SUMMER: non_summer}
    weights = {
        Season.SUMMER: Fraction(SUMMER_MONTHS),
        Season.NON_SUMMER: Fraction(NON_SUMMER_MONTHS),
    }
    estimates: list[PlanEstimate] = []
    for plan in plans:
        schedule = _schedule(plan, on=on)
        months = tuple(
            MonthEstimate(
                label=season.value,
                weight=weights[season],
                bill=bills.schedule_bill(
                    schedule,
                    season=season,
                    kwh=typical_usage(plan, kwh=usage[season], shares=shares[season]),
                    phase=phase,
                    meter_amperes=meter_amperes,
                    tax_exempt=tax_exempt,
                    power_factor=power_factor,
                    equipment_kva=equipment_kva,
                ),
            )
            for season in Season
        )
        estimates.append(plan_estimate(plan, months=months))
    basis = Message(
        zh_hant=f"以夏月每月 {summer} 度、非夏月每月 {non_summer} 度",
        en=f"Based on {summer} kWh per summer month and {non_summer} kWh per non-summer month:",
    )
    return build_comparison(
        current_plan=parse_plan(current_plan, field="current_plan"),
        estimates=tuple(estimates),
        basis=basis,
        assumptions=(
            Message(
                zh_hant="年電費 = 4 個夏月 + 8 個非夏月的月帳單；台電試算工具的實際模型未經證實（tariffs.md §5）。",
                en="Annual bill = 4 summer + 8 non-summer monthly bills; Taipower's own model "
                "for its calculator is not confirmed (tariffs.md §5).",
            ),
            MONTHLY_BILLING_ASSUMPTION,
            SHARES_ASSUMPTION,
        ),
    )


MONTHLY_BILLING_ASSUMPTION = Message(
    zh_hant="非時間電價以每月抄表計算（每張月帳單先四捨五入至元）。",
    en="The non-time-of-use tariff is priced as monthly bills, each rounded to whole NT$.",
)
SHARES_ASSUMPTION = Message(
    zh_hant="時段比例依三段式的時間帶；二段式尖峰 = 三段式尖峰 + 半尖峰。",
    en="Shares follow the three-period windows; the two-period peak equals three-period peak + semi-peak.",
)

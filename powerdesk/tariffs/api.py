"""The tariff calculator's public API, and the input handling the web page and the CLI share.

Endpoints (anonymous, throttled per client address):

* ``POST /tariffs/bill`` — one reading period (input form (b)).
* ``POST /tariffs/compare`` — the plans open to a customer compared over a year, from a typical
  month per season (form (a), JSON) or from interval data (form (c): a multipart upload of the
  CSV file, or JSON with the CSV as text).

Every interface (API, web page, ``powerdesk tariffs``) goes through ``tariff_bill``,
``tariff_compare_typical`` and ``tariff_compare_csv`` below, so the same input gives the same
total everywhere. They turn interface values (JSON numbers, form strings) into the engine's
types, refuse sizes the engine was not meant for (``MAX_KWH`` …: a public endpoint must not
spend minutes on a 10^9-digit number), and convert every ``TariffError`` into an
``InvalidInputError`` naming the field, or the CSV rows, in both languages.
"""

import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Router
from ninja.errors import ValidationError as NinjaValidationError
from ninja.throttling import AnonRateThrottle
from pydantic import ValidationError as PydanticValidationError

from powerdesk.core.domain.errors import DomainError, FieldProblem, Message
from powerdesk.core.errors import ApplicationError, InvalidInputError
from powerdesk.core.schemas import ErrorOut
from powerdesk.tariffs import engine
from powerdesk.tariffs.engine import limits
from powerdesk.tariffs.schemas import (
    TariffBillIn,
    TariffBillOut,
    TariffCompareCsvIn,
    TariffCompareTypicalIn,
    TariffComparisonOut,
    bill_out,
    comparison_out,
)

router = Router(tags=["tariffs"])

# The engine's own bounds (``engine.limits``): the shell refuses the same values first, with
# the interface's field names.
MAX_KWH = limits.MAX_KWH
MAX_INTERVAL_KWH = limits.MAX_INTERVAL_KWH
MAX_METER_AMPERES = limits.MAX_METER_AMPERES
MAX_EQUIPMENT_KVA = limits.MAX_EQUIPMENT_KVA
MAX_SHARE = limits.MAX_SHARE
MAX_DECIMAL_PLACES = limits.MAX_DECIMAL_PLACES
decimal_places = limits.decimal_places
MAX_CSV_BYTES = 5_000_000
"""Largest interval CSV accepted (a year of 15-minute data is about 0.8 MB)."""
MAX_PROBLEMS = 50

_PERIODS = ("peak", "semi_peak", "off_peak")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE = {"true", "1", "on", "yes"}
_FALSE = {"false", "0", "off", "no", ""}
_OPTION_FIELDS = ("phase", "meter_amperes", "tax_exempt", "power_factor", "equipment_kva")


# --- Errors ---------------------------------------------------------------------------------


class CsvInvalidError(InvalidInputError):
    """An interval CSV with row-level problems: ``details.rows`` lists them in the language."""

    def __init__(self, error: engine.IntervalCsvError) -> None:
        super().__init__([FieldProblem(field="csv", code=error.code, message=error.message)])
        self.rows = error.problems
        self.more = int(error.details.get("more", 0))

    def as_dict(self, language: str | None = None) -> dict[str, Any]:
        lang = language or get_language() or "zh-hant"
        data = super().as_dict(lang)
        data["details"]["rows"] = [
            {
                "row": problem.row,
                "column": problem.column,
                "code": problem.code,
                "message": problem.message.in_language(lang),
            }
            for problem in self.rows
        ]
        data["details"]["more"] = self.more
        return data


class RequestBodyError(ApplicationError):
    """A request body that cannot be read at all (not JSON, too large, wrong media type)."""

    def __init__(self, *, status: int, code: str, zh_hant: str, en: str) -> None:
        super().__init__(code=code, message=Message(zh_hant=zh_hant, en=en))
        self.status = status


def _problem(error: DomainError, *, renames: Mapping[str, str]) -> FieldProblem:
    field = error.field or "value"
    head, _, rest = field.partition(".")
    if head in renames:
        field = renames[head] + (f".{rest}" if rest else "")
    return FieldProblem(field=field, code=error.code, message=error.message, details=error.details)


def invalid_input(
    error: DomainError, *, renames: Mapping[str, str] | None = None
) -> InvalidInputError:
    """The application error for an engine error (``renames`` maps engine field names)."""
    if isinstance(error, engine.IntervalCsvError):
        return CsvInvalidError(error)
    return InvalidInputError([_problem(error, renames=renames or {})])


def _error(code: str, *, field: str, zh_hant: str, en: str, **details: Any) -> engine.TariffError:
    return engine.TariffError(code=code, zh_hant=zh_hant, en=en, field=field, details=details)


def _collect(checks: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run every check; raise one ``InvalidInputError`` listing all problems, else the values."""
    cleaned: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    for name, check in checks.items():
        try:
            cleaned[name] = check()
        except DomainError as error:
            problems.append(_problem(error, renames={}))
    if problems:
        raise InvalidInputError(problems)
    return cleaned


# --- Interface values → engine values -------------------------------------------------------


def number_in(value: object, *, field: str, maximum: Decimal) -> object:
    """A JSON number, form string or ``Decimal`` as an exact ``Decimal`` within bounds.

    Floats come from JSON parsing; ``repr`` gives back the literal the client sent (exact for
    every value the bounds accept: at most 7 integer digits and 6 decimals). Values that are not
    finite numbers are returned unchanged: the engine refuses them with its own message
    (``tariff.kwh_not_a_number`` …). Raises ``TariffError`` above ``maximum`` or beyond
    ``MAX_DECIMAL_PLACES``.
    """
    number: object = value
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return value
    if not isinstance(number, Decimal) or not number.is_finite():
        return value
    return limits.check_bounds(number, field=field, maximum=maximum)


def periods_in(value: object, *, field: str, maximum: Decimal) -> object:
    """kWh or shares per period: known periods through ``number_in``; the engine checks the rest."""
    if not isinstance(value, Mapping):
        return number_in(value, field=field, maximum=maximum)
    return {
        key: number_in(amount, field=f"{field}.{key}", maximum=maximum)
        if key in _PERIODS
        else amount
        for key, amount in value.items()
    }


def date_in(value: object, *, field: str) -> date:
    """An ISO date (``YYYY-MM-DD``) or a ``date``; raises ``TariffError`` naming ``field``."""
    if type(value) is date:
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _error(
        "tariff.date_invalid",
        field=field,
        zh_hant=f"「{field}」必須是 YYYY-MM-DD 格式的有效日期，收到「{value}」。",
        en=f"{field} must be a valid date as YYYY-MM-DD, got {value!r}.",
        value=str(value),
    )


def optional_date_in(value: object, *, field: str) -> date | None:
    """``date_in``, with None or an empty string meaning "not given"."""
    if value is None or value == "":
        return None
    return date_in(value, field=field)


def boolean_in(value: object, *, field: str) -> bool:
    """A JSON boolean, or a form/CLI string (true/false, on/off, 1/0, yes/no)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _error(
        f"tariff.{field}_invalid",
        field=field,
        zh_hant=f"「{field}」必須是 true 或 false，收到「{value}」。",
        en=f"{field} must be true or false, got {value!r}.",
    )


def power_factor_in(value: object) -> object:
    """A whole percentage; strings of digits become ``int`` (the engine checks the range)."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 3:
        return int(value.strip())
    if isinstance(value, float) and value.is_integer() and abs(value) <= 1000:
        return int(value)  # 85.0 from a JSON body
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value) if abs(value) <= 1000 else value
    return value


def offpeak_days_in(value: object) -> tuple[date, ...] | None:
    """A list of ISO dates, or one string of dates separated by commas or spaces."""
    if value is None or value == "":
        return None
    items = re.split(r"[,\s]+", value.strip()) if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise _error(
            "tariff.offpeak_days_invalid",
            field="offpeak_days",
            zh_hant="「offpeak_days」必須是日期清單（YYYY-MM-DD）。",
            en="offpeak_days must be a list of dates (YYYY-MM-DD).",
        )
    return tuple(
        date_in(item, field=f"offpeak_days[{index}]")
        for index, item in enumerate(items)
        if item != ""
    )


def options_in(
    *,
    phase: object = "single",
    meter_amperes: object = None,
    tax_exempt: object = False,
    power_factor: object = None,
    equipment_kva: object = None,
) -> dict[str, Callable[[], Any]]:
    """Checks of the customer attributes, for ``_collect``."""
    return {
        "phase": lambda: "single" if phase is None or phase == "" else phase,
        "meter_amperes": lambda: (
            None
            if meter_amperes is None or meter_amperes == ""
            else number_in(meter_amperes, field="meter_amperes", maximum=MAX_METER_AMPERES)
        ),
        "tax_exempt": lambda: boolean_in(tax_exempt, field="tax_exempt"),
        "power_factor": lambda: power_factor_in(power_factor),
        "equipment_kva": lambda: (
            None
            if equipment_kva is None or equipment_kva == ""
            else number_in(equipment_kva, field="equipment_kva", maximum=MAX_EQUIPMENT_KVA)
        ),
    }


# --- The three calculations every interface uses --------------------------------------------


def tariff_bill(
    *,
    plan: object,
    start: object,
    end: object,
    kwh: object,
    billing: object = "monthly",
    **options: object,
) -> engine.Bill:
    """The bill of one reading period (form (b)); raises ``InvalidInputError``."""
    values = _collect(
        {
            "start": lambda: date_in(start, field="start"),
            "end": lambda: date_in(end, field="end"),
            "kwh": lambda: periods_in(kwh, field="kwh", maximum=MAX_KWH),
            **options_in(**options),
        }
    )
    try:
        return engine.compute_bill(
            plan=plan,  # type: ignore[arg-type]  # the engine refuses anything but a plan code
            billing="monthly" if billing is None or billing == "" else billing,  # type: ignore[arg-type]
            **values,
        )
    except engine.TariffError as error:
        raise invalid_input(error) from error


def tariff_compare_typical(
    *,
    current_plan: object,
    summer_kwh: object,
    non_summer_kwh: object,
    summer_shares: object,
    non_summer_shares: object,
    tiered_plan: object = None,
    as_of: object = None,
    **options: object,
) -> engine.Comparison:
    """Compare plans from a typical month per season (form (a)); raises ``InvalidInputError``."""
    values = _collect(
        {
            "summer_kwh": lambda: number_in(summer_kwh, field="summer_kwh", maximum=MAX_KWH),
            "non_summer_kwh": lambda: number_in(
                non_summer_kwh, field="non_summer_kwh", maximum=MAX_KWH
            ),
            "summer_shares": lambda: periods_in(
                summer_shares, field="summer_shares", maximum=MAX_SHARE
            ),
            "non_summer_shares": lambda: periods_in(
                non_summer_shares, field="non_summer_shares", maximum=MAX_SHARE
            ),
            "on": lambda: optional_date_in(as_of, field="as_of"),
            **options_in(**options),
        }
    )
    try:
        return engine.compare_typical(
            current_plan=current_plan,  # type: ignore[arg-type]
            tiered_plan=None if tiered_plan == "" else tiered_plan,  # type: ignore[arg-type]
            **values,
        )
    except engine.TariffError as error:
        # the only dates are as_of's: the engine reports them as "start"
        raise invalid_input(error, renames={"start": "as_of", "end": "as_of"}) from error


def csv_too_large(size: int) -> engine.TariffError:
    return _error(
        "tariff.csv_too_large",
        field="csv",
        zh_hant=f"CSV 檔案不可超過 {MAX_CSV_BYTES // 1_000_000} MB（收到 {size:,} 位元組）。",
        en=f"The CSV file may be at most {MAX_CSV_BYTES // 1_000_000} MB (got {size:,} bytes).",
        size=size,
    )


def tariff_compare_csv(
    *,
    data: bytes,
    current_plan: object,
    tiered_plan: object = None,
    as_of: object = None,
    offpeak_days: object = None,
    **options: object,
) -> engine.Comparison:
    """Compare plans on interval data (form (c)); raises ``InvalidInputError`` (CSV problems
    as ``CsvInvalidError`` with every row and column)."""
    if len(data) > MAX_CSV_BYTES:
        raise invalid_input(csv_too_large(len(data)))
    values = _collect(
        {
            "as_of": lambda: optional_date_in(as_of, field="as_of"),
            "offpeak_days": lambda: offpeak_days_in(offpeak_days),
            **options_in(**options),
        }
    )
    try:
        series = engine.parse_interval_csv(data)
    except engine.TariffError as error:
        raise invalid_input(error) from error
    renames = {"series": "csv", "start": "csv", "end": "csv"}
    if values["as_of"] is not None:
        renames = {**renames, "start": "as_of"}
    try:
        return engine.compare_intervals(
            series,
            current_plan=current_plan,  # type: ignore[arg-type]
            tiered_plan=None if tiered_plan == "" else tiered_plan,  # type: ignore[arg-type]
            **values,
        )
    except engine.TariffError as error:
        raise invalid_input(error, renames=renames) from error


# --- Endpoints ------------------------------------------------------------------------------


def _language() -> str:
    return get_language() or "zh-hant"


@router.post(
    "/bill",
    response={200: TariffBillOut, 400: ErrorOut, 422: ErrorOut},
    throttle=[AnonRateThrottle("300/m")],
)
def tariff_bill_api(request: HttpRequest, payload: TariffBillIn) -> dict[str, Any]:
    """The itemised bill of one reading period (input form (b)), exact to Taipower's tables.

    Answers ``{"total": <int NT$>, "lines": [...], "tariff_versions": [...], ...}``; bad input
    gets 422 with the error shape and the field in ``details.fields[].field``.
    """
    bill = tariff_bill(**payload.model_dump())
    return bill_out(bill, language=_language())


_UPLOAD_FIELDS = {"current_plan", "tiered_plan", "as_of", "offpeak_days", *_OPTION_FIELDS}

_COMPARE_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        TariffCompareTypicalIn.model_json_schema(),
                        TariffCompareCsvIn.model_json_schema(),
                    ]
                },
                "examples": {
                    "typical": {
                        "summary": "Form (a): a typical month per season",
                        "value": {
                            "current_plan": "residential",
                            "summer_kwh": 500,
                            "non_summer_kwh": 300,
                            "summer_shares": {"peak": 20, "semi_peak": 30, "off_peak": 50},
                            "non_summer_shares": {"semi_peak": 40, "off_peak": 60},
                        },
                    },
                    "csv": {
                        "summary": "Form (c): interval data as CSV text",
                        "value": {
                            "current_plan": "residential",
                            "as_of": "2026-01-01",
                            "csv": "timestamp,kwh\n2025-01-01 00:00,0.5\n…",
                        },
                    },
                },
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["current_plan", "csv"],
                    "properties": {
                        "csv": {
                            "type": "string",
                            "format": "binary",
                            "description": "The interval CSV file (UTF-8 with or without BOM, "
                            "or Big5).",
                        },
                        "current_plan": {"type": "string", "enum": [p.value for p in engine.Plan]},
                        "tiered_plan": {"type": "string"},
                        "as_of": {"type": "string", "format": "date"},
                        "offpeak_days": {
                            "type": "string",
                            "description": "Dates separated by commas.",
                        },
                        "phase": {"type": "string", "enum": ["single", "three"]},
                        "meter_amperes": {"type": "string"},
                        "tax_exempt": {"type": "string", "enum": ["true", "false"]},
                        "power_factor": {"type": "string"},
                        "equipment_kva": {"type": "string"},
                    },
                }
            },
        },
    }
}


def _json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = request.body
    except RequestDataTooBig:
        raise RequestBodyError(
            status=413,
            code="request_too_large",
            zh_hant="請求內容過大；較大的 CSV 檔請以 multipart/form-data 上傳。",
            en="The request body is too large; upload larger CSV files as multipart/form-data.",
        ) from None
    try:
        data = json.loads(body or b"null", parse_float=Decimal, parse_constant=Decimal)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise RequestBodyError(
            status=400,
            code="invalid_json",
            zh_hant="請求內容必須是 JSON 物件。",
            en="The request body must be a JSON object.",
        )
    return data


def _validated(schema: type[TariffCompareTypicalIn | TariffCompareCsvIn], data: Any) -> Any:
    try:
        return schema.model_validate(data)
    except PydanticValidationError as error:
        raise NinjaValidationError(
            [dict(item) for item in error.errors(include_url=False)]
        ) from None


@router.post(
    "/compare",
    response={200: TariffComparisonOut, 400: ErrorOut, 413: ErrorOut, 415: ErrorOut, 422: ErrorOut},
    throttle=[AnonRateThrottle("60/m")],
    openapi_extra=_COMPARE_OPENAPI,
)
def tariff_compare_api(request: HttpRequest) -> dict[str, Any]:
    """Compare the plans open to a customer over a year: their non-time-of-use class, the
    two-period and the three-period simple time-of-use tariff.

    * **Form (a)**, JSON: ``current_plan``, ``summer_kwh``, ``non_summer_kwh``,
      ``summer_shares`` and ``non_summer_shares`` (percent per period, each summing to 100).
    * **Form (c)**, interval (AMI) data: either ``multipart/form-data`` with the file in ``csv``
      (UTF-8 with or without BOM, or Big5; up to 5 MB) and the other fields as form fields, or
      JSON with the CSV as text in ``csv``. Header ``timestamp,kwh``; 15-, 30- or 60-minute
      intervals; at least one complete summer and one complete non-summer month.

    Answers the annual estimate per plan with its monthly bills, the cheapest plan, the saving,
    a plain-language explanation and, for a time-of-use plan, the one-year lock-in warning.
    CSV problems are listed in ``details.rows[]`` (``row``, ``column``, ``message``).
    """
    language = _language()
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("csv")
        unknown = sorted(set(request.POST) - _UPLOAD_FIELDS)
        if unknown or upload is None:
            field = unknown[0] if unknown else "csv"
            problem = (
                Message(zh_hant=f"未知的欄位「{field}」。", en=f"Unknown field {field!r}.")
                if unknown
                else Message(
                    zh_hant="請上傳 CSV 檔案（欄位 csv）。", en="Upload the CSV file as csv."
                )
            )
            raise InvalidInputError(
                [FieldProblem(field=field, code="tariff.upload_invalid", message=problem)]
            )
        if upload.size is not None and upload.size > MAX_CSV_BYTES:
            raise invalid_input(csv_too_large(upload.size))
        data = upload.read()
        fields = {key: request.POST.get(key) for key in _UPLOAD_FIELDS if key in request.POST}
        comparison = tariff_compare_csv(data=data, **fields)
        return comparison_out(comparison, language=language)
    if request.content_type not in ("application/json", "", None):
        raise RequestBodyError(
            status=415,
            code="unsupported_media_type",
            zh_hant="請以 application/json 或 multipart/form-data 傳送。",
            en="Send application/json or multipart/form-data.",
        )
    body = _json_body(request)
    if "csv" in body:
        payload = _validated(TariffCompareCsvIn, body).model_dump()
        text = payload.pop("csv")
        comparison = tariff_compare_csv(data=text.encode("utf-8"), **payload)
    else:
        payload = _validated(TariffCompareTypicalIn, body).model_dump()
        comparison = tariff_compare_typical(**payload)
    return comparison_out(comparison, language=language)

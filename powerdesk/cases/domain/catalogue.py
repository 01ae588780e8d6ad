"""The catalogue of application kinds (pure; no Django).

Read from ``powerdesk/cases/data/catalogue.toml`` (format described at the top of that file).
The loader is strict: an unknown key, a missing language, a wrong type, a duplicate code or an
unknown department raises :class:`CatalogueError` naming the kind and the key, so a typo never
silently drops a document from a 一次告知 checklist or a limit from the SLA clock.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

from powerdesk.cases.domain.sla import SlaLimit, SlaUnit
from powerdesk.core.domain.errors import DomainError, Message
from powerdesk.staff.domain import DepartmentCode

__all__ = [
    "CATALOGUE_PATH",
    "ApplicationKind",
    "AttributeDatatype",
    "AttributeValue",
    "Catalogue",
    "CatalogueError",
    "Fee",
    "KindAttribute",
    "LimitBasis",
    "RequiredDocument",
    "Step",
    "WorksType",
    "default_catalogue",
    "load_catalogue",
    "parse_catalogue",
]

CATALOGUE_PATH: Final = Path(__file__).resolve().parent.parent / "data" / "catalogue.toml"
SCHEMA_VERSION: Final = 1


class CatalogueError(DomainError):
    """The catalogue file is invalid; ``details`` names the ``kind`` and the ``key``."""


class WorksType(StrEnum):
    """Which external works a supply application needs; decides its limit."""

    NONE = "none"  # 無外線工程
    OVERHEAD = "overhead"  # 架空線路
    UNDERGROUND = "underground"  # 地下線路


WORKS_TYPE_LABELS: Final[dict[WorksType, Message]] = {
    WorksType.NONE: Message(zh_hant="無外線工程", en="No external works"),
    WorksType.OVERHEAD: Message(zh_hant="架空外線工程", en="Overhead works"),
    WorksType.UNDERGROUND: Message(zh_hant="地下外線工程", en="Underground works"),
}


class LimitBasis(StrEnum):
    """Where a limit comes from."""

    OFFICE_POLICY = "office_policy"
    TAIPOWER_PUBLISHED = "taipower_published"


class AttributeDatatype(StrEnum):
    """Open311 GeoReport v2 attribute datatypes."""

    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLEVALUELIST = "singlevaluelist"
    MULTIVALUELIST = "multivaluelist"


_LISTS: Final = frozenset({AttributeDatatype.SINGLEVALUELIST, AttributeDatatype.MULTIVALUELIST})


@dataclass(frozen=True, slots=True)
class Step:
    code: str
    name: Message
    department: DepartmentCode


@dataclass(frozen=True, slots=True)
class RequiredDocument:
    """One line of the 一次告知 checklist; ``required=False``: only in the situation named."""

    code: str
    name: Message
    required: bool
    note: Message | None = None


@dataclass(frozen=True, slots=True)
class Fee:
    """A fee in whole NT$, or ``amount=None`` when it is quoted per case."""

    code: str
    name: Message
    amount: Decimal | None
    note: Message | None = None

    @property
    def per_quote(self) -> bool:
        return self.amount is None


@dataclass(frozen=True, slots=True)
class AttributeValue:
    key: str
    name: Message


@dataclass(frozen=True, slots=True)
class KindAttribute:
    """An extra question asked when filing the kind (an Open311 service attribute)."""

    code: str
    datatype: AttributeDatatype
    required: bool
    description: Message
    order: int
    values: tuple[AttributeValue, ...] = ()


@dataclass(frozen=True, slots=True)
class ApplicationKind:
    code: str
    name: Message
    description: Message
    group: str
    public: bool
    open311_service_code: str | None
    keywords: Message
    limit_unit: SlaUnit
    limits: tuple[tuple[WorksType, int], ...]  # (works type, amount); hour kinds: ((NONE, hours),)
    limit_basis: LimitBasis
    steps: tuple[Step, ...]
    documents: tuple[RequiredDocument, ...]
    fees: tuple[Fee, ...]
    attributes: tuple[KindAttribute, ...]

    @property
    def works_types(self) -> tuple[WorksType, ...]:
        """The works types this kind may involve (only ``NONE`` for hour-limited kinds)."""
        return tuple(works for works, _amount in self.limits)

    def limit_for(self, works_type: WorksType | str = WorksType.NONE) -> SlaLimit:
        """The standard limit for ``works_type``; hour limits ignore it."""
        if self.limit_unit is SlaUnit.WORKING_HOURS:
            return SlaLimit(amount=self.limits[0][1], unit=self.limit_unit)
        try:
            works = WorksType(works_type)
            amount = dict(self.limits)[works]
        except (ValueError, KeyError):
            allowed = "、".join(works.value for works in self.works_types)
            raise CatalogueError(
                code="catalogue.works_type",
                zh_hant=f"「{self.name.zh_hant}」不適用工程類別「{works_type}」；可用：{allowed}。",
                en=f"{self.name.en} has no limit for works type {works_type!r}; allowed: {', '.join(w.value for w in self.works_types)}.",
                field="works_type",
                details={"kind": self.code, "key": "works_type"},
            ) from None
        return SlaLimit(amount=amount, unit=self.limit_unit)


@dataclass(frozen=True, slots=True)
class Catalogue:
    kinds: tuple[ApplicationKind, ...]

    def __iter__(self) -> Iterator[ApplicationKind]:
        return iter(self.kinds)

    def kind(self, code: str) -> ApplicationKind:
        """The kind with ``code``; ``CatalogueError`` (``catalogue.unknown_kind``) if none."""
        for kind in self.kinds:
            if kind.code == code:
                return kind
        raise CatalogueError(
            code="catalogue.unknown_kind",
            zh_hant=f"沒有申請類別「{code}」。",
            en=f"There is no application kind {code!r}.",
            field="kind",
            details={"kind": code},
        )

    def by_service_code(self, service_code: str) -> ApplicationKind | None:
        """The public kind with this Open311 service code, or ``None``."""
        for kind in self.kinds:
            if kind.public and kind.open311_service_code == service_code:
                return kind
        return None

    def public_kinds(self) -> tuple[ApplicationKind, ...]:
        """Kinds the public may file (web form, Open311), in file order."""
        return tuple(kind for kind in self.kinds if kind.public)


# --- Loading --------------------------------------------------------------------------------


def _fail(problem_zh: str, problem_en: str, *, kind: str | None, key: str) -> CatalogueError:
    where_zh = f"申請類別「{kind}」的「{key}」" if kind else f"「{key}」"
    where_en = f"kind {kind!r}, key {key!r}" if kind else f"key {key!r}"
    return CatalogueError(
        code="catalogue.invalid",
        zh_hant=f"目錄檔錯誤：{where_zh}{problem_zh}",
        en=f"Catalogue error in {where_en}: {problem_en}",
        field=key,
        details={"kind": kind, "key": key},
    )


class _Reader:
    """Reads one table, remembering where it is for error messages."""

    def __init__(self, table: Any, *, kind: str | None, path: str) -> None:
        if not isinstance(table, dict):
            raise _fail("必須是表格（table）。", "must be a table.", kind=kind, key=path)
        self.table: dict[str, Any] = table
        self.kind = kind
        self.path = path

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def check_keys(
        self, *, required: AbstractSet[str], optional: AbstractSet[str] = frozenset()
    ) -> None:
        for name in self.table:
            if name not in required | optional:
                raise _fail("是未知的鍵。", "unknown key.", kind=self.kind, key=self.key(name))
        for name in sorted(required):
            if name not in self.table:
                raise _fail("缺少此鍵。", "missing key.", kind=self.kind, key=self.key(name))

    def text(self, name: str) -> str:
        value = self.table[name]
        if not isinstance(value, str) or not value.strip():
            raise _fail(
                "必須是非空字串。",
                "must be a non-empty string.",
                kind=self.kind,
                key=self.key(name),
            )
        return value.strip()

    def flag(self, name: str) -> bool:
        value = self.table[name]
        if not isinstance(value, bool):
            raise _fail(
                "必須是 true 或 false。",
                "must be true or false.",
                kind=self.kind,
                key=self.key(name),
            )
        return value

    def positive(self, name: str) -> int:
        value = self.table[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _fail(
                "必須是正整數。", "must be a positive integer.", kind=self.kind, key=self.key(name)
            )
        return value

    def message(self, name: str) -> Message:
        inner = _Reader(self.table[name], kind=self.kind, path=self.key(name))
        inner.check_keys(required={"zh_hant", "en"})
        return Message(zh_hant=inner.text("zh_hant"), en=inner.text("en"))

    def optional_message(self, name: str) -> Message | None:
        return self.message(name) if name in self.table else None

    def tables(self, name: str) -> list[_Reader]:
        value = self.table.get(name, [])
        if not isinstance(value, list):
            raise _fail(
                "必須是表格陣列。",
                "must be an array of tables.",
                kind=self.kind,
                key=self.key(name),
            )
        return [
            _Reader(item, kind=self.kind, path=f"{self.key(name)}[{index}]")
            for index, item in enumerate(value)
        ]


def _unique(codes: list[str], *, kind: str | None, key: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise _fail(f"代碼「{code}」重複。", f"duplicate code {code!r}.", kind=kind, key=key)
        seen.add(code)


def _steps(reader: _Reader) -> tuple[Step, ...]:
    steps = []
    for item in reader.tables("steps"):
        item.check_keys(required={"code", "name", "department"})
        department = item.text("department")
        try:
            code = DepartmentCode(department)
        except ValueError:
            known = ", ".join(member.value for member in DepartmentCode)
            raise _fail(
                f"部門「{department}」不存在（可用：{known}）。",
                f"unknown department {department!r} (known: {known}).",
                kind=item.kind,
                key=item.key("department"),
            ) from None
        steps.append(Step(code=item.text("code"), name=item.message("name"), department=code))
    if not steps:
        raise _fail("至少需要一個步驟。", "needs at least one step.", kind=reader.kind, key="steps")
    _unique([step.code for step in steps], kind=reader.kind, key="steps")
    return tuple(steps)


def _documents(reader: _Reader) -> tuple[RequiredDocument, ...]:
    documents = []
    for item in reader.tables("documents"):
        item.check_keys(required={"code", "name", "required"}, optional={"note"})
        documents.append(
            RequiredDocument(
                code=item.text("code"),
                name=item.message("name"),
                required=item.flag("required"),
                note=item.optional_message("note"),
            )
        )
    _unique([document.code for document in documents], kind=reader.kind, key="documents")
    return tuple(documents)


def _fees(reader: _Reader) -> tuple[Fee, ...]:
    fees = []
    for item in reader.tables("fees"):
        item.check_keys(required={"code", "name", "amount"}, optional={"note"})
        raw = item.table["amount"]
        amount: Decimal | None
        if raw == "per_quote":
            amount = None
        elif isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            amount = Decimal(raw)
        else:
            raise _fail(
                '必須是非負整數（新臺幣元）或 "per_quote"。',
                'must be a non-negative whole NT$ amount or "per_quote".',
                kind=item.kind,
                key=item.key("amount"),
            )
        fees.append(
            Fee(
                code=item.text("code"),
                name=item.message("name"),
                amount=amount,
                note=item.optional_message("note"),
            )
        )
    _unique([fee.code for fee in fees], kind=reader.kind, key="fees")
    return tuple(fees)


def _attributes(reader: _Reader) -> tuple[KindAttribute, ...]:
    attributes = []
    for order, item in enumerate(reader.tables("attributes"), start=1):
        item.check_keys(
            required={"code", "datatype", "required", "description"}, optional={"values"}
        )
        raw_type = item.text("datatype")
        try:
            datatype = AttributeDatatype(raw_type)
        except ValueError:
            known = ", ".join(member.value for member in AttributeDatatype)
            raise _fail(
                f"資料型別「{raw_type}」不存在（可用：{known}）。",
                f"unknown datatype {raw_type!r} (known: {known}).",
                kind=item.kind,
                key=item.key("datatype"),
            ) from None
        values = []
        for value_item in item.tables("values"):
            value_item.check_keys(required={"key", "name"})
            values.append(
                AttributeValue(key=value_item.text("key"), name=value_item.message("name"))
            )
        if (datatype in _LISTS) != bool(values):
            raise _fail(
                "清單型別（singlevaluelist/multivaluelist）必須有選項，其他型別不可有選項。",
                "list datatypes need values and other datatypes must not have any.",
                kind=item.kind,
                key=item.key("values"),
            )
        _unique([value.key for value in values], kind=item.kind, key=item.key("values"))
        attributes.append(
            KindAttribute(
                code=item.text("code"),
                datatype=datatype,
                required=item.flag("required"),
                description=item.message("description"),
                order=order,
                values=tuple(values),
            )
        )
    _unique([attribute.code for attribute in attributes], kind=reader.kind, key="attributes")
    return tuple(attributes)


def _limit(reader: _Reader) -> tuple[SlaUnit, dict[WorksType, int]]:
    inner = _Reader(reader.table["limit"], kind=reader.kind, path="limit")
    unit_text = inner.text("unit") if "unit" in inner.table else ""
    if unit_text == SlaUnit.WORKING_HOURS:
        inner.check_keys(required={"unit", "amount"})
        return SlaUnit.WORKING_HOURS, {WorksType.NONE: inner.positive("amount")}
    if unit_text == SlaUnit.WORKING_DAYS:
        inner.check_keys(required={"unit"}, optional={works.value for works in WorksType})
        limits = {
            works: inner.positive(works.value) for works in WorksType if works.value in inner.table
        }
        if not limits:
            raise _fail(
                "至少需要一種工程類別（none/overhead/underground）的時限。",
                "needs a limit for at least one works type (none/overhead/underground).",
                kind=reader.kind,
                key="limit",
            )
        return SlaUnit.WORKING_DAYS, limits
    raise _fail(
        "unit 必須是 working_days 或 working_hours。",
        "unit must be working_days or working_hours.",
        kind=reader.kind,
        key="limit.unit",
    )


_KIND_REQUIRED: Final = {
    "code", "name", "description", "group", "public", "limit", "limit_basis", "steps",
}  # fmt: skip
_KIND_OPTIONAL: Final = {"open311_service_code", "keywords", "documents", "fees", "attributes"}


def _kind(item: _Reader) -> ApplicationKind:
    code = item.table.get("code")
    item.kind = code if isinstance(code, str) and code else item.path
    item.path = ""
    item.check_keys(required=_KIND_REQUIRED, optional=_KIND_OPTIONAL)
    code = item.text("code")
    public = item.flag("public")
    service_code = (
        item.text("open311_service_code") if "open311_service_code" in item.table else None
    )
    if public and service_code is None:
        raise _fail(
            "公開受理的類別必須有 Open311 服務代碼。",
            "a kind the public may file needs an Open311 service code.",
            kind=code,
            key="open311_service_code",
        )
    basis_text = item.text("limit_basis")
    try:
        basis = LimitBasis(basis_text)
    except ValueError:
        raise _fail(
            "必須是 office_policy 或 taipower_published。",
            "must be office_policy or taipower_published.",
            kind=code,
            key="limit_basis",
        ) from None
    unit, limits = _limit(item)
    name = item.message("name")
    return ApplicationKind(
        code=code,
        name=name,
        description=item.message("description"),
        group=item.text("group"),
        public=public,
        open311_service_code=service_code,
        keywords=item.message("keywords") if "keywords" in item.table else Message("", ""),
        limit_unit=unit,
        limits=tuple(limits.items()),
        limit_basis=basis,
        steps=_steps(item),
        documents=_documents(item),
        fees=_fees(item),
        attributes=_attributes(item),
    )


def parse_catalogue(text: str) -> Catalogue:
    """Parse and validate catalogue TOML text."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(
            code="catalogue.syntax",
            zh_hant=f"目錄檔不是有效的 TOML：{error}",
            en=f"The catalogue is not valid TOML: {error}",
            details={"kind": None, "key": None},
        ) from error
    root = _Reader(document, kind=None, path="")
    root.check_keys(required={"schema_version", "kind"})
    if root.table["schema_version"] != SCHEMA_VERSION:
        raise _fail(
            f"只支援版本 {SCHEMA_VERSION}。",
            f"only version {SCHEMA_VERSION} is supported.",
            kind=None,
            key="schema_version",
        )
    kinds = [_kind(item) for item in root.tables("kind")]
    if not kinds:
        raise _fail("至少需要一個申請類別。", "needs at least one kind.", kind=None, key="kind")
    _unique([kind.code for kind in kinds], kind=None, key="kind.code")
    _unique(
        [kind.open311_service_code for kind in kinds if kind.open311_service_code],
        kind=None,
        key="kind.open311_service_code",
    )
    return Catalogue(kinds=tuple(kinds))


def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """Read and validate the catalogue file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogueError(
            code="catalogue.unreadable",
            zh_hant=f"無法讀取目錄檔 {path}：{error}",
            en=f"Cannot read the catalogue file {path}: {error}",
            details={"kind": None, "key": None},
        ) from error
    return parse_catalogue(text)


@functools.cache
def default_catalogue() -> Catalogue:
    """The shipped catalogue, read once per process."""
    return load_catalogue()

"""Forms of the staff case pages: counter intake, queue filters, the case page's actions,
bulk reassignment and the catalogue editor.

The forms render fields and check shapes; the business rules (who may, which transition,
required attributes, attachment types …) are checked by :mod:`powerdesk.cases.actions`, whose
``InvalidInputError`` problems are attached to the field they name with :func:`add_problems`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from powerdesk.cases.domain.catalogue import (
    WORKS_TYPE_LABELS,
    ApplicationKind,
    AttributeDatatype,
    KindAttribute,
    WorksType,
)
from powerdesk.cases.domain.sla import PAUSE_REASON_LABELS, PauseReason
from powerdesk.cases.domain.states import STATES, CaseState
from powerdesk.cases.models import Case
from powerdesk.core.domain.calendar import TAIPEI
from powerdesk.core.domain.errors import Message
from powerdesk.core.errors import InvalidInputError

MAX_NOTE = 4000
MAX_QUERY = 100
INTAKE_CHANNELS = (
    Case.Channel.COUNTER,
    Case.Channel.PHONE,
    Case.Channel.CALL_CENTRE,
    Case.Channel.MAIL,
    Case.Channel.FAX,
)
SLA_FILTERS = {
    "due_soon": _("Due within 2 working days"),
    "overdue": _("Overdue"),
    "paused": _("Clock paused"),
}
SORTS = {
    "due": _("Due date, soonest first"),
    "-due": _("Due date, latest first"),
    "received": _("Received, oldest first"),
    "-received": _("Received, newest first"),
    "number": _("Case number"),
    "kind": _("Kind"),
}


def language() -> str:
    return get_language() or "zh-hant"


def text(message: Message) -> str:
    return message.in_language(language())


def add_problems(form: forms.Form, error: InvalidInputError, *, aliases: Mapping[str, str]) -> None:
    """Attach every problem of ``error`` to the form field it names (else to the form)."""
    if not hasattr(form, "cleaned_data"):
        form.is_valid()
    for problem in error.problems:
        name = aliases.get(problem.field, problem.field)
        if problem.field.startswith("attributes."):
            name = attribute_field_name(problem.field.removeprefix("attributes."))
        field = name if name in form.fields else None
        message = problem.message.in_language(language())
        if field is None and problem.field:
            message = f"{problem.field}: {message}"
        form.add_error(field, message)


class _LenientChoiceField(forms.ChoiceField):
    """A select whose value is checked by the view (one bilingual message naming the field)."""

    def valid_value(self, value: Any) -> bool:
        return True


# --- Intake -----------------------------------------------------------------------------------


def attribute_field_name(code: str) -> str:
    return f"attr_{code}"


def _attribute_field(attribute: KindAttribute) -> forms.Field:
    label = text(attribute.description)
    choices = [(value.key, text(value.name)) for value in attribute.values]
    if attribute.datatype is AttributeDatatype.SINGLEVALUELIST:
        return forms.ChoiceField(
            label=label, required=attribute.required, choices=[("", "—"), *choices]
        )
    if attribute.datatype is AttributeDatatype.MULTIVALUELIST:
        return forms.MultipleChoiceField(
            label=label,
            required=attribute.required,
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
        )
    if attribute.datatype is AttributeDatatype.DATETIME:
        return forms.DateField(
            label=label,
            required=attribute.required,
            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        )
    if attribute.datatype is AttributeDatatype.TEXT:
        return forms.CharField(
            label=label,
            required=attribute.required,
            max_length=MAX_NOTE,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    if attribute.datatype is AttributeDatatype.NUMBER:
        return forms.CharField(
            label=label,
            required=attribute.required,
            max_length=30,
            widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        )
    return forms.CharField(label=label, required=attribute.required, max_length=200)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (``<input type=file multiple>``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class IntakeForm(forms.Form):
    """Counter intake (全功能櫃台): kind, customer, channel, applicant, address, the kind's
    questions and attachments. ``kind`` is the kind chosen so far (None: not yet known)."""

    kind = forms.CharField(
        label=_("Application kind"),
        max_length=120,
        help_text=_(
            "Type a code or part of the name, e.g. new_supply or 過戶, and pick from the list."
        ),
        widget=forms.TextInput(
            attrs={"list": "kind-options", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    works_type = forms.ChoiceField(
        label=_("External works"), choices=(), initial=WorksType.NONE.value
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=(), initial=Case.Channel.COUNTER.value)
    customer_query = forms.CharField(
        label=_("Find the customer"),
        required=False,
        max_length=MAX_QUERY,
        help_text=_(
            "Account number (電號), phone, ID number or name; leave empty for a new customer."
        ),
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    account_number = forms.CharField(
        label=_("Account number (電號)"),
        required=False,
        max_length=20,
        help_text=_("11 digits; empty for a new supply."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_name = forms.CharField(
        label=_("Applicant's name"),
        required=False,
        max_length=120,
        help_text=_("Leave empty to use the chosen customer's name."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    applicant_phone = forms.CharField(
        label=_("Applicant's phone"),
        required=False,
        max_length=30,
        help_text=_("Mobile or landline; empty: the customer's."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    applicant_email = forms.CharField(
        label=_("Applicant's e-mail"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    applicant_language = forms.ChoiceField(
        label=_("Language for messages"),
        choices=[("zh-hant", "繁體中文"), ("en", "English")],
        initial="zh-hant",
    )
    address = forms.CharField(
        label=_("Address of the premises"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    received_at = forms.DateTimeField(
        label=_("Received (mail and fax only)"),
        required=False,
        help_text=_("When the letter or fax arrived; empty: now."),
        widget=forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    queue_ticket_ref = forms.CharField(
        label=_("Queue ticket"),
        required=False,
        max_length=40,
        help_text=_("The number of the customer's queue ticket, if any."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("PDF, PNG, JPEG, GIF, WebP or TIFF; at most 10 MB each."),
    )

    def __init__(self, *args: Any, kind: ApplicationKind | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.application_kind = kind
        fields: Any = self.fields
        fields["channel"].choices = [(c.value, c.label) for c in INTAKE_CHANNELS]
        works = kind.works_types if kind is not None else tuple(WorksType)
        fields["works_type"].choices = [(w.value, text(WORKS_TYPE_LABELS[w])) for w in works]
        if kind is not None:
            for attribute in sorted(kind.attributes, key=lambda item: item.order):
                fields[attribute_field_name(attribute.code)] = _attribute_field(attribute)
            if any(attribute.code == "account_number" for attribute in kind.attributes):
                del fields["account_number"]  # the kind asks for it among its questions

    def attribute_fields(self) -> list[dict[str, Any]]:
        kind = self.application_kind
        if kind is None:
            return []
        return [
            {
                "field": self[attribute_field_name(attribute.code)],
                "group": attribute.datatype is AttributeDatatype.MULTIVALUELIST,
            }
            for attribute in sorted(kind.attributes, key=lambda item: item.order)
        ]

    def attributes(self) -> dict[str, Any]:
        """Answers to the kind's questions in the shapes the actions take (Open311)."""
        answers: dict[str, Any] = {}
        kind = self.application_kind
        if kind is None:
            return answers
        for attribute in kind.attributes:
            value = self.cleaned_data.get(attribute_field_name(attribute.code))
            if value in (None, "", []):
                continue
            if isinstance(value, date):
                value = datetime.combine(value, time(0, 0), tzinfo=TAIPEI).isoformat()
            elif attribute.datatype is AttributeDatatype.NUMBER:
                raw = str(value).replace(",", "")
                with contextlib.suppress(InvalidOperation):
                    Decimal(raw)
                value = raw
            answers[attribute.code] = value
        return answers

    def clean_received_at(self) -> datetime | None:
        value = self.cleaned_data.get("received_at")
        if value is not None and timezone.is_naive(value):
            value = value.replace(tzinfo=TAIPEI)
        return value


INTAKE_ALIASES = {"attributes": "kind", "service_centre": "kind", "latitude": "address"}


# --- Queue filters ----------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """Filters of the queue pages. Values are checked by the view (bilingual messages)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_QUERY,
        help_text=_("Case number, account number (電號), name, phone or address"),
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    department = _LenientChoiceField(label=_("Department"), required=False)
    kind = _LenientChoiceField(label=_("Kind"), required=False)
    state = _LenientChoiceField(label=_("State"), required=False)
    centre = _LenientChoiceField(label=_("Service centre"), required=False)
    sla = _LenientChoiceField(label=_("Time limit"), required=False)
    sort = _LenientChoiceField(label=_("Sort by"), required=False)

    def __init__(
        self,
        *args: Any,
        departments: Iterable[tuple[str, str]],
        kinds: Iterable[tuple[str, str]],
        centres: Iterable[tuple[str, str]] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["department"].choices = [("", _("My department")), *departments]
        fields["kind"].choices = [("", _("Any kind")), *kinds]
        fields["state"].choices = [
            ("", _("Any open state")),
            *((s.value, text(STATES[s].label)) for s in CaseState),
        ]
        fields["sla"].choices = [("", _("Any")), *SLA_FILTERS.items()]
        fields["sort"].choices = list(SORTS.items())
        if centres is None:
            del fields["centre"]
        else:
            fields["centre"].choices = [("", _("All service centres")), *centres]


# --- Case page actions ------------------------------------------------------------------------


class TransitionForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"), choices=())
    public_note = forms.CharField(
        label=_("Note to the customer (optional)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("Internal note (optional)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, allowed: Iterable[CaseState], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "transition")
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["state"].choices = [(s.value, text(STATES[s].label)) for s in allowed]


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"), choices=())

    def __init__(self, *args: Any, people: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "assign")
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["assignee"].choices = [("", _("Nobody (unassigned)")), *people]


class TransferForm(forms.Form):
    department = forms.ChoiceField(label=_("Transfer to department"), choices=())
    note = forms.CharField(
        label=_("Internal note (optional)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, departments: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "transfer")
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["department"].choices = list(departments)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 4})
    )
    public = forms.ChoiceField(
        label=_("Who sees it"),
        choices=[
            ("0", _("Internal: staff only")),
            ("1", _("Public: shown to the customer, who is notified")),
        ],
        initial="0",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "note")
        super().__init__(*args, **kwargs)


class PauseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why the clock stops"), choices=())
    missing = forms.MultipleChoiceField(
        label=_("Documents missing (from the checklist)"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )
    missing_other = forms.CharField(
        label=_("Anything else missing (one per line)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("Internal note (optional)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, kind: ApplicationKind, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "pause")
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["reason"].choices = [(r.value, text(PAUSE_REASON_LABELS[r])) for r in PauseReason]
        fields["missing"].choices = [(d.code, text(d.name)) for d in kind.documents]

    def missing_items(self) -> list[str]:
        items = list(self.cleaned_data.get("missing") or [])
        other = self.cleaned_data.get("missing_other") or ""
        items += [line.strip() for line in other.splitlines() if line.strip()]
        return items


class ResumeForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "resume")
        super().__init__(*args, **kwargs)


class SupplyDateForm(forms.Form):
    supply_date = forms.DateField(
        label=_("Agreed supply date"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    agreed_by = forms.CharField(
        label=_("Agreed with the customer how"),
        max_length=200,
        help_text=_("Who agreed and how, e.g. 申請人王先生電話同意."),
    )
    note = forms.CharField(
        label=_("Internal note (optional)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "supply")
        super().__init__(*args, **kwargs)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, PNG, JPEG, GIF, WebP or TIFF; at most 10 MB.")
    )
    description = forms.CharField(label=_("Description (optional)"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "attachment")
        super().__init__(*args, **kwargs)


class BulkAssignForm(forms.Form):
    case_ids = forms.TypedMultipleChoiceField(
        label=_("Cases"), coerce=int, choices=(), widget=forms.MultipleHiddenInput
    )
    assignee = forms.ChoiceField(label=_("Assign the selected cases to"), choices=())

    def __init__(
        self, *args: Any, people: Iterable[tuple[str, str]], case_ids: Iterable[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["assignee"].choices = [("", "—"), *people]
        fields["case_ids"].choices = [(str(pk), str(pk)) for pk in case_ids]


# --- Catalogue --------------------------------------------------------------------------------


class CatalogueKindForm(forms.Form):
    """One kind: names, limits by works type, the 一次告知 checklist, fees and response
    templates. Lists are edited one item per line, fields separated by ``|``."""

    name_zh = forms.CharField(label=_("Name (zh-Hant)"), max_length=80)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120)
    limit_none = forms.IntegerField(
        label=_("Limit without external works"), required=False, min_value=1, max_value=9999
    )
    limit_overhead = forms.IntegerField(
        label=_("Limit with overhead works"), required=False, min_value=1, max_value=9999
    )
    limit_underground = forms.IntegerField(
        label=_("Limit with underground works"), required=False, min_value=1, max_value=9999
    )
    documents = forms.CharField(
        label=_("Required documents (一次告知)"),
        required=False,
        help_text=_(
            "One per line: code | required or optional | name in zh-Hant | name in English"
        ),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )
    fees = forms.CharField(
        label=_("Fees"),
        required=False,
        help_text=_(
            "One per line: code | amount in NT$ or per_quote | name in zh-Hant | name in English"
        ),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    response_templates = forms.CharField(
        label=_("Response templates"),
        required=False,
        help_text=_(
            "One per line: code | name in zh-Hant | name in English | text in zh-Hant | text in English"
        ),
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    active = forms.BooleanField(label=_("In use (offered at intake)"), required=False)


CATALOGUE_FIELD_NAMES = {
    "documents": ("必要文件", "required documents"),
    "fees": ("費用", "fees"),
    "response_templates": ("回覆範本", "response templates"),
}


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("|")]


def catalogue_lines(kind_row: Any) -> dict[str, str]:
    """The list fields of a ``CaseKind`` row in the editor's line format."""

    def name(data: Any) -> tuple[str, str]:
        data = data or {}
        return str(data.get("zh_hant", "")), str(data.get("en", ""))

    documents = [
        " | ".join(
            (doc["code"], "required" if doc.get("required") else "optional", *name(doc.get("name")))
        )
        for doc in kind_row.documents
    ]
    fees = [
        " | ".join(
            (
                fee["code"],
                "per_quote" if fee.get("amount") is None else str(fee["amount"]),
                *name(fee.get("name")),
            )
        )
        for fee in kind_row.fees
    ]
    templates = [
        " | ".join((item["code"], *name(item.get("name")), *name(item.get("text"))))
        for item in kind_row.response_templates
    ]
    return {
        "documents": "\n".join(documents),
        "fees": "\n".join(fees),
        "response_templates": "\n".join(templates),
    }


class CatalogueLineError(Exception):
    def __init__(self, field: str, message: Message) -> None:
        super().__init__(message.en)
        self.field = field
        self.message = message


def _line_error(field: str, number: int, zh: str, en: str) -> CatalogueLineError:
    label_zh, label_en = CATALOGUE_FIELD_NAMES[field]
    return CatalogueLineError(
        field,
        Message(zh_hant=f"{label_zh}第 {number} 行：{zh}", en=f"{label_en}, line {number}: {en}"),
    )


def _rows(value: str, *, field: str, width: int) -> list[tuple[int, list[str]]]:
    rows = []
    for number, line in enumerate(value.splitlines(), start=1):
        if not line.strip():
            continue
        cells = _cells(line)
        if len(cells) != width or not all(cells):
            raise _line_error(
                field,
                number,
                f"需要以「|」分隔的 {width} 個欄位，且不可空白。",
                f"needs {width} non-empty fields separated by '|'.",
            )
        rows.append((number, cells))
    return rows


def _code(field: str, number: int, code: str, seen: set[str]) -> str:
    if not code.replace("_", "").isalnum() or not code.isascii() or len(code) > 40:
        raise _line_error(
            field,
            number,
            f"代碼「{code[:40]}」只能用英文字母、數字與底線。",
            f"the code '{code[:40]}' may only use letters, digits and underscores.",
        )
    if code in seen:
        raise _line_error(
            field, number, f"代碼「{code}」重複。", f"the code '{code}' is used twice."
        )
    seen.add(code)
    return code


def parse_documents(value: str, *, previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Checklist lines → the ``documents`` JSON (notes of unchanged codes are kept)."""
    notes = {doc["code"]: doc["note"] for doc in previous if doc.get("note")}
    seen: set[str] = set()
    documents = []
    for number, (code, required, zh, en) in _rows(value, field="documents", width=4):
        _code("documents", number, code, seen)
        if required not in ("required", "optional"):
            raise _line_error(
                "documents",
                number,
                f"第二欄須為 required 或 optional（收到「{required[:20]}」）。",
                f"the second field must be required or optional (got '{required[:20]}').",
            )
        row: dict[str, Any] = {
            "code": code,
            "name": {"zh_hant": zh, "en": en},
            "required": required == "required",
        }
        if code in notes:
            row["note"] = notes[code]
        documents.append(row)
    return documents


def parse_fees(value: str, *, previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
    notes = {fee["code"]: fee["note"] for fee in previous if fee.get("note")}
    seen: set[str] = set()
    fees = []
    for number, (code, amount, zh, en) in _rows(value, field="fees", width=4):
        _code("fees", number, code, seen)
        parsed: int | None
        if amount == "per_quote":
            parsed = None
        elif amount.replace(",", "").isdigit():
            parsed = int(amount.replace(",", ""))
        else:
            raise _line_error(
                "fees",
                number,
                f"金額須為非負整數（新臺幣元）或 per_quote（收到「{amount[:20]}」）。",
                f"the amount must be a whole NT$ amount or per_quote (got '{amount[:20]}').",
            )
        row: dict[str, Any] = {"code": code, "name": {"zh_hant": zh, "en": en}, "amount": parsed}
        if code in notes:
            row["note"] = notes[code]
        fees.append(row)
    return fees


def parse_templates(value: str) -> list[dict[str, Any]]:
    seen: set[str] = set()
    templates = []
    for number, (code, name_zh, name_en, text_zh, text_en) in _rows(
        value, field="response_templates", width=5
    ):
        _code("response_templates", number, code, seen)
        templates.append(
            {
                "code": code,
                "name": {"zh_hant": name_zh, "en": name_en},
                "text": {"zh_hant": text_zh, "en": text_en},
            }
        )
    return templates

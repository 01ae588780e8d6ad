"""Public forms of counter cases: the progress lookup and the web application.

The forms check presence and shape; the rules themselves live in the domain
(:mod:`powerdesk.cases.domain.numbers` reads case numbers leniently: full-width digits, lower
case, missing dashes) and in the actions, whose bilingual problems ``attach`` puts on the
right inputs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from powerdesk.cases.domain import numbers
from powerdesk.cases.domain.catalogue import ApplicationKind, AttributeDatatype, KindAttribute
from powerdesk.core.domain import identifiers
from powerdesk.core.domain.errors import DomainError
from powerdesk.core.errors import InvalidInputError

MAX_TEXT = 2000
ACCOUNT_QUESTION = "account_number"  # a kind's question for the 電號 (see ApplicationForm)


def _language() -> str:
    return get_language() or "zh-hant"


class LookupForm(forms.Form):
    """Case number + the last four digits of the applicant's phone or of the 電號."""

    case_number = forms.CharField(
        label=_("Case number"),
        max_length=40,
        help_text=_("As printed on your receipt, for example TY-20260302-0042-7."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    second_factor = forms.CharField(
        label=_("Last four digits"),
        max_length=12,
        help_text=_(
            "The last four digits of the applicant's phone number, or of the account number (電號)."
        ),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "input--short"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "lookup-%s")
        super().__init__(*args, **kwargs)

    def clean_case_number(self) -> str:
        try:
            return str(numbers.parse_case_number(self.cleaned_data["case_number"]))
        except numbers.NumberError as error:
            raise forms.ValidationError(
                error.message.in_language(_language()), code=error.code
            ) from None

    def clean_second_factor(self) -> str:
        value = self.cleaned_data["second_factor"]
        try:
            # Shape only: four digits. The comparison happens in the view, in constant time.
            numbers.second_factor_matches(value, phone=None, account_number=None)
        except numbers.NumberError as error:
            raise forms.ValidationError(
                error.message.in_language(_language()), code=error.code
            ) from None
        return str(value)


def attribute_field_name(code: str) -> str:
    return f"attr_{code}"


def _attribute_field(attribute: KindAttribute, language: str) -> forms.Field:
    label = attribute.description.in_language(language)
    required = attribute.required
    choices = [(value.key, value.name.in_language(language)) for value in attribute.values]
    if attribute.datatype is AttributeDatatype.SINGLEVALUELIST:
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=[("", "—"), *choices],  # no answer chosen for the applicant
            widget=forms.Select,
        )
    if attribute.datatype is AttributeDatatype.MULTIVALUELIST:
        return forms.MultipleChoiceField(
            label=label, required=required, choices=choices, widget=forms.CheckboxSelectMultiple
        )
    if attribute.datatype is AttributeDatatype.DATETIME:
        return forms.DateField(
            label=label,
            required=required,
            input_formats=["%Y-%m-%d"],
            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        )
    if attribute.datatype is AttributeDatatype.TEXT:
        return forms.CharField(
            label=label, required=required, max_length=MAX_TEXT, widget=forms.Textarea({"rows": 4})
        )
    if attribute.datatype is AttributeDatatype.NUMBER:
        return forms.CharField(
            label=label,
            required=required,
            max_length=30,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input--number"}),
        )
    return forms.CharField(label=label, required=required, max_length=200)


class ApplicationForm(forms.Form):
    """The citizen's application for one public kind: contact, address and the kind's questions."""

    kind = forms.CharField(widget=forms.HiddenInput)
    applicant_name = forms.CharField(
        label=_("Applicant's name"),
        max_length=120,
        help_text=_("The person or organisation applying."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_channel = forms.ChoiceField(
        label=_("Send the confirmation code by"),
        choices=[("sms", _("SMS to my mobile phone")), ("email", _("E-mail"))],
        initial="sms",
        widget=forms.RadioSelect,
    )
    mobile = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        help_text=_("10 digits starting with 09. Needed for a code by SMS."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        help_text=_("Needed for a code by e-mail."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    account_number = forms.CharField(
        label=_("Account number (電號)"),
        max_length=20,
        required=False,
        help_text=_("11 digits, on your electricity bill; leave empty for a new supply."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address of the premises"),
        max_length=200,
        help_text=_("Where the electricity is used, for example 桃園市中壢區中正路100號."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    description = forms.CharField(
        label=_("Anything else we should know"),
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea({"rows": 4}),
    )

    def __init__(self, *args: Any, kind: ApplicationKind, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "apply-%s")
        super().__init__(*args, **kwargs)
        self.application_kind = kind
        self.fields["kind"].initial = kind.code
        language = _language()
        for attribute in self._questions():
            self.fields[attribute_field_name(attribute.code)] = _attribute_field(
                attribute, language
            )
        asked = next((a for a in kind.attributes if a.code == ACCOUNT_QUESTION), None)
        if asked is not None:  # the kind needs the 電號: the account field becomes its question
            field = self.fields["account_number"]
            field.required = asked.required
            field.label = asked.description.in_language(language)
            field.help_text = _("11 digits, on your electricity bill.")

    def _questions(self) -> list[KindAttribute]:
        """The kind's questions other than the 電號 (asked by the account number field)."""
        return sorted(
            (a for a in self.application_kind.attributes if a.code != ACCOUNT_QUESTION),
            key=lambda item: item.order,
        )

    def _check(self, name: str, check: Any) -> str:
        value = str(self.cleaned_data.get(name) or "").strip()
        if not value:
            return ""
        try:
            return str(check(value))
        except DomainError as error:
            raise forms.ValidationError(error.message.in_language(_language())) from None

    def clean_mobile(self) -> str:
        def mobile(value: str) -> str:
            phone = identifiers.validate_phone(value)
            if phone.kind != identifiers.PhoneKind.MOBILE:
                raise DomainError(
                    code="phone.not_mobile",
                    zh_hant="請填寫 09 開頭的 10 碼行動電話。",
                    en="Enter a 10-digit mobile number starting with 09.",
                )
            return phone.national

        return self._check("mobile", mobile)

    def clean_email(self) -> str:
        return self._check("email", identifiers.validate_email)

    def clean_account_number(self) -> str:
        return self._check("account_number", identifiers.validate_account_number)

    def attribute_fields(self) -> list[dict[str, Any]]:
        """The kind's questions in order; ``group``: a checkbox group (shown as a fieldset)."""
        return [
            {
                "field": self[attribute_field_name(attribute.code)],
                "group": attribute.datatype is AttributeDatatype.MULTIVALUELIST,
            }
            for attribute in self._questions()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel = data.get("contact_channel")
        if channel == "sms" and not data.get("mobile") and "mobile" not in self.errors:
            self.add_error(
                "mobile", _("Enter your mobile phone number, or choose to get the code by e-mail.")
            )
        if channel == "email" and not data.get("email") and "email" not in self.errors:
            self.add_error(
                "email", _("Enter your e-mail address, or choose to get the code by SMS.")
            )
        today = timezone.localdate()
        for attribute in self._questions():
            name = attribute_field_name(attribute.code)
            value = data.get(name)
            if value in (None, "", []):
                continue
            if attribute.datatype is AttributeDatatype.NUMBER:
                try:
                    number = Decimal(str(value).replace(",", ""))
                except InvalidOperation:
                    number = Decimal("NaN")
                if not number.is_finite() or number < 0:
                    self.add_error(name, _("Enter a number, such as 5 or 12.5."))
            if (
                attribute.datatype is AttributeDatatype.DATETIME
                and isinstance(value, date)
                and value < today
            ):
                self.add_error(name, _("The date is in the past; choose today or later."))
        return data

    def attributes(self) -> dict[str, Any]:
        """The answers to the kind's questions, as the actions take them (Open311 shapes)."""
        answers: dict[str, Any] = {}
        for attribute in self._questions():
            value = self.cleaned_data.get(attribute_field_name(attribute.code))
            if value in (None, "", []):
                continue
            if isinstance(value, date):
                value = value.isoformat()
            elif attribute.datatype is AttributeDatatype.NUMBER:
                value = str(value).replace(",", "")
            answers[attribute.code] = value
        return answers

    def field_for(self, field: str) -> str | None:
        """The form input that shows a problem the actions report for ``field``."""
        for prefix in ("attribute[", "attributes[", "attributes.", "attribute."):
            if field.startswith(prefix):
                code = field[len(prefix) :].rstrip("]")
                if code == ACCOUNT_QUESTION:
                    return "account_number"
                name = attribute_field_name(code)
                return name if name in self.fields else None
        renames = {
            "phone": "mobile",
            "applicant_phone": "mobile",
            "applicant_email": "email",
            "contact": "mobile" if self.data.get("contact_channel") != "email" else "email",
            "account": "account_number",
        }
        name = renames.get(field, field)
        return name if name in self.fields else None

    def attach(self, error: InvalidInputError) -> None:
        language = _language()
        for problem in error.problems:
            name = self.field_for(problem.field)
            if name is not None and name in self.errors:
                continue
            self.add_error(name, problem.message.in_language(language))


class CodeForm(forms.Form):
    """Step two: the one-time code sent to the applicant."""

    challenge = forms.CharField(widget=forms.HiddenInput, max_length=64)
    code = forms.CharField(
        label=_("Confirmation code"),
        max_length=12,
        help_text=_("The 6 digits we sent you."),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "class": "input--code",
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "verify-%s")
        super().__init__(*args, **kwargs)

    def attach(self, error: InvalidInputError) -> None:
        language = _language()
        for problem in error.problems:
            self.add_error("code", problem.message.in_language(language))

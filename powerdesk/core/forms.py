from django import forms
from django.utils.translation import gettext_lazy as _

from powerdesk.core.models import OfficeCalendarDay


class CalendarDayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(
        label=_("What happens that day"), choices=OfficeCalendarDay.Kind.choices
    )
    from_time = forms.TimeField(
        label=_("Closed from (leave empty for the whole day)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    name_zh = forms.CharField(label=_("Reason (zh-Hant)"), max_length=100)
    name_en = forms.CharField(label=_("Reason (English)"), max_length=100, required=False)


class CalendarImportForm(forms.Form):
    file = forms.FileField(
        label=_("Government office calendar (CSV from data.gov.tw) or powerdesk override file"),
        help_text=_("UTF-8 or Big5; at most 1 MB."),
    )

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "powerdesk.cases"
    label = "cases"
    verbose_name = "powerdesk cases"

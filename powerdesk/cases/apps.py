from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "powerdesk.cases"
    label = "cases"
    verbose_name = "powerdesk cases"

    def ready(self) -> None:
        from django.core import checks

        from powerdesk.cases.limits import rates_check

        checks.register(rates_check)

from django.apps import AppConfig


class TariffsConfig(AppConfig):
    name = "powerdesk.tariffs"
    label = "tariffs"
    verbose_name = "tariffs"

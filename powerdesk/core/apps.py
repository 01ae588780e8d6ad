from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "powerdesk.core"
    label = "core"
    verbose_name = "powerdesk core"

from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "powerdesk.staff"
    label = "staff"
    verbose_name = "staff"

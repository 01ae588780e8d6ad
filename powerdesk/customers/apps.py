from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "powerdesk.customers"
    label = "customers"
    verbose_name = "customers"

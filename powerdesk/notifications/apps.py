from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "powerdesk.notifications"
    label = "notifications"
    verbose_name = "powerdesk notifications"

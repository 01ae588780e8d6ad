from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "powerdesk.notifications"
    label = "notifications"
    verbose_name = "powerdesk notifications"

    def ready(self) -> None:
        from django.core import checks

        from powerdesk.notifications.checks import letter_font_check

        checks.register(letter_font_check)

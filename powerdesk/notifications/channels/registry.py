"""Provider instances for the configured channels (one set per worker process)."""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string

from powerdesk.notifications.channels.base import Provider


def providers_from_settings(config: dict[str, Any]) -> dict[str, Provider]:
    """``{"email": SmtpProvider(...), "sms": MitakeProvider(...)}`` from the PROVIDERS block."""
    providers: dict[str, Provider] = {}
    for channel, entry in config.items():
        backend = import_string(entry["BACKEND"])
        providers[channel] = backend(**entry.get("OPTIONS", {}))
    return providers

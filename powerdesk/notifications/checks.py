"""System checks of the notifications app (run by ``powerdesk check`` and at start-up)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Warning as CheckWarning

from powerdesk.notifications.channels.letter_pdf import font_usable
from powerdesk.notifications.conf import outbox_settings


def letter_font_check(app_configs: Any = None, **kwargs: Any) -> list[CheckWarning]:
    """Letters and case receipts embed a Chinese TrueType font; warn when it is missing."""
    font = outbox_settings().letter_font
    if font_usable(font):
        return []
    return [
        CheckWarning(
            f"The PDF font {font} is missing or unreadable: letters and case receipt PDFs cannot be made "
            "(the receipt PDF answers 503).",
            hint="Debian: apt-get install fonts-arphic-uming, or set POWERDESK_LETTER_FONT to a "
            "TrueType font with Traditional Chinese glyphs.",
            id="notifications.W001",
        )
    ]

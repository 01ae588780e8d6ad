"""``powerdesk notifications_letters [--date YYYY-MM-DD]``: render the day's letters.

For each service centre with letters filed on that day (by the ``letter`` provider), one PDF
``<LETTER_DIR>/<date>/<centre code>.pdf`` (outside the web root) with one letter per page,
recorded as a :class:`~powerdesk.notifications.models.LetterBatch` (status ``generated``).
Running it again for the same day renders the batch again, with any letters filed since.
Bad input (a malformed date, a missing font): exit code 2 with a bilingual message.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from powerdesk.customers.models import ServiceCentre
from powerdesk.notifications.channels.letter_pdf import (
    FontMissingError,
    Letter,
    Sender,
    register_font,
    render_letters,
)
from powerdesk.notifications.conf import outbox_settings
from powerdesk.notifications.models import LetterBatch, LetterItem

COMPANY = "台灣電力公司 桃園區營業處"


class Command(BaseCommand):
    help = "Render the day's letters into one PDF per service centre, ready to print."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default="", help="YYYY-MM-DD (default: today, Taipei).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError:
            raise CommandError(
                f"--date: '{options['date']}' is not a date (YYYY-MM-DD). / "
                f"--date：「{options['date']}」不是日期（YYYY-MM-DD）。",
                returncode=2,
            ) from None
        conf = outbox_settings()
        try:
            register_font(conf.letter_font)
        except FontMissingError as error:
            raise CommandError(str(error), returncode=2) from error
        centre_ids = (
            LetterItem.objects.filter(date=day)
            .values_list("service_centre_id", flat=True)
            .distinct()
        )
        if not centre_ids:
            self.stdout.write(f"{day.isoformat()}: no letters")
            return
        for centre in ServiceCentre.objects.filter(pk__in=list(centre_ids)).order_by("code"):
            items = list(
                LetterItem.objects.filter(date=day, service_centre=centre)
                .select_related("message", "message__customer")
                .order_by("postal_code", "id")
            )
            letters = [
                Letter(
                    postal_code=item.postal_code,
                    address=item.address,
                    name=item.name,
                    organisation=(
                        item.message.customer is not None
                        and item.message.customer.kind == "organisation"
                    ),
                    subject=item.message.subject,
                    body=item.message.body_text,
                )
                for item in items
            ]
            sender = Sender(lines=(COMPANY, centre.name_zh, centre.address, f"電話 {centre.phone}"))
            target = conf.letter_dir / day.isoformat() / f"{centre.code}.pdf"
            render_letters(
                letters, sender=sender, day=day, font_path=conf.letter_font, target=target
            )
            with transaction.atomic():
                batch, _ = LetterBatch.objects.update_or_create(
                    date=day,
                    service_centre=centre,
                    defaults={
                        "count": len(items),
                        "pdf_path": str(target),
                        "status": LetterBatch.Status.GENERATED,
                        "generated_at": timezone.now(),
                        "printed_at": None,
                    },
                )
                LetterItem.objects.filter(pk__in=[item.pk for item in items]).update(batch=batch)
            self.stdout.write(f"{day.isoformat()} {centre.code}: {len(items)} letters → {target}")

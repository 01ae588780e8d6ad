from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from powerdesk.core.errors import ApplicationError
from powerdesk.staff import actions
from powerdesk.staff.models import User


class Command(BaseCommand):
    help = "Personal API tokens: create USER [--name N] | revoke USER PREFIX | list USER."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="Create a token and print it once.")
        create.add_argument("username")
        create.add_argument("--name", default="cli")
        revoke = sub.add_parser("revoke", help="Revoke a user's tokens by prefix.")
        revoke.add_argument("username")
        revoke.add_argument("prefix")
        listing = sub.add_parser("list", help="List a user's tokens (never the secrets).")
        listing.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as error:
            raise CommandError(f"No staff user named {options['username']!r}.") from error
        if options["verb"] == "create":
            _token, raw = actions.api_token_create(actor=None, user=user, name=options["name"])
            self.stdout.write(raw)
        elif options["verb"] == "revoke":
            try:
                count = actions.api_token_revoke(actor=None, user=user, prefix=options["prefix"])
            except ApplicationError as error:
                raise CommandError(error.text("en")) from error
            self.stdout.write(f"revoked {count} token(s)")
        else:
            for token in user.api_tokens.all():
                state = "revoked" if token.revoked_at else "live"
                self.stdout.write(
                    f"{token.prefix}…\t{token.name}\t{state}\tcreated {token.created_at:%Y-%m-%d}"
                )

"""A business transaction that queues notifications and then dies by SIGKILL, either just
before its commit or just after it (the reliability tests' "process death right after the
business commit"): ``python -m powerdesk.notifications.testing.enqueue_and_die --customer 1
--key-prefix t1 --count 3 --die after_commit``."""

from __future__ import annotations

import argparse
import os
import signal


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customer", type=int, required=True)
    parser.add_argument("--key-prefix", required=True)
    parser.add_argument("--count", type=int, default=2)
    parser.add_argument("--die", choices=["before_commit", "after_commit"], required=True)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import transaction

    from powerdesk.core.audit import audit_record
    from powerdesk.customers.models import Customer
    from powerdesk.notifications.actions import notification_queue

    customer = Customer.objects.get(pk=args.customer)
    with transaction.atomic():
        # The business change: an audit row stands for it (any write of the same transaction).
        audit_record(
            actor=None,
            verb="test.business_change",
            target=customer,
            details={"key": args.key_prefix},
        )
        for number in range(args.count):
            notification_queue(
                purpose="payment_reminder",
                template="bill.ready",
                context={
                    "account": "01-23-4567-89-0",
                    "amount": str(100 + number),
                    "due": "2026-05-20",
                },
                customer=customer,
                channels=["email"] if number % 2 else ["sms"],
                idempotency_key=f"{args.key_prefix}:{number}",
            )
        if args.die == "before_commit":
            os.kill(os.getpid(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)  # right after the commit


if __name__ == "__main__":
    main()

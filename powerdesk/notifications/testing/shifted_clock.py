"""Run a ``powerdesk`` command with the process's wall clock shifted (time-machine), to test a
worker whose clock jumped: ``python -m powerdesk.notifications.testing.shifted_clock
--offset-seconds 3600 notifications_deliver …``. Monotonic time is not shifted, as in a real
clock step; the database's clock is not either."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta


def main(argv: list[str] | None = None) -> None:
    import time_machine

    from powerdesk.cli import main as powerdesk_main

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--offset-seconds", type=float, required=True)
    args, rest = parser.parse_known_args(argv)
    shifted = datetime.now(UTC) + timedelta(seconds=args.offset_seconds)
    with time_machine.travel(shifted, tick=True):
        powerdesk_main(rest)


if __name__ == "__main__":
    main()

"""What the local test servers received, by idempotency key, in one shared SQLite file.

Both fake providers (SMTP and Mitake) write here, from their own processes; tests and the demo
read it to check that nothing was lost and nothing was delivered twice. Each transmission is
one row; ``new`` is 1 for the transmission that delivered (the first for its key inside the
provider's recognition window), 0 for one the provider recognised as a repeat. The ``config``
table lets a test change a server's behaviour (delays, hangs) while it runs.

``python -m powerdesk.notifications.testing.ledger PATH`` prints a summary.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS received (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    key TEXT NOT NULL,
    new INTEGER NOT NULL,
    provider_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS received_key ON received (channel, key);
CREATE TABLE IF NOT EXISTS config (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS seen (channel TEXT NOT NULL, key TEXT NOT NULL, at REAL NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class Delivery:
    new: bool
    provider_id: str


@dataclass(frozen=True, slots=True)
class KeyCount:
    delivered: int  # transmissions that delivered (must be exactly 1)
    transmissions: int  # every transmission, repeats included


@dataclass(frozen=True, slots=True)
class Received:
    key: str
    new: bool  # False: a repeat the provider recognised (not delivered again)
    provider_id: str
    recipient: str
    body: str
    received_at: float  # Unix time


class Ledger:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One connection per thread, kept open (servers call this for every request)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=30000")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        yield db

    def record(
        self,
        *,
        channel: str,
        key: str,
        recipient: str,
        body: str,
        window_seconds: float | None,
        new_provider_id: Callable[[int], str],
    ) -> Delivery:
        """Record one transmission; a key already delivered inside the window is a repeat and
        gets the earlier provider id. ``new_provider_id(n)`` names a new delivery (n is unique)."""
        now = time.time()
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                query = "SELECT provider_id, received_at FROM received WHERE channel = ? AND key = ? AND new = 1"
                earlier = db.execute(query, (channel, key)).fetchone()
                if earlier is not None and (
                    window_seconds is None or now - earlier[1] < window_seconds
                ):
                    delivery = Delivery(new=False, provider_id=earlier[0])
                else:
                    (last,) = db.execute("SELECT COALESCE(MAX(id), 0) FROM received").fetchone()
                    delivery = Delivery(new=True, provider_id=new_provider_id(last + 1))
                db.execute(
                    "INSERT INTO received (channel, key, new, provider_id, recipient, body, received_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (channel, key, int(delivery.new), delivery.provider_id, recipient, body, now),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return delivery

    def counts(self, channel: str) -> dict[str, KeyCount]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT key, SUM(new), COUNT(*) FROM received WHERE channel = ? GROUP BY key",
                (channel,),
            ).fetchall()
        return {
            key: KeyCount(delivered=int(new), transmissions=int(total)) for key, new, total in rows
        }

    def rows(self, channel: str) -> list[tuple[str, int, str, str, str]]:
        with self._connect() as db:
            query = "SELECT key, new, provider_id, recipient, body FROM received WHERE channel = ? ORDER BY id"
            return db.execute(query, (channel,)).fetchall()

    def recent(self, channel: str, *, limit: int = 50) -> list[Received]:
        """The last ``limit`` transmissions on ``channel``, newest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT key, new, provider_id, recipient, body, received_at FROM received "
                "WHERE channel = ? ORDER BY id DESC LIMIT ?",
                (channel, limit),
            ).fetchall()
        return [
            Received(
                key=key,
                new=bool(new),
                provider_id=provider_id,
                recipient=recipient,
                body=body,
                received_at=received_at,
            )
            for key, new, provider_id, recipient, body, received_at in rows
        ]

    def mark_seen(self, *, channel: str, key: str) -> None:
        """A request for ``key`` arrived (before any delay): the client is now waiting."""
        with self._connect() as db:
            db.execute(
                "INSERT INTO seen (channel, key, at) VALUES (?, ?, ?)", (channel, key, time.time())
            )

    def seen(self, *, channel: str, key: str) -> int:
        with self._connect() as db:
            query = "SELECT COUNT(*) FROM seen WHERE channel = ? AND key = ?"
            (count,) = db.execute(query, (channel, key)).fetchone()
        return int(count)

    def set_config(self, name: str, value: float | str) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO config (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, str(value)),
            )

    def config(self, name: str, default: float) -> float:
        with self._connect() as db:
            row = db.execute("SELECT value FROM config WHERE name = ?", (name,)).fetchone()
        return float(row[0]) if row is not None else default


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Summarise what the local test servers received.")
    parser.add_argument("path")
    args = parser.parse_args(argv)
    ledger = Ledger(args.path)
    for channel in ("email", "sms"):
        counts = ledger.counts(channel)
        delivered = sum(c.delivered for c in counts.values())
        sent = sum(c.transmissions for c in counts.values())
        twice = sum(1 for c in counts.values() if c.delivered > 1)
        sys.stdout.write(
            f"{channel}: {len(counts)} keys, {delivered} delivered, {sent} transmissions, "
            f"{twice} delivered twice\n"
        )


if __name__ == "__main__":
    main()

"""Fixed-window counters (``core.ratelimit``): local memory, and Redis as in production."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.cache import cache, caches
from django.test import override_settings

from powerdesk.core.ratelimit import parse_rate, rate_wait, window_count

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"}}


def _redis_url() -> str:
    """This worker's Redis database when the suite runs with Redis (settings/test.py gives each
    parallel worker its own), else database 15 of a local Redis, with a per-process prefix."""
    from django.conf import settings

    configured = settings.CACHES["default"]
    if configured["BACKEND"].endswith("RedisCache"):
        return str(configured["LOCATION"])
    return "redis://127.0.0.1:6379/15"


REDIS_URL = _redis_url()


def _redis_reachable() -> bool:
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1):
            return True
    except OSError:
        return False


@pytest.fixture
def local() -> Iterator[None]:
    with override_settings(CACHES=LOCAL):
        cache.clear()
        yield
        cache.clear()


@pytest.fixture
def redis() -> Iterator[None]:
    if not _redis_reachable():
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}: CI runs the Redis counters")
        pytest.skip(f"Redis is not reachable at {REDIS_URL} (install redis-server to run this)")
    prefix = f"powerdesk-test-ratelimit-{os.getpid()}"
    settings = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=settings):
        yield
        client = caches["default"]._cache.get_client(write=True)
        for key in client.scan_iter(f"{prefix}:*"):  # only this test's keys
            client.delete(key)


def test_local_counts_one_by_one(local: None) -> None:
    assert [window_count("count", timeout=60) for _ in range(3)] == [1, 2, 3]
    assert window_count("other", timeout=60) == 1


def _rate_wait_rules() -> None:
    """The rules of ``rate_wait``, the same for every cache."""
    with time_machine.travel(datetime(2026, 11, 27, 4, 0, 5, tzinfo=UTC), tick=False):
        assert [rate_wait(("client", (3, 60))) for _ in range(3)] == [0, 0, 0]
        assert rate_wait(("client", (3, 60))) == 55
        assert rate_wait(("another", (3, 60))) == 0
        # In turn: a client already refused does not use up the second counter.
        assert rate_wait(("client", (3, 60)), ("number", (1, 3600))) == 55
        assert rate_wait(("another", (3, 60)), ("number", (1, 3600))) == 0
        assert rate_wait(("another", (3, 60)), ("number", (1, 3600))) == 3595
        assert window_count("another:29929200", timeout=61) == 4  # both calls counted it
    with time_machine.travel(datetime(2026, 11, 27, 4, 1, 0, tzinfo=UTC), tick=False):
        assert rate_wait(("client", (3, 60))) == 0


def test_rate_wait_refuses_after_the_limit_until_the_window_ends(local: None) -> None:
    _rate_wait_rules()


def test_redis_counts_atomically_and_the_key_expires(redis: None) -> None:
    backend = caches["default"]
    assert type(backend).__name__ == "RedisCache"
    assert [window_count("count", timeout=30) for _ in range(3)] == [1, 2, 3]
    # Django's cache reads the same counter (an integer is stored as is, not pickled).
    assert cache.get("count") == 3
    assert cache.decr("count") == 2
    full_key = backend.make_and_validate_key("count")
    ttl = backend._cache.get_client(full_key).ttl(full_key)
    assert 0 < ttl <= 30
    # A Redis restart forgets the counting script: it is loaded again.
    backend._cache.get_client(full_key, write=True).script_flush()
    assert window_count("count", timeout=30) == 3
    # Many processes share Redis: concurrent counts never lose or repeat a value.
    seen: list[int] = []
    lock = threading.Lock()

    def count() -> None:
        for _ in range(50):
            value = window_count("threads", timeout=30)
            with lock:
                seen.append(value)

    workers = [threading.Thread(target=count) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(seen) == list(range(1, 201))


def test_redis_rate_wait(redis: None) -> None:
    _rate_wait_rules()


def _check_only_rules() -> None:
    """``count_last=False``: the last limit is checked, not counted (an allowance of failures)."""
    with time_machine.travel(datetime(2026, 11, 27, 4, 0, 5, tzinfo=UTC), tick=False):
        # successes are checked only: never used up
        assert [rate_wait(("guess", (2, 3600)), count_last=False) for _ in range(5)] == [0] * 5
        # failures count; once the allowance is used up, a success is refused too
        assert [rate_wait(("guess", (2, 3600))) for _ in range(3)] == [0, 0, 3595]
        assert rate_wait(("guess", (2, 3600)), count_last=False) == 3595
        # with a client limit before it: the client is counted, the number only checked
        assert rate_wait(("client", (5, 60)), ("guess", (2, 3600)), count_last=False) == 3595
        assert window_count("client:29929200", timeout=61) == 2
        assert rate_wait(("client", (1, 60)), ("other", (2, 3600)), count_last=False) == 55
    with time_machine.travel(datetime(2026, 11, 27, 5, 0, 0, tzinfo=UTC), tick=False):
        assert rate_wait(("guess", (2, 3600)), count_last=False) == 0  # a new window


def test_count_last_false_only_checks_the_last_limit(local: None) -> None:
    _check_only_rules()


def test_redis_count_last_false(redis: None) -> None:
    _check_only_rules()


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("20/h", (20, 3600)),
        ("60/10m", (60, 600)),
        (" 300 / M ", (300, 60)),
        ("5/2d", (5, 172800)),
        ("20/hour", (20, 3600)),
        ("3/minutes", (3, 60)),
        ("2/secs", (2, 1)),
        ("1/day", (1, 86400)),
        ("1/31d", (1, 31 * 86400)),
        ("1000000000/h", (1000000000, 3600)),
    ],
)
def test_parse_rate(text: str, rate: tuple[int, int]) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize(
    "text",
    [
        "",
        "20",
        "20/",
        "/h",
        "0/h",
        "5/0m",
        "5/00m",
        "x/h",
        "5/w",
        "５/h",
        "4/hay",
        "-1/h",
        "1/32d",
        "1/999999999999999999d",
    ],
)
def test_parse_rate_refuses_what_is_not_a_rate(text: str) -> None:
    with pytest.raises(ValueError, match="is not a rate"):
        parse_rate(text)

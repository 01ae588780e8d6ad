"""Fixed-window counters in the cache, for rate limits and attempt counts.

Shared by every web process when the cache is Redis (``REDIS_URL``), per process with the
local-memory cache. On Redis a count is one command: a Lua script (``EVALSHA``) that runs
``INCR`` and, for a new key, ``EXPIRE`` atomically, so a key can never live on without a
timeout. Django's own ``add`` + ``incr`` would take three round trips (``incr`` first asks
whether the key exists), which a public lookup paying two counters per request notices.
"""

from __future__ import annotations

import contextlib
import re
import time
import weakref
from typing import Any, Final

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

_PERIODS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE: Final = re.compile(
    r"(?P<count>[0-9]+)\s*/\s*(?P<times>[0-9]+)?\s*"
    r"(?P<unit>s(?:ec(?:ond)?)?|m(?:in(?:ute)?)?|h(?:our)?|d(?:ay)?)s?",
    re.ASCII | re.IGNORECASE,
)

# Django's RedisCacheClient builds a new redis-py client (with its table of ~170 response
# callbacks) for every call; the writing client is always the same (the first server's pool),
# so its script is kept here per cache client: a fifth of a lookup's Python time otherwise.
_SCRIPTS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
# KEYS: the counters in order; ARGV: for each, its limit and its time to live. Counts each key in
# turn and stops at the first one over its limit (later ones are not used up); returns the
# 1-based position of that key (0 if none) and the last count.
_COUNT_SCRIPT = """
local count = 0
for index, key in ipairs(KEYS) do
  count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[2 * index]) end
  if count > tonumber(ARGV[2 * index - 1]) then return {index, count} end
end
return {0, count}
"""
# KEYS[1]: a counter; takes one off it if it still exists (a refund never creates a key).
_REFUND_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return false
"""


def _script(source: str = _COUNT_SCRIPT) -> tuple[Any, Any] | None:
    """The default cache backend and its script ``source``, when the cache is Redis."""
    backend = caches["default"]  # the backend itself: ``cache`` is a proxy to it
    if not isinstance(backend, RedisCache):
        return None
    redis_cache = backend._cache  # Django's RedisCacheClient
    scripts = _SCRIPTS.get(redis_cache)
    if scripts is None:
        scripts = _SCRIPTS[redis_cache] = {}
    script = scripts.get(source)
    if script is None:  # EVALSHA, loading the script again if the server forgot it
        client = redis_cache.get_client(None, write=True)
        script = scripts[source] = client.register_script(source)
    return backend, script


def _local_count(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def _count_until_over(counters: list[tuple[str, int, int]]) -> tuple[int, int]:
    """Count ``(key, limit, timeout)`` in turn up to the first over its limit: (its 1-based
    position or 0, the last count)."""
    found = _script()
    if found is not None:
        backend, script = found
        keys = [backend.make_and_validate_key(key) for key, _, _ in counters]
        args = [value for _, limit, timeout in counters for value in (limit, timeout)]
        position, count = script(keys=keys, args=args)
        return int(position), int(count)
    count = 0
    for position, (key, limit, timeout) in enumerate(counters, start=1):
        count = _local_count(key, timeout)
        if count > limit:
            return position, count
    return 0, count


def window_count(key: str, *, timeout: int) -> int:
    """Add one to the counter ``key`` (created with ``timeout`` seconds to live); its new value."""
    return _count_until_over([(key, 2**62, timeout)])[1]


def rate_wait(*limits: tuple[str, tuple[int, int]]) -> int:
    """Count one call against each ``(key, (limit, window seconds))`` in turn; the seconds to
    wait if one's current window is used up (the ones after it are then not counted), else 0.
    """
    now = int(time.time())
    counters = []
    for key, (limit, window) in limits:
        counters.append((f"{key}:{now // window}", limit, window + 1))
    position, _ = _count_until_over(counters)
    if not position:
        return 0
    window = limits[position - 1][1][1]
    return max(1, (now // window + 1) * window - now)


def rate_refund(key: str, window: int) -> None:
    """Give back one call counted by :func:`rate_wait` against ``key`` in the current window
    (for limits that count only failures: count first, atomically, then refund a success).
    At a window's edge the refund may find the new window's counter absent: nothing to do."""
    full_key = f"{key}:{int(time.time()) // window}"
    found = _script(_REFUND_SCRIPT)
    if found is not None:  # one round trip, on the kept client
        backend, script = found
        script(keys=[backend.make_and_validate_key(full_key)])
        return
    with contextlib.suppress(ValueError):
        cache.decr(full_key)


def parse_rate(text: str) -> tuple[int, int]:
    """``"300/m"`` → ``(300, 60)``, ``"60/10m"`` → ``(60, 600)``: calls per window of seconds
    (``s``, ``m``, ``h``, ``d`` or ``second``, ``minute``, ``hour``, ``day``, optionally times a
    whole number). :class:`ValueError` says
    what is wrong."""
    match = _RATE.fullmatch(str(text).strip())
    if match is None or int(match["count"]) == 0 or int(match["times"] or 1) == 0:
        raise ValueError(
            f"{text!r} is not a rate: write calls '/' window, the window in s, m, h or d,"
            " for example 20/h or 60/10m"
        )
    times = int(match["times"] or 1)
    return int(match["count"]), times * _PERIODS[match["unit"][0].lower()]

"""Fixed-window counters in the cache, for rate limits and attempt counts.

Shared by every web process when the cache is Redis (``REDIS_URL``), per process with the
local-memory cache. On Redis a count is one command: a Lua script (``EVALSHA``) that runs
``INCR`` and, for a new key, ``EXPIRE`` atomically, so a key can never live on without a
timeout. Django's own ``add`` + ``incr`` would take three round trips (``incr`` first asks
whether the key exists), which a public lookup paying two counters per request notices.
"""

from __future__ import annotations

import functools
import re
import time
import weakref
from typing import Any, Final

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

_PERIODS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_WINDOW: Final = 31 * 86400  # a counter's time to live must stay a sane number for Redis
_RATE: Final = re.compile(
    r"(?P<count>[0-9]+)\s*/\s*(?P<times>[0-9]+)?\s*"
    r"(?P<unit>s(?:ec(?:ond)?)?|m(?:in(?:ute)?)?|h(?:our)?|d(?:ay)?)s?",
    re.ASCII | re.IGNORECASE,
)

# Django's RedisCacheClient builds a new redis-py client (with its table of ~170 response
# callbacks) for every call; the writing client is always the same (the first server's pool),
# so its script is kept here per cache client: a fifth of a lookup's Python time otherwise.
_SCRIPTS: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
# KEYS: the counters in order; ARGV: for each, its limit, its time to live and whether to count
# it ("1") or only check it ("0"). Counts each key in turn and stops at the first one over its
# limit (later ones are not used up); a checked key is over when it has reached its limit already.
# Returns the 1-based position of that key (0 if none) and the last count.
_COUNT_SCRIPT = """
local count = 0
for index, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[3 * index - 2])
  if ARGV[3 * index] == '1' then
    count = redis.call('INCR', key)
    if count == 1 then redis.call('EXPIRE', key, ARGV[3 * index - 1]) end
    if count > limit then return {index, count} end
  else
    count = tonumber(redis.call('GET', key) or '0')
    if count >= limit then return {index, count} end
  end
end
return {0, count}
"""


def _script() -> tuple[Any, Any] | None:
    """The default cache backend and its counting script, when the cache is Redis."""
    backend = caches["default"]  # the backend itself: ``cache`` is a proxy to it
    if not isinstance(backend, RedisCache):
        return None
    redis_cache = backend._cache  # Django's RedisCacheClient
    script = _SCRIPTS.get(redis_cache)
    if script is None:  # EVALSHA, loading the script again if the server forgot it
        client = redis_cache.get_client(None, write=True)
        script = _SCRIPTS[redis_cache] = client.register_script(_COUNT_SCRIPT)
    return backend, script


def _local_count(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def _count_until_over(counters: list[tuple[str, int, int, bool]]) -> tuple[int, int]:
    """Count (or only check) ``(key, limit, timeout, counts)`` in turn up to the first over its
    limit: (its 1-based position or 0, the last count)."""
    found = _script()
    if found is not None:
        backend, script = found
        keys = [backend.make_and_validate_key(key) for key, _, _, _ in counters]
        args = [
            value
            for _, limit, timeout, counts in counters
            for value in (limit, timeout, "1" if counts else "0")
        ]
        position, count = script(keys=keys, args=args)
        return int(position), int(count)
    count = 0
    for position, (key, limit, timeout, counts) in enumerate(counters, start=1):
        if counts:
            count = _local_count(key, timeout)
            if count > limit:
                return position, count
        else:
            count = int(cache.get(key) or 0)
            if count >= limit:
                return position, count
    return 0, count


def window_count(key: str, *, timeout: int) -> int:
    """Add one to the counter ``key`` (created with ``timeout`` seconds to live); its new value."""
    return _count_until_over([(key, 2**62, timeout, True)])[1]


def rate_wait(*limits: tuple[str, tuple[int, int]], count_last: bool = True) -> int:
    """Count one call against each ``(key, (limit, window seconds))`` in turn; the seconds to
    wait if one's current window is used up (the ones after it are then not counted), else 0.

    ``count_last=False`` only checks the last limit: refused if its window already holds
    ``limit`` calls, nothing added. For allowances of failures: a call whose outcome is known
    counts if it failed and is only checked if it succeeded, in the same atomic step, so
    concurrent calls cannot slip past the limit.
    """
    now = int(time.time())
    counters = []
    for index, (key, (limit, window)) in enumerate(limits, start=1):
        counts = count_last or index < len(limits)
        counters.append((f"{key}:{now // window}", limit, window + 1, counts))
    position, _ = _count_until_over(counters)
    if not position:
        return 0
    window = limits[position - 1][1][1]
    return max(1, (now // window + 1) * window - now)


@functools.lru_cache(maxsize=64)  # settings are read on every request; their text rarely changes
def parse_rate(text: str) -> tuple[int, int]:
    """``"300/m"`` → ``(300, 60)``, ``"60/10m"`` → ``(60, 600)``: calls per window of seconds
    (``s``, ``m``, ``h``, ``d`` or ``second``, ``minute``, ``hour``, ``day``, optionally times a
    whole number). :class:`ValueError` says what is wrong."""
    match = _RATE.fullmatch(str(text).strip())
    if match is None or int(match["count"]) == 0 or int(match["times"] or 1) == 0:
        raise ValueError(
            f"{text!r} is not a rate: write calls '/' window, the window in s, m, h or d,"
            " for example 20/h or 60/10m"
        )
    window = int(match["times"] or 1) * _PERIODS[match["unit"][0].lower()]
    if window > MAX_WINDOW:
        raise ValueError(f"{text!r} is not a rate: its window is longer than 31 days")
    return int(match["count"]), window

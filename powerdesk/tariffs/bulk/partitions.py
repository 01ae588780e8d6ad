"""Splitting a bulk run: partitions for parallel workers, chunks for flat memory.

* A **partition** is a contiguous range of accounts (positions in a ``History``). Every account
  is priced from its own history only, so partitions are independent: a worker (a process, a
  task of the task queue) prices one partition and the results are concatenated in partition
  order (``recommend.recommend_partition``, ``recommend.merge``) with the same outcome as one
  run over all accounts.
* A **chunk** is a range of at most ``chunk_size`` accounts priced at once inside a partition.
  The intermediate arrays of the vectorised engine take a few dozen bytes per account × plan ×
  reading, so a chunk bounds them (about 150 MB for a 100,000-account chunk, measured with
  tracemalloc by benchmarks/tariffs_bulk.py) whatever the number of accounts; only the input
  history (about 250 bytes per account) and the per-account result (about 110 bytes) grow with
  it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

DEFAULT_CHUNK_SIZE = 100_000
"""Accounts priced at once (bounds the engine's temporary arrays)."""


@dataclass(frozen=True, slots=True)
class Partition:
    """Accounts ``start`` … ``stop − 1`` of a history, the ``index``-th of ``count`` partitions."""

    index: int
    count: int
    start: int
    stop: int

    @property
    def size(self) -> int:
        """Number of accounts in the partition."""
        return self.stop - self.start


def plan_partitions(accounts: int, *, partitions: int) -> tuple[Partition, ...]:
    """Split ``accounts`` accounts into ``partitions`` contiguous ranges of near-equal size.

    The first ``accounts % partitions`` ranges hold one account more. Fewer ranges are returned
    when there are fewer accounts than partitions (never an empty range, except one empty
    range for zero accounts).
    """
    if accounts < 0 or partitions < 1:
        raise ValueError("accounts must be ≥ 0 and partitions ≥ 1")
    count = max(1, min(partitions, accounts))
    size, extra = divmod(accounts, count)
    result: list[Partition] = []
    start = 0
    for index in range(count):
        stop = start + size + (1 if index < extra else 0)
        result.append(Partition(index=index, count=count, start=start, stop=stop))
        start = stop
    return tuple(result)


def chunk_ranges(*, start: int, stop: int, chunk_size: int) -> Iterator[tuple[int, int]]:
    """Consecutive ``(chunk_start, chunk_stop)`` ranges of at most ``chunk_size`` accounts."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be ≥ 1")
    for chunk_start in range(start, stop, chunk_size):
        yield chunk_start, min(chunk_start + chunk_size, stop)

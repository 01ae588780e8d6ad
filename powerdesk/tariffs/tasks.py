"""Background work of the tariff calculator, for ``powerdesk worker`` (queue ``bulk``).

``powerdesk tariffs recommend --partitions N --enqueue`` enqueues one
``tariffs_recommend_partition_task`` per partition of the accounts (``recommending.db_partitions``)
with the same ``batch``; several workers then price the partitions in parallel, each writing its
own ``RecommendationRun``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.tasks import task


@task(queue_name="bulk")
def tariffs_recommend_partition_task(
    *,
    batch: str,
    index: int,
    count: int,
    first_id: int | None,
    stop_id: int | None,
    chunk_size: int,
    summer_shares: list[int] | None = None,
    non_summer_shares: list[int] | None = None,
    output: str | None = None,
) -> dict[str, Any]:
    """Recommend plans for the accounts ``first_id ≤ id < stop_id`` (partition ``index`` of
    ``count``); shares in basis points as ``AssumedShares``. Returns the run's counts."""
    from powerdesk.tariffs import recommending
    from powerdesk.tariffs.bulk.recommend import AssumedShares

    shares = None
    if summer_shares is not None and non_summer_shares is not None:
        shares = AssumedShares(
            summer=(summer_shares[0], summer_shares[1], summer_shares[2]),
            non_summer=(non_summer_shares[0], non_summer_shares[1], non_summer_shares[2]),
        )
    run = recommending.run_database(
        bounds=(first_id, stop_id),
        partition=(index, count),
        options=recommending.RunOptions(chunk_size=chunk_size, shares=shares),
        output=None if output is None else Path(output),
        batch=batch,
    )
    return {
        "run": run.pk,
        "accounts": run.accounts,
        "complete": run.complete,
        "not_priceable": run.not_priceable,
    }

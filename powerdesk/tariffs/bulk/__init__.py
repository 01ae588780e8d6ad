"""Bulk pricing and plan recommendation for every account at once (issue 4, Deliver 7).

Pure code (numpy, no Django). The scalar engine (``powerdesk.tariffs.engine``) is the
reference: every bill this package computes equals its total to the NT$ (``engine.py`` explains
the integer arithmetic; ``tests/test_bulk.py`` checks it on more than 10,000 random accounts).

* ``inputs``: the 12-month history of many accounts as columnar arrays (``History``), read
  from CSV (or Parquet with pyarrow) with row-level problems (``read_history``);
* ``engine``: monthly rate tables and the vectorised bill totals (``tiered_totals``,
  ``tou_totals``);
* ``partitions``: account ranges for parallel workers and chunks for flat memory;
* ``recommend``: every eligible plan per account, the cheapest, the saving, a summary and the
  CSV table (``recommend_accounts``, ``recommend_parallel``, ``summarize``, ``write_recommendations``);
* ``readings``: dated billed readings (the customer database) → calendar-month ``History``,
  with the accounts that cannot be mapped reported, never guessed (its docstring defines the
  cycle-name mapping), and the recommendation table rows (``OUTPUT_COLUMNS``).
"""

from powerdesk.tariffs.bulk.engine import (
    MAX_KWH,
    PLANS,
    STATUS_CODES,
    STATUS_MESSAGES,
    Priced,
    Status,
    TieredRates,
    TouRates,
    month_index,
    month_of,
    tiered_rates,
    tiered_totals,
    tou_rates,
    tou_totals,
)
from powerdesk.tariffs.bulk.inputs import (
    WINDOW_MONTHS,
    Cycle,
    History,
    HistoryCsvError,
    HistoryRead,
    parse_history_csv,
    read_history,
)
from powerdesk.tariffs.bulk.partitions import (
    DEFAULT_CHUNK_SIZE,
    Partition,
    chunk_ranges,
    plan_partitions,
)
from powerdesk.tariffs.bulk.recommend import (
    CSV_COLUMNS,
    AssumedShares,
    HistoryPrices,
    Progress,
    RecommendationRow,
    Recommendations,
    Summary,
    TouBasis,
    assumed_shares,
    eligible_plans,
    merge,
    price_history,
    recommend_accounts,
    recommend_parallel,
    recommend_partition,
    summarize,
    write_recommendations,
)

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_CHUNK_SIZE",
    "MAX_KWH",
    "PLANS",
    "STATUS_CODES",
    "STATUS_MESSAGES",
    "WINDOW_MONTHS",
    "AssumedShares",
    "Cycle",
    "History",
    "HistoryCsvError",
    "HistoryPrices",
    "HistoryRead",
    "Partition",
    "Priced",
    "Progress",
    "RecommendationRow",
    "Recommendations",
    "Status",
    "Summary",
    "TieredRates",
    "TouBasis",
    "TouRates",
    "assumed_shares",
    "chunk_ranges",
    "eligible_plans",
    "merge",
    "month_index",
    "month_of",
    "parse_history_csv",
    "plan_partitions",
    "price_history",
    "read_history",
    "recommend_accounts",
    "recommend_parallel",
    "recommend_partition",
    "summarize",
    "tiered_rates",
    "tiered_totals",
    "tou_rates",
    "tou_totals",
    "write_recommendations",
]

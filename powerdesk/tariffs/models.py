"""Results of bulk plan recommendations (``powerdesk tariffs recommend``, issue 4).

One ``RecommendationRun`` per run of one partition (its parameters, counts and times); runs
started together (one ``--enqueue``, or the partitions of one command) share a ``batch``. Every
account priced by a run gets one ``TariffRecommendation``; re-running writes a new run, never
over an older one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecommendationRun(models.Model):
    class Source(models.TextChoices):
        DATABASE = "database", _("Customer database")
        FILE = "file", _("History file")

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    batch = models.CharField(_("batch"), max_length=32, db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    input_name = models.CharField(_("input file"), max_length=255, blank=True)
    partition_index = models.PositiveIntegerField(_("partition"), default=0)
    partition_count = models.PositiveIntegerField(_("partitions"), default=1)
    # Account ids covered: first_account_id ≤ id < stop_account_id (None = open end).
    first_account_id = models.BigIntegerField(null=True, blank=True)
    stop_account_id = models.BigIntegerField(null=True, blank=True)
    chunk_size = models.PositiveIntegerField(_("chunk size"))
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RUNNING
    )
    accounts = models.PositiveIntegerField(_("accounts"), default=0)
    complete = models.PositiveIntegerField(_("every eligible plan priced"), default=0)
    not_priceable = models.PositiveIntegerField(_("accounts not priceable"), default=0)
    would_save = models.PositiveIntegerField(_("accounts that would save"), default=0)
    total_saving = models.BigIntegerField(_("total saving [NT$/year]"), default=0)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ("-started_at", "id")
        verbose_name = _("recommendation run")
        verbose_name_plural = _("recommendation runs")

    def __str__(self) -> str:
        return f"run {self.pk} ({self.batch} {self.partition_index + 1}/{self.partition_count})"


class TariffRecommendation(models.Model):
    """The plans of one account priced over its last 12 months, and the cheapest."""

    run = models.ForeignKey(
        RecommendationRun, on_delete=models.CASCADE, related_name="recommendations"
    )
    account = models.ForeignKey(
        "customers.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tariff_recommendations",
    )
    account_number = models.CharField(_("account number"), max_length=40)
    current_plan = models.CharField(_("current plan"), max_length=20)
    tiered_plan = models.CharField(_("non-time-of-use class"), max_length=20, blank=True)
    billing = models.CharField(_("billing"), max_length=10, blank=True)
    window_start = models.CharField(_("first month"), max_length=7, blank=True)
    months = models.PositiveSmallIntegerField(_("months used"))
    tou_basis = models.CharField(_("time-of-use basis"), max_length=20, blank=True)
    annual_residential = models.IntegerField(null=True, blank=True)
    annual_non_residential = models.IntegerField(null=True, blank=True)
    annual_commercial = models.IntegerField(null=True, blank=True)
    annual_simple_tou_2 = models.IntegerField(null=True, blank=True)
    annual_simple_tou_3 = models.IntegerField(null=True, blank=True)
    cheapest = models.CharField(_("cheapest plan"), max_length=20, blank=True)
    saving = models.IntegerField(_("saving [NT$/year]"), null=True, blank=True)
    complete = models.BooleanField(_("every eligible plan priced"))
    lock_in = models.BooleanField(_("one-year lock-in"))
    provisional = models.BooleanField(_("provisional rates"))
    not_priced = models.CharField(_("not priced"), max_length=300, blank=True)

    class Meta:
        ordering = ("run", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("run", "account_number"), name="recommendation_one_per_run"
            )
        ]
        indexes = [models.Index(fields=("account_number",), name="recommendation_account_idx")]
        verbose_name = _("tariff recommendation")
        verbose_name_plural = _("tariff recommendations")

    def __str__(self) -> str:
        return f"{self.account_number}: {self.cheapest or '—'}"

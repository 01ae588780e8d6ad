"""The rate settings of the public lookups (``cases.limits``)."""

from __future__ import annotations

import hashlib
import io
import logging
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from powerdesk.cases import limits


def test_the_defaults_are_rates() -> None:
    assert limits.rates_check() == []
    assert limits.configured_rate("LOOKUP_FAILURE_RATE") == (10, 3600)
    assert limits.configured_rate("PAGE_LOOKUP_RATE") == (60, 600)


@pytest.mark.django_db
def test_a_bad_rate_is_an_error_of_check_naming_the_setting(settings: Any) -> None:
    settings.POWERDESK = {**settings.POWERDESK, "LOOKUP_FAILURE_RATE": "ten an hour"}
    (problem,) = limits.rates_check()
    assert problem.id == "cases.E001"
    assert "LOOKUP_FAILURE_RATE" in problem.msg
    assert "'ten an hour'" in problem.msg
    assert "POWERDESK_LOOKUP_FAILURE_RATE" in (problem.hint or "")
    with pytest.raises(SystemCheckError, match=r"cases\.E001"):
        call_command("check", "cases", stdout=io.StringIO())


def test_until_fixed_the_default_applies_and_each_use_logs(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.POWERDESK = {**settings.POWERDESK, "PUBLIC_LOOKUP_RATE": "0/h"}
    with caplog.at_level(logging.ERROR, logger="powerdesk.cases.limits"):
        assert limits.configured_rate("PUBLIC_LOOKUP_RATE") == (20, 3600)
    assert "PUBLIC_LOOKUP_RATE" in caplog.text


def test_the_number_counter_names_no_case(settings: Any) -> None:
    key, rate = limits.number_limit("ZL-2026-000123-4")
    assert "000123" not in key
    assert key.startswith("cases:lookup:number:")
    assert rate == (10, 3600)
    assert limits.number_limit("ZL-2026-000123-4")[0] == key
    # keyed with the site's secret: the key of a known number cannot be computed without it
    plain = hashlib.sha256(b"ZL-2026-000123-4").hexdigest()[:32]
    assert key != f"cases:lookup:number:{plain}"
    settings.SECRET_KEY = "another secret key for this test, long enough to be accepted 0123456789"
    assert limits.number_limit("ZL-2026-000123-4")[0] != key

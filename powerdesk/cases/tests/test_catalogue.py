"""Tests of the application catalogue and its strict loader (pure; no database)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from powerdesk.cases.domain.catalogue import (
    AttributeDatatype,
    CatalogueError,
    LimitBasis,
    WorksType,
    default_catalogue,
    load_catalogue,
    parse_catalogue,
)
from powerdesk.cases.domain.sla import SlaLimit, SlaUnit
from powerdesk.staff.domain import DepartmentCode

MINIMAL = """
schema_version = 1

[[kind]]
code = "name_change"
name = { zh_hant = "更名", en = "Name change" }
description = { zh_hant = "更改戶名。", en = "Change the account name." }
group = "account"
public = true
open311_service_code = "CPS-202"
limit = { unit = "working_days", none = 2 }
limit_basis = "office_policy"

[[kind.steps]]
code = "intake"
name = { zh_hant = "受理", en = "Intake" }
department = "business"
"""


def test_shipped_catalogue_has_every_kind_of_the_issue():
    # given / when
    catalogue = default_catalogue()
    # then
    assert [kind.code for kind in catalogue] == [
        "new_supply",
        "capacity_increase",
        "capacity_decrease",
        "transfer_ownership",
        "name_change",
        "service_address_change",
        "mailing_address_change",
        "termination",
        "reconnection",
        "meter_relocation",
        "renewable_interconnection",
        "bill_dispute",
        "inquiry",
        "call_1911_repair",
        "call_1911_inquiry",
        "call_1911_complaint",
    ]


def test_supply_limits_by_works_type():
    # given
    new_supply = default_catalogue().kind("new_supply")
    # when / then
    assert new_supply.works_types == (WorksType.NONE, WorksType.OVERHEAD, WorksType.UNDERGROUND)
    assert new_supply.limit_for(WorksType.NONE) == SlaLimit(amount=5, unit=SlaUnit.WORKING_DAYS)
    assert new_supply.limit_for("overhead") == SlaLimit(amount=25, unit=SlaUnit.WORKING_DAYS)
    assert new_supply.limit_for(WorksType.UNDERGROUND) == SlaLimit(
        amount=35, unit=SlaUnit.WORKING_DAYS
    )
    assert new_supply.limit_basis is LimitBasis.OFFICE_POLICY


def test_limits_are_not_below_the_published_average_days():
    # Taipower publishes average actual days of 4 (no works), 20 (overhead), 30 (underground):
    # a standard limit below the average would be breached by most cases.
    averages = {WorksType.NONE: 4, WorksType.OVERHEAD: 20, WorksType.UNDERGROUND: 30}
    for code in ("new_supply", "capacity_increase"):
        kind = default_catalogue().kind(code)
        for works, average in averages.items():
            assert kind.limit_for(works).amount > average


def test_works_type_not_applicable_is_an_error_naming_the_kind():
    # given a kind without external works
    kind = default_catalogue().kind("name_change")
    # when
    with pytest.raises(CatalogueError) as caught:
        kind.limit_for(WorksType.UNDERGROUND)
    # then
    assert caught.value.code == "catalogue.works_type"
    assert caught.value.details == {"kind": "name_change", "key": "works_type"}
    assert "更名" in caught.value.message.zh_hant
    assert "allowed: none" in caught.value.message.en


def test_call_centre_kinds_use_working_hours_and_are_not_public():
    # given
    catalogue = default_catalogue()
    # when
    call_centre = [kind for kind in catalogue if kind.group == "call_centre"]
    # then
    assert [kind.limit_for() for kind in call_centre] == [
        SlaLimit(amount=4, unit=SlaUnit.WORKING_HOURS),
        SlaLimit(amount=8, unit=SlaUnit.WORKING_HOURS),
        SlaLimit(amount=24, unit=SlaUnit.WORKING_HOURS),
    ]
    assert not any(kind.public for kind in call_centre)
    assert all(kind not in catalogue.public_kinds() for kind in call_centre)


def test_public_kinds_have_unique_service_codes_and_bilingual_texts():
    # given
    kinds = default_catalogue().public_kinds()
    # then
    codes = [kind.open311_service_code for kind in kinds]
    assert None not in codes
    assert len(set(codes)) == len(codes)
    for kind in kinds:
        assert kind.name.zh_hant
        assert kind.name.en
        assert all(step.department in DepartmentCode for step in kind.steps)
        assert all(document.name.zh_hant and document.name.en for document in kind.documents)


def test_fees_are_amounts_or_per_quote():
    # given
    catalogue = default_catalogue()
    # when
    line_subsidy = catalogue.kind("new_supply").fees[0]
    reconnection = catalogue.kind("reconnection").fees[0]
    # then
    assert line_subsidy.per_quote
    assert line_subsidy.amount is None
    assert reconnection.amount == Decimal(200)
    assert not reconnection.per_quote


def test_attributes_keep_file_order_and_list_values():
    # given
    kind = default_catalogue().kind("new_supply")
    # when
    attributes = kind.attributes
    # then
    assert [(item.code, item.datatype, item.order) for item in attributes] == [
        ("capacity_kw", AttributeDatatype.NUMBER, 1),
        ("premises_use", AttributeDatatype.SINGLEVALUELIST, 2),
        ("wished_supply_date", AttributeDatatype.DATETIME, 3),
    ]
    assert [value.key for value in attributes[1].values] == [
        "residential",
        "commercial",
        "industrial",
    ]


def test_lookup_by_service_code():
    catalogue = default_catalogue()
    assert catalogue.by_service_code("CPS-101") is catalogue.kind("new_supply")
    assert catalogue.by_service_code("nope") is None


def test_unknown_kind_code():
    with pytest.raises(CatalogueError) as caught:
        default_catalogue().kind("nope")
    assert caught.value.code == "catalogue.unknown_kind"


def test_minimal_file_parses():
    catalogue = parse_catalogue(MINIMAL)
    assert catalogue.kind("name_change").documents == ()


@pytest.mark.parametrize(
    ("_case", "old", "new", "kind", "key"),
    [
        (
            "unknown key in a kind",
            'group = "account"',
            'group = "account"\nlimt = 3',
            "name_change",
            "limt",
        ),
        (
            "missing language",
            'name = { zh_hant = "更名", en = "Name change" }',
            'name = { zh_hant = "更名" }',
            "name_change",
            "name.en",
        ),
        (
            "extra language",
            'name = { zh_hant = "更名", en = "Name change" }',
            'name = { zh_hant = "更名", en = "x", ja = "x" }',
            "name_change",
            "name.ja",
        ),
        ("empty text", 'group = "account"', 'group = " "', "name_change", "group"),
        (
            "unknown department",
            'department = "business"',
            'department = "sales"',
            "name_change",
            "steps[0].department",
        ),
        (
            "unknown key in a step",
            'department = "business"',
            'department = "business"\nhours = 2',
            "name_change",
            "steps[0].hours",
        ),
        (
            "missing steps",
            '[[kind.steps]]\ncode = "intake"\nname = { zh_hant = "受理", en = "Intake" }\ndepartment = "business"',
            "",
            "name_change",
            "steps",
        ),
        ("zero limit", "none = 2", "none = 0", "name_change", "limit.none"),
        ("unknown works type", "none = 2", "tunnel = 2", "name_change", "limit.tunnel"),
        ("no works type", ", none = 2", "", "name_change", "limit"),
        ("bad unit", '"working_days"', '"weeks"', "name_change", "limit.unit"),
        (
            "hours with works types",
            'unit = "working_days", none = 2',
            'unit = "working_hours", none = 2',
            "name_change",
            "limit.none",
        ),
        (
            "bad basis",
            'limit_basis = "office_policy"',
            'limit_basis = "gut"',
            "name_change",
            "limit_basis",
        ),
        (
            "public without service code",
            'open311_service_code = "CPS-202"\n',
            "",
            "name_change",
            "open311_service_code",
        ),
        ("public not a boolean", "public = true", 'public = "yes"', "name_change", "public"),
    ],
)
def test_loader_rejects_bad_files_naming_kind_and_key(_case, old, new, kind, key):
    # given
    assert old in MINIMAL
    text = MINIMAL.replace(old, new, 1)
    # when
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text)
    # then
    assert caught.value.details == {"kind": kind, "key": key}
    assert kind in caught.value.message.en
    assert key in caught.value.message.zh_hant


def _with(extra: str) -> str:
    return MINIMAL + extra


def test_loader_rejects_duplicate_kind_codes():
    text = MINIMAL + MINIMAL.split("schema_version = 1", 1)[1].replace("CPS-202", "CPS-999")
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text)
    assert caught.value.details == {"kind": None, "key": "kind.code"}
    assert "name_change" in caught.value.message.en


def test_loader_rejects_duplicate_service_codes():
    text = MINIMAL + MINIMAL.split("schema_version = 1", 1)[1].replace(
        'code = "name_change"', 'code = "rename"'
    )
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text)
    assert caught.value.details == {"kind": None, "key": "kind.open311_service_code"}


def test_loader_rejects_duplicate_document_codes():
    document = '\n[[kind.documents]]\ncode = "form"\nname = { zh_hant = "表", en = "Form" }\nrequired = true\n'
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(_with(document * 2))
    assert caught.value.details == {"kind": "name_change", "key": "documents"}
    assert "form" in caught.value.message.en


@pytest.mark.parametrize(
    ("_case", "fee", "key"),
    [
        ("negative", "-5", "fees[0].amount"),
        ("decimal", "10.5", "fees[0].amount"),
        ("other text", '"ask us"', "fees[0].amount"),
    ],
)
def test_loader_rejects_bad_fees(_case, fee, key):
    text = _with(
        f'\n[[kind.fees]]\ncode = "x"\nname = {{ zh_hant = "費", en = "Fee" }}\namount = {fee}\n'
    )
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text)
    assert caught.value.details == {"kind": "name_change", "key": key}


@pytest.mark.parametrize(
    ("_case", "body", "key"),
    [
        ("unknown datatype", 'datatype = "colour"', "attributes[0].datatype"),
        ("list without values", 'datatype = "singlevaluelist"', "attributes[0].values"),
        (
            "values on a string",
            'datatype = "string"\nvalues = [{ key = "a", name = { zh_hant = "甲", en = "A" } }]',
            "attributes[0].values",
        ),
        (
            "duplicate value keys",
            'datatype = "multivaluelist"\nvalues = [{ key = "a", name = { zh_hant = "甲", en = "A" } }, { key = "a", name = { zh_hant = "乙", en = "B" } }]',
            "attributes[0].values",
        ),
    ],
)
def test_loader_rejects_bad_attributes(_case, body, key):
    text = _with(
        f'\n[[kind.attributes]]\ncode = "x"\nrequired = true\ndescription = {{ zh_hant = "甲", en = "A" }}\n{body}\n'
    )
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text)
    assert caught.value.details == {"kind": "name_change", "key": key}


def test_loader_rejects_bad_toml_schema_and_missing_file(tmp_path: Path):
    with pytest.raises(CatalogueError) as syntax:
        parse_catalogue("kind = [")
    with pytest.raises(CatalogueError) as version:
        parse_catalogue(MINIMAL.replace("schema_version = 1", "schema_version = 2"))
    with pytest.raises(CatalogueError) as missing:
        load_catalogue(tmp_path / "none.toml")
    with pytest.raises(CatalogueError) as empty:
        parse_catalogue("schema_version = 1\nkind = []\n")
    assert syntax.value.code == "catalogue.syntax"
    assert version.value.details == {"kind": None, "key": "schema_version"}
    assert missing.value.code == "catalogue.unreadable"
    assert empty.value.details == {"kind": None, "key": "kind"}


@pytest.mark.parametrize(
    ("_case", "text", "kind", "key"),
    [
        ("kind not a table", 'schema_version = 1\nkind = ["x"]\n', None, "kind[0]"),
        (
            "steps not an array",
            MINIMAL.split("[[kind.steps]]")[0] + 'steps = "intake"\n',
            "name_change",
            "steps",
        ),
        (
            "empty steps",
            MINIMAL.split("[[kind.steps]]")[0] + "steps = []\n",
            "name_change",
            "steps",
        ),
    ],
)
def test_loader_rejects_wrong_shapes(_case, text, kind, key):
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(text)
    assert caught.value.details == {"kind": kind, "key": key}


def test_kinds_are_hashable_values():
    catalogue = default_catalogue()
    assert len(set(catalogue)) == len(catalogue.kinds)
    assert parse_catalogue(MINIMAL).kind("name_change") == parse_catalogue(MINIMAL).kind(
        "name_change"
    )

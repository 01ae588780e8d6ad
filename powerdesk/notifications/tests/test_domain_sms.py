"""SMS length rules (pure): encodings, segments, shortening and splitting at word boundaries."""

from __future__ import annotations

import pytest

from powerdesk.core.domain.errors import DomainError
from powerdesk.notifications.domain.sms import (
    SmsEncoding,
    SmsMeasure,
    SmsOverflow,
    sms_fit,
    sms_measure,
    sms_shorten,
    sms_split,
)


@pytest.mark.parametrize(
    ("_case", "text", "expected"),
    [
        ("empty", "", SmsMeasure(SmsEncoding.GSM7, 0, 0)),
        ("160 GSM characters fit one", "a" * 160, SmsMeasure(SmsEncoding.GSM7, 160, 1)),
        ("161 GSM characters need two of 153", "a" * 161, SmsMeasure(SmsEncoding.GSM7, 161, 2)),
        ("306 GSM characters fill two", "a" * 306, SmsMeasure(SmsEncoding.GSM7, 306, 2)),
        ("307 GSM characters need three", "a" * 307, SmsMeasure(SmsEncoding.GSM7, 307, 3)),
        ("extension characters count twice", "{}" * 40, SmsMeasure(SmsEncoding.GSM7, 160, 1)),
        ("70 Chinese characters fit one", "電" * 70, SmsMeasure(SmsEncoding.UCS2, 70, 1)),
        ("71 Chinese characters need two of 67", "電" * 71, SmsMeasure(SmsEncoding.UCS2, 71, 2)),
        ("134 Chinese characters fill two", "電" * 134, SmsMeasure(SmsEncoding.UCS2, 134, 2)),
        ("135 Chinese characters need three", "電" * 135, SmsMeasure(SmsEncoding.UCS2, 135, 3)),
        (
            "one Chinese character makes it UCS-2",
            "a" * 69 + "電",
            SmsMeasure(SmsEncoding.UCS2, 70, 1),
        ),
        ("an emoji takes two units", "😀" * 35, SmsMeasure(SmsEncoding.UCS2, 70, 1)),
    ],
)
def test_sms_measure(_case: str, text: str, expected: SmsMeasure) -> None:
    assert sms_measure(text) == expected


def test_two_unit_characters_never_straddle_segments() -> None:
    # 152 'a' then '{' (2 units) would end at 154 > 153: the escape moves to segment two
    assert sms_measure("a" * 152 + "{" + "a" * 10).segments == 2
    assert sms_measure("a" * 152 + "{" + "a" * 151).segments == 2  # segment two: 2 + 151 = 153
    assert sms_measure("a" * 152 + "{" + "a" * 152).segments == 3
    # an emoji at the boundary of a 67-unit UCS-2 segment moves to the next one
    assert sms_measure("電" * 66 + "😀" + "電" * 66).segments == 3


def test_shorten_cuts_latin_text_at_a_space_with_three_dots() -> None:
    text = "Your bill of 1,234 NTD is due on 2026-05-20. " * 5
    short = sms_shorten(text.strip(), max_segments=1)
    assert short == (
        "Your bill of 1,234 NTD is due on 2026-05-20. Your bill of 1,234 NTD is due on "
        "2026-05-20. Your bill of 1,234 NTD is due on 2026-05-20. Your bill of 1,234 NTD..."
    )
    assert sms_measure(short) == SmsMeasure(SmsEncoding.GSM7, 160, 1)


def test_shorten_cuts_chinese_between_characters_keeping_punctuation() -> None:
    text = "您好，" + "本期電費帳單已經出帳。" * 8
    short = sms_shorten(text, max_segments=1)
    assert short == "您好，" + "本期電費帳單已經出帳。" * 6 + "…"
    assert sms_measure(short).units == 70


def test_shorten_never_cuts_inside_a_url_or_number() -> None:
    text = "電" * 60 + " https://www.taipower.com.tw/tc/page.aspx?mid=12345 後續"
    assert sms_shorten(text, max_segments=1) == "電" * 60 + "…"


def test_shorten_returns_a_fitting_text_unchanged() -> None:
    assert sms_shorten("短訊息", max_segments=1) == "短訊息"


def test_shorten_refuses_when_the_first_word_is_too_long() -> None:
    with pytest.raises(DomainError) as raised:
        sms_shorten("x" * 400, max_segments=1)
    assert raised.value.code == "sms.word_too_long"


def test_split_numbers_single_segment_parts_at_boundaries() -> None:
    text = "台電通知：" + "您的電費帳單已出帳，請於期限內繳納。" * 5
    parts = sms_split(text, max_parts=3)
    assert len(parts) == 2
    assert parts[0].endswith(" (1/2)")
    assert parts[1].endswith(" (2/2)")
    assert all(sms_measure(part).segments == 1 for part in parts)
    assert "".join(part.rsplit(" (", 1)[0] for part in parts) == text
    assert not parts[1].startswith(("，", "。"))  # closing punctuation stays with its text


def test_split_returns_a_short_text_unmarked() -> None:
    assert sms_split("停電通知", max_parts=3) == ("停電通知",)


def test_split_refuses_more_parts_than_allowed() -> None:
    with pytest.raises(DomainError) as raised:
        sms_split("電" * 300, max_parts=2)
    assert raised.value.code == "sms.too_long"
    assert raised.value.details == {
        "units": 300,
        "segments": 5,
        "max_segments": 2,
        "encoding": "ucs2",
    }


@pytest.mark.parametrize(
    ("_case", "overflow", "text", "expected"),
    [
        ("refuse keeps a concatenated text", SmsOverflow.REFUSE, "電" * 100, ("電" * 100,)),
        ("shorten cuts to the limit", SmsOverflow.SHORTEN, "電" * 300, ("電" * 133 + "…",)),
        (
            "split into parts",
            SmsOverflow.SPLIT,
            "電" * 80,
            ("電" * 64 + " (1/2)", "電" * 16 + " (2/2)"),
        ),
    ],
)
def test_sms_fit(_case: str, overflow: SmsOverflow, text: str, expected: tuple[str, ...]) -> None:
    assert sms_fit(text, overflow=overflow, max_segments=2) == expected


def test_sms_fit_refuses_too_long_with_a_bilingual_message() -> None:
    with pytest.raises(DomainError) as raised:
        sms_fit("電" * 300, overflow=SmsOverflow.REFUSE, max_segments=3)
    error = raised.value
    assert error.code == "sms.too_long"
    assert error.message.zh_hant.startswith("簡訊共 300 字、需 5 則，超過上限 3 則")
    assert error.message.en.startswith("The SMS has 300 characters and needs 5 segments")


def test_sms_fit_refuses_empty_text() -> None:
    with pytest.raises(DomainError) as raised:
        sms_fit("  ", overflow=SmsOverflow.REFUSE, max_segments=3)
    assert raised.value.code == "sms.empty"


@pytest.mark.parametrize(
    ("_case", "text", "atoms"),
    [
        ("words and a space run", "pay  now", ["pay", "  ", "now"]),
        ("each CJK character alone", "繳費", ["繳", "費"]),
        ("closing punctuation joins the text before", "繳費。謝謝", ["繳", "費。", "謝", "謝"]),
        ("closing after a space starts a word", "a ,b", ["a", " ", ",b"]),
        ("opening bracket joins the text after", "「停電」通知", ["「停", "電」", "通", "知"]),
        ("opening bracket before Latin", "(see x)", ["(see", " ", "x)"]),
        ("opening bracket before a space", "( x", ["(", " ", "x"]),
        ("opening bracket at the end", "x (", ["x", " ", "("]),
        (
            "a URL is one word",
            "到 https://a.tw/x?y=1 查",
            ["到", " ", "https://a.tw/x?y=1", " ", "查"],
        ),
    ],
)
def test_word_boundaries(_case: str, text: str, atoms: list[str]) -> None:
    from powerdesk.notifications.domain.sms import _atoms

    assert _atoms(text) == atoms
    assert "".join(atoms) == text


def test_split_refuses_a_word_longer_than_a_segment() -> None:
    with pytest.raises(DomainError) as raised:
        sms_split("電" * 10 + " " + "x" * 200, max_parts=5)
    assert raised.value.code == "sms.word_too_long"
    assert raised.value.details == {"word": "x" * 40}
    with pytest.raises(DomainError) as raised:
        sms_split("x" * 200, max_parts=5)
    assert raised.value.code == "sms.word_too_long"

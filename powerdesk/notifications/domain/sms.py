"""SMS length: encodings, segments, and deliberate shortening or splitting.

Rules (3GPP TS 23.038 §6.2.1 and TS 23.040 §9.2.3.24.1):

- A text that uses only the GSM 7-bit default alphabet is sent in GSM-7: 160 characters in a
  single message; a concatenated message carries a 6-octet user-data header, leaving 153
  characters per segment. The extension-table characters (``^ { } \\ [ ~ ] | €`` and form
  feed) take two characters each (escape + character) and never straddle two segments.
- Any other character (Chinese, full-width punctuation, emoji) makes the whole message UCS-2:
  70 characters in a single message, 67 per segment when concatenated. A character outside
  the Basic Multilingual Plane (most emoji) takes two UTF-16 units and is never split.

Taiwanese providers bill per segment: a 71-character Chinese message costs two. Mitake counts
the same way (a line break is one character; Mitake sends it as ASCII 6).

Nothing here ever cuts a word silently. A text that is too long is refused, shortened at a
word boundary with an ellipsis, or split into numbered single-segment parts, as the template
says. Boundaries: spaces; between two CJK characters (each is a word of its own); never inside
a run of Latin letters, digits or URL characters. Closing punctuation (，。」 …) stays with the
text before it, opening brackets (「（ …) with the text after it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from powerdesk.core.domain.errors import DomainError

_GSM_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION: Final = frozenset("\f^{}\\[~]|€")
_CLOSING: Final = frozenset("，。、！？：；」』）】》〉,.!?:;)]}%")
_OPENING: Final = frozenset("「『（【《〈([{")


class SmsEncoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


SINGLE_SEGMENT: Final = {SmsEncoding.GSM7: 160, SmsEncoding.UCS2: 70}
CONCATENATED_SEGMENT: Final = {SmsEncoding.GSM7: 153, SmsEncoding.UCS2: 67}


class SmsOverflow(StrEnum):
    """What a template does with a text longer than the allowed segments."""

    REFUSE = "refuse"  # refuse at enqueue time
    SHORTEN = "shorten"  # cut at a word boundary and end with an ellipsis
    SPLIT = "split"  # separate single-segment messages numbered (1/n)


@dataclass(frozen=True, slots=True)
class SmsMeasure:
    """How a text is sent: its encoding, length in that encoding's units, and segments."""

    encoding: SmsEncoding
    units: int
    segments: int


def _unit_costs(text: str) -> tuple[SmsEncoding, list[int]]:
    costs: list[int] = []
    for char in text:
        if char in _GSM_BASIC:
            costs.append(1)
        elif char in _GSM_EXTENSION:
            costs.append(2)
        else:
            return SmsEncoding.UCS2, [2 if ord(char) > 0xFFFF else 1 for char in text]
    return SmsEncoding.GSM7, costs


def sms_measure(text: str) -> SmsMeasure:
    """Measure ``text``: encoding, units and the number of segments it is billed as."""
    encoding, costs = _unit_costs(text)
    units = sum(costs)
    if units == 0:
        return SmsMeasure(encoding=encoding, units=0, segments=0)
    if units <= SINGLE_SEGMENT[encoding]:
        return SmsMeasure(encoding=encoding, units=units, segments=1)
    room = CONCATENATED_SEGMENT[encoding]
    segments, used = 1, 0
    for cost in costs:  # a two-unit character never straddles a segment boundary
        if used + cost > room:
            segments += 1
            used = 0
        used += cost
    return SmsMeasure(encoding=encoding, units=units, segments=segments)


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _atoms(text: str) -> list[str]:
    """Split ``text`` into unbreakable pieces; whitespace runs are pieces of their own."""
    atoms: list[str] = []
    word = ""
    pending_opening = ""

    def flush() -> None:
        nonlocal word
        if word:
            atoms.append(word)
            word = ""

    for char in text:
        if char.isspace():
            flush()
            if pending_opening:
                atoms.append(pending_opening)
                pending_opening = ""
            if atoms and atoms[-1].isspace():
                atoms[-1] += char
            else:
                atoms.append(char)
        elif char in _CLOSING:
            if word:
                word += char
            elif atoms and not atoms[-1].isspace():
                atoms[-1] += char
            else:
                word = char
        elif char in _OPENING:
            flush()
            pending_opening += char
        elif _is_wide(char):
            flush()
            atoms.append(pending_opening + char)
            pending_opening = ""
        else:
            if pending_opening:
                word = pending_opening + word
                pending_opening = ""
            word += char
    flush()
    if pending_opening:
        atoms.append(pending_opening)
    return atoms


def _join(atoms: list[str]) -> str:
    return "".join(atoms).strip()


def _too_long(text: str, *, measure: SmsMeasure, max_segments: int) -> DomainError:
    return DomainError(
        code="sms.too_long",
        zh_hant=f"簡訊共 {measure.units} 字、需 {measure.segments} 則，超過上限 {max_segments} 則；"
        "請縮短範本內容或改用可縮短、可分則的範本。",
        en=f"The SMS has {measure.units} characters and needs {measure.segments} segments, "
        f"more than the {max_segments} allowed; shorten the template or let it shorten or split.",
        details={
            "units": measure.units,
            "segments": measure.segments,
            "max_segments": max_segments,
            "encoding": measure.encoding.value,
        },
    )


def _word_too_long(atom: str) -> DomainError:
    return DomainError(
        code="sms.word_too_long",
        zh_hant=f"「{atom[:20]}」太長，無法不切斷文字而放入一則簡訊。",
        en=f"'{atom[:20]}' is too long to fit in one SMS segment without cutting it.",
        details={"word": atom[:40]},
    )


def _require_text(text: str) -> None:
    if not text.strip():
        raise DomainError(
            code="sms.empty", zh_hant="簡訊內容不可空白。", en="The SMS text is empty."
        )


def sms_shorten(text: str, *, max_segments: int) -> str:
    """Return ``text``, or its longest prefix ending at a word boundary plus an ellipsis, that
    fits in ``max_segments``. A GSM-7 text ends with ``...`` (``…`` would make it UCS-2).

    Codes: ``sms.empty``, ``sms.word_too_long`` (not even the first word fits).
    """
    _require_text(text)
    if sms_measure(text).segments <= max_segments:
        return text
    ellipsis = "..." if _unit_costs(text)[0] is SmsEncoding.GSM7 else "…"
    atoms = _atoms(text)
    low, high = 0, len(atoms)  # invariant: low atoms fit (0 trivially), high do not
    while high - low > 1:
        middle = (low + high) // 2
        candidate = _join(atoms[:middle]) + ellipsis
        if sms_measure(candidate).segments <= max_segments:
            low = middle
        else:
            high = middle
    prefix = _join(atoms[:low])
    if not prefix:
        raise _word_too_long(atoms[0].strip() or atoms[1])
    return prefix + ellipsis


def _numbering(index: int, *, total: int) -> str:
    return f" ({index}/{total})"


def _pack(atoms: list[str], *, total_guess: int) -> list[str]:
    """Greedily fill single-segment parts, each ending with a ``(i/n)`` mark sized for n."""
    parts: list[str] = []
    current: list[str] = []
    width_mark = _numbering(total_guess, total=total_guess)
    for atom in atoms:
        trial = _join([*current, atom])
        if sms_measure(trial + width_mark).segments <= 1:
            current.append(atom)
            continue
        if not _join(current):
            raise _word_too_long(atom.strip())
        parts.append(_join(current))
        current = [] if atom.isspace() else [atom]
        if current and sms_measure(_join(current) + width_mark).segments > 1:
            raise _word_too_long(atom.strip())
    parts.append(_join(current))  # whitespace always fits, so the last part has a word
    return parts


def sms_split(text: str, *, max_parts: int) -> tuple[str, ...]:
    """Split ``text`` into separate single-segment messages marked `` (i/n)``.

    A text that fits one segment is returned unchanged, unmarked. Codes: ``sms.empty``,
    ``sms.word_too_long``, ``sms.too_long`` (more than ``max_parts`` parts needed).
    """
    _require_text(text)
    if sms_measure(text).segments <= 1:
        return (text,)
    atoms = _atoms(text)
    guess = 2
    while True:
        parts = _pack(atoms, total_guess=guess)
        if len(parts) <= guess:
            break
        guess = len(parts)
    if len(parts) > max_parts:
        raise _too_long(text, measure=sms_measure(text), max_segments=max_parts)
    # The real total has no more digits than the guess, so every mark still fits.
    return tuple(
        part + _numbering(index, total=len(parts)) for index, part in enumerate(parts, start=1)
    )


def sms_fit(text: str, *, overflow: SmsOverflow, max_segments: int) -> tuple[str, ...]:
    """The message(s) to send for ``text`` under the template's overflow rule.

    ``REFUSE``: one (possibly concatenated) message of at most ``max_segments`` segments, or
    ``sms.too_long``. ``SHORTEN``: one message cut at a word boundary to ``max_segments``.
    ``SPLIT``: up to ``max_segments`` numbered single-segment messages.
    """
    _require_text(text)
    if overflow is SmsOverflow.SHORTEN:
        return (sms_shorten(text, max_segments=max_segments),)
    if overflow is SmsOverflow.SPLIT:
        return sms_split(text, max_parts=max_segments)
    measure = sms_measure(text)
    if measure.segments > max_segments:
        raise _too_long(text, measure=measure, max_segments=max_segments)
    return (text,)

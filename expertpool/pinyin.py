"""Pinyin helpers for sorting and displaying Chinese personal names.

The first character(s) of a name are read as a surname: 曾 is zeng (not ceng), 单 is shan,
解 is xie, 仇 is qiu, 区 is ou, and so on. Compound surnames are matched first.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["SURNAME_READINGS", "name_pinyin", "name_syllables", "sort_key", "stored_sort_key"]

# Surname -> syllables with tone numbers (5 = neutral tone).
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    # compound surnames
    "尉迟": ("yu4", "chi2"),
    "万俟": ("mo4", "qi2"),
    "长孙": ("zhang3", "sun1"),
    "令狐": ("ling2", "hu2"),
    "澹台": ("tan2", "tai2"),
    # single-character surnames whose surname reading differs from the common one
    "曾": ("zeng1",),
    "单": ("shan4",),
    "解": ("xie4",),
    "仇": ("qiu2",),
    "区": ("ou1",),
    "查": ("zha1",),
    "朴": ("piao2",),
    "盖": ("ge3",),
    "乐": ("yue4",),
    "覃": ("qin2",),
    "翟": ("zhai2",),
    "缪": ("miao4",),
    "种": ("chong2",),
    "黑": ("he4",),
    "任": ("ren2",),
    "华": ("hua4",),
    "过": ("guo1",),
    "秘": ("bi4",),
    "葛": ("ge3",),
    "燕": ("yan1",),
    "繁": ("po2",),
    "召": ("shao4",),
    "员": ("yun4",),
    "隗": ("wei3",),
}
_MAX_SURNAME_LEN = max(len(s) for s in SURNAME_READINGS)
_TONE_RE = re.compile(r"([a-zü]+)([1-5])")
_NON_HAN_SPLIT_RE = re.compile(r"[^0-9a-z]+")


def _clean(name: str) -> str:
    text = unicodedata.normalize("NFKC", name)
    return re.sub(r"\s+", "", text)


def _split_surname(name: str) -> tuple[tuple[str, ...], str]:
    for length in range(min(_MAX_SURNAME_LEN, len(name)), 0, -1):
        reading = SURNAME_READINGS.get(name[:length])
        if reading is not None:
            return reading, name[length:]
    return (), name


def _tokens(text: str) -> list[tuple[str, int]]:
    """(syllable, tone) pairs; non-Chinese runs become lower-case words with tone 0."""
    # pypinyin loads its phrase dictionary on import (0.1–0.7 s): only when a name is read.
    from pypinyin import Style, lazy_pinyin

    result: list[tuple[str, int]] = []
    for token in lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True):
        match = _TONE_RE.fullmatch(token)
        if match:
            result.append((match.group(1), int(match.group(2))))
            continue
        for word in _NON_HAN_SPLIT_RE.split(token.lower()):
            if word:
                result.append((word, 0))
    return result


def _syllables_with_tones(name: str) -> list[tuple[str, int]]:
    surname, rest = _split_surname(_clean(name))
    pairs = [(s[:-1], int(s[-1])) for s in surname]
    return pairs + _tokens(rest)


def name_syllables(name: str) -> list[str]:
    """Toneless pinyin syllables of ``name`` ('ü' written as 'v'), surname-aware."""
    return [syllable for syllable, _ in _syllables_with_tones(name)]


def name_pinyin(name: str) -> str:
    """Lower-case, space-separated pinyin: 曾国藩 -> "zeng guo fan", 吕布 -> "lü bu"."""
    pairs = _syllables_with_tones(name)
    return " ".join(s.replace("v", "ü") if tone else s for s, tone in pairs)


def sort_key(name: str) -> tuple[tuple[str, ...], tuple[int, ...], str]:
    """Key for sorting names by pinyin: (syllables, tone numbers, the name itself).

    Ties on spelling are broken by tones and finally by the name, so the order is total
    and deterministic.
    """
    pairs = _syllables_with_tones(name)
    return (
        tuple(syllable for syllable, _ in pairs),
        tuple(tone for _, tone in pairs),
        name,
    )


def stored_sort_key(name: str) -> str:
    """`sort_key` as one string that compares (byte-wise, as Python compares str) in the same
    order: syllables joined by "!" and closed by " ", then the tone digits, " ", the name.
    Syllables are [0-9a-zü] words, all above "!" (0x21) and " " (0x20), so a syllable that is
    a prefix of another sorts first, as in the tuple. Stored on experts (`name_sort`)."""
    syllables, tones, text = sort_key(name)
    return "!".join(syllables) + " " + "".join(str(t) for t in tones) + " " + text

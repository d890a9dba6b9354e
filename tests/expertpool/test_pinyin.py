"""Tests for surname-aware pinyin sorting of Chinese names."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expertpool.pinyin import name_pinyin, name_syllables, sort_key, stored_sort_key


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("曾国藩", "zeng guo fan"),
        ("单田芳", "shan tian fang"),
        ("解缙", "xie jin"),
        ("仇英", "qiu ying"),
        ("区家麟", "ou jia lin"),
        ("查良镛", "zha liang yong"),
        ("朴树", "piao shu"),
        ("盖聂", "ge nie"),
        ("乐嘉", "yue jia"),
        ("覃志刚", "qin zhi gang"),
        ("翟志刚", "zhai zhi gang"),
        ("缪斌", "miao bin"),
        ("种师道", "chong shi dao"),
        ("黑明", "he ming"),
        ("任正非", "ren zheng fei"),
        ("华罗庚", "hua luo geng"),
        ("过平", "guo ping"),
        ("秘书", "bi shu"),
        ("尉迟恭", "yu chi gong"),
        ("万俟卨", "mo qi xie"),
        ("长孙无忌", "zhang sun wu ji"),
        ("张三", "zhang san"),
        ("欧阳修", "ou yang xiu"),
        ("吕布", "lü bu"),
        ("阿依古丽·买买提", "a yi gu li mai mai ti"),
        (" 张 三 ", "zhang san"),
    ],
)
def test_name_pinyin(name: str, expected: str) -> None:
    assert name_pinyin(name) == expected


def test_surname_reading_only_applies_to_first_character() -> None:
    # 曾 inside a given name keeps its ordinary reading "ceng" (曾经).
    assert name_syllables("张曾经")[:1] == ["zhang"]
    assert name_syllables("曾曾经")[0] == "zeng"
    # 单 as a given name is not forced to "shan".
    assert name_syllables("李单")[0] == "li"


def test_zeng_sorts_as_zeng() -> None:
    # 'zeng' < 'zhang', whereas the common reading 'ceng' would put 曾 before 陈 (chen).
    names = ["张伟", "曾伟", "陈伟"]
    assert sorted(names, key=sort_key) == ["陈伟", "曾伟", "张伟"]
    assert sort_key("曾伟") < sort_key("张伟")
    assert sort_key("曾伟") > sort_key("陈伟")


@pytest.mark.parametrize(
    ("surname_name", "before", "after"),
    [
        ("单明", "沙明", "申明"),  # shan: sha < shan < shen  (not dan)
        ("解明", "谢光", "辛明"),  # xie ming: between xie guang and xin (not jie)
        ("仇明", "秦明", "冉明"),  # qiu: qin < qiu < ran (not chou)
        ("区明", "欧光", "潘明"),  # ou: after ou guang, before pan (not qu)
    ],
)
def test_surname_readings_sort(surname_name: str, before: str, after: str) -> None:
    ordered = sorted([after, surname_name, before], key=sort_key)
    assert ordered == [before, surname_name, after]


def test_mixed_list_sorts_in_expected_order() -> None:
    names = [
        "张伟",
        "曾志强",
        "单雄信",
        "解晓东",
        "仇英",
        "区永权",
        "王芳",
        "李娜",
        "陈静",
        "欧阳娜娜",
        "长孙无忌",
        "尉迟恭",
        "阿依古丽·买买提",
        "吕布",
        "卢强",
        "赵敏",
    ]
    expected = [
        "阿依古丽·买买提",  # a
        "陈静",  # chen
        "李娜",  # li
        "卢强",  # lu
        "吕布",  # lv
        "欧阳娜娜",  # ou yang
        "区永权",  # ou yong
        "仇英",  # qiu
        "单雄信",  # shan
        "王芳",  # wang
        "解晓东",  # xie
        "尉迟恭",  # yu chi
        "曾志强",  # zeng
        "长孙无忌",  # zhang sun ('sun' < 'wei')
        "张伟",  # zhang wei
        "赵敏",  # zhao
    ]
    shuffled = names[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == expected


def test_tone_then_name_break_ties() -> None:
    # Same toneless spelling: tones decide (李 li3 < 力 li4)...
    assert sorted(["王力", "王李"], key=sort_key) == ["王李", "王力"]
    assert sorted(["仇明", "邱明"], key=sort_key) == ["邱明", "仇明"]  # qiu1 < qiu2
    # ...and identical readings fall back to the name itself, so order is total.
    a, b = "张伟", "章伟"
    assert sort_key(a)[:2] == sort_key(b)[:2]
    assert sorted([b, a], key=sort_key) == sorted([a, b], key=sort_key) == sorted([a, b])


def test_key_shape() -> None:
    syllables, tones, name = sort_key("曾国藩")
    assert syllables == ("zeng", "guo", "fan")
    assert tones == (1, 2, 1)
    assert name == "曾国藩"


def test_non_chinese_parts_are_lowercased_words() -> None:
    assert name_pinyin("David 李") == "david li"
    assert name_syllables("ＡＢ张") == ["ab", "zhang"]


@given(st.lists(st.text(alphabet="曾单解仇区张王李陈赵长孙尉迟万俟·", min_size=1, max_size=5)))
def test_sorting_is_deterministic(names: list[str]) -> None:
    once = sorted(names, key=sort_key)
    assert sorted(reversed(names), key=sort_key) == once
    assert sorted(once, key=sort_key) == once


_NAMES = st.text(
    alphabet=st.sampled_from("曾单解王李张刘陈区查长孙令狐国明华小a B1·"), min_size=1, max_size=5
)


@given(st.lists(_NAMES, min_size=2, max_size=12))
def test_stored_sort_key_orders_as_sort_key(names: list[str]) -> None:
    # The pool sorts by the stored string key; it must give exactly the tuple key's order.
    assert sorted(names, key=stored_sort_key) == sorted(names, key=sort_key)

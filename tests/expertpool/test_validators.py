"""Tests for expertpool.validators.

Check characters are recomputed here from the published algorithms (independent of the
implementation under test) so that a shared mistake cannot make both agree.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expertpool.errors import UserError
from expertpool.validators import (
    ValidationError,
    id_card_birth_date,
    id_card_birth_year,
    id_card_gender,
    make_id_card,
    make_uscc,
    mask_id_card,
    validate_email,
    validate_id_card,
    validate_name,
    validate_phone,
    validate_uscc,
)

# --- independent reference implementations ---------------------------------------------


def ref_id_check(body17: str) -> str:
    """GB 11643-1999: weight of position i (1-based from the left) is 2**(18-i) mod 11."""
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(body17))
    return {0: "1", 1: "0", 2: "X"}.get(total % 11, str(12 - total % 11))


REF_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def ref_uscc_check(body17: str) -> str:
    """GB 32100-2015: weight of position i (0-based) is 3**i mod 31."""
    total = sum(REF_USCC_CHARS.index(c) * (3**i % 31) for i, c in enumerate(body17))
    return REF_USCC_CHARS[(31 - total % 31) % 31]


def test_reference_weights_match_the_published_tables() -> None:
    assert [2 ** (17 - i) % 11 for i in range(17)] == [
        7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2,
    ]  # fmt: skip
    assert [3**i % 31 for i in range(17)] == [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ]  # fmt: skip


# --- 身份证号 ---------------------------------------------------------------------------

GB11643_EXAMPLE = "11010519491231002X"  # the example printed in GB 11643-1999
DALIAN_X = "21020219800105123X"
DALIAN_MALE = "210202198001011238"  # check digit 8


def test_reference_agrees_with_published_examples() -> None:
    assert ref_id_check(GB11643_EXAMPLE[:17]) == "X"
    assert ref_id_check(DALIAN_X[:17]) == "X"
    assert ref_id_check(DALIAN_MALE[:17]) == "8"
    assert ref_uscc_check("91350100M000100Y4") == "3"


@pytest.mark.parametrize("code", [GB11643_EXAMPLE, DALIAN_X, DALIAN_MALE])
def test_valid_id_cards(code: str) -> None:
    assert validate_id_card(code) == code


def test_id_card_normalisation() -> None:
    assert validate_id_card("11010519491231002x") == GB11643_EXAMPLE
    assert validate_id_card("  110105 19491231 002x ") == GB11643_EXAMPLE


def test_id_card_derived_fields() -> None:
    assert id_card_birth_year(GB11643_EXAMPLE) == 1949
    assert id_card_birth_date(GB11643_EXAMPLE) == date(1949, 12, 31)
    assert id_card_gender(GB11643_EXAMPLE) == "女"  # 17th digit 2
    assert id_card_gender(DALIAN_MALE) == "男"  # 17th digit 3
    assert mask_id_card(DALIAN_X) == "210202********123X"
    assert mask_id_card("21020219800105123x") == "210202********123X"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("11010519491231002", "18位"),
        ("11010519491231002X1", "18位"),
        ("110105194912310021", "校验位错误"),
        ("210202198001011234", "校验位错误"),
        ("1101051949123100XX", "格式错误"),
        ("11010519491231002Y", "格式错误"),
        ("１１０１０５19491231002X", "格式错误"),  # full-width digits
        ("\u0661\u0661010519491231002X", "格式错误"),  # Arabic-Indic digits
        ("910105194912310021", "地址码"),
        ("010105194912310021", "地址码"),
        ("", "不能为空"),
    ],
)
def test_invalid_id_cards(code: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        validate_id_card(code)
    assert info.value.field == "身份证号"
    assert isinstance(info.value, UserError)


@pytest.mark.parametrize(
    "birth",
    ["19490230", "19491301", "19490001", "18991231", "20230229"],
)
def test_invalid_birth_dates(birth: str) -> None:
    body = "110105" + birth + "002"
    code = body + ref_id_check(body)
    with pytest.raises(ValidationError, match="出生日期无效"):
        validate_id_card(code)


def test_birth_date_bounds() -> None:
    today = date(2024, 7, 1)  # a fixed day: the bound, not the wall clock, is under test
    tomorrow = today + timedelta(days=1)
    body = "210202" + tomorrow.strftime("%Y%m%d") + "123"
    with pytest.raises(ValidationError, match="出生日期无效"):
        validate_id_card(body + ref_id_check(body), today=today)
    body = "21020219000101" + "123"
    assert validate_id_card(body + ref_id_check(body)).startswith("210202")
    leap = "21020220000229" + "123"
    assert validate_id_card(leap + ref_id_check(leap))
    assert validate_id_card(DALIAN_MALE, today=date(1980, 1, 1)) == DALIAN_MALE
    with pytest.raises(ValidationError, match="出生日期无效"):
        validate_id_card(DALIAN_MALE, today=date(1979, 12, 31))


def test_make_id_card() -> None:
    assert make_id_card(GB11643_EXAMPLE[:17]) == GB11643_EXAMPLE
    with pytest.raises(ValidationError):
        make_id_card("1234")
    with pytest.raises(ValidationError, match="出生日期无效"):
        make_id_card("11010519491332002")


# Up to a fixed past day: every such birth date is valid whenever the test runs.
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 7, 1))
id_bodies = st.builds(
    lambda region, birth, seq: f"{region}{birth:%Y%m%d}{seq}",
    st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
    birth_dates,
    st.from_regex(r"[0-9]{3}", fullmatch=True),
)


@given(id_bodies)
def test_make_id_card_always_validates(body: str) -> None:
    code = make_id_card(body)
    assert code[:17] == body
    assert code[17] == ref_id_check(body)
    assert validate_id_card(code) == code
    assert id_card_gender(code) == ("男" if int(body[16]) % 2 else "女")


@given(id_bodies, st.sampled_from("0123456789X"))
def test_wrong_id_check_char_rejected(body: str, check: str) -> None:
    if check == ref_id_check(body):
        return
    with pytest.raises(ValidationError, match="校验位错误"):
        validate_id_card(body + check)


@given(id_bodies, st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_single_digit_change_in_body_detected(body: str, pos: int, delta: int) -> None:
    code = make_id_card(body)
    changed = code[:pos] + str((int(code[pos]) + delta) % 10) + code[pos + 1 :]
    with pytest.raises(ValidationError):
        validate_id_card(changed)


# --- 统一社会信用代码 -------------------------------------------------------------------

USCC_EXAMPLE = "91350100M000100Y43"


def test_valid_uscc() -> None:
    assert validate_uscc(USCC_EXAMPLE) == USCC_EXAMPLE
    assert validate_uscc("91350100m000100y43") == USCC_EXAMPLE
    assert validate_uscc(" 91350100M000100Y43 ") == USCC_EXAMPLE
    body = "12210200" + "46269036X"  # 事业单位, Dalian region
    code = body + ref_uscc_check(body)
    assert validate_uscc(code) == code
    body = "51210200" + "MJ0000000"  # 社会团体
    assert validate_uscc(body + ref_uscc_check(body))


def test_uscc_check_digit_31_maps_to_zero() -> None:
    # Search a body whose weighted sum is a multiple of 31 and check the "31 -> 0" rule.
    prefix = "9121020000000000"
    for last in REF_USCC_CHARS:
        body = prefix + last
        total = sum(REF_USCC_CHARS.index(c) * (3**i % 31) for i, c in enumerate(body))
        if total % 31 == 0:
            assert make_uscc(body) == body + "0"
            break
    else:  # pragma: no cover - the 31 candidates cover every residue
        pytest.fail("no body with sum divisible by 31")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y4", "18位"),
        ("91350100M000100Y44", "校验位错误"),
        ("91350100M000100I43", "非法字符"),
        ("91350100O000100Y43", "非法字符"),
        ("91350100M000100Z43", "非法字符"),
        ("91350100M000100S43", "非法字符"),
        ("91350100M000100V43", "非法字符"),
        ("B1350100M000100Y43", "登记管理部门"),
        ("94350100M000100Y43", "机构类别"),
        ("Y2350100M000100Y43", "机构类别"),
        ("913501A0M000100Y43", "行政区划"),
        ("", "不能为空"),
    ],
)
def test_invalid_uscc(code: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        validate_uscc(code)
    assert info.value.field == "统一社会信用代码"


uscc_bodies = st.builds(
    lambda head, region, org: head + region + org,
    st.sampled_from(["11", "12", "13", "19", "51", "52", "53", "59", "91", "92", "93", "Y1"]),
    st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
    st.text(alphabet=REF_USCC_CHARS, min_size=9, max_size=9),
)


@given(uscc_bodies)
def test_make_uscc_always_validates(body: str) -> None:
    code = make_uscc(body)
    assert code[:17] == body
    assert code[17] == ref_uscc_check(body)
    assert validate_uscc(code) == code


@given(uscc_bodies, st.sampled_from(REF_USCC_CHARS))
def test_wrong_uscc_check_char_rejected(body: str, check: str) -> None:
    if check == ref_uscc_check(body):
        return
    with pytest.raises(ValidationError, match="校验位错误"):
        validate_uscc(body + check)


@given(uscc_bodies, st.integers(min_value=8, max_value=16), st.integers(1, 30))
def test_single_char_change_in_uscc_body_detected(body: str, pos: int, delta: int) -> None:
    code = make_uscc(body)
    replaced = REF_USCC_CHARS[(REF_USCC_CHARS.index(code[pos]) + delta) % 31]
    with pytest.raises(ValidationError, match="校验位错误"):
        validate_uscc(code[:pos] + replaced + code[pos + 1 :])


# --- 联系电话 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13804111234", "13804111234"),
        ("138 0411 1234", "13804111234"),
        ("138-0411-1234", "13804111234"),
        ("+86 138 0411 1234", "13804111234"),
        ("+8613804111234", "13804111234"),
        ("8613804111234", "13804111234"),
        ("19912345678", "19912345678"),
        ("0411-84358510", "0411-84358510"),
        ("041184358510", "0411-84358510"),
        ("0411 8435 8510", "0411-84358510"),
        ("(0411)84358510", "0411-84358510"),
        ("（0411）84358510", "0411-84358510"),
        ("0411-87597266-509", "0411-87597266-509"),
        ("0411-87597266转509", "0411-87597266-509"),
        ("+86 411 84358510", "0411-84358510"),
        ("010-62345678", "010-62345678"),
        ("02162345678", "021-62345678"),
        ("0411-3999763", "0411-3999763"),
    ],
)
def test_valid_phones(raw: str, expected: str) -> None:
    assert validate_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "12345678901",  # mobile prefix 12 does not exist
        "1380411123",  # 10 digits
        "138041112345",  # 12 digits
        "84358510",  # no area code
        "411-84358510",  # area code without 0
        "0411-0435851",  # local number starting with 0
        "02112345678",  # local number starting with 1
        "0411-843585101",  # 9-digit local number
        "0411-84358510-",  # empty extension
        "0411-84358510-1234567",  # 7-digit extension
        "abc",
        "0411-8435851a",
    ],
)
def test_invalid_phones(raw: str) -> None:
    with pytest.raises(ValidationError, match="联系电话") as info:
        validate_phone(raw)
    assert info.value.field == "联系电话"


def test_notice_phones_are_valid() -> None:
    for phone in ["0411-82471711", "0411-39997638", "0411-87597266-509", "0411-62693294"]:
        assert validate_phone(phone) == phone


# --- 电子邮箱 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("zhangsan@example.com", "zhangsan@example.com"),
        ("Zhang.San@Example.COM", "Zhang.San@example.com"),
        ("  li_si+pool@mail.dl.gov.cn ", "li_si+pool@mail.dl.gov.cn"),
        ("wang-wu@dlut.edu.cn", "wang-wu@dlut.edu.cn"),
        ("a@b.co", "a@b.co"),
    ],
)
def test_valid_emails(raw: str, expected: str) -> None:
    assert validate_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "zhangsan",
        "zhangsan@",
        "@example.com",
        "zhang san@example.com",
        "zhangsan@example",
        "zhangsan@@example.com",
        "a@b@example.com",
        ".zhangsan@example.com",
        "zhang..san@example.com",
        "zhangsan.@example.com",
        "zhangsan@-example.com",
        "zhangsan@example-.com",
        "zhangsan@example..com",
        "zhangsan@example.c",
        "zhangsan@example.123",
        "张三@example.com",
        "x" * 65 + "@example.com",
        "a@" + ("b" * 63 + ".") * 4 + "com",
    ],
)
def test_invalid_emails(raw: str) -> None:
    with pytest.raises(ValidationError, match="电子邮箱") as info:
        validate_email(raw)
    assert info.value.field == "电子邮箱"


# --- 姓名 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张三", "张三"),
        (" 张 三 ", "张三"),
        ("张\u3000三", "张三"),
        ("欧阳娜娜", "欧阳娜娜"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("𠇔洋", "𠇔洋"),
        ("一" * 20, "一" * 20),
    ],
)
def test_valid_names(raw: str, expected: str) -> None:
    assert validate_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "不能为空"),
        ("   ", "不能为空"),
        ("张", "2至20"),
        ("一" * 21, "2至20"),
        ("Zhang San", "汉字"),
        ("张3", "汉字"),
        ("·张三", "汉字"),
        ("张三·", "汉字"),
        ("张··三", "汉字"),
        ("张三（主任）", "汉字"),
    ],
)
def test_invalid_names(raw: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as info:
        validate_name(raw)
    assert info.value.field == "姓名"

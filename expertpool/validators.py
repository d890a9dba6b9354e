"""Pure validation and normalisation functions for personal and organisation identifiers.

Every ``validate_*`` function returns the normalised value or raises :class:`ValidationError`
with a Chinese message that names the offending field.
"""

from __future__ import annotations

import re
from datetime import date

from expertpool.errors import UserError

__all__ = [
    "ValidationError",
    "has_control_characters",
    "id_card_birth_date",
    "id_card_birth_year",
    "id_card_check_char",
    "id_card_gender",
    "make_id_card",
    "make_uscc",
    "mask_id_card",
    "strip_control_characters",
    "uscc_check_char",
    "validate_email",
    "validate_id_card",
    "validate_name",
    "validate_phone",
    "validate_uscc",
]


class ValidationError(UserError):
    """A single field failed validation; ``field`` names it."""


# ---------------------------------------------------------------------------
# Control characters: the one rule for every form field, URL part and spreadsheet cell
# ---------------------------------------------------------------------------

# C0 control characters other than tab and line breaks, and DEL. PostgreSQL cannot store NUL,
# xlsx cannot hold most C0 characters, and none of them is ever typed on purpose.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a control character (C0 other than tab, CR, LF; or DEL)."""
    return _CONTROL_CHARS.search(text) is not None


ECHO_CHARS = 30


def echo(text: object, limit: int = ECHO_CHARS) -> str:
    """User input quoted back in a message: the first `limit` characters, then "…" (a
    1,000-character paste must not fill the page with itself)."""
    shown = str(text)
    return shown if len(shown) <= limit else shown[:limit] + "…"


def strip_control_characters(text: str) -> str:
    """``text`` without the characters `has_control_characters` looks for."""
    return _CONTROL_CHARS.sub("", text)


# ---------------------------------------------------------------------------
# 身份证号 (GB 11643-1999)
# ---------------------------------------------------------------------------

ID_CARD_FIELD = "身份证号"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_MAP = "10X98765432"
_ID_BODY_RE = re.compile(r"[0-9]{17}")
_ID_MIN_BIRTH = date(1900, 1, 1)


def _id_err(message: str) -> ValidationError:
    return ValidationError(message, field=ID_CARD_FIELD)


def _normalise_code_text(s: object) -> str:
    if not isinstance(s, str):
        return ""
    # Tolerate surrounding and embedded blanks (common when pasted from spreadsheets).
    return re.sub(r"[\s\u3000]+", "", s).upper()


def id_card_check_char(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits of a 身份证号."""
    if not isinstance(body17, str) or not _ID_BODY_RE.fullmatch(body17):
        raise _id_err("身份证号本体应为17位数字")
    total = sum(int(c) * w for c, w in zip(body17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_MAP[total % 11]


def _parse_birth(digits: str) -> date | None:
    try:
        return date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def validate_id_card(s: str, *, today: date | None = None) -> str:
    """Validate an 18-character 身份证号 and return it with an upper-case check character."""
    value = _normalise_code_text(s)
    if not value:
        raise _id_err("身份证号不能为空")
    if len(value) != 18:
        raise _id_err(f"身份证号应为18位，实际为{len(value)}位")
    body, check = value[:17], value[17]
    if not _ID_BODY_RE.fullmatch(body) or check not in "0123456789X":
        raise _id_err("身份证号格式错误：前17位应为数字，最后一位应为数字或X")
    if value[0] not in "12345678":
        raise _id_err("身份证号地址码无效")
    birth = _parse_birth(body[6:14])
    latest = today or date.today()
    if birth is None or not (_ID_MIN_BIRTH <= birth <= latest):
        raise _id_err("身份证号出生日期无效")
    if id_card_check_char(body) != check:
        raise _id_err("身份证号校验位错误")
    return value


def id_card_birth_date(s: str) -> date:
    """Birth date encoded in a valid 身份证号."""
    value = validate_id_card(s)
    birth = _parse_birth(value[6:14])
    assert birth is not None  # guaranteed by validate_id_card
    return birth


def id_card_birth_year(s: str) -> int:
    """Birth year encoded in a valid 身份证号."""
    return id_card_birth_date(s).year


def id_card_gender(s: str) -> str:
    """'男' when the 17th digit is odd, '女' when it is even."""
    value = validate_id_card(s)
    return "男" if int(value[16]) % 2 == 1 else "女"


def mask_id_card(s: str) -> str:
    """First 6 + '********' + last 4, e.g. ``210202********123X``."""
    value = validate_id_card(s)
    return value[:6] + "*" * 8 + value[-4:]


def make_id_card(body17: str) -> str:
    """Append the check character to a 17-digit body and validate the result."""
    body = _normalise_code_text(body17)
    return validate_id_card(body + id_card_check_char(body))


# ---------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015)
# ---------------------------------------------------------------------------

USCC_FIELD = "统一社会信用代码"
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# 登记管理部门代码 -> allowed 机构类别代码 (GB 32100-2015 table 1 and later registrations).
USCC_AUTHORITY_TYPES: dict[str, str] = {
    "1": "1239",  # 机构编制：机关、事业单位、中央编办直管群众团体、其他
    "2": "19",  # 外交
    "3": "123459",  # 司法行政
    "4": "19",  # 文化
    "5": "1239",  # 民政：社会团体、民办非企业单位、基金会、其他
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 工商：企业、个体工商户、农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业：集体经济组织
    "Y": "1",  # 其他
}


def _uscc_err(message: str) -> ValidationError:
    return ValidationError(message, field=USCC_FIELD)


def uscc_check_char(body17: str) -> str:
    """Check character for the first 17 characters of a 统一社会信用代码."""
    if not isinstance(body17, str) or len(body17) != 17:
        raise _uscc_err("统一社会信用代码本体应为17位")
    try:
        total = sum(_USCC_VALUE[c] * w for c, w in zip(body17, _USCC_WEIGHTS, strict=True))
    except KeyError as exc:
        raise _uscc_err(f"统一社会信用代码含有非法字符“{exc.args[0]}”") from None
    check = 31 - total % 31
    return USCC_CHARSET[0 if check == 31 else check]


def validate_uscc(s: str) -> str:
    """Validate an 18-character 统一社会信用代码 and return it upper-cased."""
    value = _normalise_code_text(s)
    if not value:
        raise _uscc_err("统一社会信用代码不能为空")
    if len(value) != 18:
        raise _uscc_err(f"统一社会信用代码应为18位，实际为{len(value)}位")
    bad = [c for c in value if c not in _USCC_VALUE]
    if bad:
        raise _uscc_err(f"统一社会信用代码含有非法字符“{bad[0]}”（不使用I、O、Z、S、V）")
    authority, org_type = value[0], value[1]
    if authority not in USCC_AUTHORITY_TYPES:
        raise _uscc_err("统一社会信用代码登记管理部门代码无效")
    if org_type not in USCC_AUTHORITY_TYPES[authority]:
        raise _uscc_err("统一社会信用代码机构类别代码无效")
    if not value[2:8].isdigit():
        raise _uscc_err("统一社会信用代码登记管理机关行政区划码应为6位数字")
    if uscc_check_char(value[:17]) != value[17]:
        raise _uscc_err("统一社会信用代码校验位错误")
    return value


def make_uscc(body17: str) -> str:
    """Append the check character to a 17-character body and validate the result."""
    body = _normalise_code_text(body17)
    return validate_uscc(body + uscc_check_char(body))


# ---------------------------------------------------------------------------
# 联系电话
# ---------------------------------------------------------------------------

PHONE_FIELD = "联系电话"
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE_RE = re.compile(
    r"""
    (?P<area>0(?:[12][0-9]|[3-9][0-9]{2}))        # 010, 02x or a 4-digit area code
    -?(?P<local>[2-9][0-9]{6,7})               # 7 or 8 digit local number
    (?:(?:-|转|EXT\.?|X)(?P<ext>[0-9]{1,6}))?  # optional extension
    """,
    re.VERBOSE,
)


def _phone_err(message: str) -> ValidationError:
    return ValidationError(message, field=PHONE_FIELD)


def validate_phone(s: str) -> str:
    """Normalise a mobile number to 11 digits, or a landline to ``0411-84358510[-ext]``."""
    if not isinstance(s, str) or not s.strip():
        raise _phone_err("联系电话不能为空")
    text = s.strip().upper()
    text = text.replace("（", "(").replace("）", ")").replace("－", "-").replace("—", "-")
    text = re.sub(r"[\s\u3000]+", "", text)
    # (0411)84358510 -> 0411-84358510
    text = re.sub(r"^\((0[0-9]{2,3})\)-?", r"\1-", text)
    # Country code: +86 / 0086 before a mobile or an area code (whose leading 0 is dropped).
    intl = re.match(r"^(?:\+|00)86-?(.*)$", text)
    if intl:
        rest = intl.group(1)
        if _MOBILE_RE.fullmatch(rest.replace("-", "")):
            return rest.replace("-", "")
        text = rest if rest.startswith("0") else "0" + rest
    elif re.fullmatch(r"86-?1[0-9]{10}", text.replace("-", "")):
        return validate_phone(text.replace("-", "")[2:])
    compact_mobile = text.replace("-", "")
    if compact_mobile.startswith("1"):
        if _MOBILE_RE.fullmatch(compact_mobile):
            return compact_mobile
        raise _phone_err("联系电话格式错误：手机号应为11位，以13-19开头")
    match = _LANDLINE_RE.fullmatch(text)
    if match is None:
        raise _phone_err("联系电话格式错误：应为11位手机号或带区号的固定电话（如0411-84358510）")
    normalised = f"{match['area']}-{match['local']}"
    if match["ext"]:
        normalised += f"-{match['ext']}"
    return normalised


# ---------------------------------------------------------------------------
# 电子邮箱
# ---------------------------------------------------------------------------

EMAIL_FIELD = "电子邮箱"
_EMAIL_LOCAL_RE = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
)
_EMAIL_LABEL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_EMAIL_TLD_RE = re.compile(r"[A-Za-z]{2,63}")


def validate_email(s: str) -> str:
    """Pragmatic address check (local@domain.tld); the domain is lower-cased."""
    if not isinstance(s, str) or not s.strip():
        raise ValidationError("电子邮箱不能为空", field=EMAIL_FIELD)
    value = s.strip()
    bad = ValidationError(f"电子邮箱格式错误：{value}", field=EMAIL_FIELD)
    if len(value) > 254 or value.count("@") != 1:
        raise bad
    local, domain = value.split("@")
    if not (1 <= len(local) <= 64) or not _EMAIL_LOCAL_RE.fullmatch(local):
        raise bad
    labels = domain.split(".")
    if len(domain) > 253 or len(labels) < 2:
        raise bad
    if not all(_EMAIL_LABEL_RE.fullmatch(label) for label in labels):
        raise bad
    if not _EMAIL_TLD_RE.fullmatch(labels[-1]):
        raise bad
    return f"{local}@{domain.lower()}"


# ---------------------------------------------------------------------------
# 姓名
# ---------------------------------------------------------------------------

NAME_FIELD = "姓名"
NAME_DOT = "·"
_NAME_DOT_VARIANTS = "•・‧∙⋅．.･"
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_NAME_RE = re.compile(rf"[{_HAN}]+(?:{NAME_DOT}[{_HAN}]+)*")


def validate_name(s: str) -> str:
    """Chinese personal name, 2-20 characters; '·' allowed between parts of minority names."""
    if not isinstance(s, str):
        raise ValidationError("姓名不能为空", field=NAME_FIELD)
    value = re.sub(r"[\s\u3000]+", "", s)
    for variant in _NAME_DOT_VARIANTS:
        value = value.replace(variant, NAME_DOT)
    if not value:
        raise ValidationError("姓名不能为空", field=NAME_FIELD)
    if not (2 <= len(value) <= 20):
        raise ValidationError("姓名长度应为2至20个字", field=NAME_FIELD)
    if not _NAME_RE.fullmatch(value):
        raise ValidationError("姓名只能包含汉字，少数民族姓名可用“·”分隔", field=NAME_FIELD)
    return value

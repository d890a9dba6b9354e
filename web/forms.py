"""WTForms classes. Field rules live in the services; these forms carry CSRF and render.

Fields are marked required for display only (`Mark`); the service validates and its
messages are attached to the fields with `apply_errors`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # not in the stubs yet
from wtforms.validators import Length

from expertpool.catalogue.loader import SERIES
from expertpool.models.enums import GENDERS, RANKS
from expertpool.services.nominations import MAX_TEXT
from expertpool.spreadsheet import MAX_FILE_BYTES

if TYPE_CHECKING:
    # Flask-WTF ships no type hints; WTForms does (types-WTForms). For the type checker a
    # FlaskForm is a WTForms form with `validate_on_submit`, so field access stays typed.
    from wtforms import FileField, Form

    class FlaskForm(Form):
        def validate_on_submit(self, extra_validators: Sequence[Any] | None = None) -> bool: ...

else:
    from flask_wtf import FlaskForm
    from flask_wtf.file import FileField

__all__ = [
    "EmptyForm",
    "FlaskForm",
    "Limit",
    "Mark",
    "NominationForm",
    "ReasonForm",
    "UploadForm",
    "apply_errors",
]


class Mark:
    """Marks a field as required on the page (asterisk); validation is the service's job."""

    field_flags = {"required": True}

    def __call__(self, form: object, field: object) -> None:
        return None


class Limit(Length):
    """The server's length limit of a field, for the page: WTForms renders it as `maxlength`
    (the field macro adds a counter to text areas). Checking stays with the service, which
    names the field in its message; so this validator never fails on its own."""

    def __init__(self, max_chars: int) -> None:
        super().__init__(max=max_chars)

    def __call__(self, form: object, field: object) -> None:
        return None


def _int_or_zero(value: object) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


def _choices(values: Iterable[str]) -> list[SelectChoice]:
    return [SelectChoice("", "请选择"), *(SelectChoice(v, v) for v in values)]


class NominationForm(FlaskForm):
    name = StringField("姓名", validators=[Mark()])
    gender = SelectField(
        "性别", choices=_choices(GENDERS), validate_choice=False, validators=[Mark()]
    )
    id_card = StringField(
        "身份证号", validators=[Mark()], render_kw={"maxlength": 18, "autocomplete": "off"}
    )
    rank = SelectField(
        "职称级别", choices=_choices(reversed(RANKS)), validate_choice=False, validators=[Mark()]
    )
    title_name = StringField(
        "职称名称",
        validators=[Mark()],
        render_kw={"placeholder": "如：教授、正高级工程师、主任医师"},
    )
    series = SelectField(
        "系列", choices=_choices(SERIES), validate_choice=False, validators=[Mark()]
    )
    phone = StringField("联系电话", validators=[Mark()], render_kw={"type": "tel"})
    email = StringField("电子邮箱", validators=[Mark()], render_kw={"type": "email"})
    committee_ids = SelectMultipleField(
        "推荐评委会", coerce=_int_or_zero, validate_choice=False, validators=[Mark()]
    )
    specialties = SelectMultipleField("专业", validate_choice=False, validators=[Mark()])
    recommendation = TextAreaField("单位推荐意见", validators=[Mark(), Limit(MAX_TEXT)])
    pledge_personal = BooleanField(
        "个人承诺：本人承诺所提供的信息真实、准确，遵守评审工作纪律，自觉接受监督，如有虚假愿承担相应责任。"
    )
    pledge_unit = BooleanField(
        "单位承诺：本单位已对被推荐人的信息进行审核，确认真实、准确，并对推荐意见负责。"
    )
    token = HiddenField()


class UploadForm(FlaskForm):
    # app.js refuses a file over `data-max-bytes` before sending it (the server's limit).
    file = FileField(
        "选择xlsx文件", render_kw={"accept": ".xlsx", "data-max-bytes": MAX_FILE_BYTES}
    )


class ReasonForm(FlaskForm):
    reason = StringField("理由")


class EmptyForm(FlaskForm):
    """Only the CSRF token (buttons that post)."""


def apply_errors(form: FlaskForm, errors: dict[str, str]) -> None:
    for key, message in errors.items():
        field = getattr(form, key, None)
        if field is not None:
            field.errors = [*list(field.errors or []), message]

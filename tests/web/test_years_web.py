"""年度管理 through the Flask test client: open a year (with confirmation), edit, retire,
import; every screen then follows the opened year."""

from __future__ import annotations

from datetime import datetime

from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Meeting, WorkingYear
from expertpool.services import years as ys
from tests.fixtures.web import Clock, csrf_token, do_login

HEADER = "\t".join(ys.HEADERS)


def _open_2025(client: FlaskClient, **extra: str) -> str:
    token = csrf_token(client, "/bureau/years")
    data = {"csrf_token": token, "deadline": "2025-07-20", "confirm": "yes", **extra}
    return client.post("/bureau/years", data=data, follow_redirects=True).get_data(as_text=True)


def test_opening_needs_the_confirmation(demo_db: Engine, client: FlaskClient) -> None:
    do_login(client, "rsj")
    page = client.get("/bureau/years").get_data(as_text=True)
    assert "2024年度" in page and "开启2025年度" in page
    html = _open_2025(client, confirm="")
    assert "未能开启：请勾选确认" in html
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.get(WorkingYear, 2025) is None


def test_open_year_then_every_screen_says_2025(
    demo_db: Engine, client: FlaskClient, clock: Clock
) -> None:
    do_login(client, "rsj")
    html = _open_2025(client)
    assert "已开启2025年度" in html and "2025-S01" in html
    clock.now = datetime(2025, 3, 1, 9, 0)
    settings = client.get("/bureau/settings").get_data(as_text=True)
    assert "2025年度设置" in settings and "2025年7月20日 23:59" in settings
    assert "2024年度" not in client.get("/bureau/dashboard").get_data(as_text=True)
    do_login(client, "dlut")
    unit_page = client.get("/unit/").get_data(as_text=True)
    assert "2025" in unit_page and "2024年" not in unit_page


def test_edit_retire_and_import_on_the_year_page(demo_db: Engine, client: FlaskClient) -> None:
    do_login(client, "rsj")
    _open_2025(client)
    url = "/bureau/years/2025/committees/2025-S02"
    token = csrf_token(client, url)
    form = {
        "csrf_token": token,
        "specialties": "计量、质量",
        "meeting_period": "11月上旬",
        "dossier": "9月上旬",
        "department": "大连市市场监管局",
        "contact": "宋达康",
        "phone": "0411-84358510",
    }
    bad = client.post(url, data={**form, "phone": "12"}).get_data(as_text=True)
    assert "未保存" in bad and 'class="error"' in bad
    html = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "已保存" in html and "2025年11月1日" in html
    token = csrf_token(client, "/bureau/years/2025")
    refused = client.post("/bureau/years/2025/retire/2025-S21", data={"csrf_token": token})
    assert "请勾选确认撤销" in refused.get_data(as_text=True)
    done = client.post(
        "/bureau/years/2025/retire/2025-S21",
        data={"csrf_token": token, "confirm": "yes"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已撤销" in done and "meeting-2025-S21" not in done
    table = "\n".join([HEADER, "1\t大连市某评审委员会\t\t10月下旬\t8月下旬\t局\t人\t0411-84358510"])
    errs = client.post(
        "/bureau/years/2025/import", data={"csrf_token": token, "table": table}
    ).get_data(as_text=True)
    assert "全部未导入" in errs and "第2行「评委会名称」" in errs and "第2行「专业设置」" in errs
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.scalar(select(Meeting).where(Meeting.code == "2025-S25")) is None


def test_an_ended_year_is_read_only(demo_db: Engine, client: FlaskClient, clock: Clock) -> None:
    do_login(client, "rsj")
    _open_2025(client)
    # opened early: 2024 is still the current year, its committee data frozen
    page = client.get("/bureau/years/2024").get_data(as_text=True)
    assert "2024年度（当前年度）的评委会信息不能再修改" in page
    assert "/bureau/years/2024/committees/" not in page
    clock.now = datetime(2025, 3, 1, 9, 0)
    page = client.get("/bureau/years/2024").get_data(as_text=True)
    assert "2024年度已结束" in page and "/bureau/years/2024/committees/" not in page
    assert client.get("/bureau/years/2031").status_code == 404

"""Issue 23 item 7: small things seen on the walk through the screens."""

from __future__ import annotations

import ast
import io
import pathlib
import re
from datetime import datetime

from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Meeting
from expertpool.seeds import SeedSequence
from expertpool.services import audit
from expertpool.services import meeting_record as mr
from expertpool.services import panels as svc
from expertpool.services.meeting_record import sheets
from expertpool.services.packages import find_meeting
from tests.builders import S01, ZJJ, small_meeting
from tests.fixtures.web import Clock, csrf_token, do_login
from tests.web.test_meetingday import seal
from tests.web.test_office import _rules_form, _specialty, xlsx
from web.bureau.dashboard import DARK_GREEN, GREEN, ORANGE, RED

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _literals(node: ast.expr) -> list[str] | None:
    """The action strings an argument can take, or None when it is not spelled out here."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _literals(node.body), _literals(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def _assigned(fn: ast.FunctionDef, name: str) -> list[str]:
    """Actions assigned to a local `name` (`action = "x"` or `action, d = "x", {...}`)."""
    out: list[str] = []
    for node in ast.walk(fn):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            value: ast.expr | None = None
            if isinstance(target, ast.Name) and target.id == name:
                value = node.value
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                for t, v in zip(target.elts, node.value.elts, strict=False):
                    if isinstance(t, ast.Name) and t.id == name:
                        value = v
            if value is not None:
                values = _literals(value)
                assert values is not None, ast.unparse(node)
                out += values
    assert out, f"cannot resolve audit action {name} in {fn.name}"
    return out


def _forwarded(tree: ast.Module, call: ast.Call, name: str) -> list[str]:
    """Actions passed through a parameter `name` of the function holding `call`."""
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef) or call not in list(ast.walk(fn)):
            continue
        params = [a.arg for a in fn.args.args]
        if name not in params:
            return _assigned(fn, name)
        pos = params.index(name)
        out: list[str] = []
        for other in ast.walk(tree):
            if isinstance(other, ast.Call) and getattr(other.func, "id", None) == fn.name:
                values = _literals(other.args[pos])
                assert values is not None, ast.unparse(other)
                out += values
        assert out, fn.name
        return out
    raise AssertionError(f"cannot resolve audit action {name}")


def written_actions() -> set[str]:
    """Every action an audit.record call in expertpool/ or web/ can write."""
    found: set[str] = set()
    for top in ("expertpool", "web"):
        for path in (ROOT / top).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "record"
                    and getattr(node.func.value, "id", None) == "audit"
                ):
                    continue
                arg = node.args[3] if len(node.args) > 3 else None
                if arg is None:
                    arg = next(k.value for k in node.keywords if k.arg == "action")
                values = _literals(arg)
                if values is None:
                    assert isinstance(arg, ast.Name), f"{path}:{node.lineno}"
                    values = _forwarded(tree, node, arg.id)
                found.update(values)
    return found


def test_every_written_audit_action_has_a_chinese_label() -> None:
    actions = written_actions()
    assert {"meeting_view", "meeting_filed", "user_create", "season_draw"} <= actions
    missing = sorted(a for a in actions if a not in audit.ACTIONS)
    assert not missing, missing
    assert all(not label.isascii() for label in audit.ACTIONS.values())


def test_audit_log_names_meeting_record_actions(client: FlaskClient, demo_db: Engine) -> None:
    meeting_actions = [
        "meeting_view",
        "meeting_attendance",
        "meeting_votes",
        "meeting_close",
        "meeting_filed",
    ]
    with session_scope(make_session_factory(demo_db)) as s:
        for action in meeting_actions:
            audit.record(s, "zjj", "office", action, "2024-S01", {})
    do_login(client, "jianguan")
    page = client.get("/regulator/audit").get_data(as_text=True)
    for action in meeting_actions:
        label = audit.ACTIONS[action]
        assert f"<td>{label}</td>" in page, action
        assert f'<option value="{action}">{label}</option>' in page, action
        assert f"<td>{action}</td>" not in page
    filtered = client.get("/regulator/audit?action=meeting_filed").get_data(as_text=True)
    assert filtered.count(f"<td>{audit.ACTIONS['meeting_filed']}</td>") == 1


def _css_rules() -> dict[str, str]:
    """`.legend i.<class>` -> its declarations, from the app's own stylesheet."""
    css = (ROOT / "web/static/css/app.css").read_text(encoding="utf-8")
    return {m[1]: m[2] for m in re.finditer(r"\.legend i\.([\w-]+) \{([^}]*)\}", css)}


def test_dashboard_legend_swatches_use_stylesheet_classes(
    demo_db: Engine, client: FlaskClient
) -> None:
    do_login(client, "rsj")
    resp = client.get("/bureau/dashboard")
    assert "style-src 'self'" in resp.headers["Content-Security-Policy"]
    html = resp.get_data(as_text=True)
    # Inline style attributes are blocked by the CSP: none may carry meaning.
    assert not re.search(r"<(?!svg|rect|line|text)[a-z]+[^>]* style=", html)
    legend = re.findall(r'<div class="legend">(.*?)</div>', html)[1]
    swatches = re.findall(r'<i class="([\w-]+)"></i>([^<]+)', legend)
    rules = _css_rules()
    colour = {
        text: re.search(r"background: (#[0-9a-f]{6})", rules[cls]).group(1)  # type: ignore[union-attr]
        for cls, text in swatches
    }
    assert colour == {
        "可用专家达到所需": GREEN,
        "可用专家不足": ORANGE,
        "可用正高级达到所需": DARK_GREEN,
        "可用正高级不足": RED,
        "竖线：所需人数（100%）": RED,
    }
    widths = {text: "width" in rules[cls] for cls, text in swatches}
    assert widths["竖线：所需人数（100%）"] and not widths["可用正高级不足"]


def _post_rules(client: FlaskClient, demo_db: Engine, **changes: str) -> tuple[int, str]:
    do_login(client, "zjj")
    form = _rules_form(demo_db, csrf_token(client, f"/office/meetings/{S01}/rules"))
    resp = client.post(f"/office/meetings/{S01}/rules", data=form | {"panel_size": "11"} | changes)
    return resp.status_code, resp.get_data(as_text=True)


def _settings(demo_db: Engine) -> object:
    with session_scope(make_session_factory(demo_db)) as s:
        return s.scalar(select(Meeting.settings).where(Meeting.code == S01))


def test_control_character_in_a_rule_names_its_label_and_keeps_the_form(
    client: FlaskClient, demo_db: Engine
) -> None:
    before = _settings(demo_db)
    status, page = _post_rules(client, demo_db, min_voters_share="2/3\x07", panel_size="13")
    assert status == 200
    errors = re.findall(r'<div class="error">([^<]+)</div>', page)
    assert errors == ["“表决评委占比”含有不可见的控制字符，请删除后重新输入"]
    assert "min_voters_share" not in re.sub(r"<[^>]+>", "", page)  # only in the markup
    assert 'id="min_voters_share" name="min_voters_share" value="2/3"' in page
    assert 'name="panel_size" value="13"' in page  # the rest of the typing is kept
    assert _settings(demo_db) == before


def test_negative_alternates_names_the_range(client: FlaskClient, demo_db: Engine) -> None:
    status, page = _post_rules(client, demo_db, alternates="-3")
    assert status == 200
    errors = re.findall(r'<div class="error">([^<]+)</div>', page)
    assert len(errors) == 1 and errors[0].startswith("备选专家人数应在0到")
    assert "应为整数" not in page


def _import_applicants(client: FlaskClient, rows: list[list[str]]) -> list[str]:
    token = csrf_token(client, f"/office/meetings/{S01}")
    resp = client.post(
        f"/office/meetings/{S01}/applicants/import",
        data={"csrf_token": token, "file": (io.BytesIO(xlsx(rows)), "a.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = resp.get_data(as_text=True)
    found = re.search(r'<ul class="import-errors" id="import-errors">(.*?)</ul>', page, re.S)
    assert found, page[:3000]
    return re.findall(r"<li>(.*?)</li>", found.group(1))


def test_one_bad_cell_gives_one_message(client: FlaskClient, demo_db: Engine) -> None:
    do_login(client, "zjj")
    spec = _specialty(demo_db)
    lines = _import_applicants(
        client,
        [
            ["王" * 600, "大连测试单位", "", spec, "工程师"],  # too long, hence also empty
            ["李四", "=1+1", "", spec, "工程师"],  # a formula, hence also empty
        ],
    )
    assert len(lines) == 2, lines
    assert "姓名" in lines[0] and "内容过长" in lines[0] and "不能为空" not in lines[0]
    assert "工作单位" in lines[1] and "不能使用公式" in lines[1] and "不能为空" not in lines[1]


def test_long_inputs_are_echoed_shortened(client: FlaskClient, demo_db: Engine) -> None:
    do_login(client, "zjj")
    lines = _import_applicants(client, [["王小明", "大连测试单位", "", "专" * 480, "工程师"]])
    assert len(lines) == 1 and f"“{'专' * 30}…”不是本评委会的专业" in lines[0], lines
    token = csrf_token(client, f"/office/meetings/{S01}")
    resp = client.post(
        f"/office/meetings/{S01}/conflicts",
        data={"csrf_token": token, "expert": "张" * 1000, "applicant_id": "1", "reason": "师生"},
        follow_redirects=True,
    )
    page = resp.get_data(as_text=True)
    assert f"“{'张' * 30}…”" in page and "张" * 31 not in page


def _day_with_attendance(client: FlaskClient, demo_db: Engine, clock: Clock) -> str:
    """S01 sealed, its day opened and every member present; returns the page's base URL."""
    seal(demo_db)
    clock.now = datetime(2024, 10, 22, 9, 0)
    do_login(client, "zjj")
    base = f"/meetingday/{S01}"
    token = csrf_token(client, base)
    assert client.post(f"{base}/open", data={"csrf_token": token}).status_code == 302
    page = client.get(base).get_data(as_text=True)
    codes = sorted({p.split('"')[0] for p in page.split('name="att_')[1:]})
    form = {"csrf_token": token, "version": "1"} | {f"att_{c}": "present" for c in codes}
    assert client.post(f"{base}/attendance", data=form).status_code == 302
    return base


def _upload_tally(
    client: FlaskClient, base: str, wb: Workbook, correction: str = ""
) -> tuple[int, str]:
    page = client.get(base).get_data(as_text=True)
    version = page.split('name="version" value="')[1].split('"')[0]
    out = io.BytesIO()
    wb.save(out)
    resp = client.post(
        f"{base}/tally",
        data={
            "csrf_token": csrf_token(client, base),
            "version": version,
            "file": (io.BytesIO(out.getvalue()), "t.xlsx"),
            "correction": correction,
        },
        content_type="multipart/form-data",
    )
    return resp.status_code, resp.get_data(as_text=True)


def test_tally_template_states_the_voters_and_the_import_checks_them(
    client: FlaskClient, demo_db: Engine, clock: Clock
) -> None:
    base = _day_with_attendance(client, demo_db, clock)
    wb = load_workbook(io.BytesIO(client.get(f"{base}/tally-template.xlsx").data))
    ws = wb.active
    assert ws is not None
    assert [c.value for c in ws[1]] == ["申报人编号", "姓名", "表决评委", "同意", "反对", "弃权"]
    with session_scope(make_session_factory(demo_db)) as s:
        meeting = find_meeting(s, S01)
        day = mr.open_day(s, meeting)
        voters = {a.code: mr.voters(day, a) for a in meeting.applicants}
    rows = list(ws.iter_rows(min_row=2))
    assert {str(r[0].value): r[2].value for r in rows} == voters
    for r in rows:
        r[3].value, r[4].value, r[5].value = voters[str(r[0].value)], 0, 0
    rows[0][2].value = voters[str(rows[0][0].value)] + 1  # a stale or mistyped count
    status, page = _upload_tally(client, base, wb)
    assert status == 200 and "第2行" in page and "表格中的表决评委为" in page
    rows[0][2].value = voters[str(rows[0][0].value)]
    status, page = _upload_tally(client, base, wb)
    assert status == 302, page[:2000]
    # a second import changing every row is one correction, shown as one line
    for r in rows:
        r[3].value, r[4].value = 0, voters[str(r[0].value)]
    status, page = _upload_tally(client, base, wb, correction="票数录反")
    assert status == 302, page[:2000]
    page = client.get(base).get_data(as_text=True)
    section = page.split('<section id="corrections">')[1].split("</section>")[0]
    lines = re.findall(r"<li>(.*?)</li>", section)
    assert len(rows) > 1 and len(lines) == 1, lines
    assert f"更正表决（{len(rows)}项）：票数录反" in lines[0]


def test_meeting_page_lists_the_template_columns(client: FlaskClient, demo_db: Engine) -> None:
    do_login(client, "zjj")
    page = client.get(f"/office/meetings/{S01}").get_data(as_text=True)
    shown = re.search(r'<span id="template-columns">共(\d+)列：([^<]+)</span>', page)
    assert shown, page[:3000]
    wb = load_workbook(
        io.BytesIO(client.get(f"/office/meetings/{S01}/applicants/template.xlsx").data)
    )
    ws = wb.active
    assert ws is not None
    headers = [str(c.value).rstrip("*") for c in ws[1] if c.value]
    assert int(shown[1]) == len(headers) == 9
    assert [h.removesuffix("（可不填）") for h in shown[2].split("、")] == headers


def test_filings_page_in_the_menu_with_chinese_dates(
    client: FlaskClient, demo_db: Engine, clock: Clock
) -> None:
    for user in ("rsj", "jianguan", "zjj"):
        do_login(client, user)
        home = client.get("/meetingday/filings").get_data(as_text=True)
        nav = home.split('aria-label="主导航"')[1].split("</nav>")[0]
        assert 'href="/meetingday/filings"' in nav and "例会备案" in nav, user
        table = home.split('id="filings"')[1].split("</table>")[0]
        assert S01 in table and not re.search(r"\d{4}-\d\d-\d\d", table), table[:1500]
        assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 至 \d{4}年", table)
    do_login(client, "rsj")
    dash = client.get("/bureau/dashboard").get_data(as_text=True)
    filings = dash.split('id="filings"')[1].split("</table>")[0]
    assert not re.search(r"\d{4}-\d\d-\d\d", filings)
    do_login(client, "zjj")  # an office sees its own committees only
    table = client.get("/meetingday/filings").get_data(as_text=True).split('id="filings"')[1]
    assert "2024-S02" not in table.split("</table>")[0]


def test_pausing_a_member_of_a_sealed_panel_warns_bureau_and_office(
    client: FlaskClient, demo_db: Engine
) -> None:
    with session_scope(make_session_factory(demo_db)) as s:
        panel = svc.draw_meeting(s, small_meeting(s, S01), ZJJ, seeds=SeedSequence("pause"))
        svc.seal(s, panel, ZJJ)
        seat = next(x for x in panel.seats if x.role == "member" and x.state == "active")
        expert_id, code, panel_id = seat.expert_id, seat.expert.code, panel.id
        committee = panel.meeting.committee.name
    do_login(client, "rsj")
    url = f"/bureau/experts/{expert_id}"
    form = {"csrf_token": csrf_token(client, url), "status": "暂停", "reason": "出国访学"}
    html = client.post(f"{url}/status", data=form, follow_redirects=True).get_data(as_text=True)
    warning = re.search(r'class="flash flash-warning"[^>]*>(.*?)</div>', html, re.S)
    assert warning, html[:3000]
    assert "变更为“暂停”" in warning[1] and "1个尚未结束的例会的已锁定评委名单" in warning[1]
    # the panel is confidential until the meeting ends: the bureau is not told which meeting
    assert S01 not in warning[1] and committee not in warning[1]
    do_login(client, "zjj")
    page = client.get(f"/office/panels/{panel_id}").get_data(as_text=True)
    notice = page.split('id="status-notices"')[1].split("</div>")[0]
    assert code in notice and "“暂停”" in notice and "出国访学" in notice
    # back in the pool: no notice, and the bureau's next change names nothing
    do_login(client, "rsj")
    form = {"csrf_token": csrf_token(client, url), "status": "在库", "reason": "已回国"}
    html = client.post(f"{url}/status", data=form, follow_redirects=True).get_data(as_text=True)
    assert "已锁定的评委名单" not in html
    do_login(client, "zjj")
    assert 'id="status-notices"' not in client.get(f"/office/panels/{panel_id}").get_data(
        as_text=True
    )


def test_tally_sheets_from_before_the_voters_column_still_import() -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheets.TALLY_SHEET
    ws.append(sheets.OLD_TALLY_HEADERS)
    ws.append(["A0001", "王小明", 5, 1, 0])
    out = io.BytesIO()
    wb.save(out)
    rows, labels = sheets.read_tally(out.getvalue())
    assert rows == {"A0001": mr.Counts(5, 1, 0)} and labels == {"A0001": "第2行"}
    assert rows["A0001"].voters is None

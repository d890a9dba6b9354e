"""The two-party seed through the web: the office sees only the commitment, the supervisor
enters part b (an office cannot: 403), the draw runs and part a is revealed; the regulator
sees every attempt, abandoned ones too; the bureau's yearly switch needs a reason."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import DrawSession
from expertpool.seeds import combine, commitment
from tests.fixtures.web import csrf_token, do_login
from tests.web.test_office import S01, small_rules


def _ask(client: FlaskClient, **form: str) -> str:
    token = csrf_token(client, f"/office/meetings/{S01}")
    resp = client.post(f"/office/meetings/{S01}/draw", data={"csrf_token": token, **form})
    assert resp.status_code == 302
    return str(resp.headers["Location"])


def test_commitment_supervisor_part_draw_reveal(client: FlaskClient, demo_db: Engine) -> None:
    small_rules(demo_db, S01)
    do_login(client, "zjj")
    location = _ask(client)
    page = client.get(location).get_data(as_text=True)
    shown = re.search(r'id="commitment">([0-9a-f]{64})<', page)
    assert shown and "等待监督人输入第二部分" in page
    assert "单个例会抽取" in page and ">single<" not in page  # the office sees words, not codes
    with session_scope(make_session_factory(demo_db)) as s:
        ds = s.scalars(select(DrawSession)).one()
        part_a, session_id = ds.office_part, ds.id
    assert shown.group(1) == commitment(part_a) and part_a not in page
    # An office account cannot enter part b.
    token = csrf_token(client, location)
    url = f"/regulator/draws/{session_id}/second"
    assert client.post(url, data={"csrf_token": token, "part_b": "1"}).status_code == 403

    do_login(client, "jianguan")
    pending = client.get("/regulator/draws").get_data(as_text=True)
    assert f"/regulator/draws/{session_id}" in pending
    token = csrf_token(client, f"/regulator/draws/{session_id}")
    message = "第二部分随机数应为1到200个字符的文字，不能含控制字符"
    for bad, words in (("", message), ("x" * 201, message), ("a\x01b", message)):
        page = client.post(
            url, data={"csrf_token": token, "part_b": bad}, follow_redirects=True
        ).get_data(as_text=True)
        assert page.count(words) == 1, bad
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.get(DrawSession, session_id).state == "pending"
    page = client.post(
        url, data={"csrf_token": token, "part_b": "监督人 20241001"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "已输入第二部分并完成抽取" in page and part_a in page
    assert combine(part_a, "监督人 20241001") in page
    panel_id = int(re.search(r'href="/regulator/panels/(\d+)"', page).group(1))
    replay = client.get(f"/regulator/panels/{panel_id}/replay").get_data(as_text=True)
    assert "与种子一致" in replay
    timeline = client.get(f"/regulator/meetings/{S01}").get_data(as_text=True)
    for words in ("发起抽取，公示承诺值", "监督人输入第二部分“监督人 20241001”", "抽取：已抽出"):
        assert words in timeline, words

    do_login(client, "zjj")
    page = client.get(location).get_data(as_text=True)
    assert part_a in page and f"/office/panels/{panel_id}" in page


def test_abandoned_commitments_are_visible(client: FlaskClient, demo_db: Engine) -> None:
    small_rules(demo_db, S01)
    do_login(client, "zjj")
    location = _ask(client)
    token = csrf_token(client, location)
    client.post(location + "/abandon", data={"csrf_token": token, "note": "规则录错"})
    do_login(client, "jianguan")
    timeline = client.get(f"/regulator/meetings/{S01}").get_data(as_text=True)
    assert "放弃抽取承诺" in timeline and "规则录错" in timeline


def test_the_yearly_switch_needs_a_reason_and_shows_on_the_panel(
    client: FlaskClient, demo_db: Engine
) -> None:
    small_rules(demo_db, S01)
    do_login(client, "rsj")
    token = csrf_token(client, "/season/")
    page = client.post(
        "/season/waiver",
        data={"csrf_token": token, "off": "1", "reason": ""},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "请填写关闭第二部分随机数的理由" in page
    client.post("/season/waiver", data={"csrf_token": token, "off": "1", "reason": "监督人未到岗"})
    do_login(client, "zjj")
    location = _ask(client)
    assert "/office/panels/" in location
    page = client.get(location).get_data(as_text=True)
    assert "监督人未到岗" in page
    do_login(client, "jianguan")
    assert "监督人未到岗" in client.get("/regulator/season/").get_data(as_text=True)


def test_upload_shows_two_verdicts_and_accepts_what_it_promises(
    client: FlaskClient, demo_db: Engine
) -> None:
    import io
    import json

    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    from tests.fixtures.web import draw_via_web

    small_rules(demo_db, S01)
    do_login(client, "zjj")
    panel_id = draw_via_web(client)
    do_login(client, "jianguan")
    page = client.get(f"/regulator/panels/{panel_id}").get_data(as_text=True)
    assert "合规" in page and "与种子一致" in page
    package = client.get(f"/regulator/panels/{panel_id}/package.json").data
    result = json.loads(client.get(f"/regulator/panels/{panel_id}/result.json").data)
    token = csrf_token(client, "/regulator/verify")

    def upload(result_bytes: bytes) -> str:
        # Encoded in memory: the test client would spool a large body to an unclosed file.
        boundary, body = encode_multipart(
            MultiDict(
                {
                    "csrf_token": token,
                    "package": FileStorage(io.BytesIO(package), "包.json"),
                    "result": FileStorage(io.BytesIO(result_bytes), "结果.json"),
                }
            )
        )
        return client.post(
            "/regulator/verify",
            data=body,
            content_type=f"multipart/form-data; boundary={boundary}",
        ).get_data(as_text=True)

    # 6 MB of padding in an extra field: accepted (the page promises 20 MB per file).
    big = dict(result, padding="x" * (6 * 1024 * 1024))
    page = upload(json.dumps(big, ensure_ascii=False).encode())
    assert "5 MB" not in page and "结果.json" in page and "包.json" in page
    assert 'id="verdict-rules"' in page and "与种子一致" in page
    # The order of the alternates changed by hand: compliant, but not the seed's draw.
    forged = dict(result, alternates=list(reversed(result["alternates"])))
    forged["original"] = dict(result["original"], alternates=forged["alternates"])
    page = upload(json.dumps(forged, ensure_ascii=False).encode())
    assert "与种子不一致" in page and "第一处不同" in page


def _together(calls: list) -> list:  # type: ignore[type-arg]
    """Run each call in its own thread, released together; their answers in order."""
    import threading

    barrier = threading.Barrier(len(calls), timeout=60)
    answers: list = [None] * len(calls)  # type: ignore[type-arg]

    def run(i: int) -> None:
        barrier.wait()
        answers[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return answers


def test_two_supervisors_enter_part_b_at_once(app, client: FlaskClient, demo_db: Engine) -> None:
    """Issue 18.1: two supervisor sessions POST part b at the same moment: one draw."""
    from sqlalchemy import func

    from expertpool.models import Panel

    small_rules(demo_db, S01)
    do_login(client, "zjj")
    session_id = int(_ask(client).rstrip("/").split("/")[-1])
    url = f"/regulator/draws/{session_id}/second"
    supervisors = [app.test_client(), app.test_client()]
    tokens = []
    for c in supervisors:
        do_login(c, "jianguan")
        tokens.append(csrf_token(c, f"/regulator/draws/{session_id}"))

    def post(c: FlaskClient, token: str, part: str):  # type: ignore[no-untyped-def]
        data = {"csrf_token": token, "part_b": part, "source": "supervisor"}
        return lambda: c.post(url, data=data, follow_redirects=True)

    answers = _together(
        [post(c, t, f"监督人{i}") for i, (c, t) in enumerate(zip(supervisors, tokens, strict=True))]
    )
    pages = [a.get_data(as_text=True) for a in answers]
    assert [a.status_code for a in answers] == [200, 200]
    assert sum("已输入第二部分并完成抽取" in p for p in pages) == 1, pages
    assert sum("该抽取已由他人输入第二部分" in p for p in pages) == 1
    with session_scope(make_session_factory(demo_db)) as s:
        assert s.scalar(select(func.count()).select_from(Panel)) == 1


def test_two_draw_clicks_in_two_tabs_open_one_commitment(
    app, client: FlaskClient, demo_db: Engine
) -> None:
    """Issue 18.2: two 抽取评委 clicks at once: one commitment, both tabs show it."""
    small_rules(demo_db, S01)
    tabs = [client, app.test_client()]
    tokens = []
    for c in tabs:
        do_login(c, "zjj")
        tokens.append(csrf_token(c, f"/office/meetings/{S01}"))

    def click(c: FlaskClient, token: str):  # type: ignore[no-untyped-def]
        return lambda: c.post(f"/office/meetings/{S01}/draw", data={"csrf_token": token})

    answers = _together([click(c, t) for c, t in zip(tabs, tokens, strict=True)])
    assert [a.status_code for a in answers] == [302, 302]
    locations = {a.headers["Location"] for a in answers}
    with session_scope(make_session_factory(demo_db)) as s:
        ds = s.scalars(select(DrawSession)).one()
    assert locations == {f"/office/draws/{ds.id}"}
    pages = [c.get(f"/office/draws/{ds.id}").get_data(as_text=True) for c in tabs]
    assert sum("已公示抽取承诺值" in p for p in pages) == 1
    assert sum("未重复发起" in p for p in pages) == 1

"""`expertpool year list|open|import`: thin adapters over the working-year services."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from expertpool.db import make_session_factory, session_scope
from expertpool.models import Meeting
from expertpool.services import years as ys


def test_year_open_list_and_import(db: Engine, runner, tmp_path: Path) -> None:
    assert runner("year", "--help").code == 0
    opened = runner("year", "open", "2025", "--deadline", "2025-07-20")
    assert opened.code == 0 and "已开启2025年度：从2024年度复制了30个评委会例会" in opened.out
    listed = runner("year", "list")
    assert listed.out.splitlines()[0].startswith("2025年度  当前年度  30个例会  推荐截止2025-07-20")
    again = runner("year", "open", "2025")
    assert again.code == 2 and again.err.strip() == "expertpool: 2025年度已经开启"
    table = tmp_path / "table.txt"
    row = "1\t大连市工程系列城乡建设行业高级专业技术资格评审委员会\t建筑工程\t11月上旬\t8月下旬\t大连市住建局\t康长平\t0411-82471711"
    table.write_text("\t".join(ys.HEADERS) + "\n" + row + "\n", encoding="utf-8")
    done = runner("year", "import", "2025", str(table))
    assert done.code == 0 and "更新1个，新增0个" in done.out
    table.write_text(
        "\t".join(ys.HEADERS) + "\n" + row.replace("11月上旬", "11月") + "\n", encoding="utf-8"
    )
    bad = runner("year", "import", "2025", str(table))
    assert bad.code == 2 and "第2行「例会时间」" in bad.out and "全部未导入" in bad.err
    with session_scope(make_session_factory(db)) as s:
        meeting = s.scalar(select(Meeting).where(Meeting.code == "2025-S01"))
        assert meeting is not None and meeting.period_text == "11月上旬"

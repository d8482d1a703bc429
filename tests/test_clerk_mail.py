"""Issue 11, the clerk's path through the mail commands: remind, email and feedback as a new clerk uses them.

Real workspaces (``reporting init`` and ``demo``), real compiles, a real SMTP
server on localhost (aiosmtpd, the fixtures of test_mail.py), messages read
back with Python's email parser.
"""

from __future__ import annotations

import email
import json
import os
import shutil
import time
from email import policy
from pathlib import Path
from typing import Any

import pytest
import test_mail
from click.testing import CliRunner
from test_mail import P, Server, _point_at, _results, _set_email

from reporting.core.errors import ReportingError
from reporting.deliver.mail import run_mail
from reporting.workspace.config import load_workspace

cert, env, mail_ws = test_mail.cert, test_mail.env, test_mail.mail_ws  # the fixtures of test_mail.py
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


def _cli(args: list[str]) -> Any:
    from reporting.cli import cli

    return CliRunner().invoke(cli, args)


def _text(raw: bytes) -> str:
    return email.message_from_bytes(raw, policy=policy.default).get_body(preferencelist=("plain",)).get_content()


def _parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def _sample(tmp_path: Path, periods: str = "2022-10..2022-12") -> Path:
    """init + demo: the sample's 13 units and their files for ``periods``, with _set_email's [email]."""
    folder = tmp_path / "sample"
    for args in (["init", str(folder)], ["-w", str(folder), "demo", "--periods", periods]):
        r = _cli(args)
        assert r.exit_code == 0, r.output
    _set_email(folder, host="127.0.0.1", port=1, security="none", username="",
               password_env="REPORTING_TEST_SMTP_PASSWORD",
               **{"from": "clerk@example.org"}, to=["leader@example.org"], timeout=5)
    return folder


# --------------------------------------------------------------------------- 3. remind at the start of the month


def test_remind_at_the_start_of_the_month_from_the_command_line(ws_dir: Path, env: None,
                                                                cert: tuple[Path, Path]) -> None:
    """No file received, no compile: every unit gets its own form and the deadline, drafts and --send alike."""
    ws = load_workspace(ws_dir)
    assert not any((ws_dir / "inbox").iterdir()) and not (ws_dir / "outbox" / "2023-01").exists()
    r = _cli(["-w", str(ws_dir), "remind", "--period", "2023-01"])
    assert r.exit_code == 0, r.output
    assert "本期尚未汇总（没有 results.json）：提醒全部 13 个单位" in r.output
    drafts = sorted((ws_dir / "outbox" / "2023-01" / "mail").glob("remind-*.eml"))
    assert len(drafts) == 13
    for path in drafts:
        msg = _parse(path.read_bytes())
        unit = next(u for u in ws.units if path.name.startswith(f"remind-{u.code}-"))
        [att] = list(msg.iter_attachments())
        assert att.get_filename() == f"{unit.name}2023年1月科技创新重点指标报表.xlsx"
        form = ws_dir / "outbox" / "2023-01" / "forms" / f"{unit.name}_2023年1月.xlsx"
        assert att.get_content() == form.read_bytes()
        assert "2023年2月6日" in _text(path.read_bytes())  # the 5th is a Sunday: the next working day
        assert [a.addr_spec for a in msg["To"].addresses] == list(unit.emails)
    with Server("none", cert) as server:
        _set_email(ws_dir, host="127.0.0.1", security="none", password_env="REPORTING_TEST_SMTP_PASSWORD",
                   **{"from": "clerk@example.org"})
        _point_at(ws_dir, server)
        r = _cli(["-w", str(ws_dir), "remind", "--period", "2023-01", "--send"])
        assert r.exit_code == 0, r.output
        assert len(server.received) == 13
        assert {tuple(rc) for _, rc, _ in server.received} == {tuple(u.emails) for u in ws.units}


def test_remind_before_a_compile_with_files_in_inbox_says_how_to_remind_fewer(tmp_path: Path) -> None:
    folder = _sample(tmp_path)
    r = _cli(["-w", str(folder), "remind", "--period", "2022-12"])
    assert r.exit_code == 0, r.output
    assert "提醒全部 13 个单位" in r.output and "reporting compile --period 2022-12" in r.output


# --------------------------------------------------------------------------- 4. results.json older than inbox/


def test_stale_results_refuse_every_send_before_anything_goes(mail_ws: Path, env: None,
                                                              cert: tuple[Path, Path]) -> None:
    """A file saved into inbox/ after the compile, even with an older modification time (copied, or saved
    from a mail program), stops email, remind and feedback --send with one line, exit 2; --stale-ok sends."""
    results = mail_ws / "outbox" / "2022-12" / "results.json"
    old = time.time() - 86400
    os.utime(results, (old, old))
    src = mail_ws / "late.xlsx"
    src.write_bytes(b"a form sent after the compile")
    os.utime(src, (old - 3600, old - 3600))  # modified before the compile ...
    shutil.copy2(src, mail_ws / "inbox" / "嘉泽镇_2022年12月.xlsx")  # ... arrived after it
    with Server("none", cert) as server:
        _point_at(mail_ws, server)
        for kind in ("email", "remind", "feedback"):
            r = _cli(["-w", str(mail_ws), kind, "--period", "2022-12", "--send"])
            assert r.exit_code == 2, (kind, r.output)
            lines = r.output.strip().splitlines()
            assert len(lines) == 1, r.output
            assert "reporting compile --period 2022-12" in lines[0] and "--stale-ok" in lines[0]
            assert "Traceback" not in r.output
        assert server.received == []
        assert not (mail_ws / "outbox" / "2022-12" / "mail" / "sent.json").exists()
        r = _cli(["-w", str(mail_ws), "--lang", "en", "remind", "--period", "2022-12", "--send"])
        assert r.exit_code == 2 and "compile" in r.output and "--stale-ok" in r.output
        r = _cli(["-w", str(mail_ws), "remind", "--period", "2022-12", "--send", "--stale-ok"])
        assert r.exit_code == 0, r.output
        assert len(server.received) == 1


def test_lock_files_and_notes_in_inbox_do_not_make_results_stale(mail_ws: Path, env: None,
                                                                 cert: tuple[Path, Path]) -> None:
    results = mail_ws / "outbox" / "2022-12" / "results.json"
    old = time.time() - 86400
    os.utime(results, (old, old))
    (mail_ws / "inbox" / "~$湖塘镇.xlsx").write_bytes(b"lock")  # the clerk opened a file in Excel
    (mail_ws / "inbox" / "说明.txt").write_text("12月：嘉泽镇电话说明天报", encoding="utf-8")
    with Server("none", cert) as server:
        _point_at(mail_ws, server)
        report = run_mail(load_workspace(mail_ws), "remind", P, send=True)
        assert report.failed == [] and len(server.received) == 1


def test_drafts_with_stale_results_are_written_with_a_note(mail_ws: Path) -> None:
    results = mail_ws / "outbox" / "2022-12" / "results.json"
    old = time.time() - 86400
    os.utime(results, (old, old))
    (mail_ws / "inbox" / "嘉泽镇.xlsx").write_bytes(b"new")
    r = _cli(["-w", str(mail_ws), "remind", "--period", "2022-12"])
    assert r.exit_code == 0, r.output
    assert "比 results.json 新" in r.output


def test_after_a_new_compile_sending_works(tmp_path: Path, env: None, cert: tuple[Path, Path]) -> None:
    folder = _sample(tmp_path)
    assert _cli(["-w", str(folder), "compile", "--period", "2022-12"]).exit_code == 0
    time.sleep(1.5)  # a file that arrives after the compile (timestamps allow a second's slack)
    late = folder / "inbox" / "2022年12月" / "嘉泽镇（补充）.xlsx"
    shutil.copy2(folder / "inbox" / "2022年12月" / "嘉泽镇-2022年1-12月科技指标.xlsx", late)
    with Server("none", cert) as server:
        _point_at(folder, server)
        r = _cli(["-w", str(folder), "email", "--period", "2022-12", "--send"])
        assert r.exit_code == 2 and "--stale-ok" in r.output
        time.sleep(1.1)
        assert _cli(["-w", str(folder), "compile", "--period", "2022-12"]).exit_code == 0
        r = _cli(["-w", str(folder), "email", "--period", "2022-12", "--send"])
        assert r.exit_code == 0, r.output
        assert len(server.received) == 1


# --------------------------------------------------------------------------- 5. the reminder tells the truth


def _reminder(folder: Path, code: str) -> str:
    [path] = (folder / "outbox" / "2022-12" / "mail").glob(f"remind-{code}-*.eml")
    return _text(path.read_bytes())


def test_reminder_names_an_unusable_file_with_its_reason_and_not_earlier_months(tmp_path: Path) -> None:
    """Compiled from real files: 湟里镇 sent only last month's form again, 嘉泽镇 a file that cannot be read."""
    folder = _sample(tmp_path)
    dec = folder / "inbox" / "2022年12月"
    (dec / "湟里镇.xlsx").unlink()  # 湟里镇 sent only 湟里镇（上月）.xlsx, November's form, in January
    (dec / "嘉泽镇-2022年1-12月科技指标.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    r = _cli(["-w", str(folder), "compile", "--period", "2022-12"])
    assert r.exit_code == 0, r.output
    results = json.loads((folder / "outbox" / "2022-12" / "results.json").read_text(encoding="utf-8"))
    bad = next(f for f in results["files"] if f["file"].endswith("嘉泽镇-2022年1-12月科技指标.xlsx"))
    assert bad["status"] == "rejected", bad  # unreadable: its unit is known from its name only
    r = _cli(["-w", str(folder), "remind", "--period", "2022-12"])
    assert r.exit_code == 0, r.output
    jiaze = _reminder(folder, "jiaze")
    assert f"收到的文件“嘉泽镇-2022年1-12月科技指标.xlsx”未能采用：{bad['reason']}" in jiaze
    assert "2022年10月" not in jiaze  # its October form, accepted in November, is not news
    huangli = _reminder(folder, "huangli")
    assert "湟里镇（上月）.xlsx" in huangli and "2022年11月的报表" in huangli
    assert "未能采用" not in huangli  # an accepted form of an earlier month is not "unusable"
    assert "2022年11月/湟里镇.xlsx" not in huangli and "2022年10月" not in huangli
    en = run_mail(load_workspace(folder), "remind", P, lang="en")
    text = _text(next(p for p in en.written if "huangli" in p.name).read_bytes())
    assert "湟里镇（上月）.xlsx" in text and "not for" in text


# --------------------------------------------------------------------------- 6. --unit, and changed feedback


def test_unit_option_limits_drafts_and_keeps_the_others(mail_ws: Path) -> None:
    assert len(run_mail(load_workspace(mail_ws), "feedback", P).written) == 2
    folder = mail_ws / "outbox" / "2022-12" / "mail"
    before = sorted(p.name for p in folder.glob("feedback-*.eml"))
    r = _cli(["-w", str(mail_ws), "feedback", "--period", "2022-12", "--unit", "洛阳", "--unit", "niutang"])
    assert r.exit_code == 0, r.output
    r = _cli(["-w", str(mail_ws), "feedback", "--period", "2022-12", "--unit", "牛塘镇"])
    assert r.exit_code == 0, r.output
    assert "洛阳镇" not in r.output
    assert sorted(p.name for p in folder.glob("feedback-*.eml")) == before  # --unit does not delete the others
    r = _cli(["-w", str(mail_ws), "remind", "--period", "2022-12", "--unit", "火星镇"])
    assert r.exit_code == 2 and "火星镇" in r.output and len(r.output.strip().splitlines()) == 1


def test_unit_option_on_send_sends_only_to_that_unit(mail_ws: Path, env: None,
                                                     cert: tuple[Path, Path]) -> None:
    with Server("none", cert) as server:
        _point_at(mail_ws, server)
        r = _cli(["-w", str(mail_ws), "feedback", "--period", "2022-12", "--send", "--unit", "牛塘镇"])
        assert r.exit_code == 0, r.output
        assert [rc for _, rc, _ in server.received] == [["niutang@example.org"]]


def test_changed_feedback_goes_again_to_that_unit_only(mail_ws: Path, env: None,
                                                       cert: tuple[Path, Path]) -> None:
    """Feedback whose content changed (a new compile found other problems) is sent without --resend;
    unchanged feedback is not, and the send log keeps the hash of what was sent."""
    with Server("none", cert) as server:
        _point_at(mail_ws, server)
        assert len(run_mail(load_workspace(mail_ws), "feedback", P, send=True).sent) == 2
        # a new compile: 牛塘镇's warning is another one now (no workbook: only the body changes)
        results_file = mail_ws / "outbox" / "2022-12" / "results.json"
        data = json.loads(results_file.read_text(encoding="utf-8"))
        data["issues"][1]["message"] = "本年累计比上月减少（上月 40，本月 30），请核实"
        results_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        again = run_mail(load_workspace(mail_ws), "feedback", P, send=True)
        assert [s["key"] for s in again.sent] == ["feedback:niutang"]
        assert [k["key"] for k in again.skipped] == ["feedback:luoyang"]
        assert "本月 30" in _text(server.received[-1][2])
        log = json.loads((mail_ws / "outbox" / "2022-12" / "mail" / "sent.json").read_text(encoding="utf-8"))
        digests = [r["content"] for r in log["messages"] if r["key"] == "feedback:niutang"]
        assert len(digests) == 2 and digests[0] != digests[1]
        # the next day, nothing changed: the date in the signature is not a change
        third = run_mail(load_workspace(mail_ws), "feedback", P, send=True)
        assert third.sent == [] and len(server.received) == 3


def test_results_written_for_the_fixture_are_complete(mail_ws: Path) -> None:
    """The fixture's results.json is the documented shape (a guard for the tests above)."""
    data = json.loads((mail_ws / "outbox" / "2022-12" / "results.json").read_text(encoding="utf-8"))
    assert data.keys() == _results(load_workspace(mail_ws)).keys()


def test_remind_needs_a_period(ws_dir: Path) -> None:
    r = _cli(["-w", str(ws_dir), "remind"])
    assert r.exit_code == 2 and "--period" in r.output and "Traceback" not in r.output


def test_feedback_without_results_says_compile_first(ws_dir: Path) -> None:
    with pytest.raises(ReportingError, match="reporting compile --period 2022-12"):
        run_mail(load_workspace(ws_dir), "feedback", P)


# --------------------------------------------------------------------------- 8. the bulletin's document attached

TITLE = "关于2022年12月份全区科技创新重点指标完成情况的通报"


def _docx(path: Path) -> bytes:
    import docx

    doc = docx.Document()
    doc.add_paragraph(TITLE)
    doc.save(str(path))
    return path.read_bytes()


def _pdf(path: Path) -> bytes:
    """A small, valid one-page PDF, written by hand (xref offsets computed)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return bytes(out)


def _names(raw: bytes) -> dict[str, bytes]:
    return {a.get_filename(): a.get_content() for a in _parse(raw).iter_attachments()}


def test_bulletin_email_attaches_the_document_pdf_first(mail_ws: Path, env: None, cert: tuple[Path, Path]) -> None:
    from test_mail import BULLETIN

    out = mail_ws / "outbox" / "2022-12"
    workbook = (out / BULLETIN).read_bytes()
    (out / "feedback" / "洛阳镇.pdf").write_bytes(b"%PDF-1.4 not the bulletin")  # feedback is not the bulletin
    docx_bytes = _docx(out / f"{TITLE}.docx")
    [draft] = run_mail(load_workspace(mail_ws), "bulletin", P).written
    assert _names(draft.read_bytes()) == {BULLETIN: workbook, f"{TITLE}.docx": docx_bytes}
    part = [a for a in _parse(draft.read_bytes()).iter_attachments() if a.get_filename().endswith(".docx")][0]
    assert part.get_content_type() == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert f"{TITLE}.docx" in _text(draft.read_bytes())
    pdf_bytes = _pdf(out / f"{TITLE}.pdf")
    later = time.time() + 5
    os.utime(out / f"{TITLE}.pdf", (later, later))
    with Server("ssl", cert) as server:
        _point_at(mail_ws, server)
        report = run_mail(load_workspace(mail_ws), "bulletin", P, send=True)
        assert report.failed == []
        [(_, _, raw)] = server.received
    names = _names(raw)
    assert names == {BULLETIN: workbook, f"{TITLE}.pdf": pdf_bytes}  # the PDF, not also the .docx
    part = [a for a in _parse(raw).iter_attachments() if a.get_filename().endswith(".pdf")][0]
    assert part.get_content_type() == "application/pdf"
    assert f"通报正式文件见附件：{TITLE}.pdf" in _text(raw)


def test_a_pdf_older_than_its_docx_is_stale(mail_ws: Path) -> None:
    out = mail_ws / "outbox" / "2022-12"
    _pdf(out / f"{TITLE}.pdf")
    old = time.time() - 3600
    os.utime(out / f"{TITLE}.pdf", (old, old))
    docx_bytes = _docx(out / f"{TITLE}.docx")
    [draft] = run_mail(load_workspace(mail_ws), "bulletin", P).written
    names = _names(draft.read_bytes())
    assert names[f"{TITLE}.docx"] == docx_bytes and f"{TITLE}.pdf" not in names


def test_without_a_document_only_the_workbook_goes(mail_ws: Path) -> None:
    [draft] = run_mail(load_workspace(mail_ws), "bulletin", P).written
    assert len(_names(draft.read_bytes())) == 1
    assert "正式文件" not in _text(draft.read_bytes())


def test_unit_option_with_nothing_for_that_unit_says_so(mail_ws: Path) -> None:
    r = _cli(["-w", str(mail_ws), "feedback", "--period", "2022-12", "--unit", "湖塘镇"])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "所选单位没有需要发送的反馈"
    r = _cli(["-w", str(mail_ws), "--lang", "en", "remind", "--period", "2022-12", "--unit", "hutang"])
    assert r.output.strip() == "No reminder for the units chosen with --unit"


def test_second_round_of_reminders(ws_dir: Path, env: None, cert: tuple[Path, Path]) -> None:
    """Start of month: all 13. After the compile: the one missing unit, whose reminder now names the file it
    sent (new content, so without --resend); once more: nothing; --resend: that unit only."""
    ws = load_workspace(ws_dir)
    _set_email(ws_dir, host="127.0.0.1", security="none", password_env="REPORTING_TEST_SMTP_PASSWORD",
               **{"from": "clerk@example.org"})
    with Server("none", cert) as server:
        _point_at(ws_dir, server)
        assert len(run_mail(load_workspace(ws_dir), "remind", P, send=True).sent) == 13
        out = ws.period_dir(P)
        (out / "results.json").write_text(json.dumps(_results(ws), ensure_ascii=False), encoding="utf-8")
        second = run_mail(load_workspace(ws_dir), "remind", P, send=True)
        assert [s["key"] for s in second.sent] == ["remind:jiaze"] and second.sent[0]["changed"]
        assert "嘉泽镇_11月.xlsx" in _text(server.received[-1][2])
        third = run_mail(load_workspace(ws_dir), "remind", P, send=True)
        assert third.sent == [] and "--resend" in third.skipped[0]["reason"]
        fourth = run_mail(load_workspace(ws_dir), "remind", P, send=True, resend=True)
        assert [s["key"] for s in fourth.sent] == ["remind:jiaze"]
        assert len(server.received) == 15


def test_the_reminders_deadline_is_the_one_timeliness_counts(ws_dir: Path) -> None:
    """September 2023: the 5th of October is in the National Day holiday; the next working day is the 7th (调休)."""
    from reporting.core.periods import Period

    report = run_mail(load_workspace(ws_dir), "remind", Period(2023, 9))
    text = _text(report.written[0].read_bytes())
    assert "于2023年10月7日前报送" in text and "10月5日" not in text


def test_a_file_the_compile_did_not_see_is_new_whatever_its_times(mail_ws: Path, env: None,
                                                                    cert: tuple[Path, Path]) -> None:
    """Moved on the same Windows drive, a file keeps its old times: results.json not listing it is enough."""
    (mail_ws / "inbox" / "嘉泽镇_2022年12月.xlsx").write_bytes(b"moved in, times kept")
    results = mail_ws / "outbox" / "2022-12" / "results.json"
    future = time.time() + 3600
    os.utime(results, (future, future))  # newer than the file by every timestamp
    with Server("none", cert) as server:
        _point_at(mail_ws, server)
        with pytest.raises(ReportingError, match="--stale-ok"):
            run_mail(load_workspace(mail_ws), "remind", P, send=True)
        data = json.loads(results.read_text(encoding="utf-8"))  # once compiled, it is known
        data["files"].append({**data["files"][0], "file": "嘉泽镇_2022年12月.xlsx"})
        results.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.utime(results, (future, future))
        assert run_mail(load_workspace(mail_ws), "remind", P, send=True).failed == []
        assert len(server.received) == 1


def test_remind_in_a_year_without_targets_says_so(ws_dir: Path) -> None:
    r = _cli(["-w", str(ws_dir), "remind", "--period", "2023-01"])
    assert r.exit_code == 0, r.output
    assert "注意：没有 2023 年的目标表：不计算完成率和排名" in r.output
    r = _cli(["-w", str(ws_dir), "remind", "--period", "2022-12"])
    assert "目标表" not in r.output

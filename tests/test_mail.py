"""Email delivery against real SMTP servers on localhost (aiosmtpd), in plain, STARTTLS and SSL modes.

Nothing is mocked: the servers are real, the TLS certificate is made here,
the workbooks are real .xlsx files, and the messages are read back with
Python's email parser (two policies) and, when installed, with neomutt.
"""

from __future__ import annotations

import datetime as dt
import email
import ipaddress
import json
import os
import pty
import re
import select
import shutil
import socket
import ssl
import subprocess
import time
from email import policy
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reporting.core.errors import ReportingError
from reporting.core.periods import Period
from reporting.deliver.compose import POLICY, attach
from reporting.deliver.mail import mail_report_text, run_mail
from reporting.deliver.smtp import CAFILE_ENV
from reporting.workspace.config import Workspace, load_workspace

aiosmtpd = pytest.importorskip("aiosmtpd")
from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

P = Period(2022, 12)
USER = "clerk@example.org"
SECRET = "abcdefghijklmnop"  # an authorisation code, as QQ and 163 mail issue them
PW_ENV = "REPORTING_TEST_SMTP_PASSWORD"
BULLETIN = "武进区科技创新重点指标通报_2022年12月.xlsx"
LEADERS = ["张局长 <leader@example.org>", "office@example.org"]
MISSING = "jiaze"
WITH_ERRORS = "luoyang"
WITH_WARNINGS = "niutang"
REFUSED = "lijia@example.org"
# the plain-mode server accepts AUTH without TLS on purpose (a local relay's setting)
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")


# --------------------------------------------------------------------------- inputs: results.json and workbooks


def _xlsx(path: Path, title: str, rows: list[list[Any]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = title
    for row in rows:
        sh.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path.read_bytes()


def _results(ws: Workspace) -> dict[str, Any]:
    """A small results.json after docs/results.md: 13 units, one missing, one with errors, one with warnings."""
    targets = ws.targets_for(2022)
    inds = []
    for n, ind in enumerate(ws.indicators):
        target = targets.district_target(ind.code) if targets else None
        sched = ind.schedule_at(12)
        rate = [1.05, 0.97, 0.88][n % 3] if target else None
        inds.append({"code": ind.code, "name": ind.name, "name_en": ind.name_en, "unit": ind.unit,
                     "unit_en": ind.unit_en, "decimals": ind.decimals, "weight": ind.weight, "target": target,
                     "actual": round(target * rate, ind.decimals) if target else None, "rate": rate,
                     "schedule": sched,
                     "status": "no_target" if rate is None else ("completed" if rate >= 1 else "behind"),
                     "gap": None if rate is None else round(rate - sched, 4),
                     "units_counted": 12, "units_missing": 1, "units_pending": 0})
    units = []
    for g in ws.groups:
        members = ws.units_in(g.code)
        ranked = [u for u in members if u.code != MISSING]
        for rank, u in enumerate(ranked, 1):
            status = {WITH_ERRORS: "errors", WITH_WARNINGS: "warnings"}.get(u.code, "ok")
            units.append({"code": u.code, "name": u.name, "name_en": u.name_en, "group": g.code, "status": status,
                          "file": f"{u.name}.xlsx", "received": "2023-01-03T09:12:00", "score": 100.0 - rank,
                          "rank": rank, "rank_tied": False, "rank_change": 0, "previous_rank": rank,
                          "on_schedule": 6, "scored": 9, "errors": int(status == "errors"),
                          "warnings": int(status == "warnings")})
        for u in members:
            if u.code == MISSING:
                units.append({"code": u.code, "name": u.name, "name_en": u.name_en, "group": g.code,
                              "status": "missing", "file": None, "received": None, "score": None, "rank": None,
                              "rank_tied": False, "rank_change": None, "previous_rank": None, "on_schedule": 0,
                              "scored": 0, "errors": 0, "warnings": 0})
    issues = [
        {"code": "not-a-number", "severity": "error", "unit": WITH_ERRORS, "indicator": "tech_sme",
         "file": "洛阳镇.xlsx", "sheet": "填报表", "cell": "F7", "message": "“约12”不是数值，请只填写数字"},
        {"code": "ytd-decreased", "severity": "warning", "unit": WITH_WARNINGS, "indicator": "hte_applications",
         "file": "牛塘镇.xlsx", "sheet": "填报表", "cell": "F4", "message": "本年累计比上月减少（上月 40，本月 38），请核实"},
    ]
    return {
        "schema": 1, "tool": "reporting 0.1.0", "period": str(P), "year": 2022, "month": 12, "lang": "zh",
        "title": "关于2022年12月份全区科技创新重点指标完成情况的通报", "bulletin_file": BULLETIN,
        "as_of": "2022-12-31", "schedule": 1.0, "cap": 1.2,
        "district": {"name": "武进区", "city": "常州市", "issuer": "武进区科学技术局", "indicators": inds},
        "groups": [{"code": g.code, "name": g.name, "name_en": g.name_en} for g in ws.groups],
        "units": units, "values": [], "issues": issues,
        "files": [{"file": "嘉泽镇_11月.xlsx", "sha256": "0" * 64, "unit": MISSING, "period": "2022-11",
                   "status": "other-period", "reason": "这是2022年11月的报表", "received": "2023-01-02T08:00:00",
                   "errors": 0, "warnings": 0}],
        "history": [],
        "summary": {"units": 13, "submitted": 12, "missing": 1, "with_errors": 1, "missing_units": [MISSING],
                    "pending_values": 0, "on_schedule_indicators": 6, "scored_indicators": 9},
    }


def _set_email(ws_dir: Path, **values: Any) -> None:
    """Edit [email] in templates/workspace.toml as the clerk would, key by key."""
    path = ws_dir / "templates" / "workspace.toml"
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition("[email]")
    block, sep2, tail = rest.partition("\n[[")
    for key, value in values.items():
        line = f"{key} = {json.dumps(value, ensure_ascii=False)}"
        block, n = re.subn(rf"(?m)^{key} = .*$", lambda _m, line=line: line, block)
        if not n:
            block = block.rstrip("\n") + f"\n{line}\n\n"
    path.write_text(head + sep + block + sep2 + tail, encoding="utf-8")


@pytest.fixture
def mail_ws(ws_dir: Path) -> Path:
    """A workspace with outbox/2022-12/: results.json, the bulletin and one unit's feedback workbook."""
    ws = load_workspace(ws_dir)
    out = ws.period_dir(P)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(_results(ws), ensure_ascii=False, indent=2), encoding="utf-8")
    _xlsx(out / BULLETIN, "通报", [["关于2022年12月份全区科技创新重点指标完成情况的通报"], ["指标", "完成率"],
                                   ["高新技术企业申报数", 1.05]])
    _xlsx(out / "feedback" / "洛阳镇.xlsx", "填报表", [["科技型中小企业备案数", "约12"]])
    _set_email(ws_dir, host="127.0.0.1", port=1, security="none", username="", password_env=PW_ENV,
               **{"from": USER}, from_name="武进区科学技术局", to=LEADERS, reply_to="kjj@example.org",
               timeout=5)
    return ws_dir


def _ws(ws_dir: Path) -> Workspace:
    return load_workspace(ws_dir)


def _bulletin_bytes(ws_dir: Path) -> bytes:
    return (ws_dir / "outbox" / str(P) / BULLETIN).read_bytes()


# --------------------------------------------------------------------------- servers


@pytest.fixture(scope="session")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made here with cryptography."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "reporting test SMTP")])
    now = dt.datetime.now(dt.UTC)
    crt = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                     x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(crt.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class Collector:
    """Keeps every message received; refuses the addresses in ``refuse`` at RCPT."""

    def __init__(self, refuse: tuple[str, ...] = ()):
        self.refuse = set(refuse)
        self.received: list[tuple[str, list[str], bytes]] = []
        self.logins: list[str] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
            and auth_data.password == SECRET.encode()
        if ok:
            self.logins.append(mechanism)
        return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, mode: str, cert: tuple[Path, Path], refuse: tuple[str, ...] = ()):
        self.mode, self.port = mode, _free_port()
        self.handler = Collector(refuse)
        ctx = None
        if mode != "none":
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(str(cert[0]), str(cert[1]))
        kw: dict[str, Any] = {"authenticator": self.handler.authenticate, "auth_required": True}
        if mode == "starttls":
            kw.update(tls_context=ctx, require_starttls=True, auth_require_tls=True)
        elif mode == "ssl":
            kw.update(ssl_context=ctx, auth_require_tls=False)
        else:
            kw.update(auth_require_tls=False)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kw)

    def __enter__(self) -> Server:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[tuple[str, list[str], bytes]]:
        return self.handler.received


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, cert: tuple[Path, Path]) -> None:
    monkeypatch.setenv(PW_ENV, SECRET)
    monkeypatch.setenv(CAFILE_ENV, str(cert[0]))


def _point_at(ws_dir: Path, server: Server, **extra: Any) -> None:
    _set_email(ws_dir, **{"port": server.port, "security": server.mode, "username": USER, **extra})


# --------------------------------------------------------------------------- reading messages back


def _attachments(msg: email.message.EmailMessage) -> list[email.message.EmailMessage]:
    return list(msg.iter_attachments())


def _name_param(raw_ctype: str) -> str:
    """The Content-Type name= parameter decoded as Outlook reads it: RFC 2047 words inside quotes."""
    m = re.search(r'name="([^"]*)"', raw_ctype, re.S)
    assert m, raw_ctype
    return str(make_header(decode_header(re.sub(r"\r?\n[ \t]", " ", m.group(1)))))


def _raw_headers(raw: bytes, part_marker: bytes) -> str:
    """The raw header block of the MIME part whose headers contain ``part_marker``."""
    for block in re.split(rb"\r\n--", raw):
        head = block.split(b"\r\n\r\n", 1)[0].split(b"\r\n", 1)[-1]  # without the boundary line
        if part_marker in head:
            return head.decode("ascii")
    raise AssertionError(f"no part with {part_marker!r}")


def _check_message(raw: bytes, *, subject: str, attachment: bytes | None, filename: str | None,
                   attachments: int = 1) -> email.message.EmailMessage:
    assert all(len(line) <= 998 for line in raw.split(b"\r\n")), "a line over 998 characters"
    assert raw.isascii(), "8-bit bytes in the message"
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"] == subject
    assert msg.get_content_type() == "multipart/mixed"
    body = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    assert body is not None and html_part is not None
    html = html_part.get_content()
    assert "Microsoft YaHei" in html and "<style" not in html and "<img" not in html
    if attachment is not None:
        atts = _attachments(msg)
        assert len(atts) == attachments
        [att] = [a for a in atts if a.get_filename() == filename]
        assert att.get_content() == attachment
        head = _raw_headers(raw, b"Content-Disposition")
        assert "filename*=utf-8''" in head
        assert re.search(r'name="=\?utf-8\?b\?', head), head
        assert _name_param(head) == filename
        compat = email.message_from_bytes(raw, policy=policy.compat32)
        part = [p for p in compat.walk() if p.get("Content-Disposition")][0]
        assert str(make_header(decode_header(part.get_param("name")))) == filename
        assert part.get_payload(decode=True) == attachment
    return msg


# --------------------------------------------------------------------------- attach(): header bytes


def test_attach_writes_rfc2231_and_rfc2047_names() -> None:
    from email.message import EmailMessage

    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = "测试"
    msg.set_content("正文")
    name = "武进国家高新技术产业开发区_2022年1-12月科技创新重点指标报表（第二次修订）.xlsx"
    data = os.urandom(5000)
    attach(msg, data, name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    attach(msg, b"plain", "notes.txt", "text/plain")
    raw = msg.as_bytes()
    head = _raw_headers(raw, b"filename*=utf-8")
    assert head.startswith("Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;\r\n"
                           ' name="=?utf-8?b?')
    from urllib.parse import quote

    assert f"filename*=utf-8''{quote(name, safe='')}" in head  # one unsplit RFC 2231 parameter
    assert all(len(w) <= 75 for w in re.findall(r"=\?utf-8\?b\?[^?]*\?=", head))
    assert _name_param(head) == name
    parsed = email.message_from_bytes(raw, policy=policy.default)
    atts = list(parsed.iter_attachments())
    assert [a.get_filename() for a in atts] == [name, "notes.txt"]
    assert atts[0].get_content() == data
    assert atts[0]["Content-Type"].params["name"] == name
    ascii_head = _raw_headers(raw, b"notes.txt")
    assert 'name="notes.txt"' in ascii_head and 'filename="notes.txt"' in ascii_head
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))


# --------------------------------------------------------------------------- drafts (no --send)


def test_drafts_are_written_and_read_back(mail_ws: Path) -> None:
    ws = _ws(mail_ws)
    report = run_mail(ws, "bulletin", P)
    assert report.failed == [] and report.sent == []
    [path] = report.written
    assert path == mail_ws / "outbox" / "2022-12" / "mail" / "bulletin.eml"
    raw = path.read_bytes()
    msg = _check_message(raw, subject="【通报】2022年12月全区科技创新重点指标完成情况",
                         attachment=_bulletin_bytes(mail_ws), filename=BULLETIN)
    assert msg["X-Unsent"] == "1"
    assert msg["From"].addresses[0].display_name == "武进区科学技术局"
    assert b"=?utf-8?b?" in raw.split(b"\r\n\r\n", 1)[0]  # Chinese display names as RFC 2047 words
    assert [a.addr_spec for a in msg["To"].addresses] == ["leader@example.org", "office@example.org"]
    assert msg["To"].addresses[0].display_name == "张局长"
    bcc = {a.addr_spec for a in msg["Bcc"].addresses}
    assert len(bcc) == 13 and "hutang@example.org" in bcc
    assert {a.display_name for a in msg["Bcc"].addresses} >= {"湖塘镇", "武进国家高新区"}
    assert msg["Reply-To"].addresses[0].addr_spec == "kjj@example.org"
    assert msg["Message-ID"].endswith("@example.org>")
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "关于2022年12月份全区科技创新重点指标完成情况的通报" in text
    assert "高新技术企业申报数" in text and "嘉泽镇" in text  # the table and the narrative
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "<table" in html and "高新技术企业申报数" in html
    out = mail_report_text(report)
    assert "bulletin.eml" in out and "--send" in out
    # reproducible: the same inputs give the same bytes
    again = run_mail(ws, "bulletin", P)
    assert again.written[0].read_bytes() == raw


def test_draft_reminder_has_blank_form_and_deadline(mail_ws: Path) -> None:
    report = run_mail(_ws(mail_ws), "remind", P)
    assert [m["key"] for m in report.messages] == [f"remind:{MISSING}"]
    [path] = report.written
    assert path.name == "remind-jiaze-嘉泽镇.eml"
    form = mail_ws / "outbox" / "2022-12" / "forms" / "嘉泽镇_2022年12月.xlsx"
    assert form.is_file()  # written for the reminder, since none was there
    msg = _check_message(path.read_bytes(), subject="【提醒】请报送2022年1-12月科技创新重点指标",
                         attachment=form.read_bytes(), filename="嘉泽镇2022年1-12月科技创新重点指标报表.xlsx")
    assert [a.addr_spec for a in msg["To"].addresses] == ["jiaze@example.org"]
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "2023年1月5日" in text  # deadline = 5 (workspace.toml) of the month after the period
    assert "嘉泽镇_11月.xlsx" in text  # the file that could not be used, and why
    import openpyxl

    assert openpyxl.load_workbook(form).sheetnames  # a real workbook


def test_draft_feedback_lists_issues_and_attaches_workbook(mail_ws: Path) -> None:
    report = run_mail(_ws(mail_ws), "feedback", P)
    assert sorted(m["key"] for m in report.messages) == [f"feedback:{WITH_ERRORS}", f"feedback:{WITH_WARNINGS}"]
    by_key = {m["key"]: Path(m["file"]) for m in report.messages}
    wb = (mail_ws / "outbox" / "2022-12" / "feedback" / "洛阳镇.xlsx").read_bytes()
    msg = _check_message(by_key[f"feedback:{WITH_ERRORS}"].read_bytes(),
                         subject="【反馈】洛阳镇2022年1-12月报表数据问题", attachment=wb,
                         filename="洛阳镇2022年1-12月报表问题反馈.xlsx")
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert "填报表!F7 科技型中小企业备案数：“约12”不是数值" in text
    # no feedback workbook for the unit with a warning: the list still goes, in the body
    msg2 = email.message_from_bytes(by_key[f"feedback:{WITH_WARNINGS}"].read_bytes(), policy=policy.default)
    assert list(msg2.iter_attachments()) == []
    assert "本年累计比上月减少" in msg2.get_body(preferencelist=("plain",)).get_content()


def test_missing_results_says_compile_first(ws_dir: Path) -> None:
    with pytest.raises(ReportingError, match="reporting compile --period 2022-12"):
        run_mail(_ws(ws_dir), "bulletin", P)


@pytest.mark.parametrize("variant", ["as-written", "name-only"])
def test_draft_read_by_neomutt(mail_ws: Path, tmp_path: Path, variant: str) -> None:
    """A second, independent MIME parser: neomutt saves the attachment under the name it decoded.

    "name-only" drops the RFC 2231 filename*= first, as Outlook ignores it, so
    the name must come from the RFC 2047 name= on Content-Type alone.
    """
    exe = shutil.which("neomutt") or shutil.which("mutt")
    if not exe:
        pytest.skip("neither neomutt nor mutt is installed")
    [path] = run_mail(_ws(mail_ws), "bulletin", P).written
    if variant == "name-only":
        raw = path.read_bytes()
        stripped = re.sub(rb"Content-Disposition: attachment;\r\n filename\*=utf-8''[^\r]*", b"Content-Disposition: attachment",
                          raw)
        assert stripped != raw
        path = tmp_path / "name-only.eml"
        path.write_bytes(stripped)
    saved = _mutt_save_attachment(exe, path, tmp_path / "mutt")
    assert [p.name for p in saved] == [BULLETIN]
    assert saved[0].read_bytes() == _bulletin_bytes(mail_ws)


def _mutt_save_attachment(exe: str, eml: Path, workdir: Path) -> list[Path]:
    """Open ``eml`` as a one-message mbox in (neo)mutt on a pseudo-terminal and save its last attachment.

    The save prompt's default is the attachment's file name as mutt decoded
    it, so the file that appears in ``workdir`` names what mutt understood.
    """
    workdir.mkdir(parents=True)
    mbox = workdir.parent / "one.mbox"
    body = eml.read_bytes().replace(b"\r\n", b"\n")
    mbox.write_bytes(b"From reporting@example.org Sat Dec 31 12:00:00 2022\n" + body + b"\n")
    rc = workdir.parent / "muttrc"
    # folder set, or mutt first asks whether to create ~/Mail and the pushed keys answer it
    rc.write_text(f'set folder="{workdir.parent}"\nset spool_file="{mbox}"\nset charset=utf-8\n'
                  "set confirmappend=no\nset confirmcreate=no\nset mbox_type=mbox\nset mail_check=0\n"
                  "set wait_key=no\nset rfc2047_parameters=yes\n", encoding="utf-8")
    keys = "<view-attachments><last-entry><save-entry><enter><exit><exit><quit>"
    cmd = [exe, "-n", "-F", str(rc), "-R", "-f", str(mbox), "-e", f"push '{keys}'"]
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": str(workdir.parent)}
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, cwd=workdir, env=env, close_fds=True)
    os.close(slave)
    deadline = time.monotonic() + 20
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    os.read(master, 65536)
                except OSError:
                    break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(master)
    return sorted(workdir.iterdir())


# --------------------------------------------------------------------------- sending through real servers


@pytest.mark.parametrize("mode", ["none", "starttls", "ssl"])
def test_send_bulletin(mail_ws: Path, env: None, cert: tuple[Path, Path], mode: str) -> None:
    with Server(mode, cert) as server:
        _point_at(mail_ws, server)
        report = run_mail(_ws(mail_ws), "bulletin", P, send=True)
        assert report.failed == [], report.failed
        assert server.handler.logins, "no AUTH happened"
        [(mail_from, rcpts, raw)] = server.received
    assert mail_from == USER
    assert set(rcpts) == {"leader@example.org", "office@example.org"} | {u.emails[0] for u in _ws(mail_ws).units}
    msg = _check_message(raw, subject="【通报】2022年12月全区科技创新重点指标完成情况",
                         attachment=_bulletin_bytes(mail_ws), filename=BULLETIN)
    assert msg["Bcc"] is None and msg["X-Unsent"] is None  # Bcc only in the envelope; a real message
    assert str(msg["From"]) == "武进区科学技术局 <clerk@example.org>"
    sent_at = dt.datetime.fromisoformat(report.sent[0]["time"])
    assert abs((dt.datetime.now().astimezone() - sent_at).total_seconds()) < 120
    [entry] = report.sent
    assert entry["key"] == "bulletin" and entry["message_id"] == msg["Message-ID"] and entry["result"] == "sent"
    log = json.loads((mail_ws / "outbox" / "2022-12" / "mail" / "sent.json").read_text(encoding="utf-8"))
    [rec] = log["messages"]
    assert rec["result"] == "sent" and set(rec["delivered"]) == set(rcpts) and rec["message_id"] == msg["Message-ID"]
    assert (mail_ws / "outbox" / "2022-12" / "mail" / "bulletin.eml").read_bytes() == raw  # the copy kept is what went out


def test_second_send_skips_and_resend_sends_again(mail_ws: Path, env: None, cert: tuple[Path, Path]) -> None:
    runner = CliRunner()
    args = ["--workspace", str(mail_ws), "email", "--period", "2022-12", "--send"]
    with Server("starttls", cert) as server:
        _point_at(mail_ws, server)
        first = runner.invoke(_cli(), args)
        assert first.exit_code == 0, first.output
        second = runner.invoke(_cli(), args)
        assert second.exit_code == 0, second.output
        assert len(server.received) == 1
        assert "--resend" in second.output
        third = runner.invoke(_cli(), [*args, "--resend"])
        assert third.exit_code == 0, third.output
        assert len(server.received) == 2
        # --to sends to that address only, and does not count as the real delivery to anyone else
        report = run_mail(_ws(mail_ws), "bulletin", P, send=True, to=["me@example.org"])
        assert [r["to"] for r in report.sent] == [["me@example.org"]]
        assert server.received[-1][1] == ["me@example.org"]
    log = json.loads((mail_ws / "outbox" / "2022-12" / "mail" / "sent.json").read_text(encoding="utf-8"))
    assert [r["result"] for r in log["messages"]] == ["sent", "sent", "sent"]


def test_refused_recipient_does_not_stop_the_others(mail_ws: Path, env: None, cert: tuple[Path, Path]) -> None:
    with Server("ssl", cert, refuse=(REFUSED,)) as server:
        _point_at(mail_ws, server)
        report = run_mail(_ws(mail_ws), "bulletin", P, send=True)
        [(_, rcpts, raw)] = server.received
        assert REFUSED not in rcpts and len(rcpts) == 14
        [failure] = report.failed
        assert failure["to"] == [REFUSED] and "550" in failure["reason"] and "\n" not in failure["reason"]
        assert report.sent[0]["result"] == "partial" and REFUSED not in report.sent[0]["to"]
        text = mail_report_text(report)
        assert REFUSED in text and "550" in text
        # a second --send tries only the address that did not get it
        server.handler.refuse.clear()
        again = run_mail(_ws(mail_ws), "bulletin", P, send=True)
        assert again.failed == []
        assert server.received[-1][1] == [REFUSED]


def test_remind_and_feedback_are_sent_to_units(mail_ws: Path, env: None, cert: tuple[Path, Path]) -> None:
    with Server("none", cert) as server:
        _point_at(mail_ws, server)
        remind = run_mail(_ws(mail_ws), "remind", P, send=True)
        feedback = run_mail(_ws(mail_ws), "feedback", P, send=True)
        assert remind.failed == [] and feedback.failed == []
        got = {tuple(rcpts): raw for _, rcpts, raw in server.received}
    assert set(got) == {("jiaze@example.org",), ("luoyang@example.org",), ("niutang@example.org",)}
    form = (mail_ws / "outbox" / "2022-12" / "forms" / "嘉泽镇_2022年12月.xlsx").read_bytes()
    _check_message(got[("jiaze@example.org",)], subject="【提醒】请报送2022年1-12月科技创新重点指标",
                   attachment=form, filename="嘉泽镇2022年1-12月科技创新重点指标报表.xlsx")
    assert sorted(s["key"] for s in feedback.sent) == ["feedback:luoyang", "feedback:niutang"]


def test_wrong_password_is_one_clear_line(mail_ws: Path, env: None, cert: tuple[Path, Path],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PW_ENV, "wrong-code")
    with Server("ssl", cert) as server:
        _point_at(mail_ws, server)
        result = CliRunner().invoke(_cli(), ["--workspace", str(mail_ws), "feedback", "--period", "2022-12", "--send"])
        assert server.received == []
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    line = [x for x in result.output.splitlines() if "登录" in x]
    assert len(line) == 1, result.output  # both messages failed for one reason, said once
    assert "登录 127.0.0.1 被拒绝（535" in line[0] and PW_ENV in line[0] and "授权码" in line[0]
    log = json.loads((mail_ws / "outbox" / "2022-12" / "mail" / "sent.json").read_text(encoding="utf-8"))
    assert {r["result"] for r in log["messages"]} == {"failed"}


def test_password_argument_wins(mail_ws: Path, env: None, cert: tuple[Path, Path],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PW_ENV)
    with Server("none", cert) as server:
        _point_at(mail_ws, server)
        with pytest.raises(ReportingError, match=PW_ENV):
            run_mail(_ws(mail_ws), "remind", P, send=True)
        report = run_mail(_ws(mail_ws), "remind", P, send=True, password=SECRET)
        assert report.failed == [] and len(server.received) == 1


def test_unreachable_server(mail_ws: Path, env: None) -> None:
    port = _free_port()  # nothing listens there
    _set_email(mail_ws, port=port, security="ssl", username=USER)
    result = CliRunner().invoke(_cli(), ["--workspace", str(mail_ws), "email", "--period", "2022-12", "--send"])
    assert result.exit_code == 1, result.output
    assert f"127.0.0.1:{port}" in result.output and "ssl" in result.output
    assert "Traceback" not in result.output and "host" in result.output


def test_silent_server_times_out(mail_ws: Path, env: None) -> None:
    """A server that accepts but never greets: the connect timeout ([email] timeout) ends it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        _set_email(mail_ws, port=port, security="starttls", username=USER, timeout=1)
        start = time.monotonic()
        report = run_mail(_ws(mail_ws), "feedback", P, send=True)
        assert time.monotonic() - start < 10
    assert {f["reason"] for f in report.failed} == {report.failed[0]["reason"]}
    assert "超时" in report.failed[0]["reason"] and f"127.0.0.1:{port}" in report.failed[0]["reason"]


def test_tls_mode_mismatch_and_untrusted_certificate(mail_ws: Path, env: None, cert: tuple[Path, Path],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with Server("none", cert) as server:  # ssl client against a plain server: the clerk picked the wrong mode
        _point_at(mail_ws, server, security="ssl")
        report = run_mail(_ws(mail_ws), "remind", P, send=True)
    assert "465 用 ssl，587 用 starttls" in report.failed[0]["reason"]
    monkeypatch.delenv(CAFILE_ENV)  # verification stays on by default
    with Server("ssl", cert) as server:
        _point_at(mail_ws, server)
        report = run_mail(_ws(mail_ws), "remind", P, send=True)
        assert server.received == []
    assert "证书验证失败" in report.failed[0]["reason"] and CAFILE_ENV in report.failed[0]["reason"]


def test_send_needs_host_and_from(mail_ws: Path, env: None) -> None:
    _set_email(mail_ws, host="")
    with pytest.raises(ReportingError, match="host"):
        run_mail(_ws(mail_ws), "bulletin", P, send=True)
    assert not (mail_ws / "outbox" / "2022-12" / "mail" / "sent.json").exists()


def _cli() -> Any:
    from reporting.cli import cli

    return cli


# --------------------------------------------------------------------------- the sample workspace


def test_sample_workspace_email_writes_readable_drafts(tmp_path: Path) -> None:
    """init -> demo -> compile -> email on the sample workspace, through the command line."""
    pytest.importorskip("reporting.jobs.compile")
    from reporting.cli import cli

    folder = tmp_path / "sample"
    runner = CliRunner()
    for args in (["init", str(folder)], ["--workspace", str(folder), "demo"],
                 ["--workspace", str(folder), "compile", "--period", "2022-12"]):
        result = runner.invoke(cli, args)
        if result.exit_code != 0:
            pytest.skip(f"{args[-2:]} not ready yet: {result.output.strip()[-200:]}")
    result = runner.invoke(cli, ["--workspace", str(folder), "email", "--period", "2022-12"])
    assert result.exit_code == 0, result.output
    results = json.loads((folder / "outbox" / "2022-12" / "results.json").read_text(encoding="utf-8"))
    eml = folder / "outbox" / "2022-12" / "mail" / "bulletin.eml"
    raw = eml.read_bytes()
    bulletin = (folder / "outbox" / "2022-12" / results["bulletin_file"]).read_bytes()
    from reporting.deliver.builder import bulletin_document

    document = bulletin_document(folder / "outbox" / "2022-12")  # the 通报 as a document, when written
    msg = _check_message(raw, subject="【通报】2022年12月全区科技创新重点指标完成情况", attachment=bulletin,
                         filename=results["bulletin_file"], attachments=1 + (document is not None))
    if document is not None:
        [doc] = [a for a in msg.iter_attachments() if a.get_filename() == document.name]
        assert doc.get_content() == document.read_bytes()
    exe = shutil.which("neomutt") or shutil.which("mutt")
    if exe:
        saved = _mutt_save_attachment(exe, eml, tmp_path / "mutt")  # the last attachment
        last = document or folder / "outbox" / "2022-12" / results["bulletin_file"]
        assert [p.name for p in saved] == [last.name]
        assert saved[0].read_bytes() == last.read_bytes()
    for kind in ("remind", "feedback"):
        result = runner.invoke(cli, ["--workspace", str(folder), kind, "--period", "2022-12"])
        assert result.exit_code == 0, result.output


def test_attachment_name_cannot_inject_headers() -> None:
    from email.message import EmailMessage

    msg = EmailMessage(policy=POLICY)
    msg.set_content("x")
    attach(msg, b"data", 'evil"\r\nBcc: victim@example.org.xlsx', "application/octet-stream")
    raw = msg.as_bytes()
    assert b"\r\nBcc:" not in raw
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert next(parsed.iter_attachments()).get_content() == b"data"


@pytest.mark.parametrize("kind", ["bulletin", "remind", "feedback"])
def test_english_drafts(mail_ws: Path, kind: str) -> None:
    report = run_mail(_ws(mail_ws), kind, P, lang="en")
    assert report.written and report.failed == []
    for path in report.written:
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        assert msg.get_body(preferencelist=("plain",)).get_content().strip()
    assert "Wrote" in mail_report_text(report, "en")


# --------------------------------------------------------------------------- issue 11: the clerk's path


def test_remind_at_the_start_of_the_month_without_results(ws_dir: Path) -> None:
    """No compile yet (no results.json): every unit gets its form and the deadline."""
    ws = _ws(ws_dir)
    assert not (ws.period_dir(P) / "results.json").exists()
    report = run_mail(ws, "remind", P)
    assert sorted(m["key"] for m in report.messages) == sorted(f"remind:{u.code}" for u in ws.units)
    msg = email.message_from_bytes(report.written[0].read_bytes(), policy=policy.default)
    assert "2023年1月5日" in msg.get_body(preferencelist=("plain",)).get_content()
    assert len(list(msg.iter_attachments())) == 1


def test_remind_does_not_call_an_earlier_months_file_unusable(mail_ws: Path) -> None:
    report = run_mail(_ws(mail_ws), "remind", P)
    text = email.message_from_bytes(report.written[0].read_bytes(), policy=policy.default) \
        .get_body(preferencelist=("plain",)).get_content()
    assert "嘉泽镇_11月.xlsx" in text and "2022年11月的报表" in text and "未能采用" not in text


def test_remind_and_feedback_take_units_by_code_name_or_alias(mail_ws: Path) -> None:
    report = run_mail(_ws(mail_ws), "feedback", P, units=[WITH_ERRORS])
    assert [m["key"] for m in report.messages] == [f"feedback:{WITH_ERRORS}"]
    r = CliRunner().invoke(_cli(), ["-w", str(mail_ws), "feedback", "--period", "2022-12", "--unit", "牛塘镇"])
    assert r.exit_code == 0, r.output
    assert "niutang" in r.output or "牛塘镇" in r.output
    assert "洛阳镇" not in r.output
    r = CliRunner().invoke(_cli(), ["-w", str(mail_ws), "remind", "--period", "2022-12", "--unit", "火星镇"])
    assert r.exit_code == 2


def test_sending_with_stale_results_is_refused_before_anything_goes(mail_ws: Path, env: None,
                                                                    cert: tuple[Path, Path]) -> None:
    results = mail_ws / "outbox" / "2022-12" / "results.json"
    late = mail_ws / "inbox" / "嘉泽镇_2022年12月.xlsx"
    late.parent.mkdir(exist_ok=True)
    late.write_bytes(b"sent after the compile")
    stamp = results.stat().st_mtime
    os.utime(late, (stamp + 60, stamp + 60))
    with Server("none", cert) as server:
        _point_at(mail_ws, server)
        with pytest.raises(ReportingError, match="reporting compile --period 2022-12"):
            run_mail(_ws(mail_ws), "remind", P, send=True)
        assert server.received == []
        r = CliRunner().invoke(_cli(), ["-w", str(mail_ws), "remind", "--period", "2022-12", "--send"])
        assert r.exit_code == 2 and "--stale-ok" in r.output
        assert server.received == []
        report = run_mail(_ws(mail_ws), "remind", P, send=True, stale_ok=True)
        assert report.failed == [] and len(server.received) == 1


def test_changed_feedback_is_sent_again_without_resend(mail_ws: Path, env: None, cert: tuple[Path, Path]) -> None:
    with Server("none", cert) as server:
        _point_at(mail_ws, server)
        run_mail(_ws(mail_ws), "feedback", P, send=True)
        assert len(server.received) == 2
        same = run_mail(_ws(mail_ws), "feedback", P, send=True)
        assert same.sent == [] and len(server.received) == 2
        _xlsx(mail_ws / "outbox" / "2022-12" / "feedback" / "洛阳镇.xlsx", "填报表", [["科技型中小企业备案数", "约13"]])
        changed = run_mail(_ws(mail_ws), "feedback", P, send=True)
        assert [s["key"] for s in changed.sent] == [f"feedback:{WITH_ERRORS}"]
        assert len(server.received) == 3

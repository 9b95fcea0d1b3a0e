"""The 三单 chain and the nightly email end to end: the real executable against a real SMTP
server on 127.0.0.1 (Debian's python3-aiosmtpd, started and stopped here), over simulated
days with --now. Checks recipients, headers (the Chinese subject decodes), the MIME parts
(text/plain, text/html, a text/csv attachment with a BOM), HTML escaping, that a rerun the
same day sends nothing twice, --dry-run, a server that answers 451 (retried next run), 550
(permanent, reported), one that drops the connection, STARTTLS with AUTH against a
self-signed certificate trusted through mail.ca_file, and header injection refused in
rules.d."""

import argparse
import email
import email.policy
import os
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import traceback

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("  FAIL: " + what)
    return cond


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Handler:
    """Keeps what arrives; mode "ok", "tempfail" (451 at DATA) or "reject" (550 at RCPT)."""

    def __init__(self):
        self.mode = "ok"
        self.got = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "reject":
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "tempfail":
            return "451 4.3.0 try again later"
        self.got.append((envelope.mail_from, sorted(envelope.rcpt_tos), envelope.content,
                         getattr(session, "authenticated", False)))
        return "250 2.0.0 accepted"


class Server:
    def __init__(self, **kwargs):
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     **kwargs)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class Dropper:
    """Accepts connections and closes them at once, like a server that falls over."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            c.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.sock.close()


def run(binary, rules, db, now, args, env=None, timeout=120):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([binary, "--config", rules, "--db", db, "--now", now] + args,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, env=e)


def write_rules(shipped, dest, mail, extra=""):
    os.makedirs(dest, exist_ok=True)
    for name in sorted(os.listdir(shipped)):
        if name.endswith((".yaml", ".yml")):
            shutil.copy(os.path.join(shipped, name), dest)
    lines = ["mail:"] + ["  %s: %s" % (k, v) for k, v in mail.items()]
    with open(os.path.join(dest, "90-local.yaml"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n" + extra)
    return dest


def plain_mail(port):
    return {"host": "127.0.0.1", "port": port, "starttls": "none", "timeout_s": 10}


def seed_violations(binary, rules, db, now):
    """Opens the database through xunjian (so the schema is current), then inserts the
    violations the checks would have found: one per unit, one early warning, and one
    whose detail tries HTML."""
    r = run(binary, rules, db, now, ["violations"])
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(db)
    t = 1793613600  # 2026-11-02T08:00:00+08:00
    rows = [
        ("column_stale", "http://w/jyj/", "violation", "区教育局", "工作动态",
         "栏目「工作动态」已 20 天未更新（要求：14 天内）"),
        ("column_blank", "http://w/mzj/", "violation", "区民政局", "救助信息",
         "栏目「救助信息」为空白栏目 <script>alert(1)</script> & \"x\""),
        ("column_stale", "http://w/mzj2/", "warning", "区民政局", "通知公告",
         "栏目「通知公告」已 150 天未更新，将超过 180 天"),
    ]
    for rule, subject, kind, unit, column, detail in rows:
        con.execute("INSERT INTO violations (site, rule, subject, kind, severity, state, unit,"
                    " column_name, url, detail, first_seen, last_seen) VALUES"
                    " ('demo', ?, ?, ?, 'normal', 'open', ?, ?, ?, ?, ?, ?)",
                    (rule, subject, kind, unit, column, subject, detail, t, t))
    con.commit()
    con.close()


def parse(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def parts_of(msg):
    """(text, html, csv bytes, csv filename) of a message, asserting its structure."""
    check(msg.get_content_type() == "multipart/mixed", "top level is multipart/mixed")
    kids = list(msg.iter_parts())
    check(len(kids) == 2, "mixed holds the alternative and the attachment (%d)" % len(kids))
    alt = kids[0]
    check(alt.get_content_type() == "multipart/alternative", "first part is alternative")
    sub = list(alt.iter_parts())
    types = [p.get_content_type() for p in sub]
    check(types == ["text/plain", "text/html"], "alternative is text then html: %r" % types)
    att = kids[1]
    check(att.get_content_type() == "text/csv", "attachment is text/csv")
    check(att.get_content_disposition() == "attachment", "attachment disposition")
    return (sub[0].get_content(), sub[1].get_content(), att.get_payload(decode=True),
            att.get_filename())


def mails_by_to(got):
    out = {}
    for mail_from, rcpts, content, auth in got:
        msg = parse(content)
        out[msg["To"].addresses[0].addr_spec] = (mail_from, rcpts, msg, auth)
    return out


def db_rows(db, sql):
    con = sqlite3.connect(db)
    rows = con.execute(sql).fetchall()
    con.close()
    return rows


def test_plain_days(binary, shipped, tmp):
    print("plain SMTP over simulated days")
    db = os.path.join(tmp, "plain.db")
    with Server() as srv:
        rules = write_rules(shipped, os.path.join(tmp, "plain-rules"), plain_mail(srv.port))
        d1 = "2026-11-02T20:00:00+08:00"
        seed_violations(binary, rules, db, d1)

        # Day 1: two units and the summary.
        r = run(binary, rules, db, d1, ["notify"])
        check(r.returncode == 0, "notify exits 0 (got %d: %s)" % (r.returncode, r.stderr))
        got = mails_by_to(srv.handler.got)
        check(sorted(got) == ["jyj@example.gov.cn", "mzj@example.gov.cn", "zwgk@example.gov.cn"],
              "one mail per unit and the summary: %r" % sorted(got))
        mail_from, rcpts, msg, _ = got["jyj@example.gov.cn"]
        check(mail_from == "xunjian@example.gov.cn", "envelope sender")
        check(rcpts == ["jyj@example.gov.cn"], "envelope recipients %r" % rcpts)
        check("区教育局" in msg["Subject"] and "新下发 1 件" in msg["Subject"],
              "subject decodes to Chinese: %r" % msg["Subject"])
        wire = srv.handler.got[0][2].decode("ascii")
        check("=?UTF-8?B?" in wire, "subject is RFC 2047 encoded on the wire")
        check(all(len(l) <= 998 for l in wire.split("\r\n")), "no line over 998 characters")
        check(msg["To"].addresses[0].display_name == "区教育局", "To display name in Chinese")
        check(msg["From"].addresses[0].display_name == "区政府政务公开办", "From display name")
        check(msg["Date"] is not None and "+0800" in msg["Date"], "Date: in +0800")
        check(msg["Message-ID"] and msg["Message-ID"].endswith("@example.gov.cn>"),
              "Message-ID on the sender's domain: %r" % msg["Message-ID"])
        text, html, csv, fname = parts_of(msg)
        check("区政务公开办〔2026〕办理单第0001号" in text, "text names the ticket number")
        check("2026-11-09" in text, "text shows the deadline (7 days)")
        check(csv.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 BOM")
        check("办理单第0001号" in csv.decode("utf-8-sig"), "CSV lists the ticket")
        check(fname == "区教育局-巡检问题清单-2026-11-02.csv", "attachment name: %r" % fname)
        # Escaping: the detail with markup arrives escaped in HTML.
        _, _, mzj, _ = got["mzj@example.gov.cn"]
        text, html, csv, _ = parts_of(mzj)
        check("<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"
              in html, "HTML escapes every value")
        check("提醒单第0001号" in text, "the early warning's reminder is in the mail")
        _, _, summary, _ = got["zwgk@example.gov.cn"]
        check("汇总" in summary["Subject"], "summary subject")
        stext, _, scsv, _ = parts_of(summary)
        check("区教育局" in stext and "区民政局" in stext, "summary names every unit")

        # Same day again: nothing twice.
        n = len(srv.handler.got)
        r = run(binary, rules, db, "2026-11-02T22:00:00+08:00", ["notify"])
        check(r.returncode == 0 and len(srv.handler.got) == n,
              "rerun the same day sends nothing (%d new)" % (len(srv.handler.got) - n))
        check("跳过" in r.stdout, "rerun reports the skip")

        # Day 2, dry run: files, no mail, no record.
        d2 = "2026-11-03T20:00:00+08:00"
        out = os.path.join(tmp, "dry")
        os.makedirs(out)
        r = run(binary, rules, db, d2, ["notify", "--dry-run", out])
        check(r.returncode == 0, "dry run exits 0: %s" % r.stderr)
        emls = sorted(os.listdir(out))
        check(len(emls) == 3 and all(e.endswith(".eml") for e in emls), "three .eml: %r" % emls)
        check(len(srv.handler.got) == n, "dry run sends nothing")
        if emls:
            with open(os.path.join(out, emls[0]), "rb") as f:
                parts_of(parse(f.read()))
        check(db_rows(db, "SELECT count(*) FROM mails WHERE day = '2026-11-03'")[0][0] == 0,
              "dry run records nothing")

        # Day 2: 451 at DATA: temporary, exit 3; the next run sends the same message.
        srv.handler.mode = "tempfail"
        r = run(binary, rules, db, d2, ["notify"])
        check(r.returncode == 3, "451 exits 3 (got %d)" % r.returncode)
        states = db_rows(db, "SELECT state FROM mails WHERE day = '2026-11-03'")
        check(states and all(s == ("failed-temporary",) for s in states),
              "451 is recorded as temporary: %r" % states)
        check("451" in r.stdout, "the report names the server's answer")
        srv.handler.mode = "ok"
        r = run(binary, rules, db, "2026-11-03T21:00:00+08:00", ["notify"])
        check(r.returncode == 0, "the retry succeeds: %s %s" % (r.stdout, r.stderr))
        ids = {row[0] for row in db_rows(db, "SELECT message_id FROM mails WHERE day = '2026-11-03'")}
        sent_ids = {parse(c)["Message-ID"] for _, _, c, _ in srv.handler.got[n:]}
        check(len(srv.handler.got) == n + 3 and ids == sent_ids,
              "the retry resends the recorded messages (same Message-ID)")
        n = len(srv.handler.got)
        r = run(binary, rules, db, "2026-11-03T22:00:00+08:00", ["notify"])
        check(len(srv.handler.got) == n, "after the retry, nothing twice")

        # Day 3: 550 at RCPT: permanent, reported, not retried.
        srv.handler.mode = "reject"
        d3 = "2026-11-04T20:00:00+08:00"
        r = run(binary, rules, db, d3, ["notify"])
        check(r.returncode == 3 and "550" in r.stdout, "550 exits 3 and is reported: %s" % r.stdout)
        states = db_rows(db, "SELECT state FROM mails WHERE day = '2026-11-04'")
        check(states and all(s == ("failed-permanent",) for s in states),
              "550 is permanent: %r" % states)
        srv.handler.mode = "ok"
        r = run(binary, rules, db, "2026-11-04T21:00:00+08:00", ["notify"])
        check(len(srv.handler.got) == n, "a permanent failure is not retried")

        # Day 8: `xunjian tickets` alone: the reminder before the deadline.
        r = run(binary, rules, db, "2026-11-08T09:00:00+08:00", ["tickets"])
        check(r.returncode == 0 and "签发 区政务公开办〔2026〕提醒单第0002号" in r.stdout,
              "tickets issues the deadline reminder: %s" % r.stdout)
        r = run(binary, rules, db, "2026-11-08T09:00:00+08:00", ["tickets"])
        check(r.returncode == 0 and r.stdout == "", "the same --now twice issues nothing")

        # Day 10: the deadline has passed: 催办单, copied to the supervising office.
        d10 = "2026-11-10T20:00:00+08:00"
        r = run(binary, rules, db, d10, ["notify"])
        check(r.returncode == 0, "day 10 notify: %s" % r.stderr)
        got = mails_by_to(srv.handler.got[n:])
        jyj = got.get("jyj@example.gov.cn")
        if check(jyj is not None, "the unit gets its mail on day 10"):
            _, rcpts, msg, _ = jyj
            check(rcpts == ["jyj@example.gov.cn", "zwgk@example.gov.cn"],
                  "the urging order's mail goes to the supervisor too: %r" % rcpts)
            check(msg["Cc"] is not None and msg["Cc"].addresses[0].addr_spec ==
                  "zwgk@example.gov.cn", "Cc: the supervising office")
            text, _, _, _ = parts_of(msg)
            check("催办单第0001号" in text, "the urging order is listed")
        n = len(srv.handler.got)

        # A complete re-check finds the stale column fixed: closed, reported as fixed.
        con = sqlite3.connect(db)
        con.execute("INSERT INTO scans (id, site, state, started_at, finished_at)"
                    " VALUES (77, 'demo', 'complete', 1794276000, 1794276000)")
        con.execute("UPDATE violations SET state = 'fixed', fixed_at = 1794276000,"
                    " fixed_scan = 77 WHERE unit = '区教育局'")
        con.commit()
        con.close()
        r = run(binary, rules, db, "2026-11-11T20:00:00+08:00", ["notify"])
        got = mails_by_to(srv.handler.got[n:])
        jyj = got.get("jyj@example.gov.cn")
        if check(jyj is not None, "the unit hears that its problem is closed"):
            text, _, csv, _ = parts_of(jyj[2])
            check("已办结（3 件）" in text and "巡检 #77" in text,
                  "the closed tickets with the scan as evidence")
        closed = db_rows(db, "SELECT count(*) FROM tickets WHERE state = 'closed'"
                             " AND closed_scan = 77")[0][0]
        check(closed == 3, "handling, reminder and urging closed by scan 77 (%d)" % closed)

        # ticket show / accept / reopen on the command line.
        r = run(binary, rules, db, d10, ["ticket", "list", "--state", "all"])
        check(r.returncode == 0 and "办理单第0001号" in r.stdout, "ticket list --state all")
        r = run(binary, rules, db, d10, ["ticket", "accept", "区政务公开办〔2026〕办理单第0002号"])
        check(r.returncode == 2 and "--reason" in r.stderr, "accept without --reason exits 2")
        r = run(binary, rules, db, d10, ["ticket", "accept", "区政务公开办〔2026〕办理单第0002号",
                                         "--reason", "栏目已撤并", "--who", "张三"])
        check(r.returncode == 0 and "确认例外" in r.stdout, "accept: %s %s" % (r.stdout, r.stderr))
        r = run(binary, rules, db, d10, ["ticket", "show", "区政务公开办〔2026〕办理单第0002号"])
        check("accepted" in r.stdout and "张三" in r.stdout and "栏目已撤并" in r.stdout,
              "show prints who and why: %s" % r.stdout)
        r = run(binary, rules, db, d10, ["ticket", "show", "9999"])
        check(r.returncode == 2, "show of an unknown ticket exits 2")


def test_drop(binary, shipped, tmp):
    print("a server that drops the connection")
    db = os.path.join(tmp, "drop.db")
    with Dropper() as d:
        rules = write_rules(shipped, os.path.join(tmp, "drop-rules"), plain_mail(d.port))
        seed_violations(binary, rules, db, "2026-11-02T20:00:00+08:00")
        r = run(binary, rules, db, "2026-11-02T20:00:00+08:00", ["notify"])
        check(r.returncode == 3, "dropped connection exits 3 (got %d)" % r.returncode)
        states = db_rows(db, "SELECT DISTINCT state FROM mails")
        check(states == [("failed-temporary",)], "dropped is temporary: %r" % states)


def make_cert(tmp):
    key = os.path.join(tmp, "key.pem")
    cert = os.path.join(tmp, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return key, cert


class Auth:
    def __init__(self):
        self.seen = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == b"xunjian" and
              auth_data.password == "s3cret 密码".encode())
        self.seen.append((mechanism, ok))
        return AuthResult(success=ok, handled=False)


def test_starttls_auth(binary, shipped, tmp):
    print("STARTTLS and AUTH")
    key, cert = make_cert(tmp)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    auth = Auth()
    with Server(tls_context=ctx, require_starttls=True, authenticator=auth,
                auth_require_tls=True, auth_required=True) as srv:
        pwfile = os.path.join(tmp, "smtp-password")
        with open(pwfile, "w", encoding="utf-8") as f:
            f.write("s3cret 密码\n")
        mail = dict(plain_mail(srv.port), starttls="required", ca_file=cert, user="xunjian",
                    password_file=pwfile)
        rules = write_rules(shipped, os.path.join(tmp, "tls-rules"), mail)
        db = os.path.join(tmp, "tls.db")
        seed_violations(binary, rules, db, "2026-11-02T20:00:00+08:00")
        r = run(binary, rules, db, "2026-11-02T20:00:00+08:00", ["notify", "--unit", "jyj"])
        check(r.returncode == 0, "STARTTLS+AUTH send: %s %s" % (r.stdout, r.stderr))
        check(len(srv.handler.got) == 1 and srv.handler.got[0][3],
              "one message, sent by an authenticated session")
        check(auth.seen and all(ok for _, ok in auth.seen), "the password from the file")

        # The password from an environment variable instead, and a wrong one: 535, permanent.
        mail = dict(mail, password_file="~", password_env="XJ_TEST_SMTP_PW")
        rules = write_rules(shipped, os.path.join(tmp, "tls-rules2"), mail)
        r = run(binary, rules, db, "2026-11-03T20:00:00+08:00", ["notify", "--unit", "jyj"],
                env={"XJ_TEST_SMTP_PW": "wrong"})
        check(r.returncode == 3 and "535" in r.stdout, "wrong password is reported: %s" % r.stdout)
        r = run(binary, rules, db, "2026-11-04T20:00:00+08:00", ["notify", "--unit", "jyj"],
                env={"XJ_TEST_SMTP_PW": ""})
        check(r.returncode == 2 and "XJ_TEST_SMTP_PW" in r.stderr, "missing password exits 2")

        # Without the CA, the self-signed certificate is refused: permanent.
        mail = dict(mail, ca_file="~")
        rules = write_rules(shipped, os.path.join(tmp, "tls-rules3"), mail)
        r = run(binary, rules, db, "2026-11-05T20:00:00+08:00", ["notify", "--unit", "jyj"],
                env={"XJ_TEST_SMTP_PW": "s3cret 密码"})
        states = db_rows(db, "SELECT state FROM mails WHERE day = '2026-11-05'")
        check(r.returncode == 3 and states == [("failed-permanent",)],
              "an untrusted certificate is a permanent failure: %r" % states)

    # A plain server while STARTTLS is required: refused, never sent in clear.
    with Server() as plain:
        mail = dict(plain_mail(plain.port), starttls="required")
        rules = write_rules(shipped, os.path.join(tmp, "tls-rules4"), mail)
        r = run(binary, rules, db, "2026-11-06T20:00:00+08:00", ["notify", "--unit", "jyj"])
        check(r.returncode == 3 and not plain.handler.got,
              "no STARTTLS offered: nothing sent in clear")


def test_injection(binary, shipped, tmp):
    print("header injection in rules.d")
    rules = write_rules(shipped, os.path.join(tmp, "inj-rules"), {"host": "127.0.0.1"},
                        'units:\n  jyj: {name: "区教育局\\r\\nBcc: evil@example.com", '
                        'email: jyj@example.gov.cn}\n')
    r = subprocess.run([binary, "--config", rules, "rules", "check"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    check(r.returncode == 2 and "90-local.yaml:" in r.stderr and "units.jyj.name" in r.stderr,
          "a line break in a unit's name is refused: %s" % r.stderr)
    rules = write_rules(shipped, os.path.join(tmp, "inj-rules2"),
                        {"host": "127.0.0.1", "from_name": '"政务公开办\\nBcc: evil@example.com"',
                         "from_address": '"a@example.gov.cn\\r\\nX: y"'})
    r = subprocess.run([binary, "--config", rules, "rules", "check"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    check(r.returncode == 2 and "mail.from_name" in r.stderr and "mail.from_address" in r.stderr,
          "line breaks in the sender are refused: %s" % r.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xunjian", required=True)
    ap.add_argument("--rules", required=True)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="xj-notify-")
    try:
        for t in (test_plain_days, test_drop, test_starttls_auth, test_injection):
            try:
                t(args.xunjian, args.rules, tmp)
            except Exception:
                traceback.print_exc()
                failures.append(t.__name__ + " raised")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

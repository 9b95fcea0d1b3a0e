"""Crash safety (issue 7, item 5): xunjian killed with SIGKILL at random moments, then run
again, must leave a database that passes `PRAGMA integrity_check` and
`PRAGMA foreign_key_check`, and in the end give what one uninterrupted run gives, with
nothing twice:

- `xunjian scan` against the loopback test portal: the interrupted scan is recorded as
  interrupted, the last complete scan's findings equal the portal's manifest, one violation
  per (site, rule, subject);
- `xunjian tickets` over a few thousand violations: no ticket issued twice, the same
  tickets and numbers as a run that was never killed;
- `xunjian notify` against a real SMTP server on loopback (aiosmtpd) that counts what it
  accepted: no unit gets its mail twice. The one moment a resend could duplicate a mail —
  the server has the whole message and may have said 250, the database does not yet say
  "sent" — is covered on purpose: the server holds its answer to the end of the data while
  the test kills xunjian, and the next run must not send that mail again (it is "in-doubt").

The random delays come from --seed (default: the time), printed so a failure can be
replayed. Kills per command: --kills (default 15)."""

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import portal_lib  # noqa: E402

from aiosmtpd.controller import Controller  # noqa: E402

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


def db_ok(db, when):
    """integrity_check and foreign_key_check on a copy-free, read-only connection."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchall()
        fk = con.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        con.close()
    ok = check(integrity == [("ok",)], "integrity_check ok %s: %r" % (when, integrity[:3]))
    return check(fk == [], "foreign_key_check empty %s: %r" % (when, fk[:3])) and ok


def rows(db, sql, args=()):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def kill_after(cmd, delay, env=None):
    """Starts cmd, SIGKILLs it after delay seconds; True when it was still running."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        p.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        p.wait()
        return True


def timed(cmd, env=None, timeout=300):
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       env=env, timeout=timeout)
    return r, time.monotonic() - t0


def kill_loop(name, cmd, duration, kills, rng, after_each, on_completed=None, min_hits=None):
    """Kills cmd at kills random moments within its uninterrupted duration. A run that
    finished before its kill calls on_completed (which may restore the starting state, so
    that later kills still meet a whole run)."""
    hit = 0
    for i in range(kills):
        delay = rng.uniform(0.02, max(duration, 0.05))
        if kill_after(cmd, delay):
            hit += 1
            after_each("after %s kill %d at %.2f s" % (name, i + 1, delay))
        else:
            after_each("after %s run %d, finished before its kill at %.2f s"
                       % (name, i + 1, delay))
            if on_completed:
                on_completed()
    print("  %d of %d kills landed while %s ran (%.2f s uninterrupted)"
          % (hit, kills, name, duration))
    if min_hits is not None:
        check(hit >= min_hits, "kills of %s landed mid-run (%d of %d)" % (name, hit, kills))


# ---- scan ----------------------------------------------------------------------------------

def test_scan(a, tmp, rng):
    """Each killed run resumes the scan the previous one left, so a few kills walk through
    the fetches of the whole scan in about one scan's time instead of a whole scan per
    kill."""
    print("scan killed at random moments")
    now = portal_lib.DEFAULT_NOW
    with portal_lib.Portal(os.path.join(tmp, "scan"), now=now) as portal:
        rules = portal_lib.write_rules(portal, a.rules, os.path.join(tmp, "scan-rules"))
        db = os.path.join(tmp, "scan.db")
        cmd = [a.xunjian, "--config", rules, "--now", now, "--format", "json", "--db", db,
               "scan"]
        hit = 0
        for i in range(a.kills):
            # The kills walk through the fetches; the end of a scan waits on the portal's
            # never-answering port for longer than that, and test_scan_writes kills there.
            delay = rng.uniform(0.2, 3.0)
            if kill_after(cmd, delay):
                hit += 1
            db_ok(db, "after scan kill %d at %.2f s" % (i + 1, delay))
            running = rows(db, "SELECT count(*) FROM scans WHERE state = 'running'")[0][0]
            check(running <= 1, "at most one scan left running after kill %d" % (i + 1))
            if a.verbose:
                print("    kill %d at %.2f s: frontier %r, scans %r" % (i + 1, delay, rows(
                    db, "SELECT state, count(*) FROM frontier GROUP BY state"), rows(
                    db, "SELECT state, count(*) FROM scans GROUP BY state")))
        print("  %d of %d kills landed while the scan ran" % (hit, a.kills))
        check(hit >= a.kills // 2, "most kills landed mid-scan (%d of %d)" % (hit, a.kills))
        states = rows(db, "SELECT state, count(*) FROM scans GROUP BY state ORDER BY state")
        print("  scans after the kills: %r" % states)

        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=600)
        check(r.returncode == 1, "the scan after the kills completes (exit %d): %s"
              % (r.returncode, r.stderr[-500:]))
        db_ok(db, "after the final scan")
        # Every killed run continued the one scan, unless a run finished before its kill.
        n_scans = rows(db, "SELECT count(*) FROM scans WHERE kind IS NULL OR kind != 'probe'")
        complete = rows(db, "SELECT count(*) FROM scans WHERE state = 'complete'")[0][0]
        check(n_scans[0][0] == complete, "the interrupted scan was resumed, not begun again "
              "(%d scans, %d complete)" % (n_scans[0][0], complete))
        check(hit == a.kills or complete >= 1, "a scan completed")
        objs, _ = portal_lib.parse_json_lines(r.stdout)
        got = sorted((o["site"], o["rule"], o["subject"]) for o in objs
                     if o.get("kind") != "warning")
        want = sorted((f["site"], f["rule"], portal.substitute(f["subject"]))
                      for f in portal.manifest()["findings"])
        check(got == want, "after the kills the findings equal the manifest, as an "
              "uninterrupted scan's do (missing %r, extra %r)"
              % (sorted(set(want) - set(got))[:5], sorted(set(got) - set(want))[:5]))
        check(len(got) == len(set(got)), "no finding reported twice")
        viol = sorted(rows(db, "SELECT site, rule, subject FROM violations"
                               " WHERE kind != 'warning' AND state = 'open'"))
        check(viol == want, "the open violations are the manifest's (%d vs %d)"
              % (len(viol), len(want)))
        dup = rows(db, "SELECT site, rule, subject, count(*) FROM violations"
                       " GROUP BY site, rule, subject HAVING count(*) > 1")
        check(dup == [], "one violation per site, rule and subject: %r" % dup[:3])
        running = rows(db, "SELECT count(*) FROM scans WHERE state = 'running'")[0][0]
        check(running == 0, "no scan is left running (%d)" % running)


SCAN_CHECKS = [
    ("SELECT site, rule, subject, kind, state FROM violations ORDER BY site, rule, subject",
     "the violations"),
    ("SELECT count(*) FROM scans WHERE state = 'complete' AND reconciled_at IS NULL",
     "complete scans never reconciled"),
    ("SELECT count(*) FROM (SELECT 1 FROM findings GROUP BY scan_id, rule, subject"
     " HAVING count(*) > 1)", "findings stored twice in one scan"),
    ("SELECT count(*) FROM scans WHERE state = 'running'", "scans left running"),
    ("SELECT count(*) FROM scans s WHERE state = 'complete' AND NOT EXISTS"
     " (SELECT 1 FROM verdicts v WHERE v.scan_id = s.id)", "complete scans without a verdict"),
]


def test_scan_writes(a, tmp, rng):
    """Kills `scan --site old` (the portal's small second site, 27 pages) at chosen writes
    to the database, with strace's fault injection: SIGKILL on entering the N-th pwrite64,
    so the kill lands between two writes of one commit or between two commits, every time
    at the same place. All of the last writes (the end of the scan: findings, scan state,
    frontier, reconcile) and a sample of the earlier ones. After each kill one uninterrupted
    run must leave what a scan that was never killed leaves."""
    print("scan killed at chosen writes to the database")
    if not shutil.which("strace"):
        print("  strace not found: skipped")
        return
    now = portal_lib.DEFAULT_NOW
    with portal_lib.Portal(os.path.join(tmp, "writes"), now=now) as portal:
        rules = portal_lib.write_rules(portal, a.rules, os.path.join(tmp, "writes-rules"))
        base = os.path.join(tmp, "writes-base.db")
        cmd = [a.xunjian, "--config", rules, "--now", now, "--quiet", "scan", "--site", "old"]
        r = subprocess.run([a.xunjian, "--config", rules, "--db", base, "violations"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        check(r.returncode == 0, "schema created: " + r.stderr[-300:])

        def fresh(name):
            db = os.path.join(tmp, name)
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.unlink(db + suffix)
            shutil.copy(base, db)
            return db

        # LeakSanitizer cannot run under ptrace: under ASan the traced runs skip it.
        traced_env = dict(os.environ)
        traced_env["ASAN_OPTIONS"] = ":".join(filter(None, [traced_env.get("ASAN_OPTIONS"),
                                                            "detect_leaks=0"]))
        ref = fresh("writes-ref.db")
        trace = os.path.join(tmp, "writes.strace")
        r = subprocess.run(["strace", "-f", "-qq", "-o", trace, "-e", "trace=pwrite64",
                            "-e", "signal=none"] + cmd[:1] + ["--db", ref] + cmd[1:],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           env=traced_env)
        if not check(r.returncode == 1, "the traced reference scan completes (exit %d): %s"
                     % (r.returncode, r.stderr[-300:])):
            return
        # The file each write goes to: most go to the WAL (the commits); the last ones copy
        # the WAL into the database file (the checkpoint when the store is closed).
        with open(trace, encoding="utf-8", errors="replace") as f:
            fds = [int(m.group(1)) for m in re.finditer(r"pwrite64\((\d+)", f.read())]
        writes = len(fds)
        wal = max(set(fds), key=fds.count) if fds else -1
        commits = [i + 1 for i, fd in enumerate(fds) if fd == wal]
        checkpoint = [i + 1 for i, fd in enumerate(fds) if i + 1 > commits[-1]] if commits else []
        want = [rows(ref, q) for q, _ in SCAN_CHECKS]
        check(want[1:] == [[(0,)]] * 4, "the reference scan is reconciled, once, has its "
              "verdict, and is done")
        # Every write of the last 30 to the WAL: the end of the scan (its findings, state,
        # frontier, reconcile, verdict); the checkpoint's first and last writes; a few of
        # the crawl's.
        tail = commits[-30:] + checkpoint[:2] + checkpoint[-2:]
        early = sorted(rng.sample(commits[:-30], min(4, len(commits[:-30]))))
        killed = 0
        for n in early + tail:
            db = fresh("writes.db")
            r = subprocess.run(["strace", "-f", "-qq", "-o", os.devnull, "-e", "trace=pwrite64",
                                "-e", "signal=none", "-e",
                                "inject=pwrite64:signal=SIGKILL:when=%d" % n]
                               + cmd[:1] + ["--db", db] + cmd[1:],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=traced_env)
            killed += r.returncode == -signal.SIGKILL or r.returncode == 128 + signal.SIGKILL
            if not db_ok(db, "after a kill at write %d of %d" % (n, writes)):
                continue
            r = subprocess.run(cmd[:1] + ["--db", db] + cmd[1:], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, timeout=120)
            check(r.returncode == 1, "the scan after a kill at write %d completes (exit %d): %s"
                  % (n, r.returncode, r.stderr[-300:]))
            for (q, what), w in zip(SCAN_CHECKS, want):
                got = rows(db, q)
                check(got == w, "after a kill at write %d of %d, %s: %r, want %r"
                      % (n, writes, what, got[:4], w[:4]))
        print("  %d writes; %d runs killed at one of them" % (writes, killed))
        # The crawl's WAL checkpoints run on libuv's thread pool, so the writes of two runs
        # interleave differently and a chosen write number may not come in a shorter run:
        # most kills land, not all.
        check(killed >= (len(early) + len(tail)) // 2,
              "the kills landed (%d of %d)" % (killed, len(early) + len(tail)))


# ---- tickets -------------------------------------------------------------------------------

UNIT_RE = re.compile(r"^\s+(\w+):\s+\{name: ([^,]+), email: \[([^\]]+)\]\}", re.M)


def shipped_units(rules):
    with open(os.path.join(rules, "10-units.yaml"), encoding="utf-8") as f:
        return [(m.group(1), m.group(2), m.group(3)) for m in UNIT_RE.finditer(f.read())]


def write_mail_rules(shipped, dest, port):
    os.makedirs(dest, exist_ok=True)
    for name in sorted(os.listdir(shipped)):
        if name.endswith((".yaml", ".yml")):
            shutil.copy(os.path.join(shipped, name), dest)
    with open(os.path.join(dest, "90-local.yaml"), "w", encoding="utf-8") as f:
        f.write("mail:\n  host: 127.0.0.1\n  port: %d\n  starttls: none\n  timeout_s: 10\n"
                % port)
    return dest


def seed_violations(binary, rules, db, now, per_unit):
    """Creates the schema through xunjian, then open violations for every unit but the
    supervising office (which gets the summary)."""
    r = subprocess.run([binary, "--config", rules, "--db", db, "--now", now, "violations"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(db)
    t = 1793613600  # 2026-11-02T08:00:00+08:00
    for uid, unit, _ in shipped_units(rules):
        if uid == "zwgkb":
            continue
        for i in range(per_unit):
            kind = "warning" if i % 5 == 4 else "violation"
            con.execute("INSERT INTO violations (site, rule, subject, kind, severity, state,"
                        " unit, column_name, url, detail, first_seen, last_seen) VALUES"
                        " ('demo', 'column_stale', ?, ?, 'normal', 'open', ?, ?, ?, ?, ?, ?)",
                        ("http://w/%s/%d/" % (uid, i), kind, unit, "栏目%d" % i,
                         "http://w/%s/%d/" % (uid, i), "栏目%d 已 20 天未更新" % i, t, t))
    con.commit()
    con.close()


TICKETS_Q = ("SELECT violation_id, kind, number, state, unit FROM tickets"
             " ORDER BY violation_id, kind, number")


def test_tickets(a, tmp, rng):
    print("ticket engine killed at random moments")
    rules = write_mail_rules(a.rules, os.path.join(tmp, "tickets-rules"), 25)
    now = "2026-11-02T20:00:00+08:00"
    ref_db = os.path.join(tmp, "tickets-ref.db")
    db = os.path.join(tmp, "tickets.db")
    seed_violations(a.xunjian, rules, ref_db, now, 150)
    seeded = os.path.join(tmp, "tickets-seeded.db")
    shutil.copy(ref_db, seeded)
    shutil.copy(ref_db, db)
    cmd = [a.xunjian, "--config", rules, "--now", now, "tickets"]
    r, duration = timed(cmd[:1] + ["--db", ref_db] + cmd[1:])
    check(r.returncode in (0, 1), "uninterrupted ticket run (exit %d): %s"
          % (r.returncode, r.stderr[-300:]))
    ref = rows(ref_db, TICKETS_Q)
    check(len(ref) > 1000, "the reference run issued many tickets (%d)" % len(ref))

    def after(when):
        if db_ok(db, when):
            n = rows(db, "SELECT count(*) FROM tickets")[0][0]
            check(n in (0, len(ref)), "%s: all tickets or none (%d of %d)" % (when, n, len(ref)))
    def restart():
        for suffix in ("-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
        shutil.copy(seeded, db)
    kill_loop("tickets", cmd[:1] + ["--db", db] + cmd[1:], duration, a.kills, rng, after,
              on_completed=restart, min_hits=a.kills // 2)
    subprocess.run(cmd[:1] + ["--db", db] + cmd[1:], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=300)
    # And once more: a rerun at the same moment issues nothing new.
    subprocess.run(cmd[:1] + ["--db", db] + cmd[1:], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=300)
    db_ok(db, "after the final ticket runs")
    got = rows(db, TICKETS_Q)
    check(got == ref, "the tickets equal those of an uninterrupted run (%d vs %d)"
          % (len(got), len(ref)))
    dup = rows(db, "SELECT violation_id, kind, count(*) FROM tickets"
                   " GROUP BY violation_id, kind HAVING count(*) > 1")
    check(dup == [], "no ticket issued twice for one violation: %r" % dup[:3])
    dupn = rows(db, "SELECT number, count(*) FROM tickets GROUP BY number HAVING count(*) > 1")
    check(dupn == [], "no ticket number given twice: %r" % dupn[:3])


# ---- notify --------------------------------------------------------------------------------

class Counter:
    """An SMTP handler that keeps every message it accepted, slowly enough (delay seconds
    per message) that a kill lands mid-run. With hold set, it takes the end of the data of
    the first message, keeps it as accepted, and waits for release before answering."""

    def __init__(self, delay):
        self.delay = delay
        self.got = []
        self.lock = threading.Lock()
        self.hold = False
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.hold:
            with self.lock:
                self.got.append(envelope.content)
            self.hold = False
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
            return "250 2.0.0 accepted"
        # A real server takes its time to queue a message, then keeps it and answers.
        await asyncio.sleep(self.delay)
        with self.lock:
            self.got.append(envelope.content)
        return "250 2.0.0 accepted"

    def message_ids(self):
        with self.lock:
            got = list(self.got)
        out = []
        for raw in got:
            m = re.search(rb"^Message-ID: *(<[^>]+>)", raw, re.M | re.I)
            out.append(m.group(1).decode() if m else None)
        return out

    def recipients(self):
        with self.lock:
            got = list(self.got)
        return [re.search(rb"^To: .*<([^>]+)>", raw, re.M).group(1).decode() for raw in got]


def test_notify(a, tmp, rng):
    print("nightly email killed at random moments")
    port = free_port()
    handler = Counter(0.03)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        rules = write_mail_rules(a.rules, os.path.join(tmp, "notify-rules"), port)
        now = "2026-11-02T20:00:00+08:00"
        db = os.path.join(tmp, "notify.db")
        seed_violations(a.xunjian, rules, db, now, 2)
        base = [a.xunjian, "--config", rules, "--db", db, "--now", now]
        r = subprocess.run(base + ["tickets"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        check(r.returncode in (0, 1), "tickets before the mail: " + r.stderr[-300:])
        # A mail to each unit but the supervising office, and the summary to it.
        expected = len(shipped_units(rules))

        # The kill between "the server has it" and "recorded as sent", made certain.
        handler.hold = True
        p = subprocess.Popen(base + ["notify"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        held = handler.holding.wait(30)
        check(held, "the first mail reached the end of its data")
        p.send_signal(signal.SIGKILL)
        p.wait()
        handler.release.set()
        db_ok(db, "after the kill while the server held its answer")
        first = handler.message_ids()[0] if handler.got else None
        doubt = rows(db, "SELECT message_id FROM mails WHERE state = 'in-doubt'")
        check(doubt == [(first,)], "the held mail is recorded as in-doubt: %r" % doubt)

        # Random kills over a run that takes about expected × delay seconds; each run
        # sends some mails before its kill, so later runs have less to do.
        duration = expected * handler.delay / 3
        kill_loop("notify", base + ["notify"], duration, a.kills, rng,
                  lambda when: db_ok(db, when), min_hits=1)
        r = subprocess.run(base + ["notify"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=120)
        check(r.returncode in (0, 3), "the last notify run finishes (exit %d): %s"
              % (r.returncode, r.stderr[-500:]))
        check("状态不明" in r.stdout + r.stderr, "the run names the in-doubt mail")
        r = subprocess.run(base + ["notify"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=120)
        db_ok(db, "after the final notify runs")

        ids = handler.message_ids()
        check(None not in ids, "every message has a Message-ID")
        twice = sorted({i for i in ids if ids.count(i) > 1})
        check(not twice, "no message accepted twice: %r" % twice[:3])
        to = handler.recipients()
        again = sorted({t for t in to if to.count(t) > 1})
        check(not again, "no unit got two mails: %r" % again[:3])
        states = dict(rows(db, "SELECT state, count(*) FROM mails WHERE day = '2026-11-02'"
                               " GROUP BY state"))
        # The units' mails and the summary; a kill that landed in the same window as the
        # held one leaves another in-doubt, delivered or not.
        in_doubt = states.get("in-doubt", 0)
        check(states.get("sent", 0) + in_doubt == expected,
              "every mail of the day is sent or in-doubt: %r" % states)
        check(expected - in_doubt <= len(set(to)) <= expected,
              "every mail not in doubt reached the server once (%d distinct)" % len(set(to)))
        recorded = {m for (m,) in rows(db, "SELECT message_id FROM mails WHERE state = 'sent'")}
        check(recorded <= set(ids), "every mail recorded as sent reached the server")
    finally:
        controller.stop()


class SilentAfterData:
    """A minimal SMTP server that takes the whole message, then closes the connection
    without answering: the client cannot know whether it was accepted."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.messages = 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with c, c.makefile("rb") as f:
                c.sendall(b"220 silent ESMTP\r\n")
                for line in f:
                    cmd = line[:4].upper()
                    if cmd in (b"EHLO", b"HELO"):
                        c.sendall(b"250 silent\r\n")
                    elif cmd == b"DATA":
                        c.sendall(b"354 go ahead\r\n")
                        for data in f:
                            if data == b".\r\n":
                                break
                        self.messages += 1
                        break
                    elif cmd == b"QUIT":
                        c.sendall(b"221 bye\r\n")
                        break
                    else:
                        c.sendall(b"250 ok\r\n")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.sock.close()


def test_notify_no_answer(a, tmp, rng):
    print("nightly email: the server takes the data and never answers")
    with SilentAfterData() as srv:
        rules = write_mail_rules(a.rules, os.path.join(tmp, "silent-rules"), srv.port)
        now = "2026-11-02T20:00:00+08:00"
        db = os.path.join(tmp, "silent.db")
        seed_violations(a.xunjian, rules, db, now, 1)
        base = [a.xunjian, "--config", rules, "--db", db, "--now", now]
        r = subprocess.run(base + ["notify", "--unit", "jyj"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        check(r.returncode == 3, "a mail without an answer is a runtime failure (exit %d)"
              % r.returncode)
        check("状态不明" in r.stdout, "the run says the mail is in doubt: " + r.stdout)
        check(srv.messages == 1, "the server had the message once (%d)" % srv.messages)
        state = rows(db, "SELECT state FROM mails WHERE unit = '区教育局'")
        check(state == [("in-doubt",)], "recorded in-doubt: %r" % state)
        r = subprocess.run(base + ["notify", "--unit", "jyj"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        check(srv.messages == 1, "the next run does not send it again (%d)" % srv.messages)
        check(r.returncode == 0 and "状态不明" in r.stdout,
              "the next run skips it and says why (exit %d): %s" % (r.returncode, r.stdout))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xunjian", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--kills", type=int, default=15)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--only", choices=["scan", "scan-writes", "tickets", "notify", "no-answer"])
    a = ap.parse_args()
    print("seed %d (replay with --seed %d)" % (a.seed, a.seed))
    tmp = tempfile.mkdtemp(prefix="xj-crash-")
    try:
        for name, t in (("scan", test_scan), ("scan-writes", test_scan_writes),
                        ("tickets", test_tickets),
                        ("notify", test_notify), ("no-answer", test_notify_no_answer)):
            if a.only and a.only != name:
                continue
            try:
                t(a, tmp, random.Random("%d-%s" % (a.seed, name)))
            except Exception:
                failures.append(name + " raised")
                traceback.print_exc()
    finally:
        if not failures:
            shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d check(s) failed (seed %d); files kept in %s" % (len(failures), a.seed, tmp))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`xunjian daemon` end to end: the real executable, the loopback test portal and a real SMTP
server (python3-aiosmtpd) on 127.0.0.1, all started and stopped here.

- notify: a fake NOTIFY_SOCKET (an AF_UNIX datagram socket) sees READY=1, STATUS=,
  WATCHDOG=1 (WATCHDOG_USEC small), RELOADING=1 with MONOTONIC_USEC then READY=1 on SIGHUP
  and on `xunjian reload`, STOPPING=1 on SIGTERM, and the daemon exits 0.
- reload: a broken rules.d makes `xunjian reload` exit 2 printing file:line:col; the daemon
  keeps running on the old configuration, and later jobs still run with it.
- soak: the daemon with the simulated clock (--warp) over 14 days against the portal's old
  site, with changes planted day by day (a dead link that appears on day 2 and is fixed on
  day 6, a news column that stops being updated), checked through the tickets (办理单, then
  提醒单 and 催办单 at the working-day deadlines, closed after the fix), the emails (one per
  unit and day, none twice), the probes (>= 20 a day) and the catch-up after 3 days down
  (each missed job once).
- stop and resume: SIGTERM during a scan exits 0 with the scan interrupted and its slot
  kept; the next start continues the same scan to completion.
- probes beside a scan: with the clock at 600× and a slow scan, probes are made while it runs.
- homepage links: a site scanned weekly has its homepage's links checked on the other days;
  a dead link there is opened, then fixed by the next day's check.
- status and metrics: `xunjian status` (text, json) and the metrics file against the
  database the soak left."""

import argparse
import datetime
import email
import email.policy
import json
import os
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

CST = datetime.timezone(datetime.timedelta(hours=8))
START = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=CST)    # a Monday
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("  FAIL: " + what)
    return cond


def iso(t):
    return t.isoformat()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Handler:
    def __init__(self):
        self.got = []

    async def handle_DATA(self, server, session, envelope):
        self.got.append((sorted(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 accepted"


class Smtp:
    def __init__(self):
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def write_rules(portal, shipped, dest, smtp_port, extra=""):
    """The shipped rules, the portal's sites with demo disabled (its 2,000 pages would make
    every simulated night slow; old has 27), mail to the local server, and the tickets counted
    in working days."""
    portal_lib.write_rules(portal, shipped, dest)
    site = portal.site_yaml().replace("\n  demo:\n", "\n  demo:\n    enabled: false\n", 1)
    if "enabled: false" not in site:
        raise portal_lib.PortalError("cannot disable the demo site")
    text = open(os.path.join(dest, "60-portal.yaml"), encoding="utf-8").read()
    text = text.replace(portal.site_yaml(), site)
    text += ("mail:\n  host: 127.0.0.1\n  port: %d\n  starttls: none\n  timeout_s: 10\n"
             "tickets:\n  day_type: working\n  handling_days: 5\n  reminder_lead_days: 2\n"
             "  urging_interval_days: 3\n" % smtp_port)
    text += extra
    with open(os.path.join(dest, "60-portal.yaml"), "w", encoding="utf-8") as f:
        f.write(text)
    return dest


class NotifySocket:
    """Receives the daemon's sd_notify() datagrams on a thread, as systemd would: a receiver
    that stops reading would block the sender once the socket's queue is full."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.1)
        self.messages = []
        self.lock = threading.Lock()
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                m = self.sock.recv(65536).decode()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.messages.append(m)

    def snapshot(self):
        with self.lock:
            return list(self.messages)

    def count(self, text):
        return sum(text in m for m in self.snapshot())

    def wait_for(self, text, seconds, start=0):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for i, m in enumerate(self.snapshot()[start:], start):
                if text in m:
                    return i
            time.sleep(0.05)
        return -1

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def daemon_cmd(binary, rules, db, now, run_dir, extra):
    return [binary, "--config", rules, "--db", db, "--now", iso(now), "--runtime-dir", run_dir,
            "-q"] + extra + ["daemon"]


def run_daemon(binary, rules, db, now, until, run_dir, timeout=120):
    cmd = daemon_cmd(binary, rules, db, now, run_dir, ["--warp", "--until", iso(until)])
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         timeout=timeout)
    check(res.returncode == 0, "daemon %s..%s exit %d: %s" % (iso(now), iso(until),
                                                              res.returncode, res.stderr[-2000:]))
    return res


def reload_cmd(binary, rules, run_dir):
    return subprocess.run([binary, "--config", rules, "--runtime-dir", run_dir, "reload"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)


# ------------------------------------------------------------------------------------------


def test_notify_and_reload(binary, rules, work):
    print("notify and reload")
    db = os.path.join(work, "notify.db")
    run_dir = os.path.join(work, "run-notify")
    nsock = NotifySocket(os.path.join(work, "notify.sock"))
    env = dict(os.environ, NOTIFY_SOCKET=nsock.path, WATCHDOG_USEC="200000")
    # 3600 simulated seconds a second: the old site's probes (one each 72 simulated
    # minutes) come every 1.2 s, its scan at 01:30 is 16 s away.
    cmd = daemon_cmd(binary, rules, db, START, run_dir, ["--clock-speed", "3600"])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    try:
        check(nsock.wait_for("READY=1", 20) >= 0, "READY=1 after start")
        check(nsock.count("STATUS=") > 0, "a STATUS= line")
        check(nsock.wait_for("WATCHDOG=1", 5) >= 0, "WATCHDOG=1 with WATCHDOG_USEC set")
        n = nsock.count("WATCHDOG=1")
        time.sleep(0.6)
        check(nsock.count("WATCHDOG=1") >= n + 3,
              "WATCHDOG=1 every half WATCHDOG_USEC (%d in 0.6 s)" % (nsock.count("WATCHDOG=1") - n))

        n = len(nsock.snapshot())
        proc.send_signal(signal.SIGHUP)
        i = nsock.wait_for("RELOADING=1", 10, n)
        check(i >= 0 and "MONOTONIC_USEC=" in nsock.snapshot()[i], "RELOADING=1 with MONOTONIC_USEC on SIGHUP")
        check(nsock.wait_for("READY=1", 10, max(i, 0) + 1) > i, "READY=1 after the SIGHUP reload")

        n = len(nsock.snapshot())
        res = reload_cmd(binary, rules, run_dir)
        check(res.returncode == 0, "xunjian reload exits 0 (%d: %s)" % (res.returncode, res.stderr))
        i = nsock.wait_for("RELOADING=1", 10, n)
        check(i >= 0, "RELOADING=1 on xunjian reload")
        check(nsock.wait_for("READY=1", 10, max(i, 0) + 1) > i, "READY=1 after xunjian reload")

        # A broken rules.d: refused with its place, the old configuration kept.
        broken = os.path.join(rules, "70-broken.yaml")
        with open(broken, "w", encoding="utf-8") as f:
            f.write("settings:\n  probe:\n    per_day: lots\n")
        res = reload_cmd(binary, rules, run_dir)
        check(res.returncode == 2, "broken reload exits 2 (got %d)" % res.returncode)
        check("70-broken.yaml:3:" in res.stderr and "per_day" in res.stderr,
              "the file:line:col error is printed: %r" % res.stderr)
        check(proc.poll() is None, "the daemon still runs after a broken reload")
        runs_before = probe_runs(db)
        time.sleep(3.5)
        runs_after = probe_runs(db)
        check(runs_after >= runs_before + 2,
              "jobs still run on the old configuration (probe runs %d -> %d)"
              % (runs_before, runs_after))
        os.unlink(broken)

        n = len(nsock.snapshot())
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        check(nsock.wait_for("STOPPING=1", 2, n) >= 0, "STOPPING=1 on SIGTERM")
        check(proc.returncode == 0, "exit 0 after SIGTERM (got %d): %s" % (proc.returncode, err[-1500:]))
        check(time.monotonic() - t0 < 30, "stopped within 30 s")
        check(not os.path.exists(os.path.join(run_dir, "control")), "control socket removed")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        nsock.close()


def probe_runs(db):
    con = sqlite3.connect(db)
    try:
        row = con.execute("SELECT coalesce(sum(runs), 0) FROM jobs WHERE kind = 'probe'").fetchone()
        return row[0]
    except sqlite3.Error:
        return 0
    finally:
        con.close()


def test_stop_and_resume(binary, rules, work):
    """SIGTERM during a scan: the daemon exits 0 with the scan interrupted and its slot kept;
    the next start continues the same scan from its frontier to completion."""
    print("stop during a scan, then resume")
    db = os.path.join(work, "resume.db")
    run_dir = os.path.join(work, "run-resume")
    at = START.replace(hour=1, minute=29, second=58)
    # Real time; the scan of old is due at 01:30, two seconds in.
    cmd = daemon_cmd(binary, rules, db, at, run_dir, [])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        done = 0
        end = time.monotonic() + 60
        while time.monotonic() < end and done < 5:
            time.sleep(0.2)
            try:
                con = sqlite3.connect(db)
                done = con.execute("SELECT count(*) FROM frontier WHERE state = 'done'").fetchone()[0]
                con.close()
            except sqlite3.Error:
                pass
        check(done >= 5, "the scan was under way before the stop (%d fetches done)" % done)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        check(proc.returncode == 0, "exit 0 after SIGTERM mid-scan (got %d): %s"
              % (proc.returncode, err[-1500:]))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    con = sqlite3.connect(db)
    scans = con.execute("SELECT id, state FROM scans WHERE site = 'old' AND kind = 'crawl'").fetchall()
    check(len(scans) == 1 and scans[0][1] == "interrupted",
          "the stopped scan is recorded as interrupted: %r" % scans)
    slot = int(at.replace(second=0, minute=30).timestamp())
    nxt = con.execute("SELECT next_run FROM jobs WHERE site = 'old' AND kind = 'scan'").fetchone()
    check(nxt is not None and nxt[0] == slot,
          "the interrupted scan keeps its slot (next_run %r, slot %d)" % (nxt, slot))
    con.close()

    # Started again a minute later: the scan is due at once and continues.
    run_daemon(binary, rules, db, at + datetime.timedelta(minutes=1),
               at + datetime.timedelta(minutes=20), run_dir)
    con = sqlite3.connect(db)
    after = con.execute("SELECT id, state FROM scans WHERE site = 'old' AND kind = 'crawl'"
                        " ORDER BY id").fetchall()
    check(len(after) == 1 and after[0] == (scans[0][0], "complete"),
          "the same scan continued to completion: %r" % after)
    left = con.execute("SELECT count(*) FROM frontier").fetchone()[0]
    check(left == 0, "the completed scan's frontier is cleared (%d rows)" % left)
    con.close()


def test_probes_during_scan(binary, rules, work):
    """The probes run beside a long scan: with the clock at 600× and a slow scan (a request
    per origin each 300 ms: hours of simulated time), the probes due meanwhile are made
    while the scan runs, not after it."""
    print("probes beside a long scan")
    db = os.path.join(work, "beside.db")
    run_dir = os.path.join(work, "run-beside")
    at = START.replace(hour=1, minute=29, second=58)
    cmd = daemon_cmd(binary, rules, db, at, run_dir, ["--clock-speed", "600"])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    scan = None
    try:
        end = time.monotonic() + 120
        while time.monotonic() < end and not (scan and scan[2] == "complete"):
            time.sleep(0.5)
            try:
                con = sqlite3.connect(db)
                scan = con.execute("SELECT started_at, finished_at, state FROM scans"
                                   " WHERE site = 'old' AND kind = 'crawl'").fetchone()
                con.close()
            except sqlite3.Error:
                pass
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        check(proc.returncode == 0, "exit 0 (got %d): %s" % (proc.returncode, err[-1000:]))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    if not check(scan is not None and scan[2] == "complete", "the scan completed: %r" % (scan,)):
        return
    con = sqlite3.connect(db)
    # The scan's own times are its start (its clock); the job's row has when it ended.
    start, end = con.execute("SELECT last_start, last_end FROM jobs"
                             " WHERE site = 'old' AND kind = 'scan'").fetchone()
    during = con.execute("SELECT count(*) FROM probes WHERE site = 'old' AND at > ? AND at < ?",
                         (start, end)).fetchone()[0]
    con.close()
    check(end - start > 86400 / 20,
          "the scan took longer than a probe slot (%d simulated s)" % (end - start))
    check(during >= 1, "probes made while the scan ran: %d" % during)


def homepage_link(portal):
    """A page of the old site that its homepage links to: (URL, file)."""
    import re
    import urllib.parse
    root = os.path.join(portal.root, "site")
    home = os.path.join(root, "old", "index.html")
    text = open(home, encoding="utf-8", errors="replace").read()
    for href in re.findall(r'href="([^"#?]+\.html)"', text):
        url = urllib.parse.urljoin(portal.base + "old/index.html", href)
        if not url.startswith(portal.base + "old/") or url.endswith("index.html"):
            continue
        path = os.path.join(root, url[len(portal.base):])
        if os.path.isfile(path):
            return url, path
    raise portal_lib.PortalError("no page linked from the old homepage")


def test_homepage_links(binary, rules, work, portal):
    """A site scanned weekly gets its homepage's links checked on the other days: a dead link
    there opens a violation found on the homepage, and the next day's check fixes it."""
    print("homepage links of a weekly-scanned site")
    db = os.path.join(work, "links.db")
    run_dir = os.path.join(work, "run-links")
    with open(os.path.join(rules, "62-weekly.yaml"), "w", encoding="utf-8") as f:
        f.write('daemon:\n  sites:\n    old: {frequency: weekly, weekday: sunday, time: "01:30"}\n')
    url, path = homepage_link(portal)
    os.rename(path, path + ".away")
    try:
        run_daemon(binary, rules, db, START, START + datetime.timedelta(days=1), run_dir)
    finally:
        os.rename(path + ".away", path)
    con = sqlite3.connect(db)
    kinds = dict(con.execute("SELECT kind, count(*) FROM scans WHERE site = 'old'"
                             " AND kind IN ('crawl', 'links') GROUP BY kind").fetchall())
    check(kinds.get("links") == 1 and "crawl" not in kinds,
          "one homepage links check and no full scan on a weekday: %r" % kinds)
    v = con.execute("SELECT state, url FROM violations WHERE site = 'old' AND rule = 'dead_link'"
                    " AND subject = ?", (url,)).fetchone()
    check(v is not None and v[0] == "open" and v[1] == portal.base + "old/index.html",
          "the homepage's dead link is an open violation found on the homepage: %r" % (v,))
    con.close()

    run_daemon(binary, rules, db, START + datetime.timedelta(days=1),
               START + datetime.timedelta(days=2), run_dir)
    con = sqlite3.connect(db)
    v = con.execute("SELECT state FROM violations WHERE site = 'old' AND rule = 'dead_link'"
                    " AND subject = ?", (url,)).fetchone()
    check(v is not None and v[0] == "fixed", "the next day's check fixes it: %r" % (v,))
    n = con.execute("SELECT count(*) FROM scans WHERE site = 'old' AND kind = 'links'"
                    " AND state = 'complete'").fetchone()[0]
    check(n == 2, "a links check each day (%d)" % n)
    con.close()


# ------------------------------------------------------------------------------------------


def add_workdays(day, n):
    """Monday to Friday (late 2026 has no holiday in rules.d/05-holidays.yaml)."""
    while n > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def cst_day(t):
    return datetime.datetime.fromtimestamp(t, CST).date()


def test_soak(binary, rules, work, portal, smtp):
    print("soak")
    db = os.path.join(work, "soak.db")
    run_dir = os.path.join(work, "run-soak")
    site_root = os.path.join(portal.root, "site", "old")
    dead = os.path.join(site_root, "xwzx", "202611", "t20261121_5779.html")
    hidden = dead + ".away"
    metrics = os.path.join(work, "metrics", "xunjian.prom")
    os.makedirs(os.path.dirname(metrics))
    with open(os.path.join(rules, "61-daemon.yaml"), "w", encoding="utf-8") as f:
        f.write("daemon:\n  metrics_file: %s\n" % json.dumps(metrics))

    days = 14
    t0 = time.monotonic()
    down = (9, 12)          # the daemon is down from day 9 09:00 to day 12 09:00
    day = 0
    while day < days:
        now = START + datetime.timedelta(days=day)
        if day == 2:
            os.rename(dead, hidden)         # a dead link appears
        if day == 6:
            os.rename(hidden, dead)         # and is fixed
        if day == down[0]:
            before = job_runs(db)
            restart = START + datetime.timedelta(days=down[1])
            # Restarted 3 days later: every job's slot passed, each runs once, and the
            # clock stops before any next slot.
            run_daemon(binary, rules, db, restart, restart + datetime.timedelta(seconds=30),
                       run_dir)
            after = job_runs(db)
            for key in before:
                check(after.get(key, 0) == before[key] + 1,
                      "catch-up: job %s ran %d times after 3 days down (want once)"
                      % (key, after.get(key, 0) - before[key]))
            check(count(db, "SELECT count(*) FROM scans WHERE site = 'old' AND kind = 'crawl'"
                            " AND started_at >= ?", restart.timestamp()) == 1,
                  "catch-up: one scan of old")
            day = down[1]
            continue
        run_daemon(binary, rules, db, now, now + datetime.timedelta(days=1), run_dir)
        day += 1
    print("  %d simulated days in %.1f s" % (days - (down[1] - down[0]), time.monotonic() - t0))

    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    # Probes: >= 20 on each whole day the daemon ran.
    per_day = {}
    for (at,) in con.execute("SELECT at FROM probes WHERE site = 'old'"):
        per_day[cst_day(at)] = per_day.get(cst_day(at), 0) + 1
    for d in range(1, days):
        date = (START + datetime.timedelta(days=d)).date()
        if down[0] < d < down[1] or d == down[0] or d == down[1]:
            continue
        check(per_day.get(date, 0) >= 20, "probes on %s: %d (want >= 20)" % (date, per_day.get(date, 0)))
    for d in range(down[0] + 1, down[1]):
        date = (START + datetime.timedelta(days=d)).date()
        check(per_day.get(date, 0) == 0, "no probes while down on %s" % date)

    # The new-media check: once on each whole day the daemon ran, complete, and the ledger's
    # problems (the portal's ledger has stale, gone and unreadable feeds) get their 办理单.
    media_per_day = {}
    for (at, state) in con.execute("SELECT started_at, state FROM scans WHERE site = 'media'"):
        check(state == "complete", "media run at %s is %s" % (at, state))
        media_per_day[cst_day(at)] = media_per_day.get(cst_day(at), 0) + 1
    for d in range(1, days):
        date = (START + datetime.timedelta(days=d)).date()
        if down[0] <= d <= down[1]:
            continue
        check(media_per_day.get(date, 0) == 1,
              "media runs on %s: %d (want 1)" % (date, media_per_day.get(date, 0)))
    media_tickets = con.execute("SELECT count(*) FROM tickets t JOIN violations v"
                                " ON v.id = t.violation_id WHERE v.site = 'media'"
                                " AND t.kind = 'handling'").fetchone()[0]
    check(media_tickets > 0, "the ledger's problems have 办理单: %d" % media_tickets)

    # The dead link: a 办理单 after day 2, closed by a scan after the fix on day 6.
    url = portal.base + "old/xwzx/202611/t20261121_5779.html"
    rows = con.execute("SELECT t.* , v.rule FROM tickets t JOIN violations v ON v.id = t.violation_id"
                       " WHERE v.subject = ? AND v.rule = 'dead_link' ORDER BY t.id", (url,)).fetchall()
    handling = [r for r in rows if r["kind"] == "handling"]
    check(len(handling) == 1, "one 办理单 for the dead link (got %d)" % len(handling))
    if handling:
        h = handling[0]
        check(cst_day(h["issued_at"]) == (START + datetime.timedelta(days=3)).date(),
              "dead link 办理单 issued by the scan of day 3's night (got %s)" % cst_day(h["issued_at"]))
        check(cst_day(h["deadline"]) == add_workdays(cst_day(h["issued_at"]), 5),
              "deadline 5 working days later (%s)" % cst_day(h["deadline"]))
        check(h["state"] == "closed" and h["closed_scan"] is not None,
              "the dead link's 办理单 is closed after the fix (%s)" % h["state"])
        if h["closed_at"]:
            check(cst_day(h["closed_at"]) == (START + datetime.timedelta(days=7)).date(),
                  "closed by the first scan after the fix (%s)" % cst_day(h["closed_at"]))
    # Problems still open: 提醒单 2 working days before, 催办单 after the deadline, every 3
    # working days.
    open_handling = con.execute("SELECT * FROM tickets WHERE kind = 'handling' AND state = 'open'"
                                " AND site = 'old' ORDER BY id").fetchall()
    check(len(open_handling) >= 5, "open 办理单 for the old site's problems (%d)" % len(open_handling))
    for h in open_handling[:3]:
        kids = con.execute("SELECT * FROM tickets WHERE parent_id = ? ORDER BY issued_at",
                           (h["id"],)).fetchall()
        rem = [k for k in kids if k["kind"] == "reminder"]
        urg = [k for k in kids if k["kind"] == "urging"]
        deadline = cst_day(h["deadline"])
        check(len(rem) == 1, "one 提醒单 for %s (got %d)" % (h["number"], len(rem)))
        if rem:
            check(cst_day(rem[0]["issued_at"]) >= add_workdays(cst_day(h["issued_at"]), 3)
                  and cst_day(rem[0]["issued_at"]) < deadline,
                  "提醒单 %s on %s, before the deadline %s" % (rem[0]["number"],
                                                           cst_day(rem[0]["issued_at"]), deadline))
        check(len(urg) >= 1, "a 催办单 once the deadline of %s passed" % h["number"])
        for u in urg:
            check(cst_day(u["issued_at"]) > deadline, "催办单 after the deadline")
    # The news column that stopped being updated (newest item 2026-11-21, 14 days allowed).
    stale = con.execute("SELECT * FROM violations WHERE site = 'old' AND rule = 'column_stale'"
                        " AND subject LIKE '%xwzx%'").fetchall()
    check(len(stale) == 1 and cst_day(stale[0]["first_seen"]) == datetime.date(2026, 12, 6),
          "the news column goes stale on 2026-12-06 (%s)"
          % [cst_day(s["first_seen"]) for s in stale])

    # Mail: one per unit and day, none twice; what the server got is what was recorded.
    sent = con.execute("SELECT day, kind, unit, message_id FROM mails WHERE state = 'sent'").fetchall()
    keys = [(r["day"], r["kind"], r["unit"]) for r in sent]
    check(len(keys) == len(set(keys)), "no unit mailed twice a day")
    got_ids = []
    for rcpt, content in smtp.handler.got:
        msg = email.message_from_bytes(content, policy=email.policy.default)
        got_ids.append(msg["Message-ID"])
    check(len(got_ids) == len(set(got_ids)), "no message received twice")
    check(sorted(got_ids) == sorted(r["message_id"] for r in sent),
          "the server received exactly the sent messages (%d vs %d)" % (len(got_ids), len(sent)))
    mail_days = {r["day"] for r in sent if r["unit"] != ""}
    check(len(mail_days) >= 8, "mail on most days (%d)" % len(mail_days))
    con.close()
    return db, metrics


def job_runs(db):
    con = sqlite3.connect(db)
    try:
        return {(r[0], r[1]): r[2] for r in con.execute("SELECT site, kind, runs FROM jobs")}
    finally:
        con.close()


def count(db, sql, *args):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchone()[0]
    finally:
        con.close()


# ------------------------------------------------------------------------------------------


def test_status(binary, rules, db, metrics):
    print("status and metrics")
    res = subprocess.run([binary, "--config", rules, "--db", db, "--format", "json", "status"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    check(res.returncode == 0, "status --format json exits 0: %s" % res.stderr)
    try:
        st = json.loads(res.stdout)
    except ValueError:
        check(False, "status json parses: %r" % res.stdout[:500])
        return
    con = sqlite3.connect(db)
    old = [s for s in st["sites"] if s["site"] == "old"]
    check(len(old) == 1, "status lists the old site")
    if old:
        old = old[0]
        runs, nxt = con.execute("SELECT runs, next_run FROM jobs WHERE site = 'old' AND kind = 'scan'").fetchone()
        check(old["jobs"]["scan"]["runs"] == runs, "scan runs as in the store")
        check(old["jobs"]["scan"]["next_run"] == datetime.datetime.fromtimestamp(nxt, CST).isoformat(),
              "next scan as in the store: %s" % old["jobs"]["scan"]["next_run"])
        check(old["jobs"]["scan"]["last_result"] == "ok", "last scan ok")
        pages, errors = con.execute("SELECT pages, errors FROM scans WHERE site = 'old' AND kind = 'crawl'"
                                    " AND state = 'complete' ORDER BY id DESC LIMIT 1").fetchone()
        check(old["last_scan"]["pages"] == pages and old["last_scan"]["errors"] == errors,
              "pages and errors of the last scan")
        nv = con.execute("SELECT count(*) FROM violations WHERE site = 'old' AND state = 'open'"
                         " AND kind = 'violation'").fetchone()[0]
        check(old["open_violations"] == nv, "open violations %d (store %d)" % (old["open_violations"], nv))
    units = {u["unit"]: u for u in st["units"]}
    for unit, kind, n in con.execute("SELECT unit, kind, count(*) FROM tickets WHERE state = 'open'"
                                     " GROUP BY unit, kind"):
        check(units.get(unit, {}).get("open_tickets", {}).get(kind) == n,
              "open %s tickets of %s: %d" % (kind, unit, n))
    res = subprocess.run([binary, "--config", rules, "--db", db, "status"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    check(res.returncode == 0 and "旧版网站（old）" in res.stdout and "全站巡检" in res.stdout,
          "status text: %s" % res.stdout[:300])

    # The metrics file, written after each job.
    check(os.path.exists(metrics), "metrics file written")
    text = open(metrics, encoding="utf-8").read() if os.path.exists(metrics) else ""
    vals = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, value = line.rsplit(" ", 1)
        vals[name] = float(value)
    success = con.execute("SELECT last_success FROM jobs WHERE site = 'old' AND kind = 'scan'").fetchone()[0]
    check(vals.get('xunjian_job_last_success_timestamp_seconds{site="old",kind="scan"}') == success,
          "metrics: last success of the scan")
    check(vals.get('xunjian_job_last_result{site="old",kind="scan",result="ok"}') == 1,
          "metrics: last result ok")
    check(vals.get('xunjian_scan_pages{site="old"}', 0) > 0, "metrics: pages")
    nsent = con.execute("SELECT count(*) FROM mails WHERE state = 'sent'").fetchone()[0]
    check(vals.get('xunjian_mails{state="sent"}') == nsent, "metrics: mails sent")
    total = sum(v for k, v in vals.items() if k.startswith("xunjian_open_tickets{"))
    check(total == con.execute("SELECT count(*) FROM tickets WHERE state = 'open'").fetchone()[0],
          "metrics: open tickets")
    con.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xunjian", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="xj-daemon-")
    try:
        with Smtp() as smtp, portal_lib.Portal(os.path.join(work, "p")) as portal:
            rules_n = write_rules(portal, a.rules, os.path.join(work, "rules-notify"), free_port())
            test_notify_and_reload(a.xunjian, rules_n, work)
            # Slow enough (a request per origin each 300 ms) to be stopped mid-scan.
            rules_r = write_rules(portal, a.rules, os.path.join(work, "rules-resume"),
                                  free_port())
            with open(os.path.join(rules_r, "61-slow.yaml"), "w", encoding="utf-8") as f:
                f.write("settings:\n  http:\n    host_delay_ms: 300\n")
            test_stop_and_resume(a.xunjian, rules_r, work)
            test_probes_during_scan(a.xunjian, rules_r, work)
            rules_l = write_rules(portal, a.rules, os.path.join(work, "rules-links"),
                                  free_port())
            test_homepage_links(a.xunjian, rules_l, work, portal)
            rules = write_rules(portal, a.rules, os.path.join(work, "rules"), smtp.port)
            db, metrics = test_soak(a.xunjian, rules, work, portal, smtp)
            test_status(a.xunjian, rules, db, metrics)
    except Exception:
        traceback.print_exc()
        failures.append("exception")
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept", work)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""The crawler against a hostile server (hostile_server.py): slow bodies, a server that
never answers, redirect loops, a gzip bomb, a 5 GB Content-Length, invalid chunking,
resets mid-body, 429/503 with Retry-After, HEAD-hostile attachments, an error template
answered with 200, error titles, endless calendars, session ids and repeating paths,
wrong charsets, robots.txt, internal addresses, a self-signed certificate. Then an endless
site: the frontier grows in the store while memory stays bounded, and a scan killed with
SIGKILL resumes without fetching again what it had finished.

Each scan must end within its timeouts, report each problem as the right finding, and stay
under the memory cap.

Usage: test_crawl_hostile.py --xunjian BIN --rules DIR [--rss-cap-mb N] [--keep]
"""

import argparse
import json
import os
import resource
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "hostile_server.py")
NOW = "2026-11-23T09:00:00+08:00"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("  FAIL: " + what)
    else:
        print("  ok: " + what)
    return cond


class Hostile:
    """hostile_server.py on free ports, stopped when the with block ends."""

    def __init__(self, work, cert=None, key=None, gen_links=500):
        self.work = work
        self.port_file = os.path.join(work, "ports.json")
        self.log = os.path.join(work, "requests.jsonl")
        cmd = [sys.executable, SERVER, "--port-file", self.port_file, "--log", self.log,
               "--gen-links", str(gen_links)]
        if cert:
            cmd += ["--cert", cert, "--key", key]
        self.cmd = cmd
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(self.cmd)
        deadline = time.monotonic() + 20
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("hostile_server.py did not start")
            time.sleep(0.05)
        with open(self.port_file) as f:
            self.ports = json.load(f)
        return self

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return False

    def requests(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def max_active(self):
        with open(self.port_file + ".stats") as f:
            return {int(k): v for k, v in json.load(f).items()}


def copy_rules(shipped, dest, text):
    os.makedirs(dest, exist_ok=True)
    for name in sorted(os.listdir(shipped)):
        if name.endswith((".yaml", ".yml")):
            shutil.copy(os.path.join(shipped, name), dest)
    with open(os.path.join(dest, "60-test.yaml"), "w", encoding="utf-8") as f:
        f.write(text)
    return dest


def run_scan(binary, rules, db, extra=(), timeout=120):
    """Runs a scan; returns (CompletedProcess, seconds, peak RSS in MiB): the largest of
    the children waited for so far, which are this scan and small tools (openssl)."""
    cmd = [binary, "--config", rules, "--db", db, "--now", NOW, "--format", "json"] + \
        list(extra) + ["scan"]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        raise RuntimeError("scan did not finish within %d s:\n%s" % (timeout, err[-3000:]))
    took = time.monotonic() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return subprocess.CompletedProcess(cmd, p.returncode, out, err), took, rss


def make_cert(work):
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=xunjian-test",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


HOSTILE_RULES = """sites:
  hostile:
    name: 敌意测试站
    base_url: "http://127.0.0.1:{main}/"
    unit: zfb
    allow_internal_hosts: [127.0.0.1]
    columns:
      - {{name: 通知公告, url: "news/", class: notice, unit: fgw}}
  tls:
    name: 证书站
    base_url: "https://127.0.0.1:{tls}/"
    unit: zfb
    allow_internal_hosts: [127.0.0.1]
    columns:
      - {{name: 工作动态, url: "col/", class: news, unit: zfb}}
settings:
  http: {{timeout_s: 2, connect_timeout_s: 1, retries: 1, host_delay_ms: 50,
          max_host_connections: 2, max_retry_after_s: 2, max_body_bytes: 1048576}}
  crawl: {{max_depth: 40, max_urls_per_path: 12}}
"""


def test_hostile(binary, shipped, work, rss_cap):
    print("a scan of the hostile site")
    cert, key = make_cert(work)
    with Hostile(work, cert, key) as srv:
        main, tls, hang = srv.ports["main"], srv.ports["tls"], srv.ports["hang"]
        base = "http://127.0.0.1:%d" % main
        rules = copy_rules(shipped, os.path.join(work, "rules.d"),
                           HOSTILE_RULES.format(main=main, tls=tls))
        db = os.path.join(work, "x.db")
        res, took, rss = run_scan(binary, rules, db, timeout=180)
        with open(os.path.join(work, "scan.stderr"), "w") as f:
            f.write(res.stderr)
        print("  scan: exit %d in %.1f s, peak RSS %.0f MiB" % (res.returncode, took, rss))
        check(res.returncode == 1, "the scan completes and finds problems (exit %d): %s"
              % (res.returncode, res.stderr[-1500:]))
        check(rss < rss_cap, "peak RSS %.0f MiB under the cap of %d MiB" % (rss, rss_cap))
        # Slow body 2 s x 2 attempts, hang 2 s robots + 2 x 2 s: well under a minute.
        check(took < 90, "the scan ends within its timeouts (%.1f s)" % took)
        # Not a terminal: a plain progress line every 10 s, no terminal control codes.
        if took > 10.5:
            check("进度：已完成" in res.stderr, "a progress line was logged")
        check("\033[" not in res.stderr and "\r" not in res.stderr,
              "no terminal control codes when stderr is not a terminal")
        found = {}
        for line in res.stdout.splitlines():
            if line.strip():
                o = json.loads(line)
                found[(o["site"], o["rule"], o["subject"])] = o
        reqs = srv.requests()
    stats = srv.max_active()

    def finding(rule, subject, site="hostile"):
        return found.get((site, rule, subject))

    dead = {
        base + "/slow.html": ("suspect", "超时"),
        "http://127.0.0.1:%d/hang.html" % hang: ("suspect", "超时"),
        base + "/loop1": ("suspect", "重定向"),
        base + "/badchunk.html": ("suspect", "连接中断或响应异常"),
        base + "/reset.html": ("suspect", "连接中断或响应异常"),
        base + "/down.html": ("suspect", "HTTP 503"),
        base + "/files/gone.pdf": ("normal", "HTTP 404"),
        base + "/soft/title.html": ("normal", "页面不存在"),
        base + "/gone1.html": ("normal", "模板"),
        base + "/gone2.html": ("normal", "模板"),
        "http://localhost:%d/internal.html" % main: ("suspect", "内网"),
        "http://169.254.169.254/latest/meta-data/": ("suspect", "内网"),
        "https://127.0.0.1:%d/ext.html" % tls: ("suspect", "证书"),
    }
    for url, (severity, word) in dead.items():
        f = finding("dead_link", url)
        check(f is not None and f["severity"] == severity and word in f["detail"],
              "dead link %s: %s, detail names %s (got %r)"
              % (url, severity, word, f and (f["severity"], f["detail"])))
    extra = sorted(s for (site, rule, s) in found if rule == "dead_link" and s not in dead)
    check(not extra, "no other dead links (429 retried, HEAD refused then GET): %r" % extra)
    for path in ("/bomb.html", "/huge.html"):
        f = finding("page_too_large", base + path)
        check(f is not None and "1048576" in f["detail"],
              "%s is reported as too large: %r" % (path, f and f["detail"]))
    f = finding("tls_invalid", "https://127.0.0.1:%d" % tls, site="tls")
    check(f is not None and "自签名" in f["detail"],
          "the self-signed certificate is a finding on the site: %r" % (f and f["detail"]))

    # The evidence of a dead link keeps every attempt.
    f = finding("dead_link", base + "/down.html")
    if f:
        con = sqlite3.connect(db)
        ev = con.execute("SELECT evidence FROM findings WHERE subject = ?",
                         (base + "/down.html",)).fetchone()[0]
        con.close()
        log = json.loads(ev)["attempts_log"]
        check(len(log) == 2 and all(a["status"] == 503 and a["at"] for a in log),
              "evidence lists both attempts with status and time: %r" % log)

    con = sqlite3.connect(db)
    titles = dict(con.execute("SELECT url, title FROM pages").fetchall())
    n_links, n_staged = con.execute("SELECT (SELECT count(*) FROM links),"
                                    " (SELECT count(*) FROM links_staged)").fetchone()
    check(n_links > 30 and n_staged == 0,
          "a complete scan publishes its links (%d, %d staged)" % (n_links, n_staged))
    tls_col = con.execute("SELECT status FROM pages WHERE url = ?",
                          ("https://127.0.0.1:%d/col/" % tls,)).fetchone()
    con.close()
    check(titles.get(base + "/gbk-wrong.html") == "通知公告栏目",
          "GBK body declared UTF-8 is decoded: %r" % titles.get(base + "/gbk-wrong.html"))
    check(titles.get(base + "/gbk-nodecl.html") == "政务公开目录",
          "GBK body without a declaration is decoded: %r"
          % titles.get(base + "/gbk-nodecl.html"))
    check(tls_col is not None and tls_col[0] == 200,
          "the site with the bad certificate is still scanned: %r" % (tls_col,))

    on_main = [r for r in reqs if r["port"] == main]
    paths = [r["path"] for r in on_main]

    def count(prefix):
        return sum(1 for p in paths if p.startswith(prefix))

    check(count("/private/") == 0, "robots.txt: /private/ never fetched")
    check(count("/robots.txt") == 1, "robots.txt fetched once (%d)" % count("/robots.txt"))
    check(count("/xunjian-missing-") == 1, "one soft-404 probe on the host")
    check(not any(r["host"] and r["host"].startswith("localhost") for r in reqs),
          "no request reached the server through the name localhost")
    n_cal = count("/calendar")
    check(n_cal <= 14, "query calendar cut at max_urls_per_path (%d requests)" % n_cal)
    n_cal2 = count("/cal/")
    check(20 <= n_cal2 <= 27, "path calendar cut when its year runs 2 years ahead "
          "(%d requests)" % n_cal2)
    check(count("/session.jsp") == 1 and count("/list.jsp") == 1,
          "session ids stripped: session.jsp %d, list.jsp %d"
          % (count("/session.jsp"), count("/list.jsp")))
    check(count("/rel/") == 3, "repeating path segments cut (%d requests)" % count("/rel/"))
    busy = [r for r in on_main if r["path"] == "/busy/1.html"]
    check(len(busy) == 2 and busy[1]["t"] - busy[0]["t"] >= 0.9,
          "429 with Retry-After: 1 retried after a second (%r)"
          % [round(r["t"] - busy[0]["t"], 2) for r in busy])
    for name in ("a.pdf", "b.pdf", "c.doc"):
        methods = [r["method"] for r in on_main if r["path"] == "/files/" + name]
        # curl itself may ask again once when a reused connection is reset under it.
        check(methods[-1:] == ["GET"] and 1 <= len(methods) - 1 <= 2 and
              set(methods[:-1]) == {"HEAD"},
              "HEAD refused, then GET for %s: %r" % (name, methods))
    # The delay is between fetches; the hops of one redirect chain follow at once, so
    # the loop's second and third requests are not fetches of their own.
    starts = sorted(r["t"] for r in on_main
                    if r["path"] != "/loop2" and not (r["path"] == "/loop1" and
                                                      paths.count("/loop1") > 1 and
                                                      r is not next(x for x in on_main
                                                                    if x["path"] == "/loop1")))
    # The server stamps a request when its thread gets to it, which a loaded machine
    # delays by some milliseconds: count fetches per half second rather than single gaps.
    busiest = max(sum(1 for u in starts if t <= u < t + 0.5) for t in starts)
    check(busiest <= 11, "host_delay_ms 50: at most %d fetches in any half second" % busiest)
    check(stats.get(main, 0) <= 2, "max_host_connections 2: at most %d at once"
          % stats.get(main, 0))
    n_slow = count("/slow.html")
    check(n_slow == 2, "the slow body was tried twice (retries 1): %d" % n_slow)

    # An unchanged site costs conditional requests only on the next scan.
    return rules


BIG_RULES = """sites:
  big:
    name: 无尽站点
    base_url: "http://127.0.0.1:{main}/gen/"
    homepage: "0.html"
    unit: zfb
    allow_internal_hosts: [127.0.0.1]
    ignore_robots: true
settings:
  http: {{timeout_s: 5, connect_timeout_s: 2, retries: 1, host_delay_ms: 0,
          max_connections: 8, max_host_connections: 8}}
  crawl: {{max_pages: 1000000, max_depth: 50, max_links_per_page: 2000}}
"""


def vm_hwm_mib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0


def run_and_kill(binary, rules, db, seconds, extra=()):
    cmd = [binary, "--config", rules, "--db", db, "--now", NOW, "--quiet"] + list(extra) + \
        ["scan"]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(seconds)
    hwm = vm_hwm_mib(p.pid)
    p.send_signal(signal.SIGKILL)
    err = p.communicate()[1]
    check("进度" not in err, "--quiet: no progress lines")
    return hwm


def on_terminal(binary, rules, db, seconds, extra):
    """Runs a scan with stderr on a pseudo-terminal for a while; returns what it wrote."""
    import pty
    master, slave = pty.openpty()
    cmd = [binary, "--config", rules, "--db", db, "--now", NOW] + extra + ["scan"]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try:
                out += os.read(master, 65536)
            except OSError:
                break
    p.send_signal(signal.SIGKILL)
    p.wait()
    os.close(master)
    return out.decode("utf-8", "replace")


def test_endless_and_resume(binary, shipped, work, rss_cap):
    print("an endless site: bounded memory, kill -9 and resume")
    with Hostile(work, gen_links=500) as srv:
        main = srv.ports["main"]
        rules = copy_rules(shipped, os.path.join(work, "rules-big.d"), BIG_RULES.format(main=main))
        db = os.path.join(work, "big.db")

        hwm1 = run_and_kill(binary, rules, db, 6)
        con = sqlite3.connect(db)
        queued1, done1 = con.execute(
            "SELECT sum(state <> 'done'), sum(state = 'done') FROM frontier").fetchone()
        scans1 = con.execute("SELECT id, state FROM scans").fetchall()
        con.close()
        print("  first run: %d done, %d waiting in the store, VmHWM %.0f MiB"
              % (done1 or 0, queued1 or 0, hwm1))
        # The crawler holds at most 512 leased URLs in memory.
        check((queued1 or 0) >= 5000,
              "the frontier holds many more URLs than memory does (%r)" % queued1)
        check(0 < hwm1 < rss_cap, "memory stays under %d MiB with %r URLs waiting (%.0f MiB)"
              % (rss_cap, queued1, hwm1))

        hwm2 = run_and_kill(binary, rules, db, 5)
        con = sqlite3.connect(db)
        queued2, done2 = con.execute(
            "SELECT sum(state <> 'done'), sum(state = 'done') FROM frontier").fetchone()
        scans2 = con.execute("SELECT id, state FROM scans").fetchall()
        pages = con.execute("SELECT count(*), count(DISTINCT url) FROM pages").fetchone()
        con.close()
        print("  second run: %d done, %d waiting, VmHWM %.0f MiB" % (done2, queued2, hwm2))
        check(len(scans1) == 1 and len(scans2) == 1 and scans1[0][0] == scans2[0][0],
              "the second start resumed the killed scan: %r then %r" % (scans1, scans2))
        check(done2 > done1, "the resumed scan went on (%d → %d done)" % (done1, done2))
        check(pages[0] == pages[1], "no page stored twice in the scan: %r" % (pages,))
        reqs = [r["path"] for r in srv.requests() if r["path"].startswith("/gen/")]
        again = len(reqs) - len(set(reqs))
        # Only what was in flight when the first process died (8 connections) or in the
        # group of fetches not yet committed (at most 512, or 1 s of work) may be asked
        # for again; everything committed is not.
        check(again <= 8 + 512, "pages fetched again after the resume: %d (at most those "
              "in flight or in the uncommitted group at the kill)" % again)
        check(again < len(set(reqs)) / 2, "most pages were not fetched again (%d of %d)"
              % (again, len(set(reqs))))
        check(0 < hwm2 < rss_cap, "the resumed scan stays under %d MiB too (%.0f MiB)"
              % (rss_cap, hwm2))

        # On a terminal the progress line rewrites itself; --quiet prints none.
        for quiet in (False, True):
            text = on_terminal(binary, rules, db, 2.5, ["--quiet"] if quiet else [])
            if quiet:
                check("已完成" not in text, "--quiet on a terminal: no progress line")
            else:
                check("\r\033[K" in text and "已完成" in text and "个/秒" in text,
                      "a live progress line on a terminal: %r" % text[-200:])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--xunjian", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--rss-cap-mb", type=int, default=64)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="xj-hostile-")
    t0 = time.monotonic()
    for t in (test_hostile, test_endless_and_resume):
        sub = os.path.join(work, t.__name__)
        os.makedirs(sub)
        try:
            t(args.xunjian, args.rules, sub, args.rss_cap_mb)
        except Exception:
            failures.append(t.__name__ + " raised")
            traceback.print_exc()
    took = time.monotonic() - t0
    if failures:
        print("%d check(s) failed in %.1f s; outputs kept in %s" % (len(failures), took, work))
        return 1
    print("all hostile-server checks passed in %.1f s" % took)
    if args.keep:
        print("work dir kept: %s" % work)
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

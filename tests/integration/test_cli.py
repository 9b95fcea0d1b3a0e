"""The command-line contract and bad input, end to end with the real executable:
exit codes, rules.d errors with file:line:col, output formats, a site that refuses
connections, a column that is not HTML, and a scan killed with SIGKILL in the middle
(the database stays consistent and the next start resumes and completes the scan)."""

import argparse
import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import portal_lib  # noqa: E402

NOW = portal_lib.DEFAULT_NOW
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("  FAIL: " + what)
    return cond


def run(args, binary, timeout=120):
    return subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)


def copy_rules(shipped, dest, extra=None):
    os.makedirs(dest, exist_ok=True)
    for name in sorted(os.listdir(shipped)):
        if name.endswith((".yaml", ".yml")):
            shutil.copy(os.path.join(shipped, name), dest)
    for name, text in (extra or {}).items():
        with open(os.path.join(dest, name), "w", encoding="utf-8") as f:
            f.write(text)
    return dest


def test_usage(binary, shipped, tmp):
    print("usage and exit codes")
    r = run(["--help"], binary)
    check(r.returncode == 0 and "scan" in r.stdout, "--help exits 0 and lists scan")
    r = run(["frobnicate"], binary)
    check(r.returncode == 2 and "frobnicate" in r.stderr, "unknown command exits 2, names it")
    r = run(["--now", "yesterday", "violations"], binary)
    check(r.returncode == 2 and "yesterday" in r.stderr, "bad --now exits 2, names the value")
    r = run(["--format", "xml", "violations"], binary)
    check(r.returncode == 2, "bad --format exits 2")
    r = run(["--config", shipped, "rules", "check"], binary)
    check(r.returncode == 0 and "校验通过" in r.stdout, "shipped rules.d passes rules check")
    r = run(["version"], binary)
    check(r.returncode == 0 and r.stdout.startswith("xunjian "), "version")


def test_bad_rules(binary, shipped, tmp):
    print("rules.d errors")
    bad = copy_rules(shipped, os.path.join(tmp, "bad"), {
        "60-bad.yaml": "sites:\n  x:\n    name: 坏站点\n    base_url: ftp://example.gov.cn/\n"
                       "    unit: zfb\n    columns:\n"
                       "      - {name: 栏目, url: a/, class: nosuchclass, unit: zfb}\n",
    })
    r = run(["--config", bad, "rules", "check"], binary)
    check(r.returncode == 2, "invalid rules.d: rules check exits 2 (got %d)" % r.returncode)
    lines = [l for l in r.stderr.splitlines() if "60-bad.yaml:" in l]
    check(any(":4:" in l for l in lines), "base_url error names 60-bad.yaml:4:col: %r" % lines)
    check(any("nosuchclass" in l for l in lines), "unknown class is named: %r" % lines)
    r = run(["--config", bad, "--db", os.path.join(tmp, "bad.db"), "scan"], binary)
    check(r.returncode == 2, "scan with invalid rules.d exits 2")
    check(not os.path.exists(os.path.join(tmp, "bad.db")),
          "scan with invalid rules.d does not create a database")

    broken = copy_rules(shipped, os.path.join(tmp, "broken"), {
        "60-broken.yaml": "sites:\n  x: [unclosed\n"})
    r = run(["--config", broken, "rules", "check"], binary)
    check(r.returncode == 2 and "60-broken.yaml:" in r.stderr, "malformed YAML names the file")

    r = run(["--config", os.path.join(tmp, "nowhere"), "rules", "check"], binary)
    check(r.returncode == 2 and "nowhere" in r.stderr, "missing rules.d names the directory")


SITE_TEMPLATE = """sites:
  s:
    name: 测试站点
    base_url: "{base}"
    unit: zfb
    allow_internal_hosts: [127.0.0.1, 127.0.0.2]
    columns:
      - {{name: 通知公告, url: "{col1}", class: notice, unit: fgw}}
      - {{name: 工作动态, url: "{col2}", class: news, unit: zfb}}
settings:
  http: {{timeout_s: 3, connect_timeout_s: 2, retries: 1, host_delay_ms: 0}}
"""


def test_refused_site(binary, shipped, tmp):
    print("a site that refuses connections")
    # 127.0.0.2 is loopback, and nothing listens on port 9 there.
    rules = copy_rules(shipped, os.path.join(tmp, "refused"), {
        "60-site.yaml": SITE_TEMPLATE.format(base="http://127.0.0.2:9/", col1="tzgg/",
                                             col2="gzdt/")})
    db = os.path.join(tmp, "refused.db")
    r = run(["--config", rules, "--db", db, "--now", NOW, "--format", "json", "scan"], binary)
    check(r.returncode == 1, "refused site: exit 1 (problems found), got %d: %s"
          % (r.returncode, r.stderr))
    check("http://127.0.0.2:9/" in r.stderr, "refused site: the error names the URL")
    rows = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
    rules_found = sorted(o["rule"] for o in rows)
    check(rules_found == ["column_unreachable", "column_unreachable"],
          "refused site: each column unreachable, got %r" % rules_found)


def test_formats_and_non_html(binary, shipped, tmp):
    print("output formats, a column that is not HTML, violations listing")
    with portal_lib.Portal(os.path.join(tmp, "fmt"), now=NOW) as portal:
        base = portal.base
        # A column whose URL is a PDF attachment of the portal, and a fresh news column.
        pdf = None
        for root, _, files in os.walk(os.path.join(portal.root, "site")):
            for f in files:
                if f.endswith(".pdf"):
                    pdf = os.path.relpath(os.path.join(root, f), os.path.join(portal.root, "site"))
                    break
            if pdf:
                break
        check(pdf is not None, "the portal has a PDF attachment")
        rules = copy_rules(shipped, os.path.join(tmp, "fmt-rules"), {
            "60-site.yaml": SITE_TEMPLATE.format(base=base, col1=pdf, col2="zwdt/zwyw/index.html")})
        db = os.path.join(tmp, "fmt.db")
        r = run(["--config", rules, "--db", db, "--now", NOW, "--format", "csv", "scan"], binary)
        check(r.returncode == 1, "csv scan exits 1, got %d: %s" % (r.returncode, r.stderr[-500:]))
        table = list(csv.DictReader(io.StringIO(r.stdout)))
        check(table and "detail" in table[0] and "unit" in table[0], "csv has a header row")
        pdf_rows = [t for t in table if t["subject"].endswith(pdf)]
        check(len(pdf_rows) == 1 and pdf_rows[0]["rule"] == "column_unreachable"
              and "HTML" in pdf_rows[0]["detail"],
              "a PDF column is reported as not HTML: %r" % pdf_rows)

        r = run(["--db", db, "--format", "text", "violations"], binary)
        check(r.returncode == 0 and "栏目无法访问" in r.stdout, "text violations listing")
        r = run(["--db", db, "--format", "json", "--state", "fixed", "violations"], binary)
        check(r.returncode == 0 and r.stdout.strip() == "", "no fixed violations yet")


def test_kill_mid_scan(binary, shipped, tmp):
    print("scan killed with SIGKILL, then scanned again")
    work = os.path.join(tmp, "kill")
    with portal_lib.Portal(work, now=NOW) as portal:
        rules = portal_lib.write_rules(portal, shipped, os.path.join(work, "rules.d"))
        db = os.path.join(work, "x.db")
        cmd = [binary, "--config", rules, "--db", db, "--now", NOW, "--format", "json", "scan"]
        for delay in (0.5, 1.5):
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            p.send_signal(signal.SIGKILL)
            p.wait()
            con = sqlite3.connect(db)
            check(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok",
                  "integrity_check ok after kill at %.1f s" % delay)
            check(con.execute("PRAGMA foreign_key_check").fetchall() == [],
                  "foreign keys ok after kill at %.1f s" % delay)
            # A kill before the schema was created (a slow start, under ASan) leaves an
            # empty database: no violations either.
            has = con.execute("SELECT count(*) FROM sqlite_master"
                              " WHERE name = 'violations'").fetchone()[0]
            n = con.execute("SELECT count(*) FROM violations").fetchone()[0] if has else 0
            check(n == 0, "a killed first scan opened no violations (got %d)" % n)
            con.close()

        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=300)
        check(r.returncode == 1, "the scan after the kills completes with exit 1")
        rows = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        # Early warnings (kind "warning") are not in the manifest.
        got = {(o["site"], o["rule"], o["subject"]) for o in rows
               if o.get("kind") != "warning"}
        want = {(f["site"], f["rule"], portal.substitute(f["subject"]))
                for f in portal.manifest()["findings"]}
        check(got == want, "after the kills the findings equal the manifest "
              "(missing %r, extra %r)" % (sorted(want - got)[:5], sorted(got - want)[:5]))
        # The text listing names each dead link itself, not only the page carrying it.
        r = subprocess.run([binary, "--db", db, "--format", "text", "violations"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        dead = sorted(s for (_, rule, s) in want if rule == "dead_link")
        check(r.returncode == 0 and dead and all(u in r.stdout for u in dead),
              "text listing shows every dead link URL")
        # Each kill left the scan interrupted and the next start continued it, so the
        # demo site has one scan, completed by the third process, and the old site one.
        con = sqlite3.connect(db)
        states = dict(con.execute("SELECT state, count(*) FROM scans GROUP BY state").fetchall())
        demo_scans = con.execute("SELECT count(*) FROM scans WHERE site = 'demo'").fetchone()[0]
        left = con.execute("SELECT count(*) FROM frontier").fetchone()[0]
        con.close()
        check(states == {"complete": 2} and demo_scans == 1,
              "the killed scan was resumed and completed: %r, %d demo scan(s)"
              % (states, demo_scans))
        check(left == 0, "a completed scan leaves no frontier rows (%d left)" % left)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xunjian", required=True)
    ap.add_argument("--rules", required=True)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="xj-cli-")
    try:
        for t in (test_usage, test_bad_rules, test_refused_site, test_formats_and_non_html,
                  test_kill_mid_scan):
            try:
                t(args.xunjian, args.rules, tmp)
            except Exception:
                failures.append(t.__name__ + " raised")
                traceback.print_exc()
    finally:
        if not failures:
            shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d check(s) failed; outputs kept in %s" % (len(failures), tmp))
        return 1
    print("all CLI checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""`xunjian probe` and `xunjian verdict` end to end with the real executable:

  1. the test portal's homepage (site "demo", --site by id and by name): each probe is stored; below min_probes the window is not
     judged, at 20 successful probes it is "ok" (exit 0); CSV and text outputs;
  2. an unreachable homepage (nothing listens): each probe fails, and once the window holds
     enough probes the failure rate is the veto (exit 1), site_unavailable is an open
     violation; a crawl scan's reconciliation leaves it alone;
  3. verdict: 不合格 with 站点无法访问 and its numbers (exit 1); eight days later the failed
     probes have left the window: 合格, trend "better" against the previous verdict.

Usage: test_probe_verdict.py --xunjian BIN --rules DIR
"""
import argparse
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import portal_lib  # noqa: E402

NOW = portal_lib.DEFAULT_NOW
LATER = "2026-12-01T09:00:00+08:00"

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("  FAIL: " + what)
    return cond


def run(binary, rules, db, now, args):
    return subprocess.run([binary, "--config", rules, "--db", db, "--now", now] + args,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=120)


def json_rows(r):
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def test_portal_probes(binary, shipped, tmp):
    print("probes of the test portal's homepage")
    with portal_lib.Portal(os.path.join(tmp, "portal")) as portal:
        rules = portal_lib.write_rules(portal, shipped, os.path.join(tmp, "portal-rules"))
        db = os.path.join(tmp, "portal.db")
        r = run(binary, rules, db, NOW, ["probe", "--site", "demo", "--format", "json"])
        rows = json_rows(r)
        check(r.returncode == 0, "first probe: exit 0, got %d: %s" % (r.returncode, r.stderr))
        check(len(rows) == 1 and rows[0]["ok"] and rows[0]["status"] == 200,
              "first probe: the homepage loaded: %r" % rows)
        check(rows and rows[0]["probes"] == 1 and rows[0]["state"] == "too_few",
              "first probe: one probe is not judged yet: %r" % rows)
        for _ in range(18):
            run(binary, rules, db, NOW, ["probe", "--site", "demo", "-q"])
        r = run(binary, rules, db, NOW, ["probe", "--site", "demo", "--format", "csv"])
        table = list(csv.DictReader(io.StringIO(r.stdout)))
        check(r.returncode == 0 and len(table) == 1, "20th probe: exit 0 and one CSV row")
        check(table and table[0]["probes"] == "20" and table[0]["failures"] == "0"
              and table[0]["state"] == "ok", "20 probes, 0 failures: ok: %r" % table)
        r = run(binary, rules, db, NOW, ["probe", "--site", "演示区人民政府"])
        check("失败率 0.0%：正常" in r.stdout, "text output states the rate: %r" % r.stdout)
        con = sqlite3.connect(db)
        n = con.execute("SELECT count(*) FROM probes WHERE ok = 1").fetchone()[0]
        kinds = dict(con.execute("SELECT kind, count(*) FROM scans GROUP BY kind"))
        con.close()
        check(n == 21, "21 probes stored, got %d" % n)
        check(kinds == {"probe": 21}, "each probe run is a probe scan: %r" % kinds)
        r = run(binary, rules, db, NOW, ["probe", "--site", "nosuch"])
        check(r.returncode == 2, "unknown --site: exit 2, got %d" % r.returncode)
        r = run(binary, rules, db, NOW, ["probe", "--help"])
        check(r.returncode == 0 and "probe" in r.stdout and "15" in r.stdout,
              "probe --help: its own help")


UNREACHABLE = """
sites:
  gone:
    name: 停用区人民政府
    base_url: http://127.0.0.2:9/
    unit: zfb
    allow_internal_hosts: [127.0.0.2]
    columns:
      - {name: 通知公告, url: tzgg/, class: notice, unit: zfb}
settings:
  http: {timeout_s: 3, connect_timeout_s: 2, retries: 0}
  probe: {min_probes: 2, timeout_s: 2}
"""


def test_unreachable(binary, shipped, tmp):
    print("an unreachable homepage: probes, the veto, the verdict and its trend")
    rules = os.path.join(tmp, "gone-rules")
    os.makedirs(rules)
    for name in sorted(os.listdir(shipped)):
        if name.endswith(".yaml"):
            shutil.copy(os.path.join(shipped, name), rules)
    with open(os.path.join(rules, "60-gone.yaml"), "w", encoding="utf-8") as f:
        f.write(UNREACHABLE)
    db = os.path.join(tmp, "gone.db")

    r = run(binary, rules, db, NOW, ["probe", "--format", "json"])
    rows = json_rows(r)
    check(r.returncode == 0 and rows and not rows[0]["ok"]
          and rows[0]["failure"] == "connect" and rows[0]["state"] == "too_few",
          "first failed probe: not judged yet (exit %d): %r" % (r.returncode, rows))
    r = run(binary, rules, db, NOW, ["probe", "--format", "json"])
    rows = json_rows(r)
    check(r.returncode == 1 and rows and rows[0]["state"] == "veto"
          and rows[0]["failure_percent"] == 100.0,
          "second failed probe: the veto, exit 1 (got %d): %r" % (r.returncode, rows))
    r = run(binary, rules, db, NOW, ["violations", "--format", "json"])
    got = [(o["rule"], o["kind"], o["state"]) for o in json_rows(r)]
    check(("site_unavailable", "violation", "open") in got,
          "site_unavailable is an open violation: %r" % got)

    r = run(binary, rules, db, NOW, ["scan", "-q", "--format", "json"])
    check(r.returncode == 1, "scan of the unreachable site: exit 1, got %d" % r.returncode)
    r = run(binary, rules, db, NOW, ["violations", "--format", "json"])
    got = [(o["rule"], o["state"]) for o in json_rows(r)]
    check(("site_unavailable", "open") in got,
          "a crawl scan does not fix the probe's violation: %r" % got)

    r = run(binary, rules, db, NOW, ["verdict", "--format", "json"])
    rows = json_rows(r)
    check(r.returncode == 1, "verdict 不合格: exit 1, got %d: %s" % (r.returncode, r.stderr))
    v = rows[0] if rows else {}
    check(v.get("result") == "fail" and v.get("trend") == "none"
          and v.get("numbers", {}).get("probes") == 2
          and v.get("numbers", {}).get("probe_failures") == 2,
          "verdict: fail with the probe numbers: %r" % v)
    check(any(s.startswith("站点无法访问：首页近 7 天探测 2 次，失败 2 次，失败率 100.0%")
              for s in v.get("reasons", [])), "verdict reason names the rate: %r" % v)
    r = run(binary, rules, db, NOW, ["verdict"])
    check("不合格（1 项单项否决）" in r.stdout and "趋势：首次评价" in r.stdout,
          "text verdict: %r" % r.stdout)

    # Eight days later the failed probes have left the 7-day window.
    r = run(binary, rules, db, LATER, ["scan", "-q"])
    r = run(binary, rules, db, LATER, ["verdict", "--format", "json"])
    rows = json_rows(r)
    v = rows[0] if rows else {}
    check(r.returncode == 0 and v.get("result") == "pass" and v.get("trend") == "better"
          and v.get("previous", {}).get("qualified") is False,
          "later verdict: pass, better than before (exit %d): %r" % (r.returncode, v))
    r = run(binary, rules, db, LATER, ["verdict", "--format", "csv"])
    table = list(csv.DictReader(io.StringIO(r.stdout)))
    check(table and table[0]["result"] == "pass" and table[0]["trend"] == "better",
          "CSV verdict: %r" % table)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xunjian", required=True)
    ap.add_argument("--rules", required=True)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="xj-probe-")
    try:
        test_portal_probes(args.xunjian, args.rules, tmp)
        test_unreachable(args.xunjian, args.rules, tmp)
    except portal_lib.PortalError as e:
        check(False, str(e))
    if failures:
        print("%d check(s) failed; outputs kept in %s" % (len(failures), tmp))
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())

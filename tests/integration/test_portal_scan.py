#!/usr/bin/python3
"""Integration test: xunjian scans the loopback test portal and must report exactly the
problems planted in it (tests/portal/manifest.json, see tests/portal/README.md).

  1. scan:        the set of (site, rule, subject) equals the manifest's, and each
                  finding's unit, column, severity and detail match;
  2. scan again:  with the same --now, the same set, every violation still "open";
  3. violations --state open: lists the same set.

Usage: test_portal_scan.py --xunjian BIN --rules DIR [--now T] [--once] [--keep] [-v]
Exit 0 on success, 1 with a readable list of differences on failure.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import portal_lib  # noqa: E402

REQUIRED_FIELDS = ("site", "rule", "severity", "unit", "column", "url", "subject", "detail",
                   "first_seen", "state")


class Report:
    """Collects failures so that one run shows all of them."""

    def __init__(self):
        self.failures = []

    def fail(self, msg):
        self.failures.append(msg)

    def section(self, title, lines):
        if lines:
            self.fail("%s:\n%s" % (title, "\n".join("  " + line for line in lines)))


def key(f):
    return (f.get("site"), f.get("rule"), f.get("subject"))


def describe(f):
    return "%s %s %s [column=%s unit=%s severity=%s] %s" % (
        f.get("site"), f.get("rule"), f.get("subject"), f.get("column"), f.get("unit"),
        f.get("severity"), f.get("detail", "detail~%r" % f.get("detail_contains")))


def violations_only(objs):
    """Early warnings (kind "warning", 预警) are not in the manifest: this test is about
    the violations.  They are counted and shown, not compared."""
    kept = [o for o in objs if o.get("kind", "violation") != "warning"]
    return kept, len(objs) - len(kept)


def compare(step, report, expected, got, check_fields):
    """Compares findings by (site, rule, subject); with check_fields, also the rest."""
    exp = {key(f): f for f in expected}
    seen = {}
    dups = []
    for f in got:
        if key(f) in seen:
            dups.append(describe(f))
        seen[key(f)] = f
    missing = [describe(exp[k]) for k in sorted(exp, key=str) if k not in seen]
    extra = [describe(seen[k]) for k in sorted(seen, key=str) if k not in exp]
    report.section("%s: %d expected finding(s) MISSING" % (step, len(missing)), missing)
    report.section("%s: %d EXTRA finding(s) not in the manifest" % (step, len(extra)), extra)
    report.section("%s: reported more than once" % step, dups)
    if not check_fields:
        return
    wrong = []
    for k in sorted(exp, key=str):
        if k not in seen:
            continue
        e, g = exp[k], seen[k]
        for field in ("unit", "column", "severity"):
            if g.get(field) != e[field]:
                wrong.append("%s %s %s: %s is %r, expected %r"
                             % (k[0], k[1], k[2], field, g.get(field), e[field]))
        want = e.get("detail_contains")
        if want and want not in (g.get("detail") or ""):
            wrong.append("%s %s %s: detail %r does not contain %r"
                         % (k[0], k[1], k[2], g.get("detail"), want))
    report.section("%s: findings with wrong fields" % step, wrong)


def check_fields_present(step, report, objs):
    bad = []
    for f in objs:
        absent = [name for name in REQUIRED_FIELDS if name not in f]
        if absent:
            bad.append("%s: missing %s" % (describe(f), ", ".join(absent)))
    report.section("%s: JSON objects without the required fields" % step, bad[:20])


def run_json(step, report, args, common, workdir):
    """Runs xunjian, keeps its output in workdir; returns (CompletedProcess, objects)."""
    binary, rules, db, now = common
    t0 = time.monotonic()
    res = portal_lib.run_xunjian(binary, rules, db, now, args)
    took = time.monotonic() - t0
    base = os.path.join(workdir, step.replace(" ", "_"))
    with open(base + ".stdout", "w", encoding="utf-8") as f:
        f.write(res.stdout)
    with open(base + ".stderr", "w", encoding="utf-8") as f:
        f.write(res.stderr)
    print("%s: exit %d in %.1f s (%s)" % (step, res.returncode, took, " ".join(args)))
    objs, bad = portal_lib.parse_json_lines(res.stdout)
    report.section("%s: stdout lines that are not JSON objects" % step,
                   ["%d: %s" % (n, line[:200]) for n, line in bad[:20]])
    return res, objs


def exit_ok(step, report, res, wanted):
    """False (and the reason reported) when xunjian did not exit with one of wanted.
    A crash or a usage error makes comparing its output pointless."""
    if res.returncode in wanted:
        return True
    how = ("killed by signal %d" % -res.returncode if res.returncode < 0
           else "exit code %d" % res.returncode)
    report.fail("%s: %s, expected %s; the last of stderr:\n%s"
                % (step, how, " or ".join(map(str, wanted)), res.stderr[-4000:]))
    return res.returncode in (0, 1)


def run_steps(portal, args, workdir, report):
    rules = portal_lib.write_rules(portal, args.rules, os.path.join(workdir, "rules.d"))
    manifest = portal.manifest()
    expected = manifest["findings"]
    print("portal at %s: %d columns (demo), %d expected findings; work dir %s"
          % (portal.base, manifest["sites"]["demo"]["columns"], len(expected), workdir))
    common = (args.xunjian, rules, os.path.join(workdir, "x.db"), args.now)

    # 1. The first scan finds exactly what was planted (exit 1: violations found).
    res, objs = run_json("scan 1", report, ["scan", "--format", "json"], common, workdir)
    if not exit_ok("scan 1", report, res, (1,)):
        return
    check_fields_present("scan 1", report, objs)
    found, warnings = violations_only(objs)
    print("scan 1: %d violation(s), %d early warning(s)" % (len(found), warnings))
    compare("scan 1", report, expected, found, check_fields=True)
    first_seen = {key(f): f.get("first_seen") for f in found}
    if args.once:
        return

    # 2. A second scan at the same time sees the same problems, still open.
    res, objs = run_json("scan 2", report, ["scan", "--format", "json"], common, workdir)
    if not exit_ok("scan 2", report, res, (1,)):
        return
    found, _ = violations_only(objs)
    compare("scan 2", report, expected, found, check_fields=False)
    not_open = [describe(f) + " state=%r" % f.get("state") for f in found
                if f.get("state") != "open"]
    report.section("scan 2: violations not in state \"open\"", not_open)
    # The same violation, seen again, keeps the time it was first seen.
    moved = ["%s: first_seen %r, was %r" % (describe(f), f.get("first_seen"),
                                             first_seen[key(f)])
             for f in found
             if key(f) in first_seen and f.get("first_seen") != first_seen[key(f)]]
    report.section("scan 2: first_seen changed", moved)

    # 3. The store lists them as open violations.
    res, objs = run_json("violations", report,
                         ["violations", "--state", "open", "--format", "json"], common, workdir)
    if not exit_ok("violations", report, res, (0, 1)):
        return
    found, _ = violations_only(objs)
    compare("violations", report, expected, found, check_fields=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--xunjian", required=True, help="the xunjian executable")
    ap.add_argument("--rules", required=True, help="the shipped rules.d directory")
    ap.add_argument("--now", default=portal_lib.DEFAULT_NOW)
    ap.add_argument("--once", action="store_true", help="only the first scan (step 1)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("-v", "--verbose", action="store_true", help="server logs requests")
    args = ap.parse_args()

    t_start = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="xj-portal-")
    report = Report()
    try:
        with portal_lib.Portal(workdir, now=args.now, verbose=args.verbose) as portal:
            run_steps(portal, args, workdir, report)
    except portal_lib.PortalError as e:
        report.fail(str(e))

    took = time.monotonic() - t_start
    if report.failures:
        print("\nFAIL (%.1f s): %d problem(s); outputs kept in %s\n"
              % (took, len(report.failures), workdir))
        for msg in report.failures:
            print(msg + "\n")
        return 1
    print("PASS (%.1f s)" % took)
    if args.keep:
        print("work dir kept: %s" % workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`xunjian media` end to end against the loopback test portal: the ledger's feeds in every
format (RSS, Atom, JSON Feed, an HTML listing in GBK), a malformed feed, a gone one (410), a
closed account that still posts and a matrix page with an account the ledger lacks must give
exactly the planted findings (manifest.json, "media"); the 13/14-day boundary is crossed
with --now; a rerun after a planted fix closes the violation; a feed that stops answering
keeps its violation open instead of fixing it."""

import argparse
import datetime
import json
import os
import shutil
import sqlite3
import sys
import tempfile
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


def later(now, days):
    t = datetime.datetime.fromisoformat(now) + datetime.timedelta(days=days)
    return t.isoformat()


def media(binary, rules, db, now, *extra):
    res = portal_lib.run_xunjian(binary, rules, db, now, ["media", "--format", "json"] + list(extra))
    objs, bad = portal_lib.parse_json_lines(res.stdout)
    check(not bad, "every output line is JSON: %r" % bad)
    return res, objs


def found(objs):
    return sorted((o["rule"], o["subject"]) for o in objs if o["state"] == "open")


def account_rows(db, now):
    t = int(datetime.datetime.fromisoformat(now).timestamp())
    with sqlite3.connect(db) as con:
        return dict(con.execute("SELECT account, status FROM account_checks WHERE at = ?", (t,)))


def run_tests(binary, shipped, tmp):
    with portal_lib.Portal(os.path.join(tmp, "portal"), now=NOW) as portal:
        rules = portal_lib.write_rules(portal, shipped, os.path.join(tmp, "rules.d"))
        db = os.path.join(tmp, "media.db")
        truth = portal.manifest()["media"]
        want = sorted((f["rule"], f["subject"]) for f in truth["findings"])

        print("day 0: the planted problems, and nothing else")
        res, objs = media(binary, rules, db, NOW)
        check(res.returncode == 1, "exit 1 when violations are found (got %d: %s)"
              % (res.returncode, res.stderr))
        check(found(objs) == want, "findings %r, want %r" % (found(objs), want))
        check(all(o["site"] == "media" for o in objs), "findings are kept under the scope media")
        by_rule = {o["rule"]: o for o in objs}
        inv = by_rule.get("account_feed_invalid", {})
        check(portal.substitute(truth["feeds"]["renshe"]) in (inv.get("detail") or ""),
              "the malformed feed's finding names its URL: %r" % inv.get("detail"))
        check("XML" in (inv.get("detail") or ""), "and says what is wrong (XML)")
        check("410" in (by_rule.get("account_feed_gone", {}).get("detail") or ""),
              "the gone feed's finding names the status")
        check(by_rule.get("account_unlisted", {}).get("severity") == "serious",
              "an unlisted account (私自开设) is serious")
        check(by_rule.get("account_unlisted", {}).get("url") == portal.substitute(truth["page"]),
              "the unlisted account points at the matrix page")
        rows = account_rows(db, NOW)
        check(rows == truth["accounts"], "account_checks rows %r, want %r"
              % (rows, truth["accounts"]))

        print("day 1: the account whose newest post was 13 days old is now 14 days stale")
        day1 = later(NOW, 1)
        res, objs = media(binary, rules, db, day1)
        want1 = sorted(want + [("account_stale", "account:jiaoyu")])
        check(found(objs) == want1, "day 1 findings %r, want %r" % (found(objs), want1))
        stale = [o for o in objs if o["subject"] == "account:jiaoyu"]
        check(stale and "14 天未更新" in stale[0]["detail"], "the detail says 14 days: %r"
              % (stale[0]["detail"] if stale else None))
        kept = [o for o in objs if o["subject"] == "account:zhengwu"]
        check(kept and kept[0]["times_seen"] == 2, "a violation seen again is kept, not reopened")

        print("fix: 演示政务 posts again; the rerun closes its violation")
        feed = os.path.join(portal.root, "site", "media", "zhengwu.json")
        with open(feed, encoding="utf-8") as f:
            doc = json.load(f)
        doc["items"].insert(0, {"id": "new", "url": "https://example.gov.cn/new", "title": "新发布",
                                "date_published": later(NOW, 1)})
        with open(feed, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        day2 = later(NOW, 2)
        res, objs = media(binary, rules, db, day2)
        check(("account_stale", "account:zhengwu") not in found(objs),
              "the fixed account is no longer found")
        fixed = portal_lib.run_xunjian(binary, rules, db, day2,
                                       ["violations", "--state", "fixed", "--format", "json",
                                        "--site", "media"])
        fobjs, _ = portal_lib.parse_json_lines(fixed.stdout)
        check([(o["rule"], o["subject"]) for o in fobjs] == [("account_stale", "account:zhengwu")],
              "violations --state fixed lists exactly the fixed one: %r"
              % [(o["rule"], o["subject"]) for o in fobjs])
        check(account_rows(db, day2).get("zhengwu") == "ok", "its check row is ok")

        print("a feed that stops answering keeps its violation open")
        # 演示人社's feed moves to an address that refuses connections: a transient failure
        # on every attempt, which is not a fix.
        gone_path = "/" + truth["feeds"]["renshe"].split("@BASE@", 1)[1]
        portal_file = os.path.join(rules, "60-portal.yaml")
        with open(portal_file, encoding="utf-8") as f:
            text = f.read()
        text = text.replace(portal.substitute("@BASE@") + gone_path.lstrip("/"),
                            "http://%s%s" % (portal.ports["dead"], gone_path))
        with open(portal_file, "w", encoding="utf-8") as f:
            f.write(text)
        day3 = later(NOW, 3)
        res, objs = media(binary, rules, db, day3)
        check(("account_feed_invalid", "account:renshe") in found(objs),
              "the unreachable feed's violation is carried forward, still open")
        check("renshe" not in account_rows(db, day3), "and no check row claims it was checked")
        check("暂时无法访问" in res.stderr, "the run says the feed could not be reached")

        print("usage")
        res = portal_lib.run_xunjian(binary, rules, db, NOW, ["media", "--site", "nosuch"])
        check(res.returncode == 2, "--site naming no site exits 2 (got %d)" % res.returncode)
        res = portal_lib.run_xunjian(binary, rules, db, NOW, ["media", "--state", "open"])
        check(res.returncode == 2, "--state is refused")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xunjian", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="xj-media-")
    try:
        run_tests(args.xunjian, args.rules, tmp)
    except Exception:
        traceback.print_exc()
        failures.append("exception")
    finally:
        if args.keep:
            print("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

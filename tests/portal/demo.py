"""The README's first command ends here: generate the demo portal, serve it on 127.0.0.1,
scan it with xunjian, print what was found, and stop the portal.

Everything is written under ./demo/ (the portal, its rules.d and the database), so the
results can be looked at afterwards with
    build/xunjian --config demo/rules.d --db demo/xunjian.db violations
"""

import argparse
import datetime
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import portal_lib  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--xunjian", required=True)
    ap.add_argument("--rules", required=True, help="the shipped rules.d")
    ap.add_argument("--out", default="demo")
    ap.add_argument("--format", default="text", choices=["text", "json", "csv"])
    args = ap.parse_args()

    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
    now = now.replace(microsecond=0).isoformat()
    out = os.path.abspath(args.out)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    print("演示门户：生成并启动于 127.0.0.1（%s）…" % out, file=sys.stderr)
    with portal_lib.Portal(out, now=now) as portal:
        rules = portal_lib.write_rules(portal, args.rules, os.path.join(out, "rules.d"))
        db = os.path.join(out, "xunjian.db")
        cmd = [args.xunjian, "--config", rules, "--db", db, "--now", now,
               "--format", args.format, "scan"]
        print("运行：" + " ".join(cmd), file=sys.stderr)
        r = subprocess.run(cmd)
        expected = len(portal.manifest()["findings"])
    print("\n演示门户中预置的问题 %d 个；结果已存入 %s。" % (expected, db), file=sys.stderr)
    print("查看未整改问题：%s --config %s --db %s violations" % (args.xunjian, rules, db),
          file=sys.stderr)
    # Exit 1 means "violations found": that is what the demo is for.
    return 0 if r.returncode in (0, 1) else r.returncode


if __name__ == "__main__":
    sys.exit(main())

"""systemd/xunjian.service as meson configured it: `systemd-analyze verify` must say nothing
about it (an unknown key or a wrong value is only a warning there, so any line naming the
unit fails), its Documentation= pages must resolve, and the offline security review must
rate it "OK" (exposure at most 2.0). Exit 77 (skipped) without systemd-analyze.

The unit names the installed program; the copy verified here names the built one, since
verify checks that ExecStart= is executable."""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

MAX_EXPOSURE = 2.0
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("  FAIL: " + what)
    return cond


def analyze(args, man_dir):
    env = dict(os.environ, MANPATH=man_dir, SYSTEMD_PAGER="", SYSTEMD_COLORS="0")
    return subprocess.run(["systemd-analyze"] + args, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, env=env, timeout=120)


def complaints(output):
    return [line for line in output.splitlines() if "xunjian" in line]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unit", required=True)
    ap.add_argument("--xunjian", required=True)
    ap.add_argument("--installed-bin", required=True, help="the program's installed path")
    ap.add_argument("--man1", required=True)
    ap.add_argument("--man5", required=True)
    a = ap.parse_args()
    if not shutil.which("systemd-analyze"):
        print("systemd-analyze not found: skipped")
        return 77

    with open(a.unit, encoding="utf-8") as f:
        text = f.read()
    exec_start = re.search(r"^ExecStart=(\S+)", text, re.M)
    check(exec_start and exec_start.group(1) == a.installed_bin,
          "ExecStart= runs the installed program %s" % a.installed_bin)
    check(not re.search(r"@[a-z_]+@", text),
          "every @variable@ of xunjian.service.in is substituted")

    with tempfile.TemporaryDirectory(prefix="xj-unit-") as tmp:
        man = os.path.join(tmp, "man")
        for section, page in (("1", a.man1), ("5", a.man5)):
            os.makedirs(os.path.join(man, "man" + section))
            shutil.copy(page, os.path.join(man, "man" + section))
        unit = os.path.join(tmp, "xunjian.service")
        with open(unit, "w", encoding="utf-8") as f:
            f.write(text.replace("ExecStart=" + a.installed_bin,
                                 "ExecStart=" + os.path.abspath(a.xunjian)))

        print("systemd-analyze verify")
        r = analyze(["verify", unit], man)
        print(r.stdout, end="")
        check(r.returncode == 0, "systemd-analyze verify exits 0")
        check(not complaints(r.stdout), "systemd-analyze verify says nothing about the unit")

        # The check above must be able to fail: a misspelt key is only a warning to systemd.
        bad = os.path.join(tmp, "bad", "xunjian.service")
        os.makedirs(os.path.dirname(bad))
        with open(unit, encoding="utf-8") as f, open(bad, "w", encoding="utf-8") as g:
            g.write(f.read().replace("ProtectHome=yes", "ProtectHome=yes\nProtectHomes=yes"))
        r = analyze(["verify", bad], man)
        check(complaints(r.stdout), "a misspelt key in the unit is noticed")

        print("systemd-analyze security --offline=yes")
        r = analyze(["security", "--offline=yes", "--no-pager", unit], man)
        m = re.search(r"Overall exposure level for xunjian\.service: ([0-9.]+)", r.stdout)
        if check(m, "security review prints an exposure level"):
            print("  exposure %s" % m.group(1))
            check(float(m.group(1)) <= MAX_EXPOSURE,
                  "exposure %s is at most %.1f" % (m.group(1), MAX_EXPOSURE))

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

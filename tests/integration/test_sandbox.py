"""xunjian under the sandbox of xunjian.service, as far as a test can build it without
systemd as PID 1: tests/sandbox.c applies NoNewPrivileges=, MemoryDenyWriteExecute=,
SystemCallArchitectures=native, RestrictAddressFamilies= and the SystemCallFilter= lines of
the unit itself (their groups expanded by `systemd-analyze syscall-filter`, the names
numbered from the kernel headers), then runs xunjian. A scan of the test portal must find
exactly the portal's planted problems (the PCRE2 patterns run in the interpreter there),
and the ticket engine and the dry-run email must work.

Exit 77 (skipped) without systemd-analyze or the x86-64 headers."""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import portal_lib  # noqa: E402

UNISTD = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
NOW = portal_lib.DEFAULT_NOW
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("  FAIL: " + what)
    return cond


def syscall_groups():
    """Every group systemd knows: name -> its lines (calls and @groups)."""
    out = subprocess.run(["systemd-analyze", "syscall-filter", "--no-pager"],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    groups, current = {}, None
    for line in out.splitlines():
        if line.startswith("@"):
            current = groups.setdefault(line.strip(), [])
        elif current is not None and line.strip() and not line.strip().startswith("#"):
            current.append(line.strip())
    return groups


def expand(names, groups, seen=None):
    seen = set() if seen is None else seen
    calls = set()
    for n in names:
        if n.startswith("@"):
            if n in seen:
                continue
            seen.add(n)
            calls |= expand(groups[n], groups, seen)
        else:
            calls.add(n)
    return calls


def allowed_calls(unit_text, groups):
    """The unit's SystemCallFilter= lines, in order: the first an allow-list, a later one
    starting with ~ removes from it."""
    allowed = None
    for line in re.findall(r"^SystemCallFilter=(.*)$", unit_text, re.M):
        deny = line.startswith("~")
        names = expand(line.lstrip("~").split(), groups)
        if allowed is None:
            if deny:
                raise ValueError("the unit's first SystemCallFilter= is expected to allow")
            allowed = names
        elif deny:
            allowed -= names
        else:
            allowed |= names
    return allowed or set()


def numbers(calls):
    table = {}
    with open(UNISTD, encoding="ascii") as f:
        for m in re.finditer(r"^#define __NR_(\w+) (\d+)$", f.read(), re.M):
            table[m.group(1)] = int(m.group(2))
    return sorted(table[c] for c in calls if c in table)


def run(cmd, timeout=300):
    # LeakSanitizer stops the threads with ptrace, which the filter refuses (as systemd's
    # would): under ASan the leak check is left to the other tests.
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "detect_leaks=0"]))
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          errors="replace", timeout=timeout, env=env)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xunjian", required=True)
    ap.add_argument("--sandbox", required=True)
    ap.add_argument("--unit", required=True)
    ap.add_argument("--rules", required=True)
    a = ap.parse_args()
    if not shutil.which("systemd-analyze") or not os.path.exists(UNISTD):
        print("systemd-analyze or %s missing: skipped" % UNISTD)
        return 77
    with open(a.unit, encoding="utf-8") as f:
        unit = f.read()
    calls = allowed_calls(unit, syscall_groups())
    check("openat" in calls and "setuid" not in calls and "io_uring_setup" not in calls,
          "the allow-list is @system-service without the unit's exclusions")

    tmp = tempfile.mkdtemp(prefix="xj-sandbox-")
    try:
        allow = os.path.join(tmp, "allow")
        with open(allow, "w", encoding="ascii") as f:
            f.write("\n".join(str(n) for n in numbers(calls)) + "\n")
        jail = [a.sandbox, allow]

        print("the sandbox holds")
        probe = ("import mmap, socket\n"
                 "try:\n"
                 "    socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n"
                 "    print('packet-ok')\n"
                 "except OSError as e:\n"
                 "    print('packet', e.errno)\n"
                 "try:\n"
                 "    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)\n"
                 "    print('wx-ok')\n"
                 "except OSError as e:\n"
                 "    print('wx', e.errno)\n"
                 "import os\n"
                 "try:\n"
                 "    os.setuid(0)\n"
                 "    print('setuid-ok')\n"
                 "except OSError as e:\n"
                 "    print('setuid', e.errno)\n")
        r = run(jail + [sys.executable, "-c", probe])
        if r.returncode == 77:
            print("seccomp unavailable: skipped")
            return 77
        lines = r.stdout.split()
        check(r.returncode == 0, "python runs in the sandbox: " + r.stderr[-500:])
        check("packet" in lines and "97" in lines, "AF_PACKET refused with EAFNOSUPPORT")
        check("wx" in lines or "PR_SET_MDWE" in r.stderr,
              "writable executable memory refused (MemoryDenyWriteExecute)")
        check("setuid" in lines, "setuid() refused")

        print("scan, tickets and notify in the sandbox")
        with portal_lib.Portal(os.path.join(tmp, "portal"), now=NOW) as portal:
            rules = portal_lib.write_rules(portal, a.rules, os.path.join(tmp, "rules.d"))
            db = os.path.join(tmp, "x.db")
            base = jail + [a.xunjian, "--config", rules, "--db", db, "--now", NOW]
            r = run(base + ["rules", "check"])
            check(r.returncode == 0, "rules check: " + r.stderr[-500:])
            r = run(base + ["--format", "json", "scan"])
            check(r.returncode == 1, "the scan completes with findings (exit %d): %s"
                  % (r.returncode, r.stderr[-800:]))
            objs, _ = portal_lib.parse_json_lines(r.stdout)
            got = {(o["site"], o["rule"], o["subject"]) for o in objs
                   if o.get("kind") != "warning"}
            want = {(f["site"], f["rule"], portal.substitute(f["subject"]))
                    for f in portal.manifest()["findings"]}
            check(got == want, "the findings in the sandbox are the portal's manifest "
                  "(missing %r, extra %r)" % (sorted(want - got)[:5], sorted(got - want)[:5]))
            check(any("「xi_thought_compound」" in s for _, _, s in got),
                  "the shipped PCRE2 pattern hits, without JIT")
            r = run(base + ["tickets"])
            check(r.returncode in (0, 1), "tickets (exit %d): %s"
                  % (r.returncode, r.stderr[-500:]))
            mails = os.path.join(tmp, "mail")
            os.mkdir(mails)
            r = run(base + ["notify", "--dry-run", mails])
            check(r.returncode == 0 and os.listdir(mails), "notify --dry-run writes mails "
                  "(exit %d): %s" % (r.returncode, r.stderr[-500:]))
    finally:
        if not failures:
            shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("%d check(s) failed; files kept in %s" % (len(failures), tmp))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Logging to the journal: with stderr connected to journald (JOURNAL_STREAM names it), a
problem with a site is sent through sd_journal_send() with PRIORITY and the fields XJ_SITE,
XJ_RULE and XJ_URL, and plain log lines carry the "<N>" priority prefix.

There is no journald here, so the test stands one in: in a private mount namespace
(`unshare --mount`, as root) a tmpfs over /run holds /run/systemd/journal/socket, an AF_UNIX
datagram socket this script reads, as journald would. Without root or unshare the test is
skipped (exit 77); nothing outside the namespace is touched."""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

SITE = """
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
"""

SOCKET = "/run/systemd/journal/socket"


def parse(datagram):
    """journald's native protocol: KEY=value lines, or KEY, a 64-bit length and the bytes."""
    fields, i = {}, 0
    while i < len(datagram):
        nl = datagram.index(b"\n", i)
        line = datagram[i:nl]
        if b"=" in line:
            k, v = line.split(b"=", 1)
            i = nl + 1
        else:
            k = line
            n = int.from_bytes(datagram[nl + 1:nl + 9], "little")
            v = datagram[nl + 9:nl + 9 + n]
            i = nl + 9 + n + 1
        fields[k.decode()] = v.decode("utf-8", "replace")
    return fields


def inner(args):
    os.makedirs(os.path.dirname(SOCKET))
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(SOCKET)
    got = []

    def receive():
        while True:
            try:
                got.append(parse(sock.recv(1 << 20)))
            except OSError:
                return

    threading.Thread(target=receive, daemon=True).start()

    work = tempfile.mkdtemp(prefix="xj-journal-")
    rules = os.path.join(work, "rules.d")
    shutil.copytree(args.rules, rules)
    with open(os.path.join(rules, "60-site.yaml"), "w", encoding="utf-8") as f:
        f.write(SITE)
    rfd, wfd = os.pipe()
    st = os.fstat(wfd)
    env = dict(os.environ, JOURNAL_STREAM="%d:%d" % (st.st_dev, st.st_ino))
    proc = subprocess.Popen([args.xunjian, "--config", rules, "--db", os.path.join(work, "db"),
                             "--now", "2026-11-23T09:00:00+08:00", "--site", "gone", "scan"],
                            stdout=subprocess.DEVNULL, stderr=wfd, env=env)
    os.close(wfd)
    with os.fdopen(rfd, encoding="utf-8", errors="replace") as r:
        stderr = r.read()
    proc.wait(timeout=120)
    sock.close()
    shutil.rmtree(work, ignore_errors=True)

    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)
            print("  FAIL: " + what)

    check(proc.returncode in (0, 1), "scan exit %d: %s" % (proc.returncode, stderr[-1500:]))
    hits = [f for f in got if f.get("XJ_RULE") == "homepage_unreachable"]
    check(len(hits) == 1, "one journal entry for the unreachable homepage: %r" % got)
    if hits:
        h = hits[0]
        check(h.get("PRIORITY") == "4", "its PRIORITY is 4 (warning): %r" % h)
        check(h.get("XJ_SITE") == "gone", "XJ_SITE names the site: %r" % h)
        check(h.get("XJ_URL") == "http://127.0.0.2:9/", "XJ_URL names the homepage: %r" % h)
        check(h.get("SYSLOG_IDENTIFIER") == "xunjian", "SYSLOG_IDENTIFIER: %r" % h)
        check("首页无法访问" in h.get("MESSAGE", ""), "the message says what: %r" % h)
    lines = [l for l in stderr.splitlines() if l]
    check(lines and all(l[:1] == "<" and l[2:3] == ">" for l in lines),
          "every stderr line has its <N> priority prefix: %r" % lines[:5])
    check("xunjian: " not in stderr, "no plain-terminal prefix on the journal's stream")
    print("%d failure(s)" % len(failures) if failures else "ok")
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xunjian", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--inner", action="store_true")
    args = ap.parse_args()
    if args.inner:
        return inner(args)
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("mount"):
        print("skipped: needs root and unshare for a private /run")
        return 77
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                            "mount -t tmpfs tmpfs /run"], stderr=subprocess.PIPE)
    if probe.returncode != 0:
        print("skipped: no private mount namespace here: %s" % probe.stderr.decode().strip())
        return 77
    cmd = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
           'mount -t tmpfs tmpfs /run && exec "$0" "$@"', sys.executable,
           os.path.abspath(__file__), "--inner", "--xunjian", os.path.abspath(args.xunjian),
           "--rules", os.path.abspath(args.rules)]
    res = subprocess.run(cmd, timeout=300)
    return res.returncode


if __name__ == "__main__":
    sys.exit(main())

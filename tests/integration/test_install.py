"""`meson install` into a staging directory: every file lands where the README says, the
installed program reads the installed rules.d, the man pages render without a warning, and
a second install (an upgrade) keeps what the office changed in /etc/xunjian/rules.d."""

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("  FAIL: " + what)
    return cond


def staged(dest, path):
    return os.path.join(dest, path.lstrip("/"))


def install(builddir, dest):
    r = subprocess.run(["meson", "install", "-C", builddir, "--no-rebuild",
                        "--destdir", dest], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=300)
    check(r.returncode == 0, "meson install --destdir exits 0: " + r.stdout[-2000:])


def read(path):
    with open(path, "rb") as f:
        return f.read()


def rules_check(binary, rules):
    r = subprocess.run([binary, "--config", rules, "rules", "check"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=60)
    check(r.returncode == 0, "the installed xunjian accepts %s (%s)" % (rules, r.stdout.strip()))


def test_layout(a, dest, shipped):
    print("installed files")
    for root, _, files in os.walk(dest):
        for f in sorted(files):
            print("  " + os.path.relpath(os.path.join(root, f), dest))
    expected = [a.bindir + "/xunjian", a.unitdir + "/xunjian.service",
                a.mandir + "/man1/xunjian.1", a.mandir + "/man5/xunjian-rules.5",
                a.sysrules + "/.shipped"]
    expected += [a.datarules + "/" + n for n in shipped]
    expected += [a.sysrules + "/" + n for n in shipped]
    for path in expected:
        check(os.path.isfile(staged(dest, path)), "installed: " + path)
    binary = staged(dest, a.bindir + "/xunjian")
    check(os.access(binary, os.X_OK), "the program is executable")
    for n in shipped:
        check(read(staged(dest, a.datarules + "/" + n)) == read(os.path.join(a.shipped, n)),
              "shipped default %s installed as it is in the source" % n)
    unit = read(staged(dest, a.unitdir + "/xunjian.service")).decode()
    check(re.search(r"^ExecStart=%s --config %s " % (re.escape(a.bindir + "/xunjian"),
                                                    re.escape(a.sysrules)), unit, re.M),
          "the unit runs the installed program on the installed rules.d")
    rules_check(binary, staged(dest, a.sysrules))


def test_upgrade(a, dest, shipped):
    print("upgrade keeps the office's changes")
    etc = staged(dest, a.sysrules)
    edited = "10-units.yaml"
    stale = "00-national.yaml"
    # 50-example-site.yaml cannot go: the shipped 20-office.yaml names its columns.
    deleted = "05-holidays.yaml"
    for n in (edited, stale, deleted):
        if not check(n in shipped, "%s is shipped (the test relies on it)" % n):
            return
    with open(os.path.join(etc, edited), "a", encoding="utf-8") as f:
        f.write("# 本办修改\n")
    edited_bytes = read(os.path.join(etc, edited))
    # An unedited copy of an older shipped version: its hash is the one .shipped records.
    old = b"# an older shipped version\n" + read(os.path.join(a.shipped, stale))
    with open(os.path.join(etc, stale), "wb") as f:
        f.write(old)
    manifest = os.path.join(etc, ".shipped")
    lines = read(manifest).decode().splitlines()
    lines = ["%s  %s" % (hashlib.sha256(old).hexdigest(), stale) if line.endswith("  " + stale)
             else line for line in lines]
    with open(manifest, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.unlink(os.path.join(etc, deleted))
    with open(os.path.join(etc, "60-local.yaml"), "w", encoding="utf-8") as f:
        f.write("# 本办的站点\n")

    install(a.builddir, dest)
    check(read(os.path.join(etc, edited)) == edited_bytes, "an edited file is kept")
    check(read(os.path.join(etc, edited + ".new")) == read(os.path.join(a.shipped, edited)),
          "the new version of an edited file is written beside it as .new")
    check(read(os.path.join(etc, stale)) == read(os.path.join(a.shipped, stale)),
          "an unedited file of an older version is updated")
    check(not os.path.exists(os.path.join(etc, deleted)), "a file the office deleted stays deleted")
    check(read(os.path.join(etc, "60-local.yaml")) == "# 本办的站点\n".encode(),
          "the office's own file is untouched")
    rules_check(staged(dest, a.bindir + "/xunjian"), etc)


def test_man(a, dest, rules_md):
    print("man pages render")
    if not shutil.which("groff"):
        print("  groff not found: rendering skipped")
        return
    for page in (a.mandir + "/man1/xunjian.1", a.mandir + "/man5/xunjian-rules.5"):
        path = staged(dest, page)
        r = subprocess.run(["groff", "-k", "-t", "-man", "-Tutf8", "-ww", path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        check(r.returncode == 0 and not r.stderr,
              "groff -ww renders %s without warnings: %s" % (page, r.stderr.decode()[:500]))
        if shutil.which("man"):
            env = dict(os.environ, MANWIDTH="80", MAN_KEEP_STDERR="1", LC_ALL="C.UTF-8")
            r = subprocess.run(["man", "--warnings", "-l", path], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, timeout=60)
            check(r.returncode == 0 and not r.stderr,
                  "man -l renders %s without warnings: %s" % (page, r.stderr.decode()[:500]))
    # Every heading of the Markdown source is a heading of the page: nothing was dropped.
    text = subprocess.run(["groff", "-k", "-man", "-Tutf8", "-P-cbou",
                           staged(dest, a.mandir + "/man5/xunjian-rules.5")],
                          stdout=subprocess.PIPE, timeout=60).stdout.decode()
    with open(rules_md, encoding="utf-8") as f:
        headings = re.findall(r"^#{2,3} (.+)$", f.read(), re.M)
    for h in headings:
        h = h.replace("`", "")
        check(h in text or h.upper() in text, "xunjian-rules(5) has the section " + h)
    check("regex_match_limit" in text and "number_prefix" in text,
          "xunjian-rules(5) has the settings and tickets tables")


def main():
    ap = argparse.ArgumentParser()
    for opt in ("builddir", "bindir", "mandir", "unitdir", "datarules", "sysrules", "shipped",
                "rules-md"):
        ap.add_argument("--" + opt, required=True)
    a = ap.parse_args()
    shipped = sorted(n for n in os.listdir(a.shipped) if n.endswith((".yaml", ".yml")))
    with tempfile.TemporaryDirectory(prefix="xj-install-") as tmp:
        dest = os.path.join(tmp, "dest")
        install(a.builddir, dest)
        test_layout(a, dest, shipped)
        test_man(a, dest, a.rules_md)
        test_upgrade(a, dest, shipped)
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

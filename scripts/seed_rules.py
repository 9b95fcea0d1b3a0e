#!/usr/bin/env python3
"""Seeds the office's rules.d (/etc/xunjian/rules.d) from the shipped defaults
(/usr/share/xunjian/rules.d) at `meson install`, without ever overwriting a file the office
edited. Run by meson as an install script:

    seed_rules.py SHIPPED_DIR OFFICE_DIR

Both paths are absolute; $DESTDIR, when set, is put in front of them (staged installs).

OFFICE_DIR/.shipped records the SHA-256 of every file as it was last installed (xunjian's
loader skips hidden files). For each shipped file:
- absent from OFFICE_DIR and never installed: copied;
- absent but installed before: the office deleted it; it stays deleted;
- identical to the new version: nothing to do;
- unchanged since it was installed: replaced by the new version;
- edited by the office: kept; the new version is written next to it as NAME.new (not read
  by xunjian, since it does not end in .yaml) and a line says so.
A file no longer shipped is removed if the office never edited it, else kept.
"""
import hashlib
import os
import sys

MANIFEST = ".shipped"


def note(text):
    # meson keeps the install scripts' stdout to itself unless asked; stderr reaches the
    # person running the install.
    print(text, file=sys.stderr)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_manifest(path):
    known = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("  ", 1)
                if len(parts) == 2:
                    known[parts[1]] = parts[0]
    except FileNotFoundError:
        pass
    return known


def write_atomically(path, data, mode=0o644):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def seed(shipped_dir, office_dir):
    os.makedirs(office_dir, mode=0o755, exist_ok=True)
    manifest_path = os.path.join(office_dir, MANIFEST)
    known = read_manifest(manifest_path)
    now = {}
    names = sorted(n for n in os.listdir(shipped_dir)
                   if n.endswith((".yaml", ".yml")) and not n.startswith("."))
    for name in names:
        src = os.path.join(shipped_dir, name)
        dst = os.path.join(office_dir, name)
        with open(src, "rb") as f:
            data = f.read()
        new = hashlib.sha256(data).hexdigest()
        if not os.path.exists(dst):
            if name in known:
                note("rules.d: %s was deleted by the office; not installed again" % dst)
                now[name] = known[name]
                continue
            write_atomically(dst, data)
            now[name] = new
            continue
        have = digest(dst)
        if have == new:
            now[name] = new
        elif known.get(name) == have:
            write_atomically(dst, data)
            now[name] = new
            note("rules.d: %s updated to the new shipped version" % dst)
        else:
            write_atomically(dst + ".new", data)
            now[name] = known.get(name, have)
            note("rules.d: %s was edited; kept it, the new shipped version is %s.new"
                  % (dst, dst))
    for name, old in known.items():
        if name in now:
            continue
        dst = os.path.join(office_dir, name)
        if os.path.exists(dst) and digest(dst) == old:
            os.unlink(dst)
            note("rules.d: %s is no longer shipped; removed (it was never edited)" % dst)
        elif os.path.exists(dst):
            note("rules.d: %s is no longer shipped but was edited; kept" % dst)
    lines = "".join("%s  %s\n" % (now[n], n) for n in sorted(now))
    write_atomically(manifest_path, lines.encode("utf-8"))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    destdir = os.environ.get("DESTDIR", "")
    shipped, office = (destdir + p if destdir else p for p in sys.argv[1:])
    if os.environ.get("MESON_INSTALL_DRY_RUN"):
        return
    seed(shipped, office)


if __name__ == "__main__":
    main()

"""Helpers for the integration tests that run xunjian against the loopback test portal:
generate and serve the portal, write a rules directory that points at it, run xunjian and
read its JSON output.  Standard library only; see tests/portal/README.md.

Typical use:

    with portal_lib.Portal(workdir, now=NOW) as portal:
        rules = portal_lib.write_rules(portal, shipped_rules_dir, workdir + "/rules.d")
        res = portal_lib.run_xunjian(binary, rules, db, NOW, ["scan", "--format", "json"])
        findings = portal_lib.parse_json_lines(res.stdout)
"""

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PORTAL_DIR = os.path.join(os.path.dirname(HERE), "portal")
GEN_PORTAL = os.path.join(PORTAL_DIR, "gen_portal.py")
SERVE = os.path.join(PORTAL_DIR, "serve.py")

DEFAULT_NOW = "2026-11-23T09:00:00+08:00"

# The settings the portal tests override: small timeouts so that the never-answering
# port costs seconds, one retry so that suspected failures are retried once, and no
# delay between requests (the loopback server is ours to hurry).
PORTAL_SETTINGS = {"http": {"timeout_s": 3, "connect_timeout_s": 2, "retries": 1,
                            "host_delay_ms": 0}}


class PortalError(Exception):
    pass


class Portal:
    """A generated portal and the server process that serves it.

    The server is started by start() (or entering the with block) and always stopped by
    stop() (or leaving it), also when the test fails half way."""

    def __init__(self, workdir, now=DEFAULT_NOW, seed=1, columns=320, verbose=False):
        self.workdir = os.path.abspath(workdir)
        self.root = os.path.join(self.workdir, "portal")
        self.port_file = os.path.join(self.workdir, "portal.ports")
        self.now = now
        self.seed = seed
        self.columns = columns
        self.verbose = verbose
        self.proc = None
        self.ports = None
        self.log = None

    # -- life cycle ----------------------------------------------------------------------

    def generate(self):
        cmd = [sys.executable, GEN_PORTAL, "--out", self.root, "--now", self.now,
               "--seed", str(self.seed), "--columns", str(self.columns)]
        res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if res.returncode != 0:
            raise PortalError("gen_portal.py failed (%d):\n%s%s"
                              % (res.returncode, res.stdout, res.stderr))

    def start(self, timeout=15.0):
        os.makedirs(self.workdir, exist_ok=True)
        if not os.path.exists(os.path.join(self.root, "manifest.json")):
            self.generate()
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        cmd = [sys.executable, SERVE, "--root", self.root, "--port-file", self.port_file]
        if self.verbose:
            cmd.append("-v")
        self.log = open(os.path.join(self.workdir, "serve.log"), "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None:
                raise PortalError("serve.py exited with %d before listening; see %s"
                                  % (self.proc.returncode, self.log.name))
            if time.monotonic() > deadline:
                self.stop()
                raise PortalError("serve.py did not write %s within %.0f s"
                                  % (self.port_file, timeout))
            time.sleep(0.05)
        with open(self.port_file, encoding="utf-8") as f:
            self.ports = json.load(f)
        return self

    def stop(self):
        """Terminates the server and waits for it; kills it after 5 s. Idempotent."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # -- what the tests need -------------------------------------------------------------

    @property
    def base(self):
        return "http://127.0.0.1:%d/" % self.ports["port"]

    def substitute(self, s):
        """Replaces the portal's placeholders (README.md) with this run's values."""
        if s is None:
            return None
        return (s.replace("@BASE@", self.base)
                .replace("@HOST@", "127.0.0.1:%d" % self.ports["port"])
                .replace("@EXT@", "127.0.0.1:%d" % self.ports["ext_port"])
                .replace("@HANG@", "127.0.0.1:%d" % self.ports["hang_port"])
                .replace("@DEAD@", self.ports["dead"])
                .replace("@OFFSITE@", "localhost:%d" % self.ports["ext_port"]))

    def manifest(self):
        """manifest.json with the placeholders of its findings replaced."""
        with open(os.path.join(self.root, "manifest.json"), encoding="utf-8") as f:
            m = json.load(f)
        for finding in m["findings"]:
            finding["subject"] = self.substitute(finding["subject"])
        return m

    def site_yaml(self):
        with open(os.path.join(self.root, "site.yaml.in"), encoding="utf-8") as f:
            return self.substitute(f.read())


# ------------------------------------------------------------------------------------------
# rules.d


def yaml_scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return json.dumps(v, ensure_ascii=False)        # a JSON string is a YAML string


def yaml_mapping(d, indent=0):
    """Block-style YAML for nested dicts of scalars (all the settings need)."""
    lines = []
    for k, v in d.items():
        if isinstance(v, dict):
            lines.append("%s%s:" % (" " * indent, k))
            lines += yaml_mapping(v, indent + 2)
        else:
            lines.append("%s%s: %s" % (" " * indent, k, yaml_scalar(v)))
    return lines


def write_rules(portal, shipped_dir, dest_dir, settings=None, name="60-portal.yaml"):
    """Builds a rules directory: a copy of the shipped rules files (their example site is
    disabled, so only the portal is scanned) plus one file with the portal's units and
    sites and the settings overrides.  Returns dest_dir."""
    os.makedirs(dest_dir, exist_ok=True)
    shipped = sorted(glob.glob(os.path.join(shipped_dir, "*.yaml"))
                     + glob.glob(os.path.join(shipped_dir, "*.yml")))
    if not shipped:
        raise PortalError("no rules files in %s" % shipped_dir)
    if any(os.path.basename(p) == name for p in shipped):
        raise PortalError("%s already holds %s" % (shipped_dir, name))
    for path in shipped:
        shutil.copy(path, dest_dir)
    text = ("# Written by tests/integration/portal_lib.py for one test run.\n"
            + portal.site_yaml()
            + "settings:\n" + "\n".join(yaml_mapping(settings or PORTAL_SETTINGS, 2)) + "\n")
    with open(os.path.join(dest_dir, name), "w", encoding="utf-8") as f:
        f.write(text)
    return dest_dir


# ------------------------------------------------------------------------------------------
# xunjian


def run_xunjian(binary, rules, db, now, args, timeout=120):
    """Runs BIN --config RULES --db DB --now NOW ARGS...; returns the CompletedProcess
    (text mode).  A run that outlives timeout is killed and raises PortalError."""
    cmd = [binary, "--config", rules, "--db", db, "--now", now] + list(args)
    try:
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise PortalError("%s did not finish within %d s" % (" ".join(cmd), timeout)) from e
    except OSError as e:
        raise PortalError("cannot run %s: %s" % (binary, e)) from e


def parse_json_lines(text):
    """One JSON object per non-empty line.  Returns (objects, bad lines)."""
    objs, bad = [], []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            bad.append((n, line))
            continue
        if isinstance(obj, dict):
            objs.append(obj)
        else:
            bad.append((n, line))
    return objs, bad

#!/usr/bin/python3
"""Loopback web server for the generated test portal (see README.md in this folder).

Serves ROOT/site on 127.0.0.1 the way a government CMS front end does (charset per page,
Last-Modified, ETag, conditional GET, HEAD), plus the misbehaviour the portal plants: the
statuses of ROOT/routes.json, a second port acting as "another host" (ROOT/ext), and a port
that accepts connections and never answers.  Standard library only.

Usage: serve.py --root DIR [--port 0] [--port-file F] [-v]
"""

import argparse
import email.utils
import hashlib
import json
import mimetypes
import os
import posixpath
import signal
import socket
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Content types by extension.  mimetypes alone depends on the host's /etc/mime.types, and
# the crawler's attachment and image classes should see the same types on every machine.
CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "application/javascript",
    ".txt": "text/plain",
    ".xml": "application/xml",
    ".json": "application/json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
}

# Types whose bytes carry the run-time placeholders (links to the other ports).
TEXT_TYPES = {"text/html", "text/css", "application/javascript", "text/plain", "application/xml"}

STATUS_BODY = ("<html><head><title>{code} {reason}</title></head>"
               "<body><h1>{code} {reason}</h1></body></html>\n")


class Portal:
    """What every request handler shares: roots, tables and the substitutions."""

    def __init__(self, root, verbose):
        self.root = os.path.abspath(root)
        self.verbose = verbose
        self.charsets = self._load_json("charsets.json")
        self.routes = self._load_json("routes.json")
        self.substitutions = []   # filled in once every port is known

    def _load_json(self, name):
        path = os.path.join(self.root, name)
        if not os.path.exists(path):
            return {}
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def substitute(self, data):
        # The placeholders are ASCII and the generator checks that they never arise from the
        # bytes of a GBK character, so a byte-level replacement is safe in both charsets.
        for key, value in self.substitutions:
            data = data.replace(key, value)
        return data


class Handler(BaseHTTPRequestHandler):
    """Serves files under one document root; the server object says which."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, a kept-alive
    # connection then waits for the client's delayed ACK (40 ms) on every response.
    disable_nagle_algorithm = True
    server_version = "TRS-WebServer/6.0"
    sys_version = ""

    # -- plumbing ---------------------------------------------------------------------

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        if self.server.portal.verbose:
            sys.stderr.write("%s %s\n" % (self.server.label, fmt % args))

    def do_GET(self):
        self._serve(send_body=True)

    def do_HEAD(self):
        self._serve(send_body=False)

    def _send(self, code, headers, body, send_body):
        self.send_response(code)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)

    def _send_status(self, code, send_body, extra=()):
        reason = self.responses.get(code, ("Error",))[0]
        body = STATUS_BODY.format(code=code, reason=reason).encode("ascii")
        headers = [("Content-Type", "text/html; charset=utf-8")] + list(extra)
        self._send(code, headers, body, send_body)

    # -- the request --------------------------------------------------------------------

    def _serve(self, send_body):
        portal = self.server.portal
        path = urllib.parse.urlsplit(self.path).path
        path = urllib.parse.unquote(path)
        # Normalise the way a front-end server would, and refuse to leave the root.
        clean = posixpath.normpath(path)
        if not clean.startswith("/"):
            self._send_status(400, send_body)
            return
        if path.endswith("/") and clean != "/":
            clean += "/"

        route = portal.routes.get(clean) if self.server.use_routes else None
        if route is not None:
            code = int(route["status"])
            extra = []
            if "location" in route:
                extra.append(("Location", route["location"]))
            self._send_status(code, send_body, extra)
            return

        fs_path = os.path.join(self.server.doc_root, clean.lstrip("/"))
        if os.path.isdir(fs_path):
            if not clean.endswith("/"):
                # Like Apache and nginx: a directory without its slash is redirected.
                self._send_status(301, send_body, [("Location", clean + "/")])
                return
            fs_path = os.path.join(fs_path, "index.html")
            clean += "index.html"
        if not os.path.isfile(fs_path):
            self._send_status(404, send_body)
            return

        ext = os.path.splitext(fs_path)[1].lower()
        ctype = CONTENT_TYPES.get(ext) or mimetypes.guess_type(fs_path)[0] \
            or "application/octet-stream"
        with open(fs_path, "rb") as f:
            body = f.read()
        if ctype in TEXT_TYPES:
            body = portal.substitute(body)
            charset = self.server.charsets.get(clean, "utf-8")
            ctype = "%s; charset=%s" % (ctype, charset)

        mtime = int(os.stat(fs_path).st_mtime)
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:20]
        headers = [
            ("Content-Type", ctype),
            ("Last-Modified", email.utils.formatdate(mtime, usegmt=True)),
            ("ETag", etag),
            ("Cache-Control", "max-age=600"),
        ]
        if self._not_modified(etag, mtime):
            self.send_response(304)
            for name, value in headers[1:]:
                self.send_header(name, value)
            self.end_headers()
            return
        self._send(200, headers, body, send_body)

    def _not_modified(self, etag, mtime):
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            # If-None-Match wins over If-Modified-Since (RFC 9110, 13.2.2).
            tags = [t.strip() for t in inm.split(",")]
            return "*" in tags or etag in tags or ("W/" + etag) in tags
        ims = self.headers.get("If-Modified-Since")
        if ims is not None:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
            return mtime <= since
        return False


class PortalServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, portal, doc_root, label, use_routes, charsets):
        self.portal = portal
        self.doc_root = doc_root
        self.label = label
        self.use_routes = use_routes
        self.charsets = charsets
        super().__init__(address, Handler)

    def handle_error(self, request, client_address):
        # Crawlers hang up in the middle of a response (timeouts, HEAD probes); that is
        # not worth a traceback unless we were asked to talk.
        if self.portal.verbose:
            super().handle_error(request, client_address)


class HangListener:
    """Accepts connections and never answers: the "server that hangs" of the portal."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self.lock = threading.Lock()
        self.closing = False
        self.thread = threading.Thread(target=self._run, name="hang", daemon=True)

    def start(self):
        self.thread.start()

    def _run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return          # the listening socket was closed: shutting down
            with self.lock:
                if self.closing:
                    conn.close()
                    return
                self.held.append(conn)

    def close(self):
        with self.lock:
            self.closing = True
            for conn in self.held:
                conn.close()
            self.held.clear()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.thread.join(timeout=2)


def write_port_file(path, ports):
    # Write then rename, so that a reader never sees half a file.
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(ports, f, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description="Serve the generated test portal on 127.0.0.1.")
    ap.add_argument("--root", required=True, help="directory written by gen_portal.py")
    ap.add_argument("--port", type=int, default=0, help="main port (0: any free port)")
    ap.add_argument("--port-file", help="write the ports here as JSON once listening")
    ap.add_argument("-v", "--verbose", action="store_true", help="log requests to stderr")
    args = ap.parse_args()

    portal = Portal(args.root, args.verbose)
    site_root = os.path.join(portal.root, "site")
    ext_root = os.path.join(portal.root, "ext")
    if not os.path.isdir(site_root):
        ap.error("%s has no site/ (run gen_portal.py first)" % portal.root)

    main_srv = PortalServer(("127.0.0.1", args.port), portal, site_root, "main", True,
                            portal.charsets.get("site", {}))
    ext_srv = PortalServer(("127.0.0.1", 0), portal, ext_root, "ext", False,
                           portal.charsets.get("ext", {}))
    hang = HangListener()
    port = main_srv.server_address[1]
    ports = {
        "port": port,
        "ext_port": ext_srv.server_address[1],
        "hang_port": hang.port,
        # Only 127.0.0.1 is bound, so this port on 127.0.0.2 refuses connections; no other
        # process can listen there while we hold the port on 127.0.0.1.
        "dead": "127.0.0.2:%d" % port,
    }
    portal.substitutions = [
        (b"@HOST@", ("127.0.0.1:%d" % port).encode()),
        (b"@EXT@", ("127.0.0.1:%d" % ports["ext_port"]).encode()),
        (b"@HANG@", ("127.0.0.1:%d" % hang.port).encode()),
        (b"@DEAD@", ports["dead"].encode()),
        # The second port under another host name: 域外 to the site (hidden-link plants).
        (b"@OFFSITE@", ("localhost:%d" % ports["ext_port"]).encode()),
    ]

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2},
                                name=s.label, daemon=True) for s in (main_srv, ext_srv)]
    for t in threads:
        t.start()
    hang.start()
    if args.port_file:
        write_port_file(args.port_file, ports)
    if args.verbose:
        sys.stderr.write("serving %s: %s\n" % (site_root, json.dumps(ports, sort_keys=True)))

    while not stop.wait(0.5):
        pass

    for s in (main_srv, ext_srv):
        s.shutdown()
        s.server_close()
    hang.close()
    if args.port_file:
        try:
            os.unlink(args.port_file)
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

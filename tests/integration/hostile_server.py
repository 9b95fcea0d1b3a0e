#!/usr/bin/python3
"""A hostile web server on 127.0.0.1 for the crawler's tests: everything a fragile or
badly configured government server does to a crawler, on free ports.

  main port   a small site ("hostile") whose homepage links every trap below
  hang port   accepts connections and never answers
  tls port    HTTPS with a self-signed certificate (--cert/--key), a small site
  gen path    /gen/N.html on the main port: an endless site, each page linking
              --gen-links new pages (the bounded-memory and resume tests)

Every request is appended to --log as one JSON line (time, port, method, path, host), so
the tests can count what the crawler fetched and when.  Standard library only.

Usage: hostile_server.py --port-file F --log L [--cert C --key K] [--gen-links N]
"""

import argparse
import gzip
import json
import os
import signal
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TEMPLATE = ("<html><head><title>提示信息</title></head><body><div class=\"tip\">"
            "对不起，您访问的页面 {path} 不存在或已被删除。<a href=\"/\">返回首页</a>"
            "</div></body></html>")


def page(title, body, charset="utf-8"):
    return ("<!DOCTYPE html><html><head><meta charset=\"%s\"><title>%s</title></head>"
            "<body><h1>%s</h1>%s</body></html>" % (charset, title, title, body))


class State:
    def __init__(self, args):
        self.log_path = args.log
        self.log_lock = threading.Lock()
        self.gen_links = args.gen_links
        self.busy_seen = set()
        self.lock = threading.Lock()
        self.active = {}            # port -> requests being answered now
        self.max_active = {}
        self.ports = {}
        # 50 MiB of zeros compress to about 50 KiB: a bomb for a 1 MiB body cap.
        self.bomb = gzip.compress(b"\0" * (50 << 20), compresslevel=9)

    def log(self, port, method, path, host):
        rec = {"t": time.time(), "port": port, "method": method, "path": path, "host": host}
        with self.log_lock:
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def enter(self, port):
        with self.lock:
            n = self.active.get(port, 0) + 1
            self.active[port] = n
            self.max_active[port] = max(self.max_active.get(port, 0), n)

    def leave(self, port):
        with self.lock:
            self.active[port] -= 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "Apache/2.2.15"
    sys_version = ""

    def log_message(self, fmt, *args):
        pass

    def version_string(self):
        return self.server_version

    def do_GET(self):
        self._handle("GET")

    def do_HEAD(self):
        self._handle("HEAD")

    def _handle(self, method):
        st = self.server.state
        port = self.server.server_address[1]
        st.log(port, method, self.path, self.headers.get("Host"))
        st.enter(port)
        try:
            if self.server.kind == "tls":
                self._tls_site(method)
            else:
                self._main(method)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            st.leave(port)

    # -- helpers --------------------------------------------------------------------------

    def _send(self, code, body, ctype="text/html; charset=utf-8", extra=(), method="GET"):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)

    def _redirect(self, where, method):
        self._send(302, "", extra=[("Location", where)], method=method)

    def _reset(self):
        """Closes the connection with a TCP reset (SO_LINGER 0)."""
        self.wfile.flush()
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    # -- the main site --------------------------------------------------------------------

    def _home(self, method):
        p = self.server.state.ports
        links = [
            '<a href="/news/">通知公告</a>',
            '<a href="/private/secret.html">内部</a>',
            '<a href="/slow.html">慢</a>',
            '<a href="http://127.0.0.1:%d/hang.html">挂起</a>' % p["hang"],
            '<a href="/loop1">循环</a>',
            '<a href="/bomb.html">压缩炸弹</a>',
            '<a href="/huge.html">5GB</a>',
            '<a href="/badchunk.html">坏分块</a>',
            '<a href="/reset.html">重置</a>',
            '<a href="/busy/1.html">忙1</a>',
            '<a href="/busy/2.html">忙2</a>',
            '<a href="/down.html">维护</a>',
            '<a href="/files/a.pdf">附件a</a>',
            '<a href="/files/b.pdf">附件b</a>',
            '<a href="/files/c.doc">附件c</a>',
            '<a href="/files/gone.pdf">附件gone</a>',
            '<a href="/soft/title.html">标题</a>',
            '<a href="/gone1.html">旧文1</a>',
            '<a href="/gone2.html">旧文2</a>',
            '<a href="/calendar?month=2026-11">日历</a>',
            '<a href="/cal/2026/11/">日历2</a>',
            '<a href="/session.jsp">会话</a>',
            '<a href="/rel/">相对</a>',
            '<a href="/gbk-wrong.html">编码1</a>',
            '<a href="/gbk-nodecl.html">编码2</a>',
            '<a href="http://localhost:%d/internal.html">内网</a>' % p["main"],
            '<a href="http://169.254.169.254/latest/meta-data/">元数据</a>',
            '<a href="https://127.0.0.1:%d/ext.html">证书</a>' % p["tls"],
        ]
        self._send(200, page("敌意测试站", "<ul>%s</ul>" % "".join(
            "<li>%s</li>" % l for l in links)), method=method)

    def _main(self, method):
        st = self.server.state
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path, urllib.parse.parse_qs(url.query)

        if path == "/robots.txt":
            self._send(200, "User-agent: *\nDisallow: /private/\n", "text/plain",
                       method=method)
        elif path in ("/", "/index.html"):
            self._home(method)
        elif path == "/news/":
            items = "".join('<li><a href="/news/a%d.html">通知%d</a><span>2026-11-%02d</span></li>'
                            % (i, i, 20 - i) for i in range(1, 4))
            self._send(200, page("通知公告", '<ul class="list">%s</ul>' % items),
                       method=method)
        elif path.startswith("/news/a"):
            self._send(200, page("通知", "<p>发布时间：2026-11-18</p><p>正文。</p>"),
                       method=method)
        elif path == "/slow.html":
            # One byte a second: only the transfer timeout ends it.
            body = page("慢", "x" * 40).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for b in body:
                self.wfile.write(bytes([b]))
                self.wfile.flush()
                time.sleep(1)
        elif path == "/loop1":
            self._redirect("/loop2", method)
        elif path == "/loop2":
            self._redirect("/loop1", method)
        elif path == "/bomb.html":
            self._send(200, st.bomb, extra=[("Content-Encoding", "gzip")], method=method)
        elif path == "/huge.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(5 << 30))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(b"<html>" + b" " * 4096)
            self.close_connection = True
        elif path == "/badchunk.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(b"10\r\n<html><body>abc\r\nzz-not-a-size\r\nxxxx\r\n")
            self.close_connection = True
        elif path == "/reset.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "10000")
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(b"<html><body>" + b"a" * 100)
            self._reset()
        elif path.startswith("/busy/"):
            with st.lock:
                first = path not in st.busy_seen
                st.busy_seen.add(path)
            if first:
                self._send(429, "slow down", "text/plain", extra=[("Retry-After", "1")],
                           method=method)
            else:
                self._send(200, page("忙", "<p>好了</p>"), method=method)
        elif path == "/down.html":
            self._send(503, "maintenance", "text/plain", extra=[("Retry-After", "1")],
                       method=method)
        elif path.startswith("/files/"):
            self._files(path, method)
        elif path == "/soft/title.html":
            self._send(200, page("页面不存在", "<p>该信息已过期。</p>"), method=method)
        elif path == "/calendar":
            # An endless calendar by query: each month links the one before and after.
            y, m = map(int, query.get("month", ["2026-11"])[0].split("-")[:2])
            prev = (y - 1, 12) if m == 1 else (y, m - 1)
            nxt = (y + 1, 1) if m == 12 else (y, m + 1)
            self._send(200, page("日历 %d-%02d" % (y, m),
                                 '<a href="/calendar?month=%d-%02d">上月</a>'
                                 '<a href="/calendar?month=%d-%02d">下月</a>' % (prev + nxt)),
                       method=method)
        elif path.startswith("/cal/"):
            parts = [p for p in path.split("/") if p]
            y, m = int(parts[1]), int(parts[2])
            nxt = (y + 1, 1) if m == 12 else (y, m + 1)
            self._send(200, page("日历 %d-%02d" % (y, m),
                                 '<a href="/cal/%d/%02d/">下月</a>' % nxt), method=method)
        elif path.startswith("/session.jsp") or path.startswith("/list.jsp"):
            # Every answer carries a new session id in its links.
            sid = os.urandom(8).hex()
            self._send(200, page("会话", '<a href="/session.jsp;jsessionid=%s">本页</a>'
                                         '<a href="/list.jsp?PHPSESSID=%s&amp;page=1">列表</a>'
                                 % (sid, sid)), method=method)
        elif path.startswith("/rel/"):
            # A relative link that adds a segment at every step.
            self._send(200, page("相对", '<a href="x/">下一层</a>'), method=method)
        elif path == "/gbk-wrong.html":
            # Declared UTF-8, written in GBK.
            body = page("通知公告栏目", "<p>镕堃喆</p>", charset="utf-8").encode("gb18030")
            self._send(200, body, "text/html; charset=utf-8", method=method)
        elif path == "/gbk-nodecl.html":
            body = ("<html><head><title>政务公开目录</title></head><body>"
                    + "<p>政府信息公开指南与目录，依申请公开。</p>" * 20
                    + "</body></html>").encode("gb18030")
            self._send(200, body, "text/html", method=method)
        elif path.startswith("/gen/"):
            self._gen(path, method)
        else:
            # The error template, answered with 200 for every missing URL.
            self._send(200, TEMPLATE.format(path=path), method=method)

    def _files(self, path, method):
        name = path[len("/files/"):]
        if method == "HEAD":
            if name in ("a.pdf", "gone.pdf"):
                self._send(405, "", "text/plain", method=method)
            elif name == "b.pdf":
                self._reset()
            elif name == "c.doc":
                self._send(501, "", "text/plain", method=method)
            else:
                self._send(404, "", "text/plain", method=method)
            return
        if name == "gone.pdf":
            self._send(404, "not found", "text/plain", method=method)
        elif name in ("a.pdf", "b.pdf", "c.doc"):
            self._send(200, b"%PDF-1.4\n" + b"0" * 2048, "application/pdf", method=method)
        else:
            self._send(404, "not found", "text/plain", method=method)

    def _gen(self, path, method):
        try:
            n = int(path[len("/gen/"):].split(".")[0])
        except ValueError:
            n = 0
        k = self.server.state.gen_links
        links = "".join('<a href="/gen/%d.html">%d</a>' % (n * k + i + 1, i) for i in range(k))
        self._send(200, page("第%d页" % n, links), method=method)

    # -- the HTTPS site -------------------------------------------------------------------

    def _tls_site(self, method):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/robots.txt":
            self._send(404, "", "text/plain", method=method)
        elif path in ("/", "/index.html"):
            self._send(200, page("证书站", '<a href="/col/">栏目</a>'), method=method)
        elif path == "/col/":
            self._send(200, page("工作动态", '<ul class="list"><li><a href="/col/1.html">'
                                         '动态一</a><span>2026-11-22</span></li></ul>'),
                       method=method)
        else:
            self._send(200, page("动态", "<p>发布时间：2026-11-22</p>"), method=method)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, state, kind, ctx=None):
        self.state = state
        self.kind = kind
        self.ctx = ctx
        super().__init__(("127.0.0.1", 0), Handler)

    def get_request(self):
        conn, addr = super().get_request()
        if self.ctx:
            conn.settimeout(5)
            try:
                conn = self.ctx.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError):
                # The crawler refused our certificate: that is the point.
                conn.close()
                raise OSError("handshake refused")
            conn.settimeout(None)
        return conn, addr

    def handle_error(self, request, client_address):
        pass


class HangListener:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held = []
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--gen-links", type=int, default=1000)
    args = ap.parse_args()

    state = State(args)
    main_srv = Server(state, "main")
    hang = HangListener()
    servers = [main_srv]
    tls_port = 0
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        tls_srv = Server(state, "tls", ctx)
        servers.append(tls_srv)
        tls_port = tls_srv.server_address[1]
    state.ports = {"main": main_srv.server_address[1], "hang": hang.port, "tls": tls_port}
    for s in servers:
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2},
                         daemon=True).start()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    tmp = args.port_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(state.ports, f)
    os.replace(tmp, args.port_file)
    while not stop.wait(0.2):
        pass
    # The test reads how many requests ran at once on each port.
    with open(args.port_file + ".stats", "w", encoding="utf-8") as f:
        json.dump({str(k): v for k, v in state.max_active.items()}, f)
    for s in servers:
        s.shutdown()
        s.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

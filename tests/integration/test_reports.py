"""Reports and documents end to end with the real executable: a database filled with known
scans, pages, violations, tickets and account checks; `xunjian report` (the quarterly 通报 as
HTML and CSV, the key-column roll), `xunjian document` (one 办理单, and all open 办理单 of a
unit in one) and `xunjian screen`. Checks the numbers in the CSV exactly, that the HTML
parses with its tables and Chinese text, that a unit name holding <script> and quotes comes
out escaped, and that both pages render in headless Chromium with the tables in the DOM and
Chinese glyphs on the screenshot (fonts-noto-cjk). Without chromium the test is skipped
(exit 77)."""

import argparse
import csv
import html.parser
import io
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import zlib

NOW = "2026-10-09T09:00:00+08:00"
SKIP = 77
EVIL = '区<script>alert("x")</script>\'测试\'局'
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("  FAIL: " + what)
    return cond


def run(binary, args, timeout=60):
    return subprocess.run([binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=timeout)


def ts(day, hour=10):
    """Unix time of a China Standard Time day ("2026-08-03") at hour."""
    y, m, d = (int(x) for x in day.split("-"))
    import calendar
    return calendar.timegm((y, m, d, hour, 0, 0)) - 8 * 3600


SITE_YAML = """
units:
  evil: {name: '%s', email: [evil@example.gov.cn]}
sites:
  t:
    name: 测试区人民政府
    base_url: http://127.0.0.1:9/
    homepage: index.html
    unit: zfb
    columns:
      - {name: 工作动态, url: gzdt/, class: news, unit: fgw}
      - {name: 通知公告, url: tzgg/, class: notice, unit: evil}
      - {name: 政府文件, url: zfwj/, class: policy, unit: zfb}
""" % EVIL.replace("'", "''")

OFFICE_YAML = """
office:
  issuer: 测试区人民政府政务公开办公室
  name: 测试区政府政务公开办
  contact: 联系人：张三　电话：000-1234567
  cc: 区政府办公室
  screen: {seconds_per_unit: 5, refresh_s: 60}
  key_columns:
    min_monthly: 2
    columns:
      - {column: 工作动态, site: t, area: 动态要闻}
      - {column: 通知公告, site: t, area: 五公开, min_monthly: 1}
"""


def make_rules(shipped, dest):
    os.makedirs(dest)
    for name in sorted(os.listdir(shipped)):
        if name.endswith((".yaml", ".yml")) and not name.startswith("50-example"):
            shutil.copy(os.path.join(shipped, name), dest)
    with open(os.path.join(dest, "60-test.yaml"), "w", encoding="utf-8") as f:
        f.write(SITE_YAML)
    with open(os.path.join(dest, "90-office.yaml"), "w", encoding="utf-8") as f:
        f.write(OFFICE_YAML)
    return dest


def fill(db):
    """Known numbers. Q3 2026 (the period) and Q2 2026 (the trend):
    工作动态 (区发改委): Q3 articles 2026-07 ×3, 2026-08 ×1, 2026-09 ×2 (one URL seen in two
    scans counts once); Q2: 4.  通知公告 (EVIL): Q3 2026-08 ×2; Q2: 0.
    Violations first seen in Q3: 区发改委 column_stale ×1, dead_link ×2; EVIL column_blank
    ×1; a warning (not counted). Q2: 区发改委 dead_link ×1.
    Tickets issued in Q3: 区发改委 handling ×3 (one closed on time, one closed late, one
    open past its deadline), reminder ×1, urging ×1; EVIL handling ×2 (one open not yet
    due, one accepted).
    Accounts in Q3: 区发改委 a1 ok, a2 ok then stale (last is stale); EVIL a3 ok."""
    con = sqlite3.connect(db)
    c = con.cursor()
    c.execute("INSERT INTO scans (id, site, state, started_at, finished_at) VALUES "
              "(1, 't', 'complete', ?, ?), (2, 't', 'complete', ?, ?)",
              (ts("2026-07-20"), ts("2026-07-20", 11), ts("2026-09-30"), ts("2026-09-30", 11)))
    pages = []
    n = 0

    def page(scan, column, day, url=None):
        nonlocal n
        n += 1
        pages.append((scan, url or "http://127.0.0.1:9/a/%d.html" % n, "article", column,
                      day, "文章%d" % n))

    for d in ("2026-07-03", "2026-07-10", "2026-07-17", "2026-08-05", "2026-09-01"):
        page(2, "工作动态", d)
    page(1, "工作动态", "2026-09-02", "http://127.0.0.1:9/a/same.html")
    page(2, "工作动态", "2026-09-02", "http://127.0.0.1:9/a/same.html")
    for d in ("2026-04-01", "2026-05-01", "2026-06-01", "2026-06-30"):
        page(1, "工作动态", d)
    page(2, "通知公告", "2026-08-10")
    page(2, "通知公告", "2026-08-20")
    page(2, "已删除栏目", "2026-08-21")       # a column no longer in rules.d
    page(2, "工作动态", "2026-10-02")         # after the period
    c.executemany("INSERT INTO pages (scan_id, url, kind, column_name, pubdate, title) "
                  "VALUES (?, ?, ?, ?, ?, ?)", pages)

    def violation(vid, rule, subject, unit, first, kind="violation", column="工作动态"):
        c.execute("INSERT INTO violations (id, site, rule, subject, kind, severity, state, unit,"
                  " column_name, url, detail, evidence, first_seen, last_seen) VALUES"
                  " (?, 't', ?, ?, ?, 'serious', 'open', ?, ?, ?, ?, ?, ?, ?)",
                  (vid, rule, subject, kind, unit, column, "http://127.0.0.1:9/" + subject,
                   "栏目「%s」已 212 天未更新（要求：180 天内）" % column,
                   '{"newest":"2026-01-02","days":212,"note":"<b>x</b>"}', ts(first), ts(first)))

    violation(1, "column_stale", "gzdt/", "区发改委", "2026-07-05")
    violation(2, "dead_link", "x1", "区发改委", "2026-08-05")
    violation(3, "dead_link", "x2", "区发改委", "2026-09-05")
    violation(4, "column_blank", "tzgg/", EVIL, "2026-08-06", column="通知公告")
    violation(5, "column_stale", "w", "区发改委", "2026-08-07", kind="warning")
    violation(6, "dead_link", "x0", "区发改委", "2026-05-05")

    def ticket(tid, kind, seq, vid, unit, issued, deadline, state, closed=None, parent=None,
               reason=None):
        number = "测政务公开办〔2026〕%s第%04d号" % (
            {"handling": "办理单", "reminder": "提醒单", "urging": "催办单"}[kind], seq)
        c.execute("INSERT INTO tickets (id, kind, number, year, seq, violation_id, parent_id,"
                  " site, unit, issued_at, deadline, state, closed_at, reason) VALUES"
                  " (?, ?, ?, 2026, ?, ?, ?, 't', ?, ?, ?, ?, ?, ?)",
                  (tid, kind, number, seq, vid, parent, unit, ts(issued),
                   ts(deadline, 23) if deadline else None, state,
                   ts(closed) if closed else None, reason))
        return number

    first = ticket(1, "handling", 12, 1, "区发改委", "2026-07-06", "2026-07-15", "closed",
                   closed="2026-07-14")
    ticket(2, "handling", 13, 2, "区发改委", "2026-08-06", "2026-08-15", "closed",
           closed="2026-08-20")
    ticket(3, "handling", 14, 3, "区发改委", "2026-09-06", "2026-09-15", "open")
    ticket(4, "reminder", 1, 5, "区发改委", "2026-08-08", None, "open")
    ticket(5, "urging", 1, 3, "区发改委", "2026-09-16", "2026-09-25", "open", parent=3)
    ticket(6, "handling", 15, 4, EVIL, "2026-09-28", "2026-10-12", "open")
    ticket(7, "handling", 16, 4, EVIL, "2026-08-07", "2026-08-16", "accepted",
           reason="本年度无人事变动")
    ticket(8, "handling", 2, 6, "区发改委", "2026-05-06", "2026-05-15", "closed",
           closed="2026-05-10")

    acc = [
        (ts("2026-07-10"), "a1", "发改微信", "微信公众号", "区发改委", "ok"),
        (ts("2026-07-10"), "a2", "发改微博", "微博", "区发改委", "ok"),
        (ts("2026-09-10"), "a2", "发改微博", "微博", "区发改委", "account_stale"),
        (ts("2026-08-10"), "a3", "测试号", "抖音号", EVIL, "ok"),
        (ts("2026-05-10"), "a1", "发改微信", "微信公众号", "区发改委", "account_stale"),
    ]
    c.executemany("INSERT INTO account_checks (at, account, name, type, unit, status) "
                  "VALUES (?, ?, ?, ?, ?, ?)", acc)
    con.commit()
    con.close()
    return first


class Collect(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = {}
        self.text = []
        self.scripts = 0
        self.classes = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for k, v in attrs:
            if k == "class" and v:
                self.classes.extend(v.split())

    def handle_data(self, data):
        self.text.append(data)


def parse_html(path):
    with open(path, encoding="utf-8") as f:
        doc = f.read()
    p = Collect()
    p.feed(doc)
    p.close()
    return doc, p, "".join(p.text)


def test_cli_errors(binary, rules, db):
    print("period errors")
    r = run(binary, ["--config", rules, "--db", db, "report", "--period", "2026Q5"])
    err = r.stderr.decode()
    check(r.returncode == 2 and "2026Q5" in err, "2026Q5 is refused naming the value: %r" % err)
    r = run(binary, ["--config", rules, "--db", db, "report", "--period", "2026-13"])
    check(r.returncode == 2 and "2026-13" in r.stderr.decode(), "2026-13 is refused")
    r = run(binary, ["--config", rules, "--db", db, "report"])
    check(r.returncode == 2 and "--period" in r.stderr.decode(), "missing --period is refused")
    r = run(binary, ["--config", rules, "--db", db, "document", "nosuch"])
    check(r.returncode == 2 and "nosuch" in r.stderr.decode(), "unknown ticket is named")


def test_csv(binary, rules, db):
    print("quarterly CSV numbers")
    r = run(binary, ["--config", rules, "--db", db, "--now", NOW, "report", "--period",
                     "2026Q3", "--format", "csv"])
    if not check(r.returncode == 0, "report csv exits 0: %r" % r.stderr.decode()):
        return
    check(r.stdout.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 BOM")
    rows = list(csv.DictReader(io.StringIO(r.stdout.decode("utf-8-sig"))))
    check(rows and "责任单位" in rows[0] and "发布信息" in rows[0], "CSV header row")
    by = {row["责任单位"]: row for row in rows}
    fgw = by.get("区发改委")
    evil = by.get(EVIL)
    if not check(fgw is not None and evil is not None, "both units in CSV: %r" % list(by)):
        return
    want = {"发布信息": "6", "检查栏目": "1", "发现问题": "3", "新媒体检查": "2",
            "新媒体合格": "1", "合格率": "50.0", "办理单": "3", "提醒单": "1", "催办单": "1",
            "按期办结": "1", "逾期": "2", "办理中": "0",
            "上期发布信息": "4", "上期发现问题": "1", "上期办理单": "1", "上期按期办结": "1",
            "上期新媒体检查": "1", "上期新媒体合格": "0"}
    for k, v in want.items():
        check(fgw[k] == v, "区发改委 %s = %s (got %s)" % (k, v, fgw[k]))
    want = {"发布信息": "2", "检查栏目": "1", "发现问题": "1", "新媒体检查": "1",
            "新媒体合格": "1", "合格率": "100.0", "办理单": "2", "按期办结": "0", "逾期": "0",
            "办理中": "1", "上期发布信息": "0"}
    for k, v in want.items():
        check(evil[k] == v, "EVIL %s = %s (got %s)" % (k, v, evil[k]))
    total = by.get("合计")
    check(total is not None and total["发布信息"] == "8" and total["检查栏目"] == "3",
          "合计 row: %r" % total)


def test_html(binary, rules, db, out):
    print("quarterly HTML, roll, documents, screen")
    r = run(binary, ["--config", rules, "--db", db, "--now", NOW, "report", "--period",
                     "2026Q3", "--out", out])
    check(r.returncode == 0, "report into a directory exits 0: %r" % r.stderr.decode())
    page = os.path.join(out, "quarterly-2026Q3.html")
    check(os.path.exists(os.path.join(out, "quarterly-2026Q3.csv")),
          "a directory gets the CSV too")
    doc, p, text = parse_html(page)
    check(p.tags.get("table", 0) >= 3, "the 通报 has its tables: %r" % p.tags.get("table"))
    check(p.tags.get("svg", 0) >= 2, "the 通报 has inline SVG charts")
    check("关于2026年第三季度政务公开工作情况的通报" in text, "the 通报 title is there")
    check("测试区人民政府政务公开办公室" in text, "the issuing office is there")
    check(p.tags.get("script", 0) == 0, "no <script> element in the 通报 (unit name escaped)")
    check("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;测试&#39;局" in doc,
          "the unit name is escaped in the HTML")
    check(EVIL in text, "the unit name reads back as text")
    check("<link" not in doc and "src=" not in doc, "no external asset")

    r = run(binary, ["--config", rules, "--db", db, "--now", NOW, "report", "--period",
                     "2026-09", "--kind", "roll", "--out", os.path.join(out, "roll.html")])
    check(r.returncode == 0, "roll exits 0: %r" % r.stderr.decode())
    doc, p, text = parse_html(os.path.join(out, "roll.html"))
    check("9月" in text and "1月" in text, "roll runs from January to September")
    # 工作动态 needs 2 a month: July 3 ok, August 1 short, September 2 ok; Jan-Mar 0 short.
    check(p.classes.count("short") >= 1, "a short month is marked")
    r = run(binary, ["--config", rules, "--db", db, "--now", NOW, "report", "--period",
                     "2026Q3", "--kind", "roll", "--format", "csv"])
    rows = list(csv.reader(io.StringIO(r.stdout.decode("utf-8-sig"))))
    check(rows[0][:2] == ["栏目领域", "栏目名称"] and rows[0][5:8] == ["2026-07", "2026-08",
                                                                     "2026-09"],
          "roll CSV header: %r" % rows[0])
    gz = [row for row in rows if row[1] == "工作动态"]
    check(gz and gz[0][5:10] == ["3", "1", "2", "6", "1"], "工作动态 roll row: %r" % gz)

    number = "测政务公开办〔2026〕办理单第0014号"
    r = run(binary, ["--config", rules, "--db", db, "--now", NOW, "document", number,
                     "--out", os.path.join(out, "doc.html")])
    check(r.returncode == 0, "document exits 0: %r" % r.stderr.decode())
    doc, p, text = parse_html(os.path.join(out, "doc.html"))
    check(number in text, "the 办理单 carries its number")
    check("政务公开问题整改办理单" in text and "区发改委" in text, "title and addressee")
    check("2026年9月15日" in text, "the deadline is printed")
    check(p.tags.get("table", 0) == 1 and "链接不可用" in text, "the problem table")
    check("@page" in doc and "A4" in doc, "print stylesheet with A4")
    check("&lt;b&gt;x&lt;/b&gt;" in doc, "evidence is escaped")

    r = run(binary, ["--config", rules, "--db", db, "--now", NOW, "document", "--unit",
                     "evil", "--kind", "handling", "--out", os.path.join(out, "unit.html")])
    check(r.returncode == 0, "document --unit exits 0: %r" % r.stderr.decode())
    doc, p, text = parse_html(os.path.join(out, "unit.html"))
    check(p.tags.get("script", 0) == 0 and EVIL in text, "unit 单 escapes the unit name")
    check("办理单第0015号" in text and "办理单第0016号" not in text,
          "only the open 办理单 of the unit")

    r = run(binary, ["--config", rules, "--db", db, "--now", NOW, "screen", "--out",
                     os.path.join(out, "screen.html")])
    check(r.returncode == 0, "screen exits 0: %r" % r.stderr.decode())
    doc, p, text = parse_html(os.path.join(out, "screen.html"))
    check('http-equiv="refresh" content="60"' in doc, "screen refreshes itself")
    check(p.tags.get("script", 0) == 1, "screen has exactly its own script")
    check(p.classes.count("slide") >= 3, "one slide per unit and the roll")
    check(EVIL in text and "<script>alert" not in doc, "screen escapes the unit name")
    return page, os.path.join(out, "doc.html")


# ---- Chromium ------------------------------------------------------------------------------

def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium(browser, args, tmp):
    return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", "--disable-dev-shm-usage",
                           "--user-data-dir=" + os.path.join(tmp, "chromium-profile")] + args,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)


def png_pixels(path):
    """(width, height, rows of RGB tuples' flat bytes, bytes per pixel) of an 8-bit PNG."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and ctype in (2, 6), "PNG is %d-bit type %d" % (depth, ctype)
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xff
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xff
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif ftype == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xff
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


def non_white(path):
    w, h, rows, bpp = png_pixels(path)
    count = 0
    for row in rows:
        for i in range(0, len(row), bpp):
            if row[i] < 200 or row[i + 1] < 200 or row[i + 2] < 200:
                count += 1
    return count, w * h


def test_chromium(browser, pages, tmp):
    print("headless Chromium")
    for page in pages:
        r = chromium(browser, ["--dump-dom", "file://" + page], tmp)
        dom = r.stdout.decode("utf-8", "replace")
        check(r.returncode == 0 and "<table" in dom, "%s: DOM has tables" % os.path.basename(page))
        check("政务公开" in dom, "%s: DOM has the Chinese text" % os.path.basename(page))
        shot = page + ".png"
        r = chromium(browser, ["--screenshot=" + shot, "--window-size=1024,1400",
                               "--hide-scrollbars", "file://" + page], tmp)
        if not check(os.path.exists(shot), "%s: screenshot written: %r"
                     % (os.path.basename(page), r.stderr.decode()[-300:])):
            continue
        dark, total = non_white(shot)
        check(dark > total // 200, "%s: screenshot is not blank (%d of %d pixels)"
              % (os.path.basename(page), dark, total))

    # CJK glyphs: two different Chinese texts must draw differently. Without a CJK font
    # both come out as the same row of empty boxes (tofu).
    shots = []
    for i, words in enumerate(("政务公开通报", "办理催办提醒")):
        path = os.path.join(tmp, "glyphs%d.html" % i)
        with open(path, "w", encoding="utf-8") as f:
            f.write('<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><body '
                    'style="margin:0;background:#fff"><p style="font: 64px \'Noto Serif CJK SC\','
                    ' serif; margin: 10px">%s</p></body></html>' % words)
        shot = path + ".png"
        chromium(browser, ["--screenshot=" + shot, "--window-size=800,400", "--hide-scrollbars",
                           "file://" + path], tmp)
        shots.append(shot)
    if all(os.path.exists(s) for s in shots):
        a, b = png_pixels(shots[0])[2], png_pixels(shots[1])[2]
        check(non_white(shots[0])[0] > 500, "Chinese text draws something")
        check(a != b, "different Chinese words draw different glyphs (a CJK font is installed)")
    else:
        check(False, "glyph screenshots written")

    # And the document's title is drawn: the page without its title has fewer dark pixels.
    page = pages[1]
    with open(page, encoding="utf-8") as f:
        doc = f.read()
    bare = os.path.join(tmp, "doc-untitled.html")
    with open(bare, "w", encoding="utf-8") as f:
        f.write(doc.replace("<h1>政务公开问题整改办理单</h1>", "<h1></h1>"))
    full_shot, bare_shot = page + ".png", bare + ".png"
    chromium(browser, ["--screenshot=" + bare_shot, "--window-size=1024,1400",
                       "--hide-scrollbars", "file://" + bare], tmp)
    if os.path.exists(full_shot) and os.path.exists(bare_shot):
        check(non_white(full_shot)[0] > non_white(bare_shot)[0] + 200,
              "the Chinese title adds glyphs to the screenshot")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xunjian", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    browser = find_chromium()
    if not browser:
        print("chromium is not installed (scripts/deps installs it): skipped")
        return SKIP

    tmp = tempfile.mkdtemp(prefix="xj-reports-")
    try:
        rules = make_rules(args.rules, os.path.join(tmp, "rules.d"))
        db = os.path.join(tmp, "xunjian.db")
        r = run(args.xunjian, ["--config", rules, "--db", db, "violations"])
        if not check(r.returncode == 0, "the schema is created: %r" % r.stderr.decode()):
            return 1
        fill(db)
        out = os.path.join(tmp, "out")
        os.makedirs(out)
        test_cli_errors(args.xunjian, rules, db)
        test_csv(args.xunjian, rules, db)
        pages = test_html(args.xunjian, rules, db, out)
        test_chromium(browser, list(pages), tmp)
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

#!/usr/bin/python3
"""Generates the loopback test portal: a static district-government site ("演示区人民政府")
with 320+ columns in the page styles of the common Chinese CMSs, a small old site under
/old/, and manifest.json, the findings a correct scan must report (see README.md here).

Deterministic: the same arguments always give the same bytes.  Standard library only.

Usage: gen_portal.py --out DIR --now 2026-11-23T09:00:00+08:00 [--seed 1] [--columns 320]
"""

import argparse
import datetime
import email.utils
import html
import json
import os
import random
import shutil
import struct
import sys
import zlib

CST = datetime.timezone(datetime.timedelta(hours=8))

SITE_NAME = "演示区人民政府"
SITE_ID_CODE = "6199000001"
SITE_DOMAIN = "@HOST@"          # substituted by serve.py with the real host:port
SITE_UNIT = "zfb"               # 区政府办 runs the portal and answers for its homepage
OLD_SITE_UNIT = "sjxxzx"        # the data centre keeps the old site online

# Placeholders that serve.py replaces in every text file it serves (README.md).
PLACEHOLDERS = ("@HOST@", "@EXT@", "@HANG@", "@DEAD@", "@OFFSITE@")

# Responsible units as the shipped rules.d/10-units.yaml defines them (id -> name).  The
# manifest names units by name, as findings do.
UNITS = {
    "zfb": "区政府办",
    "zwgkb": "区政府政务公开办",
    "sjxxzx": "区数据信息中心",
    "fgw": "区发改委",
    "jyj": "区教育局",
    "mzj": "区民政局",
    "rsj": "区人社局",
    "zjj": "区住建局",
    "wjj": "区卫健局",
    "ybj": "区医疗保障局",
    "scjgj": "区市场监管局",
    "sfj": "区司法局",
    "czj": "区财政局",
    "tjj": "区统计局",
    "sjj": "区审计局",
    "yjglj": "区应急管理局",
    "nyncj": "区农业农村局",
    "whlyj": "区文化旅游局",
    "swj": "区水务局",
    "xzspj": "区行政审批局",
    "zygh": "资源规划分局",
    "sthj": "生态环境分局",
    "tzsw": "区投资商务局",
    "qswj": "区税务局",
    "tyjr": "区退役军人事务局",
    "xfj": "区信访局",
}

# 街道 and 镇 (unit id, name, path slug).  They are local to a district, so the shipped
# units do not have them: site.yaml.in defines them, as an office's own rules file would.
STREETS = [
    ("jd_fhl", "凤凰路街道", "fhl"),
    ("jd_xh", "新华街道", "xh"),
    ("jd_xt", "西塔街道", "xt"),
    ("jd_bt", "北屯街道", "bt"),
    ("jd_wh", "文化街道", "wh"),
    ("jd_hz", "航展街道", "hz"),
    ("jd_gsz", "关山镇", "gsz"),
    ("jd_wtz", "武屯镇", "wtz"),
    ("jd_xxz", "新兴镇", "xxz"),
    ("jd_zx", "振兴街道", "zx"),
]
LOCAL_UNITS = {uid: name for uid, name, _slug in STREETS}
UNITS.update(LOCAL_UNITS)

# Departments with their own 部门信息公开 block, in the order they are added until
# --columns is reached: (unit id, path slug).
DEPARTMENTS = [
    ("fgw", "fgw"), ("jyj", "jyj"), ("mzj", "mzj"), ("czj", "czj"), ("rsj", "rsj"),
    ("zjj", "zjj"), ("swj", "swj"), ("nyncj", "nyncj"), ("whlyj", "wlj"), ("wjj", "wjj"),
    ("yjglj", "yjj"), ("sjj", "sjj"), ("scjgj", "scjgj"), ("tjj", "tjj"), ("sfj", "sfj"),
    ("ybj", "ybj"), ("xzspj", "xzspj"), ("tzsw", "tzswj"), ("zygh", "zrzy"),
    ("sthj", "sthj"), ("qswj", "swju"), ("tyjr", "tyjrj"), ("xfj", "xfj"),
]

# Column classes as rules.d defines them: id -> longest allowed age in days.
CLASS_MAX_AGE = {"news": 14, "notice": 180, "policy": 180, "regular": 365, "annual": 0,
                 "annual_report": 0}

# The twelve top sections of the header navigation: (path, name).
SECTIONS = [
    ("index.html", "首页"),
    ("qq/index.html", "走进演示区"),
    ("zwdt/index.html", "要闻动态"),
    ("zwgk/index.html", "政务公开"),
    ("zdly/index.html", "重点领域"),
    ("bmxxgk/index.html", "部门信息公开"),
    ("jdxxgk/index.html", "街道信息公开"),
    ("zcwj/index.html", "政策文件"),
    ("zmhd/index.html", "政民互动"),
    ("bsfw/index.html", "办事服务"),
    ("ztzl/index.html", "专题专栏"),
    ("sjfb/index.html", "数据发布"),
]

# Characters that GBK has and GB2312 lacks: a decoder that takes the gb2312 label
# literally loses everything after the first of them (DESIGN.md, Charset).
GBK_ONLY_PLACES = ["镕城社区", "堃园小区", "喆园路"]
# Editors' names use them too (责任编辑, printed above the article body).
EDITORS = ["王喆", "李堃", "张镕"]

TOPICS = [
    "安全生产", "森林防火", "乡村振兴", "优化营商环境", "城市更新", "老旧小区改造", "垃圾分类",
    "文明城市创建", "河长制", "大气污染防治", "食品安全", "消防安全", "防汛备汛", "稳就业",
    "义务教育招生", "医保参保", "养老服务", "重点项目建设", "招商引资", "普法宣传",
    "退役军人服务", "农村人居环境整治", "耕地保护", "市场主体培育", "数字政府建设",
    "政务公开", "全民健身", "冬季供暖", "人才引进", "科技创新",
]

STYLES_LIST = ["trs", "hanweb", "table", "div", "yearless", "urlonly", "metaonly"]

# Content checks (issue 4): the words that make a title an interpretation (rules.d
# settings.interpretation title_words + multiform_words), the URL pattern of the service
# guides (sites.demo.guide_pages) and the guides planted under it.
INTERP_WORDS = ["解读", "图解", "一图读懂", "一图看懂", "图说", "视频解读", "动漫解读", "漫画解读",
                "音频解读", "H5"]
GUIDE_PAGES = "/bsfw/bszn/[0-9]+\\.html$"
GUIDES = [(1001, "城乡居民最低生活保障审批"), (1002, "临时救助审批"), (1003, "残疾人两项补贴申领"),
          (1004, "老年人优待证办理")]


# ------------------------------------------------------------------------------------------
# Model


class Article:
    """One item of a column list and the article page it links to."""

    def __init__(self, aid, title, day, hour, minute):
        self.aid = aid
        self.title = title
        self.day = day              # datetime.date, or None for the undated column
        self.hour = hour
        self.minute = minute
        self.path = None            # site-absolute path of the article page
        self.href = None            # the link as the list writes it
        self.pinned = False
        self.image = None           # site-absolute path of an image it shows
        self.attachment = None      # (path, label)
        self.extra_html = ""        # planted links in its body
        self.meta_edit = None       # planted tag problems: a function of the meta list

    def pubdate(self):
        return "%s %02d:%02d" % (self.day.isoformat(), self.hour, self.minute)


class Column:
    """A configured column (栏目) of a site."""

    def __init__(self, name, path, cls, unit, group, kind="list"):
        self.name = name
        self.path = path            # directory under the site root, ends in "/"
        self.cls = cls
        self.unit = unit
        self.group = group          # (title, path of the group's index page) for sidebars
        self.kind = kind            # "list" or "single"
        self.style = None
        self.charset = "utf-8"
        self.age = None             # days between its newest item and now
        self.n_items = 0
        self.cid = 0
        self.articles = []
        self.pinned = False
        self.blank = None           # None, "empty", "placeholder", "notext"
        self.undated = False
        self.list_extra = {}        # list page index -> planted HTML
        self.selector = None
        self.on_homepage = False

    @property
    def index_path(self):
        return self.path + "index.html"


# ------------------------------------------------------------------------------------------
# Small helpers


def editor(n):
    return EDITORS[n % len(EDITORS)]


def esc(s):
    return html.escape(s, quote=True)


def png_bytes(width, height, rgb):
    """A valid, tiny, solid-colour PNG."""
    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xffffffff))
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def pdf_bytes(title):
    """A minimal one-page PDF (ASCII title only: it is a stand-in for a scanned file)."""
    body = ("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
            "% " + title + "\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    return body.encode("ascii")


def office_bytes(kind, aid):
    """Stand-ins for .doc/.xls: the OLE2 signature and some padding."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + ("%s-%d\n" % (kind, aid)).encode() * 32


class Output:
    """Every file of the generated tree, kept in memory and written in sorted order."""

    def __init__(self):
        self.files = {}         # (tree, path) -> bytes
        self.charsets = {"site": {}, "ext": {}}

    def page(self, tree, path, text, charset="utf-8"):
        if charset == "gbk":
            data = text.encode("gbk")       # strict: a character GBK lacks is a bug here
            label = "gb2312"
        else:
            data = text.encode("utf-8")
            label = "utf-8"
        # A placeholder must come only from the ASCII we wrote, never from the trail byte
        # of a GBK character followed by ASCII: count both ways.
        for ph in PLACEHOLDERS:
            if data.count(ph.encode()) != text.count(ph):
                raise SystemExit("placeholder %s garbled in %s" % (ph, path))
        self.add(tree, path, data)
        self.charsets[tree]["/" + path] = label

    def add(self, tree, path, data):
        key = (tree, path)
        if key in self.files:
            raise SystemExit("generated twice: %s/%s" % key)
        self.files[key] = data

    def write(self, out, mtime):
        for (tree, path) in sorted(self.files):
            full = os.path.join(out, tree, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(self.files[(tree, path)])
            # The server's Last-Modified comes from here: tie it to --now rather than to
            # the wall clock, so that it is reproducible and never after "now".
            os.utime(full, (mtime, mtime))


# ------------------------------------------------------------------------------------------
# The generator


class Portal:
    def __init__(self, now, seed, n_columns):
        self.now = now
        self.today = now.astimezone(CST).date()
        self.rng = random.Random(seed)
        self.n_columns = n_columns
        self.out = Output()
        self.columns = []           # demo site, in configuration order
        self.old_columns = []
        self.findings = []
        self.routes = {}
        self.next_aid = 4001
        self.next_cid = 1101
        self.homepage_age = self.rng.randint(1, 3)

    # -- dates ---------------------------------------------------------------------------

    def day_ago(self, n):
        return self.today - datetime.timedelta(days=n)

    def report_day(self, n):
        """20 January of the n-th latest year whose 20 January is not after today."""
        year = self.today.year if self.today >= datetime.date(self.today.year, 1, 20) \
            else self.today.year - 1
        return datetime.date(year - n, 1, 20)

    # -- the catalogue of columns --------------------------------------------------------

    def build_catalogue(self):
        """Top-level columns, then 街道 and department blocks until --columns is reached."""
        cols = []

        def add(name, path, cls, unit, group, kind="list"):
            c = Column(name, path, cls, unit, group, kind)
            cols.append(c)
            return c

        g = ("要闻动态", "zwdt/index.html")
        add("政务要闻", "zwdt/zwyw/", "news", "zfb", g).on_homepage = True
        add("通知公告", "zwdt/tzgg/", "notice", "zfb", g).on_homepage = True
        add("部门动态", "zwdt/bmdt/", "news", "zfb", g).on_homepage = True
        add("街道动态", "zwdt/jddt/", "news", "zfb", g)
        add("图片新闻", "zwdt/tpxw/", "news", "zfb", g)
        add("媒体关注", "zwdt/mtgz/", "news", "zfb", g)

        g = ("走进演示区", "qq/index.html")
        add("区情概况", "qq/qqgk/", "annual", "zfb", g, "single")
        add("领导之窗", "qq/ldzc/", "annual", "zfb", g, "single")
        add("政府机构", "qq/zfjg/", "annual", "zfb", g, "single")

        g = ("政务公开", "zwgk/index.html")
        add("政府信息公开指南", "zwgk/xxgkzn/", "annual", "zwgkb", g, "single")
        add("政府信息公开制度", "zwgk/xxgkzd/", "annual", "zwgkb", g, "single")
        add("政府信息公开年报", "zwgk/xxgknb/", "annual_report", "zwgkb", g)
        add("政府文件", "zwgk/zfwj/", "policy", "zfb", g)
        add("政策解读", "zwgk/zcjd/", "policy", "zwgkb", g)
        add("决策预公开", "zwgk/jcygk/", "notice", "zfb", g)
        add("建议提案", "zwgk/jyta/", "regular", "zfb", g)
        add("人事信息", "zwgk/rsxx/", "regular", "rsj", g)
        add("规划计划", "zwgk/ghjh/", "regular", "fgw", g)
        add("统计信息", "zwgk/tjxx/", "regular", "tjj", g)
        add("财政预决算", "zwgk/czyjs/", "regular", "czj", g)
        add("督查审计", "zwgk/dcsj/", "regular", "sjj", g)
        add("法治政府建设", "zwgk/fzzf/", "regular", "sfj", g)
        add("行政执法三项制度", "zwgk/xzzf/", "regular", "sfj", g)

        # 重点领域: seed 000 annex 1, one column per (column, responsible unit).
        g = ("重点领域", "zdly/index.html")
        areas = [
            ("重大项目建设", "zdxm", "regular",
             ["fgw", "xzspj", "zjj", "swj", "zygh", "sthj", "whlyj"]),
            ("公共资源配置", "ggzy", "notice", ["zygh", "zjj"]),
            ("乡村振兴", "xczx", "regular", ["nyncj"]),
            ("社会救助和社会福利", "shjz", "regular", ["mzj", "jyj", "ybj"]),
            ("养老服务", "ylfw", "regular", ["mzj", "wjj"]),
            ("医疗卫生", "ylws", "regular", ["wjj", "ybj"]),
            ("教育", "jy", "regular", ["jyj"]),
            ("公共文化体育", "ggwh", "regular", ["whlyj"]),
            ("社会保障", "shbz", "regular", ["mzj", "wjj", "rsj", "ybj"]),
            ("反不正当竞争", "fbzdjz", "regular", ["scjgj"]),
            ("应急管理、安全生产", "yjgl", "notice", ["yjglj"]),
            ("扩大有效投资", "kdtz", "regular", ["tzsw"]),
            ("市场主体", "sczt", "regular", ["scjgj"]),
            ("减税降费", "jsjf", "policy", ["qswj", "czj"]),
            ("保障性住房", "bzxzf", "regular", ["zjj"]),
            ("价格与收费", "jgsf", "notice", ["czj"]),
            ("劳动就业", "ldjy", "regular", ["rsj"]),
            ("政策问答", "zcwd", "policy", ["jyj", "mzj", "wjj", "ybj", "zjj", "rsj"]),
            ("规划计划、专项规划", "zxgh", "regular", ["fgw"]),
            ("环境保护", "hjbh", "regular", ["sthj"]),
            ("食品药品安全", "spyp", "regular", ["scjgj"]),
        ]
        for name, slug, cls, units in areas:
            for u in units:
                full = name if len(units) == 1 else "%s（%s）" % (name, UNITS[u])
                add(full, "zdly/%s/%s/" % (slug, u), cls, u, g)

        g = ("专题专栏", "ztzl/index.html")
        add("优化营商环境专栏", "ztzl/yhyshj/", "regular", "tzsw", g)
        add("文明城市创建专栏", "ztzl/wmcj/", "news", "zfb", g)

        street_cols = [("工作动态", "gzdt", "news", "list"), ("通知公告", "tzgg", "notice", "list"),
                       ("政策文件", "zcwj", "policy", "list"), ("财政资金", "czzj", "regular", "list"),
                       ("征地拆迁", "zdcq", "regular", "list"), ("机构职能", "jgzn", "annual", "single")]
        dept_cols = [("工作动态", "gzdt", "news", "list"), ("通知公告", "tzgg", "notice", "list"),
                     ("政策文件", "zcwj", "policy", "list"), ("机构职能", "jgzn", "annual", "single"),
                     ("规划计划", "ghjh", "regular", "list"), ("人事信息", "rsxx", "regular", "list"),
                     ("财政资金", "czzj", "regular", "list"), ("行政执法", "xzzf", "regular", "list"),
                     ("政策解读", "zcjd", "policy", "list")]
        self.street_groups = []
        for uid, name, slug in STREETS:
            g = (name, "jdxxgk/%s/index.html" % slug)
            self.street_groups.append((g, []))
            for cname, cslug, cls, kind in street_cols:
                c = add(name + cname, "jdxxgk/%s/%s/" % (slug, cslug), cls, uid, g, kind)
                self.street_groups[-1][1].append(c)
        self.dept_groups = []
        for uid, slug in DEPARTMENTS:
            if len(cols) >= self.n_columns:
                break
            g = (UNITS[uid], "bmxxgk/%s/index.html" % slug)
            self.dept_groups.append((g, []))
            for cname, cslug, cls, kind in dept_cols:
                c = add(UNITS[uid] + cname, "bmxxgk/%s/%s/" % (slug, cslug), cls, uid, g, kind)
                self.dept_groups[-1][1].append(c)
        if len(cols) < self.n_columns:
            raise SystemExit("only %d columns available, --columns asked for %d"
                             % (len(cols), self.n_columns))
        self.columns = cols

    def column(self, name):
        for c in self.columns:
            if c.name == name:
                return c
        raise SystemExit("column %s is not in the catalogue (is --columns too small?)" % name)

    # -- planting ------------------------------------------------------------------------

    def plan_columns(self):
        """Give every column a style, charset, size and age; plant the stale and blank ones."""
        rng = self.rng
        weights = {"trs": 30, "hanweb": 20, "table": 20, "div": 10, "yearless": 7,
                   "urlonly": 7, "metaonly": 6}
        for c in self.columns:
            c.cid = self.next_cid
            self.next_cid += 1
            c.charset = "gbk" if rng.random() < 1 / 3 else "utf-8"
            if c.kind == "single":
                c.style = "single"
                continue
            styles = [s for s in STYLES_LIST if s != "yearless" or c.cls == "news"]
            if c.path.startswith(("zwgk/", "bmxxgk/")) and c.cls in ("policy", "regular"):
                # 信息公开 columns are most often the 索引号 table.
                styles += ["table"] * 3
            c.style = rng.choices(styles, [weights[s] for s in styles])[0]
            if c.cls == "annual_report":
                # One report a year, each published on 20 January (by the 31 January
                # deadline of the national rule).
                c.n_items = 4
                c.age = (self.today - self.report_day(0)).days
                continue
            c.n_items = {"news": rng.randint(8, 12), "notice": rng.randint(5, 10),
                         "policy": rng.randint(4, 9), "regular": rng.randint(3, 6)}[c.cls]
            c.age = {"news": rng.randint(0, 6), "notice": rng.randint(3, 120),
                     "policy": rng.randint(3, 120), "regular": rng.randint(10, 250)}[c.cls]
            if c.on_homepage:
                c.age = max(c.age, self.homepage_age)
            c.pinned = c.cls != "news" and rng.random() < 0.15
            if c.style == "div" and rng.random() < 0.5:
                c.selector = ".news-list .news-item"
        self.column("政务要闻").age = self.homepage_age

        # Stale columns (rule column_stale) and the boundary ones that must stay quiet:
        # (column, age in days, style, charset, fires).
        plants = [
            ("区教育局工作动态", 15, "div", "utf-8", True),
            ("图片新闻", 30, "trs", "gbk", True),
            ("凤凰路街道工作动态", 60, "yearless", "utf-8", True),
            ("媒体关注", 14, "trs", "gbk", False),
            ("区民政局通知公告", 181, "metaonly", "gbk", True),
            ("区住建局政策文件", 400, "table", "gbk", True),
            ("决策预公开", 180, "table", "gbk", False),
            ("统计信息", 366, "urlonly", "utf-8", True),
            ("新华街道财政资金", 800, "hanweb", "utf-8", True),
            ("建议提案", 365, "hanweb", "gbk", False),
        ]
        for name, age, style, charset, fires in plants:
            c = self.column(name)
            c.age, c.style, c.charset, c.pinned = age, style, charset, False
            c.selector = None
            if fires:
                self.finding(c, "column_stale", c.url_subject, "%d 天" % age)

        # The column whose items carry no date anywhere: it counts as not updated.
        c = self.column("区农业农村局人事信息")
        c.style, c.undated, c.charset, c.n_items, c.pinned = "metaonly", True, "gbk", 4, False
        c.selector = None
        self.finding(c, "column_stale", c.url_subject, "无发布日期")

        # Blank columns (rule column_blank).
        c = self.column("区审计局规划计划")
        c.style, c.blank, c.n_items, c.selector = "trs", "empty", 0, None
        # UTF-8, so without the column description GBK pages carry: an empty list and
        # nothing else, the unambiguous case.
        c.charset = "utf-8"
        self.finding(c, "column_blank", c.url_subject, None)
        c = self.column("反不正当竞争")
        c.style, c.blank, c.n_items, c.charset = "div", "placeholder", 0, "gbk"
        c.selector = ".news-list .news-item"
        self.finding(c, "column_blank", c.url_subject, None)
        c = self.column("区司法局机构职能")
        c.blank = "notext"
        self.finding(c, "column_blank", c.url_subject, None)

        # Columns that carry planted dead links get fixed shapes so the links land on
        # exactly the page the manifest says.
        c = self.column("区卫健局工作动态")
        c.style, c.n_items, c.selector = "trs", 12, None
        for name in ("区发改委工作动态", "政府文件", "区文化旅游局工作动态", "区人社局通知公告",
                     "重大项目建设（区水务局）"):
            c = self.column(name)
            c.n_items = max(c.n_items, 4)
            c.pinned = False

    # -- findings ------------------------------------------------------------------------

    def finding(self, col, rule, subject, detail, site="demo", severity="normal",
                unit=None):
        self.findings.append({
            "site": site,
            "rule": rule,
            "subject": subject,
            "column": col.name if col is not None else None,
            "unit": UNITS[col.unit] if col is not None else UNITS[unit or SITE_UNIT],
            "severity": severity,
            "detail_contains": detail,
        })

    def dead_link(self, col, url, status, detail):
        # status is an HTTP code served from routes.json, or None for the links that fail
        # without one (refused, timeout); url is as the page writes it.
        if status is not None:
            if status != 404:
                # A 404 is simply a file that is not there; the others need a route.
                self.routes[url] = {"status": status}
            subject = "@BASE@" + url.lstrip("/")
        else:
            subject = url
        severity = "normal" if status in (403, 404, 410) else "suspect"
        self.finding(col, "dead_link", subject, detail, severity=severity)

    # -- items ---------------------------------------------------------------------------

    def make_title(self, c, gbk_place=False):
        """A plausible title.  With gbk_place, one that names a place spelt with a GBK-only
        character (see GBK_ONLY_PLACES)."""
        rng = self.rng
        topic = rng.choice(TOPICS)
        unit = UNITS[c.unit]
        if gbk_place or (c.charset == "gbk" and rng.random() < 0.3):
            place = rng.choice(GBK_ONLY_PLACES)
        else:
            place = rng.choice(["人民路", "航天城", "迎宾大道", "滨河公园", "高新园区"])
        if c.cls == "news":
            forms = ["{unit}召开{topic}工作推进会", "{unit}开展{topic}专项检查",
                     "{place}{topic}工作取得新进展", "{unit}部署{topic}重点任务",
                     "区领导到{place}调研{topic}工作"]
        elif c.cls == "notice":
            forms = ["关于开展{topic}工作的通知", "关于{place}{topic}项目的公示",
                     "{unit}关于做好{topic}工作的通知", "关于征求{topic}意见建议的公告"]
        elif c.cls == "policy":
            forms = ["关于印发《演示区{topic}实施方案》的通知", "演示区{topic}管理办法",
                     "关于进一步加强{topic}工作的意见", "《演示区{topic}行动计划》政策解读",
                     "关于{place}{topic}有关事项的通知"]
        else:
            forms = ["{unit}{topic}工作情况", "{place}{topic}项目进展情况",
                     "{unit}关于{topic}的工作报告", "{topic}有关信息公开"]
        if gbk_place:
            forms = [f for f in forms if "{place}" in f]
        return rng.choice(forms).format(unit=unit, topic=topic, place=place)

    def make_articles(self, c):
        rng = self.rng
        gaps = {"news": (1, 7), "notice": (4, 40), "policy": (5, 50), "regular": (20, 90)}
        day = None if c.undated else self.day_ago(c.age)
        arts = []
        for i in range(c.n_items):
            # In a GBK column the newest item's title (which is also the article page's
            # <title>, ahead of its PubDate meta tag) has a GBK-only character: a decoder
            # that takes the gb2312 label literally loses the date that matters most.
            title = self.make_title(c, gbk_place=(i == 0 and c.charset == "gbk"))
            if c.cls == "annual_report":
                day = self.report_day(i)
                title = "演示区人民政府%d年政府信息公开工作年度报告" % (day.year - 1)
            a = Article(self.next_aid, title, day, rng.randint(8, 18), rng.randint(0, 59))
            self.next_aid += 1
            arts.append(a)
            if day is not None and c.cls in gaps:
                day = day - datetime.timedelta(days=rng.randint(*gaps[c.cls]))
        if c.pinned and len(arts) > 2:
            # 置顶: an old item kept at the top of the list, so that the newest item is
            # not the first one.
            old = arts.pop()
            old.pinned = True
            arts.insert(0, old)
        for a in arts:
            self.place_article(c, a)
        c.articles = arts
        # A few attachments and images, as real articles carry them.
        for a in arts:
            if a.day is None:
                continue        # nothing on an undated page may carry a date, not even a URL
            r = rng.random()
            if r < 0.12:
                a.image = self.article_asset(c, a, "W", "png")
            elif r < 0.22:
                ext = rng.choice(["pdf", "doc", "xls"])
                a.attachment = (self.article_asset(c, a, "P", ext),
                                "%s（附件）.%s" % (a.title[:12], ext))

    def place_article(self, c, a):
        """Article URL in the column's CMS style, and the href the list uses."""
        d = a.day
        if c.style in ("trs", "urlonly") and d is not None:
            rel = "%04d%02d/t%04d%02d%02d_%d.html" % (d.year, d.month, d.year, d.month, d.day,
                                                     a.aid)
            a.path = "/" + c.path + rel
            a.href = "./" + rel
        elif c.style == "hanweb" and d is not None:
            a.path = "/art/%d/%d/%d/art_%d_%d.html" % (d.year, d.month, d.day, c.cid, a.aid)
            a.href = a.path
        elif c.style == "div":
            a.path = "/%sinfo/%d.html" % (c.path, a.aid)
            a.href = a.path
        elif c.style == "table":
            a.path = "/%s%d.html" % (c.path, a.aid)
            a.href = a.path
        else:
            a.path = "/%scontent_%d.html" % (c.path, a.aid)
            a.href = "content_%d.html" % a.aid

    def article_asset(self, c, a, prefix, ext):
        d = a.day
        path = "%s%04d%02d/%s0%04d%02d%02d%d.%s" % (c.path, d.year, d.month, prefix, d.year,
                                                     d.month, d.day, a.aid, ext)
        if ext == "png":
            data = png_bytes(8, 6, (self.rng.randint(0, 255), 120, 80))
        elif ext == "pdf":
            data = pdf_bytes("article %d" % a.aid)
        else:
            data = office_bytes(ext, a.aid)
        self.out.add("site", path, data)
        return "/" + path

    # -- page furniture ------------------------------------------------------------------

    def head(self, title, metas, charset, extra=""):
        label = "gb2312" if charset == "gbk" else "utf-8"
        m = "".join('<meta name="%s" content="%s">\n' % (k, esc(v)) for k, v in metas)
        return ('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
                '<meta http-equiv="Content-Type" content="text/html; charset=%s">\n'
                '<title>%s</title>\n%s'
                '<link rel="stylesheet" href="/css/common.css">\n'
                '<script src="/js/common.js"></script>\n%s</head>\n'
                % (label, esc(title), m, extra))

    def site_metas(self):
        return [("SiteName", SITE_NAME), ("SiteDomain", SITE_DOMAIN),
                ("SiteIDCode", SITE_ID_CODE)]

    def header(self):
        nav = "".join('<li><a href="/%s">%s</a></li>' % (p, n) for p, n in SECTIONS)
        return ('<body>\n<div class="top">\n<a href="/index.html"><img src="/images/logo.png" '
                'alt="%s"></a>\n<div class="top-links"><a href="/sitemap.html">网站地图</a> '
                '<a href="/wza/index.html">无障碍</a></div>\n</div>\n'
                '<div class="nav"><ul>%s</ul></div>\n' % (SITE_NAME, nav))

    def crumb(self, parts):
        links = ['<a href="/index.html">首页</a>']
        for title, path in parts[:-1]:
            links.append('<a href="/%s">%s</a>' % (path, esc(title)))
        links.append("<span>%s</span>" % esc(parts[-1][0]))
        return '<div class="crumb">当前位置：%s</div>\n' % " &gt; ".join(links)

    def footer(self):
        return ('<div class="footer">\n<div class="links">'
                '<a href="http://@EXT@/index.html" target="_blank">中国政府网</a> '
                '<a href="http://@EXT@/sxzf/index.html" target="_blank">省人民政府</a> '
                '<a href="/zwgk/xxgkzn/index.html">政府信息公开指南</a> '
                '<a href="/zmhd/lxwm/index.html">联系我们</a></div>\n'
                '<p>主办单位：演示区人民政府办公室　承办单位：演示区数据信息中心</p>\n'
                '<p>网站标识码：%s　<a href="http://@EXT@/beian/index.html" target="_blank">'
                '陕ICP备05000000号-1</a>　<img src="/images/gongan.png" alt="">陕公网安备 '
                '61990002000001号</p>\n<p>联系电话：029-86860000　地址：演示区人民路1号</p>\n'
                '<a href="http://@EXT@/conac/index.html" target="_blank">'
                '<img src="/images/red.png" alt="党政机关"></a>\n</div>\n</body>\n</html>\n'
                % SITE_ID_CODE)

    def sidebar(self, c):
        title, path = c.group
        siblings = [x for x in self.columns if x.group == c.group][:14]
        items = "".join('<li%s><a href="/%s">%s</a></li>'
                        % (' class="on"' if x is c else "", x.index_path, esc(x.name))
                        for x in siblings)
        return ('<div class="sidebar"><h3><a href="/%s">%s</a></h3><ul class="side-menu">%s'
                '</ul></div>\n' % (path, esc(title), items))

    # -- column list pages ---------------------------------------------------------------

    def list_item(self, c, a):
        t = esc(a.title)
        top = '<em class="zd">置顶</em>' if a.pinned else ""
        d = a.day
        if c.style in ("trs", "hanweb"):
            return ('<li>%s<a href="%s" title="%s" target="_blank">%s</a><span>%s</span></li>'
                    % (top, a.href, t, t, d.isoformat()))
        if c.style == "table":
            idx = "11619900MB00000%02dX/%04d-%05d" % (c.cid % 100, d.year, a.aid)
            return ('<tr><td>%s</td><td class="bt"><a href="%s" title="%s">%s%s</a></td>'
                    '<td>%04d年%d月%d日</td></tr>' % (idx, a.href, t, top, t, d.year, d.month,
                                                       d.day))
        if c.style == "div":
            return ('<div class="news-item">%s<a href="%s" title="%s">%s</a>'
                    '<span class="time">%04d.%02d.%02d</span></div>'
                    % (top, a.href, t, t, d.year, d.month, d.day))
        if c.style == "yearless":
            return ('<li><span class="date">[%02d-%02d]</span><a href="%s" title="%s">%s</a></li>'
                    % (d.month, d.day, a.href, t, t))
        # urlonly: the date is only in the URL; metaonly: only on the article page.
        return '<li>%s<a href="%s" title="%s">%s</a></li>' % (top, a.href, t, t)

    def list_block(self, c, items):
        rows = "\n".join(self.list_item(c, a) for a in items)
        if c.blank == "placeholder":
            return '<div class="news-list"><p class="no-data">暂无信息</p></div>\n'
        if c.style == "table":
            head = "<tr><th>索引号</th><th>名称</th><th>发布日期</th></tr>"
            return '<table class="xxgk-table" width="100%%">\n%s\n%s\n</table>\n' % (head, rows)
        if c.style == "div":
            return '<div class="news-list">\n%s\n</div>\n' % rows
        if c.style == "yearless":
            return '<ul class="gl-list">\n%s\n</ul>\n' % rows
        if c.style == "hanweb":
            recs = "\n".join("<record><![CDATA[\n%s\n]]></record>" % self.list_item(c, a)
                             for a in items)
            return ('<div class="default_pgContainer" id="%d">\n<script type="text/xml">'
                    "<datastore>\n<recordset>\n%s\n</recordset>\n</datastore></script>\n"
                    '<script>$("#%d").jpage({dataStore: "datastore", perPage: 15, '
                    'totalRecord: %d});</script>\n</div>\n' % (c.cid, recs, c.cid, len(items)))
        return '<ul class="list">\n%s\n</ul>\n' % rows

    def pager(self, c, page, total):
        if c.style in ("trs", "urlonly"):
            return ('<div class="page"><script>createPageHTML(%d, %d, "index", "html");'
                    '</script></div>\n' % (total, page))
        if total <= 1:
            return '<div class="page">共1页</div>\n'

        def name(i):
            return "index.html" if i == 0 else "index_%d.html" % (i + 1)
        parts = ["<span>共%d页</span>" % total, '<a href="%s">首页</a>' % name(0)]
        if page > 0:
            parts.append('<a href="%s">上一页</a>' % name(page - 1))
        for i in range(total):
            parts.append('<b>%d</b>' % (i + 1) if i == page
                         else '<a href="%s">%d</a>' % (name(i), i + 1))
        if page < total - 1:
            parts.append('<a href="%s">下一页</a>' % name(page + 1))
        parts.append('<a href="%s">尾页</a>' % name(total - 1))
        return '<div class="pagination">%s</div>\n' % " ".join(parts)

    def list_page_name(self, c, page):
        if page == 0:
            return "index.html"
        return "index_%d.html" % (page if c.style in ("trs", "urlonly") else page + 1)

    def column_metas(self, c):
        ctype = {"news": "动态", "notice": "通知公告", "policy": "政策文件",
                 "regular": "信息公开", "annual": "概况", "annual_report": "年报"}[c.cls]
        return self.site_metas() + [("ColumnName", c.name), ("ColumnType", ctype),
                                    ("ColumnDescription", c.name + "栏目")]

    def write_column(self, c):
        if c.kind == "single":
            self.write_single(c)
            return
        per_page = 1000 if c.style == "hanweb" else 8
        pages = [c.articles[i:i + per_page] for i in range(0, len(c.articles), per_page)] or [[]]
        for p, items in enumerate(pages):
            desc = ""
            if c.charset == "gbk":
                desc = ('<div class="col-desc">本栏目信息由%s提供（办公地址：%s）</div>\n'
                        % (UNITS[c.unit], GBK_ONLY_PLACES[c.cid % 3]))
            body = ('<div class="main">\n%s<div class="list-box">\n<h2 class="col-title">%s</h2>\n'
                    '%s%s%s%s</div>\n</div>\n'
                    % (self.sidebar(c), esc(c.name), desc, self.list_block(c, items),
                       self.pager(c, p, len(pages)), c.list_extra.get(p, "")))
            text = (self.head(c.name + "_" + SITE_NAME, self.column_metas(c), c.charset,
                              self.hanweb_script(c))
                    + self.header() + self.crumb([c.group, (c.name, c.index_path)]) + body
                    + self.footer())
            self.out.page("site", c.path + self.list_page_name(c, p), text, c.charset)
        for a in c.articles:
            self.write_article(c, a)

    def hanweb_script(self, c):
        if c.style != "hanweb":
            return ""
        return '<script src="/module/jslib/jquery/jpage/jquery.jpage.js"></script>\n'

    def write_single(self, c):
        """A single-page column (区情概况, 机构职能...): its body is the content."""
        # Annual columns are due by 31 March: updated in March of this year.
        d = datetime.date(self.today.year, 3, 18)
        if d > self.today:
            d = self.today
        metas = self.column_metas(c)
        info = ""
        content = ""
        if c.blank != "notext":
            metas = metas + [("ArticleTitle", c.name), ("PubDate", d.isoformat() + " 09:30"),
                             ("ContentSource", UNITS[c.unit])]
            info = '<div class="info">更新时间：%s　来源：%s</div>\n' % (d.isoformat(),
                                                                    UNITS[c.unit])
            if c.charset == "gbk":
                # As on the list pages: a GBK-only character ahead of the content.
                info += '<div class="addr">办公地址：%s</div>\n' % GBK_ONLY_PLACES[c.cid % 3]
            content = self.paragraphs(c, 4)
        body = ('<div class="main">\n%s<div class="content-box">\n<h1 class="title">%s</h1>\n%s'
                '<div class="TRS_Editor" id="zoom">%s</div>\n</div>\n</div>\n'
                % (self.sidebar(c), esc(c.name), info, content))
        text = (self.head(c.name + "_" + SITE_NAME, metas, c.charset) + self.header()
                + self.crumb([c.group, (c.name, c.index_path)]) + body + self.footer())
        self.out.page("site", c.index_path, text, c.charset)

    def paragraphs(self, c, n):
        rng = self.rng
        unit = UNITS[c.unit]
        forms = [
            "为深入贯彻落实{topic}工作部署，{unit}近日组织召开专题会议，研究部署下一阶段重点任务。",
            "会议要求，各相关单位要提高思想认识，压实工作责任，确保{topic}各项措施落到实处。",
            "{unit}将持续加强统筹协调，强化督促检查，推动{topic}工作取得更大成效。",
            "下一步，我区将围绕{topic}目标任务，细化工作举措，切实提升群众满意度。",
            "本栏目集中公开{unit}依法应当主动公开的政府信息，欢迎社会各界监督。",
            "联系电话：029-86861234，办公地址：演示区人民路1号。",
        ]
        ps = [rng.choice(forms).format(unit=unit, topic=rng.choice(TOPICS)) for _ in range(n)]
        return "".join("<p>%s</p>" % esc(p) for p in ps)

    # -- articles -------------------------------------------------------------------------

    def write_article(self, c, a):
        metas = self.site_metas() + [("ColumnName", c.name), ("ArticleTitle", a.title)]
        if a.day is not None:
            metas.append(("PubDate", a.pubdate()))
        metas.append(("ContentSource", UNITS[c.unit]))
        if a.meta_edit:
            metas = a.meta_edit(metas)
        if a.day is not None:
            info = ('<div class="info">发布时间：%s　来源：%s　责任编辑：%s　'
                    '字号：<a href="javascript:void(0)">大</a></div>\n'
                    % (a.pubdate(), UNITS[c.unit], editor(a.aid)))
        else:
            info = '<div class="info">来源：%s　责任编辑：%s</div>\n' % (UNITS[c.unit],
                                                                 editor(a.aid))
        extra = ""
        if a.image:
            extra += '<p style="text-align:center"><img src="%s" alt="%s"></p>' % (
                a.image, esc(a.title))
        extra += self.paragraphs(c, self.rng.randint(2, 4))
        if a.attachment:
            extra += '<p>附件：<a href="%s">%s</a></p>' % (a.attachment[0], esc(a.attachment[1]))
        extra += a.extra_html
        body = ('<div class="main">\n<div class="article">\n<h1 class="title">%s</h1>\n%s'
                '<div class="TRS_Editor" id="zoom">%s</div>\n'
                '<div class="print"><a href="javascript:window.print()">打印本页</a> '
                '<a href="javascript:window.close()">关闭窗口</a></div>\n</div>\n</div>\n'
                % (esc(a.title), info, extra))
        text = (self.head(a.title + "_" + SITE_NAME, metas, c.charset) + self.header()
                + self.crumb([c.group, (c.name, c.index_path), ("正文", "")]) + body
                + self.footer())
        self.out.page("site", a.path.lstrip("/"), text, c.charset)

    # -- the planted dead links ----------------------------------------------------------

    def plant_links(self):
        # 404, on the homepage: a removed special topic (belongs to the site's unit).
        self.dead_link(None, "/ztzl/2025ys/index.html", 404, "404")
        self.homepage_extra = ('<div class="banner"><a href="/ztzl/2025ys/index.html">'
                               '<img src="/images/banner1.png" alt="2025年专题"></a>'
                               '<a href="/ztzl/yhyshj/index.html"><img src="/images/banner2.png" '
                               'alt="优化营商环境"></a></div>\n')

        # 404, in an article body: a related article that was deleted.
        c = self.column("区发改委工作动态")
        a = c.articles[1]
        url = "/bmxxgk/fgw/gzdt/202505/t20250512_3999.html"
        a.extra_html += '<p>相关阅读：<a href="%s">区发改委召开年度工作会议</a></p>' % url
        self.dead_link(c, url, 404, "404")

        # 403: an attachment the server refuses.
        c = self.column("政府文件")
        a = c.articles[2]
        url = "/%s%04d%02d/P0%04d%02d%02d%d_fj.pdf" % (c.path, a.day.year, a.day.month,
                                                    a.day.year, a.day.month, a.day.day, a.aid)
        a.extra_html += '<p>附件：<a href="%s">实施细则全文.pdf</a></p>' % url
        self.dead_link(c, url, 403, "403")

        # 410: an image that is gone.
        c = self.column("区文化旅游局工作动态")
        a = c.articles[1]
        url = "/%s%04d%02d/W0%04d%02d%02d%d_photo.png" % (c.path, a.day.year, a.day.month,
                                                       a.day.year, a.day.month, a.day.day, a.aid)
        a.extra_html += '<p style="text-align:center"><img src="%s" alt="活动现场"></p>' % url
        self.dead_link(c, url, 410, "410")

        # 500 (suspected), on the second list page of a column.
        c = self.column("区卫健局工作动态")
        url = "/ztzl/jkzg/index.html"
        c.list_extra[1] = ('<div class="related"><h3>热点专题</h3><a href="%s">健康中国行动</a>'
                           '</div>\n' % url)
        self.dead_link(c, url, 500, "500")

        # Connection refused (suspected): nothing listens on 127.0.0.2.
        c = self.column("区人社局通知公告")
        a = c.articles[0]
        url = "http://@DEAD@/x.html"
        a.extra_html += '<p>报名网址：<a href="%s">%s</a></p>' % (url, url)
        self.dead_link(c, url, None, None)

        # A server that accepts and never answers (suspected, timeout), on a list page.
        c = self.column("重大项目建设（区水务局）")
        url = "http://@HANG@/xmk/index.html"
        c.list_extra[0] = ('<div class="related"><h3>相关链接</h3><a href="%s">重大项目库</a>'
                           '</div>\n' % url)
        self.dead_link(c, url, None, None)

        # Not dead: an old column address that redirects, and the external host.
        self.routes["/zwgk/gzdt/index.html"] = {"status": 301,
                                                 "location": "/zwdt/bmdt/index.html"}

    # -- the planted 错敏字 and personal data (issue 4, dictionary) -----------------------

    def plant_words(self):
        """Wrong words and an identity number in article bodies, each one finding per page
        and entry (rules.d/2x-dict-*.yaml); the rest of the portal's prose must give none."""
        c = self.column("区人社局通知公告")
        a = c.articles[1]
        a.extra_html += ("<p>各单位要进一步提高整治站位，不能按步就班。</p>"
                         "<p>再次强调：提高整治站位是做好本项工作的前提。</p>")
        subject = "@BASE@" + a.path.lstrip("/")
        self.finding(c, "wrong_word", subject + " 「整治站位」",
                     "时政短语「整治站位」应为「政治站位」，出现 2 次", severity="serious")
        self.finding(c, "wrong_word", subject + " 「按步就班」",
                     "常见错别字「按步就班」应为「按部就班」，出现 1 次")

        c = self.column("区发改委工作动态")
        a = c.articles[0]
        a.extra_html += ("<p>会议要求深入学习习近平新时代中国特色社会主义思想法治思想。</p>"
                         "<p>公示对象：张某，身份证号：11010519491231002X。</p>")
        subject = "@BASE@" + a.path.lstrip("/")
        self.finding(c, "wrong_word", subject + " 「xi_thought_compound」",
                     "应为「习近平法治思想」", severity="serious")
        self.finding(c, "personal_data", subject + " 居民身份证号码",
                     "页面公开了 1 个居民身份证号码（如 110105********002X）",
                     severity="serious")

    # -- homepage, sections, sitemap, static files ---------------------------------------

    def write_homepage(self):
        def block(title, col, n, yearless):
            rows = []
            for a in col.articles[:n]:
                if a.pinned:
                    continue
                date = ("%02d-%02d" % (a.day.month, a.day.day)) if yearless else a.day.isoformat()
                rows.append('<li><a href="%s" title="%s">%s</a><span class="date">%s</span>'
                            '</li>' % (a.path, esc(a.title), esc(a.title), date))
            return ('<div class="block"><div class="block-title"><h3>%s</h3>'
                    '<a class="more" href="/%s">更多</a></div><ul>%s</ul></div>\n'
                    % (title, col.index_path, "".join(rows)))

        blocks = (block("政务要闻", self.column("政务要闻"), 8, False)
                  + block("通知公告", self.column("通知公告"), 6, False)
                  + block("部门动态", self.column("部门动态"), 6, True))
        gk = [c for c in self.columns if c.group[1] in ("zwgk/index.html", "zdly/index.html")]
        gk_links = "".join('<li><a href="/%s">%s</a></li>' % (c.index_path, esc(c.name))
                           for c in gk[:24])
        depts = "".join('<li><a href="/%s">%s</a></li>' % (g[1], esc(g[0]))
                        for g, _ in self.dept_groups)
        friends = ('<div class="friend-links"><h3>友情链接</h3>'
                   '<a href="http://@EXT@/sxzf/index.html">省人民政府</a> '
                   '<a href="http://@EXT@/zwfw/index.html">政务服务网</a> '
                   '<a href="/zwgk/gzdt/index.html">工作动态（旧址）</a></div>\n')
        body = ('<div class="main home">\n%s%s<div class="block"><h3>政务公开</h3><ul>%s</ul>'
                '</div>\n<div class="block"><h3>部门信息公开</h3><ul>%s</ul></div>\n%s</div>\n'
                % (self.homepage_extra, blocks, gk_links, depts, friends))
        text = (self.head(SITE_NAME, self.site_metas(), "utf-8") + self.header() + body
                + self.footer())
        self.out.page("site", "index.html", text, "utf-8")

    def write_sections(self):
        """The pages of the header navigation, the group pages and the sitemap: links only."""
        groups = {}
        for c in self.columns:
            groups.setdefault(c.group, []).append(c)

        def page(path, title, inner, parts):
            text = (self.head(title + "_" + SITE_NAME, self.site_metas(), "utf-8")
                    + self.header() + self.crumb(parts) + '<div class="main">\n%s</div>\n' % inner
                    + self.footer())
            self.out.page("site", path, text, "utf-8")

        def links(cols):
            return "".join('<li><a href="/%s">%s</a></li>' % (c.index_path, esc(c.name))
                           for c in cols)

        written = set()
        for (title, path), cols in groups.items():
            if path.startswith(("bmxxgk/", "jdxxgk/")):
                continue
            page(path, title, '<h2>%s</h2><ul class="col-links">%s</ul>\n' % (title, links(cols)),
                 [(title, path)])
            written.add(path)
        for top, sub_groups in (("bmxxgk/index.html", self.dept_groups),
                                ("jdxxgk/index.html", self.street_groups)):
            top_title = dict(SECTIONS)[top]
            for (title, path), cols in sub_groups:
                page(path, title, '<h2>%s</h2><ul class="col-links">%s</ul>\n'
                     % (title, links(cols)), [(top_title, top), (title, path)])
            inner = "".join('<li><a href="/%s">%s</a></li>' % (g[1], esc(g[0]))
                            for g, _ in sub_groups)
            page(top, top_title, '<ul class="unit-links">%s</ul>\n' % inner, [(top_title, top)])
            written.add(top)
        # The remaining sections are ordinary pages of the site, not configured columns.
        others = {
            "zcwj/index.html": ('<ul><li><a href="/zwgk/zfwj/index.html">政府文件</a></li>'
                                '<li><a href="/zwgk/zcjd/index.html">政策解读</a></li></ul>'),
            "zmhd/index.html": ('<ul><li><a href="/zmhd/lxwm/index.html">联系我们</a></li>'
                                '<li><a href="/zwgk/jyta/index.html">建议提案</a></li></ul>'
                                '<p>区长信箱受理时间：工作日 9:00-17:00。</p>'),
            "bsfw/index.html": ('<ul><li><a href="http://@EXT@/zwfw/index.html">'
                                '政务服务网</a></li><li><a href="/zwgk/xxgkzn/index.html">'
                                '依申请公开</a></li></ul>'),
            "sjfb/index.html": ('<ul><li><a href="/zwgk/tjxx/index.html">统计信息</a></li>'
                                '<li><a href="/zwgk/czyjs/index.html">财政预决算</a></li></ul>'),
            "zmhd/lxwm/index.html": "<p>演示区人民政府办公室，联系电话：029-86860000。</p>",
            "wza/index.html": "<p>本网站支持无障碍浏览，请使用键盘 Tab 键切换链接。</p>",
        }
        titles = dict(SECTIONS, **{"zmhd/lxwm/index.html": "联系我们",
                                   "wza/index.html": "无障碍浏览"})
        for path, inner in others.items():
            title = titles[path]
            if path not in written:
                page(path, title, inner, [(title, path)])
        allcols = links(self.columns)
        page("sitemap.html", "网站地图", '<ul class="sitemap">%s</ul>\n' % allcols,
             [("网站地图", "sitemap.html")])

    def write_static(self):
        out = self.out
        out.add("site", "robots.txt", b"User-agent: *\nDisallow: /admin/\n")
        out.add("site", "css/common.css",
                b"body{font:14px/1.6 sans-serif;margin:0}.nav ul{list-style:none}"
                b".nav li{display:inline-block;padding:0 12px}.list li span{float:right}\n")
        out.add("site", "js/common.js", (
            "// TRS WCM pager: createPageHTML(total pages, current page (0-based), name, ext).\n"
            "function createPageHTML(n, cur, name, ext) {\n"
            "  if (n <= 1) { document.write('<span>共1页</span>'); return; }\n"
            "  function u(i) { return i == 0 ? name + '.' + ext : name + '_' + i + '.' + ext; }\n"
            "  var s = '<span>共' + n + '页</span>';\n"
            "  if (cur > 0) s += '<a href=\"' + u(cur - 1) + '\">上一页</a>';\n"
            "  for (var i = 0; i < n; i++)\n"
            "    s += i == cur ? '<b>' + (i + 1) + '</b>' : '<a href=\"' + u(i) + '\">' + (i + 1)"
            " + '</a>';\n"
            "  if (cur < n - 1) s += '<a href=\"' + u(cur + 1) + '\">下一页</a>';\n"
            "  document.write(s);\n}\n").encode("utf-8"))
        out.add("site", "module/jslib/jquery/jpage/jquery.jpage.js",
                b"/* Hanweb jpage stand-in: records are already in the page. */\n"
                b"window.$ = window.$ || function () { return { jpage: function () {} }; };\n")
        out.add("site", "images/logo.png", png_bytes(40, 12, (200, 30, 30)))
        out.add("site", "images/gongan.png", png_bytes(8, 8, (30, 30, 200)))
        out.add("site", "images/red.png", png_bytes(10, 12, (220, 0, 0)))
        out.add("site", "images/banner1.png", png_bytes(30, 8, (180, 40, 40)))
        out.add("site", "images/banner2.png", png_bytes(30, 8, (40, 40, 180)))
        out.add("site", "favicon.ico", png_bytes(4, 4, (200, 30, 30)))

    def write_ext(self):
        """The "other host": national and provincial sites the footer links to."""
        pages = {
            "index.html": "中国政府网",
            "sxzf/index.html": "省人民政府",
            "zwfw/index.html": "政务服务网",
            "beian/index.html": "ICP/IP地址/域名信息备案管理系统",
            "conac/index.html": "党政机关网站标识",
        }
        for path, title in pages.items():
            text = ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>%s</title>'
                    '</head><body><h1>%s</h1><p>本页为测试门户的外部站点。</p></body></html>\n'
                    % (title, title))
            self.out.page("ext", path, text, "utf-8")
        self.out.add("ext", "robots.txt", b"User-agent: *\nDisallow:\n")

    # -- content checks: hidden links, page tags, service guides, interpretation ----------
    # (issue 4, items 4-7).  Everything planted here is in this block; the manifest
    # entries follow the shipped rules.d settings (hidden_links, page_tags, guides,
    # interpretation).

    def interp_title(self, title):
        return any(w in title for w in INTERP_WORDS)

    def plant_content(self):
        # The guides are linked from the homepage only, so that the crawl always meets
        # them one level down, whatever order the other pages arrive in.
        self.homepage_extra += self.guide_index()
        self.plant_hidden_links()
        self.plant_page_tags()
        self.plant_interpretation()

    def plant_hidden_links(self):
        # Serious: hidden by an inline style on the homepage, off-site, gambling words.
        url = "http://@OFFSITE@/bc/index.html"
        self.homepage_extra += ('<div style="display:none"><a href="%s">澳门新葡京娱乐城</a>'
                                '</div>\n' % url)
        self.finding(None, "hidden_link", url, "澳门新葡京娱乐城", severity="serious")
        # Not findings: a hidden tab of the site's own news, a skip link for screen
        # readers and a logo whose text is pushed off-screen.
        self.homepage_extra += (
            '<style>.sr-only{position:absolute;width:1px;height:1px;overflow:hidden}'
            '.logo-text{text-indent:-9999px}</style>'
            '<a class="sr-only" href="#main">跳到主要内容</a>'
            '<h2 class="logo-text"><a href="/index.html">演示区人民政府</a></h2>'
            '<div class="tab-con" style="display:none"><ul><li>'
            '<a href="/zwdt/zwyw/index.html">政务要闻（第二页签）</a></li></ul></div>\n')

        # Serious: moved off-screen by a rule of a <style> block in an article.
        c = self.column("街道动态")
        url = "http://@OFFSITE@/ylc/index.html"
        c.articles[1].extra_html += (
            '<style>.fl-ad{position:absolute;left:-9999px;top:-9999px}</style>'
            '<div class="fl-ad"><a href="%s">在线百家乐</a></div>' % url)
        self.finding(c, "hidden_link", url, "在线百家乐", severity="serious")

        # Serious: written by an inline script.
        c = self.column("文明城市创建专栏")
        url = "http://@OFFSITE@/lhc/index.html"
        c.articles[1].extra_html += (
            "<script>document.write('<a href=\"%s\">六合彩开奖</a>');</script>" % url)
        self.finding(c, "hidden_link", url, "脚本写入", severity="serious")

        # Suspected: a tiny marquee on a list page, off-site, no word of the list.
        c = self.column("区人社局工作动态")
        url = "http://@OFFSITE@/seo/index.html"
        c.list_extra[0] = c.list_extra.get(0, "") + (
            '<marquee width="1" height="1"><a href="%s">网站建设推广</a></marquee>\n' % url)
        self.finding(c, "hidden_link", url, "marquee", severity="suspect")

        # Normal: font-size 0, on the site itself, but with a gambling word.
        c = self.column("区民政局工作动态")
        c.articles[1].extra_html += ('<span style="font-size:0"><a href="/sitemap.html">'
                                     '棋牌游戏下载</a></span>')
        self.finding(c, "hidden_link", "@BASE@sitemap.html", "棋牌游戏", severity="normal")

    def plant_page_tags(self):
        # The undated column's articles carry no PubDate tag.
        c = self.column("区农业农村局人事信息")
        for a in c.articles:
            self.finding(c, "page_tag_missing", "@BASE@" + a.path.lstrip("/"), "PubDate")

        # An article without ArticleTitle and ContentSource.
        c = self.column("督查审计")
        a = c.articles[1]
        a.meta_edit = lambda metas: [m for m in metas
                                     if m[0] not in ("ArticleTitle", "ContentSource")]
        self.finding(c, "page_tag_missing", "@BASE@" + a.path.lstrip("/"),
                     "ArticleTitle、ContentSource")

        # A SiteIDCode copied from another site's template.
        c = self.column("法治政府建设")
        a = c.articles[1]
        a.meta_edit = lambda metas: [(k, "6199000009" if k == "SiteIDCode" else v)
                                     for k, v in metas]
        self.finding(c, "page_tag_inconsistent", "@BASE@" + a.path.lstrip("/"),
                     "6199000009")
        # (The finding names no column: it is judged across the site's pages.)
        self.findings[-1]["column"] = None
        self.findings[-1]["unit"] = UNITS[SITE_UNIT]

        # A PubDate after today (a typo of the year).
        c = self.column("行政执法三项制度")
        a = c.articles[1]
        future = (self.today + datetime.timedelta(days=40)).isoformat() + " 10:00"
        a.meta_edit = lambda metas: [(k, future if k == "PubDate" else v) for k, v in metas]
        self.finding(c, "page_tag_invalid", "@BASE@" + a.path.lstrip("/"), "晚于检查日")

    def plant_interpretation(self):
        interp_col = self.column("政策解读")
        target = interp_col.articles[0]
        docs = []
        interps = []
        for c in self.columns:
            if c.kind != "list" or c.blank is not None:
                continue
            for a in c.articles:
                if "解读" in c.name or self.interp_title(a.title):
                    interps.append((c, a))
                elif c.cls == "policy":
                    docs.append((c, a))
        zfwj = [a for c, a in docs if c.name == "政府文件"]
        if len(zfwj) < 4:
            raise SystemExit("政府文件 has %d documents, the interpretation plants need 4"
                             % len(zfwj))
        unpaired = zfwj[:2]
        reverse = zfwj[2]
        by_url = zfwj[3]
        for c, a in docs:
            if a in unpaired or a is reverse:
                continue
            if a is by_url:
                # Paired through the page it links, which the scan finds to be one.
                a.extra_html += '<p>延伸阅读：<a href="%s">%s</a></p>' % (target.path,
                                                                        esc(target.title))
            else:
                a.extra_html += ('<p>相关解读：<a href="%s">《%s》政策解读</a></p>'
                                 % (target.path, esc(a.title)))
        # Paired from the other side: the interpretation links its document.
        interp_col.articles[1].extra_html += ('<p>本解读对应文件：<a href="%s">%s</a></p>'
                                              % (reverse.path, esc(reverse.title)))
        c = self.column("政府文件")
        for a in unpaired:
            self.finding(c, "interpretation_missing", "@BASE@" + a.path.lstrip("/"),
                         a.title)

        # Multi-form interpretations: every fourth of the 政策解读 columns' articles is a
        # graphic one (three pictures), and one is a video.
        own = [(c, a) for c, a in interps if "解读" in c.name]
        multiform = 0
        for i, (c, a) in enumerate(own):
            if i % 4 == 0:
                a.extra_html += "".join('<p><img src="/images/banner%d.png" alt="图解%d"></p>'
                                        % (1 + k % 2, k + 1) for k in range(3))
                multiform += 1
        own[1][1].extra_html += '<p><video src="/media/jiedu.mp4" controls></video></p>'
        multiform += 1
        n = len(interps)
        if multiform * 100 >= 50 * n:
            raise SystemExit("the planted share of multi-form interpretations is not low")
        self.finding(None, "interpretation_form", "@BASE@index.html",
                     "政策解读 %d 篇，其中图解、视频等多元化解读 %d 篇" % (n, multiform))

    def guide_index(self):
        return ('<div class="block"><h3>办事指南</h3><ul class="guides">%s</ul></div>\n'
                % "".join('<li><a href="/bsfw/bszn/%d.html">%s</a></li>' % (gid, esc(name))
                          for gid, name in GUIDES))

    def guide_page(self, gid, name, body):
        path = "bsfw/bszn/%d.html" % gid
        text = (self.head(name + "_办事指南_" + SITE_NAME,
                          self.site_metas() + [("ArticleTitle", name)], "utf-8")
                + self.header() + self.crumb([("办事服务", "bsfw/index.html"), (name, path)])
                + '<div class="main">\n<div class="article"><h1 class="title">%s</h1>\n'
                  '<div class="guide">%s</div></div>\n</div>\n' % (esc(name), body)
                + self.footer())
        self.out.page("site", path, text, "utf-8")
        return "@BASE@" + path

    def write_content_pages(self):
        # The off-site host of the planted hidden links: the second port under another
        # name (localhost), which is 域外 to the site on 127.0.0.1.
        for path, title in (("bc/index.html", "娱乐城"), ("ylc/index.html", "百家乐"),
                            ("lhc/index.html", "六合彩"), ("seo/index.html", "网站推广")):
            self.out.page("ext", path, '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
                          '<title>%s</title></head><body><p>%s</p></body></html>\n'
                          % (title, title), "utf-8")
        self.out.add("site", "media/jiedu.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)

        # Service guides (办事指南) under bsfw/bszn/, found by the site's guide_pages.
        forms = "bsfw/bszn/files/"
        self.out.add("site", forms + "sqb1001.doc", office_bytes("doc", 1001))
        g1 = ('<table class="bszn">'
              '<tr><th>事项名称</th><td>城乡居民最低生活保障审批</td></tr>'
              '<tr><th>设定依据</th><td>《社会救助暂行办法》第九条、第十一条</td></tr>'
              '<tr><th>申请条件</th><td>共同生活的家庭成员人均收入低于当地最低生活保障标准</td></tr>'
              '<tr><th>办理材料</th><td>申请书、户口簿、身份证、收入证明</td></tr>'
              '<tr><th>办理地点</th><td>户籍所在地街道便民服务中心</td>'
              '<th>办理时间</th><td>工作日 9:00-12:00，14:00-17:30</td></tr>'
              '<tr><th>联系电话</th><td>029-86861201</td></tr>'
              '<tr><th>办理流程</th><td>申请、受理、审核、审批、公示</td></tr>'
              '<tr><th>收费标准</th><td>无</td></tr></table>'
              '<p>表格下载：<a href="/%ssqb1001.doc">最低生活保障申请表</a></p>' % forms)
        self.guide_page(1001, "城乡居民最低生活保障审批", g1)
        g2 = ('<h3>事项名称</h3><p>临时救助审批</p>'
              '<h3>设定依据</h3><p>《社会救助暂行办法》第四十七条</p>'
              '<h3>申请条件</h3><p>因意外事件、突发重大疾病等导致基本生活暂时出现严重困难的家庭</p>'
              '<h3>办理材料</h3><p>1. 临时救助申请书；</p><p>2. 身份证明。</p>'
              '<h3>办理地点</h3><p>各街道便民服务中心</p>'
              '<h3>办理时间</h3><p>工作日</p>'
              '<h3>联系电话</h3><p>029-86861202</p>'
              '<h3>办理流程</h3><p>申请—审核—审批—发放</p>'
              '<p>附件：<a href="/%ssqb1002.xls">临时救助申请表</a></p>' % forms)
        url = self.guide_page(1002, "临时救助审批", g2)
        form = "@BASE@%ssqb1002.xls" % forms
        self.finding(None, "guide_form_unavailable", form, "404")
        self.finding(None, "dead_link", form, "404")
        g3 = ('<p>事项名称：残疾人两项补贴申领</p>'
              '<p>申请条件：无</p>'
              '<p>办理材料：身份证、残疾人证</p>'
              '<p>办理地点：区民政局一楼大厅</p>'
              '<p>办理时间：工作日</p>'
              '<p>联系电话：—</p>')
        url = self.guide_page(1003, "残疾人两项补贴申领", g3)
        self.finding(None, "guide_incomplete", url,
                     "缺少要素：设定依据、办理流程；要素内容为空：联系电话")
        g4 = ('<dl><dt>事项名称</dt><dd>老年人优待证办理</dd>'
              '<dt>设定依据</dt><dd>《中华人民共和国老年人权益保障法》</dd>'
              '<dt>申请条件</dt><dd>年满60周岁的本区常住老年人</dd>'
              '<dt>所需材料</dt><dd>无</dd>'
              '<dt>受理地点</dt><dd>社区服务站</dd><dt>受理时间</dt><dd>工作日</dd>'
              '<dt>咨询电话</dt><dd>029-86861204</dd>'
              '<dt>办理程序</dt><dd>当场办结</dd></dl>')
        self.guide_page(1004, "老年人优待证办理", g4)

    def content_old_site(self):
        """The old site's 政策法规 column: documents without interpretation, and the
        footer without ICP and 公安 numbers (it is no longer maintained)."""
        c = [x for x in self.old_columns if x.name == "政策法规"][0]
        interps = [a for a in c.articles if self.interp_title(a.title)]
        for a in c.articles:
            if a not in interps:
                self.finding(c, "interpretation_missing", "@BASE@" + a.path.lstrip("/"),
                             a.title, site="old")
        if interps:
            self.finding(None, "interpretation_form", "@BASE@old/index.html",
                         "政策解读 %d 篇，其中图解、视频等多元化解读 0 篇" % len(interps),
                         site="old", unit=OLD_SITE_UNIT)
        self.finding(None, "footer_id_missing", "@BASE@old/index.html",
                     "ICP备案号、公安备案号", site="old", unit=OLD_SITE_UNIT)

    # -- the old site ----------------------------------------------------------------------

    def build_old_site(self):
        """旧版网站 under /old/: fresh columns, a homepage left 20 days behind."""
        g = ("旧版网站", "old/index.html")
        specs = [("新闻中心", "old/xwzx/", "news", 2, "trs"),
                 ("通知公告", "old/tzgg/", "notice", 30, "div"),
                 ("政策法规", "old/zcfg/", "policy", 60, "table")]
        for name, path, cls, age, style in specs:
            c = Column(name, path, cls, OLD_SITE_UNIT, g)
            c.cid = self.next_cid
            self.next_cid += 1
            c.style, c.age, c.charset = style, age, "gbk"
            c.n_items = 6
            self.old_columns.append(c)
        for c in self.old_columns:
            self.make_articles(c)

        # The homepage's picture-news block: items 20 days old and older.
        news = []
        for age in (20, 26, 33, 41, 55):
            d = self.day_ago(age)
            aid = self.next_aid
            self.next_aid += 1
            path = "old/tpxw/%04d%02d/t%04d%02d%02d_%d.html" % (d.year, d.month, d.year,
                                                              d.month, d.day, aid)
            title = "%s%s现场" % (GBK_ONLY_PLACES[aid % 3], self.rng.choice(TOPICS))
            news.append((d, path, title))
        return news

    def old_page(self, title, inner, metas):
        nav = ('<div class="nav"><a href="/old/index.html">首页</a> '
               + " ".join('<a href="/%s">%s</a>' % (c.index_path, c.name)
                          for c in self.old_columns) + "</div>\n")
        footer = ('<div class="footer"><p>演示区人民政府（旧版）　网站标识码：%s</p>'
                  '<p>本网站已停止维护，请访问<a href="/index.html">新版网站</a>。</p>'
                  '<p>喆园路办公区　<a href="http://@EXT@/index.html">中国政府网</a></p></div>\n'
                  '</body>\n</html>\n' % SITE_ID_CODE)
        return (self.head(title, metas, "gbk") + "<body>\n<div class=\"top\">演示区人民政府（旧版）"
                "</div>\n" + nav + '<div class="main">\n' + inner + "</div>\n" + footer)

    def write_old_site(self, news):
        metas = [("SiteName", "演示区人民政府（旧版）"), ("SiteDomain", SITE_DOMAIN),
                 ("SiteIDCode", SITE_ID_CODE)]
        for c in self.old_columns:
            per = 8
            pages = [c.articles[i:i + per] for i in range(0, len(c.articles), per)]
            for p, items in enumerate(pages):
                inner = ('<h2>%s</h2>\n<div class="col-desc">堃园小区信息公开点</div>\n%s%s'
                         % (c.name, self.list_block(c, items), self.pager(c, p, len(pages))))
                self.out.page("site", c.path + self.list_page_name(c, p),
                              self.old_page(c.name, inner, metas + [("ColumnName", c.name)]),
                              "gbk")
            for a in c.articles:
                inner = ('<h1>%s</h1><div class="info">发布时间：%s　责任编辑：%s</div>'
                         '<div id="zoom">%s</div>' % (esc(a.title), a.pubdate(), editor(a.aid),
                                                      self.paragraphs(c, 2)))
                am = metas + [("ColumnName", c.name), ("ArticleTitle", a.title),
                              ("PubDate", a.pubdate()), ("ContentSource", UNITS[c.unit])]
                self.out.page("site", a.path.lstrip("/"), self.old_page(a.title, inner, am), "gbk")
        for d, path, title in news:
            inner = ('<h1>%s</h1><div class="info">发布时间：%s 10:00　责任编辑：%s</div>'
                     '<div id="zoom"><p>图片新闻。</p></div>' % (esc(title), d.isoformat(),
                                                               editor(len(path))))
            am = metas + [("ArticleTitle", title), ("PubDate", d.isoformat() + " 10:00")]
            self.out.page("site", path, self.old_page(title, inner, am), "gbk")
        rows = "".join('<li><a href="/%s" title="%s">%s</a><span>%s</span></li>'
                       % (path, esc(title), esc(title), d.isoformat()) for d, path, title in news)
        cols = "".join('<li><a href="/%s">%s</a></li>' % (c.index_path, c.name)
                       for c in self.old_columns)
        inner = ('<div class="col-desc">喆园路政务服务大厅</div>\n'
                 '<div class="block"><h3>图片新闻</h3><ul>%s</ul></div>\n'
                 '<div class="block"><h3>栏目导航</h3><ul>%s</ul></div>\n' % (rows, cols))
        self.out.page("site", "old/index.html",
                      self.old_page("演示区人民政府（旧版）", inner, metas), "gbk")
        self.findings.append({
            "site": "old", "rule": "homepage_stale", "subject": "@BASE@old/index.html",
            "column": None, "unit": UNITS[OLD_SITE_UNIT], "severity": "normal",
            "detail_contains": "20 天",
        })

    # -- configuration -------------------------------------------------------------------

    def site_yaml(self):
        def q(s):
            return json.dumps(s, ensure_ascii=False)     # a JSON string is a YAML string

        def columns(cols):
            lines = []
            for c in cols:
                lines.append("      - name: %s" % q(c.name))
                lines.append("        url: %s" % q("@BASE@" + c.index_path))
                lines.append("        class: %s" % c.cls)
                lines.append("        unit: %s" % c.unit)
                if c.selector:
                    lines.append("        items: %s" % q(c.selector))
            return lines

        lines = ["# Generated by tests/portal/gen_portal.py: the sites of the loopback test",
                 "# portal. @BASE@ stands for the server's base URL (ends in \"/\").",
                 "# The district's own units (街道、镇), which the shipped units lack:",
                 "units:"]
        for uid, name in LOCAL_UNITS.items():
            lines.append("  %s: {name: %s, email: [%s]}" % (uid, q(name),
                                                          q(uid + "@example.gov.cn")))
        lines += ["sites:",
                 "  demo:",
                 "    name: %s" % q(SITE_NAME),
                 "    base_url: \"@BASE@\"",
                 "    homepage: \"@BASE@index.html\"",
                 "    unit: %s" % SITE_UNIT,
                 "    media_page: \"@BASE@%s/index.html\"" % MEDIA_DIR,
                 "    guide_pages: %s" % q(GUIDE_PAGES),
                 # The portal runs on loopback (127.0.0.2 is its refusing "dead" host);
                 # the crawler refuses internal addresses unless a site allows them.
                 "    allow_internal_hosts: [127.0.0.1, 127.0.0.2, localhost]",
                 "    columns:"]
        lines += columns(self.columns)
        lines += ["  old:",
                  "    name: \"旧版网站\"",
                  "    base_url: \"@BASE@old/\"",
                  "    homepage: \"@BASE@old/index.html\"",
                  "    unit: %s" % OLD_SITE_UNIT,
                  "    allow_internal_hosts: [127.0.0.1, 127.0.0.2, localhost]",
                  "    columns:"]
        lines += columns(self.old_columns)
        return "\n".join(lines) + "\n" + self.media.yaml()

    # -- everything ----------------------------------------------------------------------

    def generate(self):
        self.build_catalogue()
        for c in self.columns:
            c.url_subject = "@BASE@" + c.index_path
        self.plan_columns()
        for c in self.columns:
            if c.kind == "list" and c.blank is None:
                self.make_articles(c)
        self.plant_links()
        self.plant_words()
        self.plant_content()
        for c in self.columns:
            self.write_column(c)
        self.write_homepage()
        self.write_sections()
        self.write_static()
        self.write_ext()
        self.write_content_pages()
        self.write_old_site(self.build_old_site())
        self.media = MediaBlock(self)
        self.media.write()
        self.content_old_site()
        self.check_plants()

    def check_plants(self):
        """Guards against a generator change that would move a planted problem."""
        for f in self.findings:
            if f["rule"] == "dead_link" and f["subject"].startswith("@BASE@"):
                path = f["subject"][len("@BASE@"):]
                if ("site", path) in self.out.files:
                    raise SystemExit("planted dead link %s exists as a file" % path)
        ages = {}
        for c in self.columns:
            if c.articles and not c.undated:
                newest = max(a.day for a in c.articles)
                ages[c.name] = (self.today - newest).days
                if ages[c.name] != c.age:
                    raise SystemExit("column %s: newest item %d days old, planned %d"
                                     % (c.name, ages[c.name], c.age))
                limit = CLASS_MAX_AGE[c.cls]
                if limit == 0:
                    continue            # annual classes: fresh by construction
                stale = ages[c.name] > limit
                planted = any(f["rule"] == "column_stale" and f["column"] == c.name
                              for f in self.findings)
                if stale != planted:
                    raise SystemExit("column %s: stale=%s but planted=%s" % (c.name, stale,
                                                                           planted))
        for c in self.columns:
            if c.on_homepage and ages[c.name] < self.homepage_age:
                raise SystemExit("homepage column %s newer than the homepage" % c.name)

    def write(self, out):
        for sub in ("site", "ext"):
            shutil.rmtree(os.path.join(out, sub), ignore_errors=True)
        os.makedirs(out, exist_ok=True)
        self.out.write(out, self.now.timestamp() - 3600)

        def dump(name, obj):
            with open(os.path.join(out, name), "w", encoding="utf-8") as f:
                json.dump(obj, f, ensure_ascii=False, indent=1, sort_keys=True)
                f.write("\n")

        dump("charsets.json", self.out.charsets)
        dump("routes.json", self.routes)
        findings = sorted(self.findings, key=lambda f: (f["site"], f["rule"], f["subject"]))
        dump("manifest.json", {
            "now": self.now.isoformat(),
            "today": self.today.isoformat(),
            "sites": {
                "demo": {"name": SITE_NAME, "homepage": "@BASE@index.html",
                         "columns": len(self.columns), "unit": UNITS[SITE_UNIT]},
                "old": {"name": "旧版网站", "homepage": "@BASE@old/index.html",
                        "columns": len(self.old_columns), "unit": UNITS[OLD_SITE_UNIT]},
            },
            "placeholders": {
                "@BASE@": "http://127.0.0.1:<port>/",
                "@EXT@": "127.0.0.1:<ext_port>",
                "@HANG@": "127.0.0.1:<hang_port>",
                "@DEAD@": "127.0.0.2:<port>",
                "@HOST@": "127.0.0.1:<port>",
            },
            "findings": findings,
            "media": self.media.manifest(),
        })
        with open(os.path.join(out, "site.yaml.in"), "w", encoding="utf-8") as f:
            f.write(self.site_yaml())


# ------------------------------------------------------------------------------------------
# 政务新媒体 (new-media accounts): feeds in every format and the portal's matrix page
# (tests/integration/test_media.py). Kept apart from the site: nothing on the site links
# here, so a site scan never sees these files. The ledger goes into site.yaml.in, the truth
# into manifest.json under "media".

MEDIA_DIR = "media"

# (id, name, type, unit, status, format, age of the newest post in days or None, what the
# check must say at --now). Ages are whole CST days before the day of --now.
MEDIA_ACCOUNTS = [
    ("jiaoyu", "演示教育", "微信公众号", "jyj", "备案", "rss", 13, "ok"),
    ("chengguan", "演示城管", "微信视频号", "zjj", "active", "atom", 2, "ok"),
    ("zhengwu", "演示政务", "微博", "xzspj", "备案", "json", 20, "account_stale"),
    ("wutun", "古邑武屯", "抖音号", "zfb", "备案", "html", 5, "ok"),
    ("renshe", "演示人社", "微信公众号", "rsj", "备案", "rss-malformed", None,
     "account_feed_invalid"),
    ("shichang", "演示市场监管", "微信公众号", "scjgj", "备案", "gone", None, "account_feed_gone"),
    ("wenlv", "演示文旅", "微博", "whlyj", "注销", "html", 3, "account_closed_active"),
    ("banshi", "演示办事", "小程序", "xzspj", "备案", None, None, None),
]
MEDIA_CLOSED_AGO = 30          # 演示文旅 was closed this many days before --now
# On the matrix page but not in the ledger: 私自开设 (seed 004: 后柳古镇 微信视频号).
MEDIA_UNLISTED = ("后柳古镇", "https://channels.weixin.qq.com/houliu-guzhen")


class MediaBlock:
    def __init__(self, portal):
        self.p = portal

    def post_time(self, age, hour=10):
        d = self.p.day_ago(age)
        return datetime.datetime(d.year, d.month, d.day, hour, 0, tzinfo=CST)

    def rss(self, name, ages):
        items = []
        for n, age in enumerate(ages):
            t = self.post_time(age)
            # One item in GMT, as many CMSs write it; the others in +0800.
            date = (email.utils.format_datetime(t.astimezone(datetime.timezone.utc), usegmt=True)
                    if n == 1 else t.strftime("%a, %d %b %Y %H:%M:%S +0800"))
            items.append("<item><title>%s第%d期</title><link>https://example.gov.cn/%d</link>"
                         "<pubDate>%s</pubDate></item>" % (esc(name), n + 1, n, date))
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                "<title>%s</title>%s</channel></rss>\n" % (esc(name), "".join(items)))

    def atom(self, name, ages):
        entries = "".join(
            "<entry><title>%s %d</title><link href=\"https://example.gov.cn/a%d\"/>"
            "<id>urn:a%d</id><updated>%s</updated></entry>"
            % (esc(name), n, n, n, self.post_time(age).isoformat()) for n, age in enumerate(ages))
        return ('<?xml version="1.0" encoding="utf-8"?>\n'
                '<feed xmlns="http://www.w3.org/2005/Atom"><title>%s</title>%s</feed>\n'
                % (esc(name), entries))

    def json_feed(self, name, ages):
        return json.dumps({
            "version": "https://jsonfeed.org/version/1.1",
            "title": name,
            "items": [{"id": str(n), "url": "https://example.gov.cn/j%d" % n,
                       "title": "%s %d" % (name, n),
                       "date_published": self.post_time(age).isoformat()}
                      for n, age in enumerate(ages)],
        }, ensure_ascii=False, indent=1) + "\n"

    def listing(self, name, ages):
        rows = "".join('<li><a href="/%s/p/%d.html">%s第%d条</a><span>%s</span></li>'
                       % (MEDIA_DIR, n, esc(name), n, self.p.day_ago(age).strftime("%Y年%m月%d日"))
                       for n, age in enumerate(ages))
        return ('<!DOCTYPE html><html><head><meta charset="gb2312"><title>%s</title></head>'
                '<body><ul class="posts">%s</ul></body></html>\n' % (esc(name), rows))

    def feed_path(self, aid, fmt):
        ext = {"rss": "xml", "atom": "atom", "json": "json", "html": "html",
               "rss-malformed": "xml", "gone": "xml"}[fmt]
        return "%s/%s.%s" % (MEDIA_DIR, aid, ext)

    def write(self):
        out = self.p.out
        for aid, name, _type, _unit, _status, fmt, age, _want in MEDIA_ACCOUNTS:
            if fmt is None:
                continue
            path = self.feed_path(aid, fmt)
            ages = [age, age + 4, age + 9] if age is not None else []
            if fmt == "rss":
                out.add("site", path, self.rss(name, ages).encode("utf-8"))
            elif fmt == "atom":
                out.add("site", path, self.atom(name, ages).encode("utf-8"))
            elif fmt == "json":
                out.add("site", path, self.json_feed(name, ages).encode("utf-8"))
            elif fmt == "html":
                out.page("site", path, self.listing(name, ages), "gbk")
            elif fmt == "rss-malformed":
                out.add("site", path, b'<?xml version="1.0"?>\n<rss version="2.0"><channel>'
                                      b"<title>broken</title><item><title>x</item></rss>\n")
            elif fmt == "gone":
                self.p.routes["/" + path] = {"status": 410}
        links = []
        for aid, name, type_, *_rest in MEDIA_ACCOUNTS:
            # Half the ledger's accounts are found by their URL, half by their name.
            if aid in ("jiaoyu", "zhengwu"):
                links.append('<li><a href="%s">%s</a></li>' % (self.account_url(aid), "二维码"))
            else:
                links.append('<li><a href="https://mp.weixin.qq.com/s/%s-home">%s（%s）</a></li>'
                             % (aid, esc(name), esc(type_)))
        links.append('<li><a href="%s">%s</a></li>' % (MEDIA_UNLISTED[1], MEDIA_UNLISTED[0]))
        links.append('<li><a href="https://www.gov.cn/">中国政府网</a></li>')
        out.page("site", MEDIA_DIR + "/index.html",
                 "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>政务新媒体矩阵"
                 "</title></head><body><h1>政务新媒体矩阵</h1><ul>%s</ul></body></html>\n"
                 % "".join(links))

    @staticmethod
    def account_url(aid):
        return "https://mp.weixin.qq.com/s/%s" % aid

    def yaml(self):
        def q(s):
            return json.dumps(s, ensure_ascii=False)
        lines = ["# 政务新媒体台账 (new-media ledger) of the test portal.", "accounts:"]
        for aid, name, type_, unit, status, fmt, _age, _want in MEDIA_ACCOUNTS:
            lines.append("  %s:" % aid)
            lines.append("    name: %s" % q(name))
            lines.append("    type: %s" % q(type_))
            lines.append("    unit: %s" % unit)
            lines.append("    status: %s" % q(status))
            if status == "注销":
                lines.append("    closed: %s" % self.p.day_ago(MEDIA_CLOSED_AGO).isoformat())
            if aid in ("jiaoyu", "zhengwu"):
                lines.append("    url: %s" % q(self.account_url(aid)))
            if fmt is not None:
                real = {"rss-malformed": "rss", "gone": "rss"}.get(fmt, fmt)
                lines.append("    feed: {url: %s, format: %s}"
                             % (q("@BASE@" + self.feed_path(aid, fmt)), real))
        return "\n".join(lines) + "\n"

    def manifest(self):
        accounts = {aid: want for aid, *_rest, want in MEDIA_ACCOUNTS if want is not None}
        findings = [{"rule": want, "subject": "account:" + aid}
                    for aid, want in accounts.items() if want != "ok"]
        findings.append({"rule": "account_unlisted", "subject": MEDIA_UNLISTED[1]})
        return {
            "page": "@BASE@%s/index.html" % MEDIA_DIR,
            "accounts": accounts,
            "findings": sorted(findings, key=lambda f: (f["rule"], f["subject"])),
            "feeds": {aid: "@BASE@" + self.feed_path(aid, fmt)
                      for aid, _n, _t, _u, _s, fmt, _a, _w in MEDIA_ACCOUNTS if fmt},
        }


def parse_now(s):
    try:
        t = datetime.datetime.fromisoformat(s)
    except ValueError:
        raise SystemExit("--now: not an ISO 8601 time: %s" % s)
    if t.tzinfo is None:
        t = t.replace(tzinfo=CST)      # as xunjian does: no offset means China time
    return t


def main():
    ap = argparse.ArgumentParser(description="Generate the loopback test portal.")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--now", required=True, help="ISO 8601 time the dates are relative to")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--columns", type=int, default=320, help="at least this many columns")
    args = ap.parse_args()
    if args.columns < 1:
        ap.error("--columns must be positive")
    p = Portal(parse_now(args.now), args.seed, args.columns)
    p.generate()
    p.write(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

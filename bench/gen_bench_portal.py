#!/usr/bin/python3
"""Generates the benchmark portal: a static site of about 10,000 article pages in 100
sections, each page with about 30 links (navigation, neighbours, related articles in other
sections, images, an attachment), some of them dead, and a list of the dead links.

Usage: gen_bench_portal.py --out DIR [--sections 100] [--articles 100] [--seed 1]

Writes DIR/site/ (the document root) and DIR/dead.txt (one dead URL path per line, each
linked from at least one page). Deterministic for a seed. Standard library only.
"""

import argparse
import os
import random

WORDS = ("政务公开 通知公告 工作动态 政策解读 人事信息 规划计划 财政预决算 统计信息 "
         "审计信息 应急管理 教育信息 区情概况 领导之窗 政府机构 信息公开指南 依申请公开 "
         "重大项目 公共资源 乡村振兴 社会救助").split()


def para(rng, n):
    return "".join(rng.choice(WORDS) + "，" for _ in range(n)) + "特此通知。"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--sections", type=int, default=100)
    ap.add_argument("--articles", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    S, A = args.sections, args.articles
    root = os.path.join(args.out, "site")
    os.makedirs(os.path.join(root, "img"), exist_ok=True)
    os.makedirs(os.path.join(root, "files"), exist_ok=True)
    for k in range(50):
        with open(os.path.join(root, "img", "%d.png" % k), "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(300)))
    for k in range(100):
        with open(os.path.join(root, "files", "%d.pdf" % k), "wb") as f:
            f.write(b"%PDF-1.4\n" + b"0" * 2000)

    nav = "".join('<li><a href="/s%d/index.html">%s</a></li>' % (i, WORDS[i % len(WORDS)])
                  for i in range(10))
    # What a CMS template puts on every page besides links: an inline stylesheet and
    # script, a banner and a footer with the site's identifiers. Real portal pages weigh
    # 20-60 KB; these about 10 KB.
    style = "<style>%s</style>" % "".join(
        ".c%d{margin:%dpx auto;padding:%dpx;color:#%06x;font:14px/1.6 'Microsoft YaHei',"
        "SimSun,sans-serif;border-bottom:1px solid #e5e5e5}" % (k, k % 20, k % 12, k * 4099)
        for k in range(40))
    script = ("<script>var _site={id:'1101010001',name:'演示区人民政府',columns:[%s]};"
              "function createPageHTML(n,c,p,e){var s='';for(var i=0;i<n;i++){s+='<a href=\\''"
              "+(i?p+'_'+i:p)+'.'+e+'\\'>'+(i+1)+'</a>';}document.write(s);}</script>"
              % ",".join("'%s'" % w for w in WORDS * 3))
    banner = ("<div class=\"banner\">演示区人民政府门户网站 | 政务公开 | 政务服务 | 互动交流"
              " | 走进演示区</div>")
    footer_text = ("主办：演示区人民政府办公室　承办：演示区大数据中心　网站标识码：1101010001　"
                   "京ICP备12345678号　京公网安备11010102000001号　地址：演示区政府路1号　"
                   "邮编：100000　联系电话：010-12345678　建议使用1366×768分辨率浏览　") * 2
    dead = set()

    def write(path, title, body):
        full = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>%s</title>"
                    "%s%s</head><body>%s<div class=\"nav\"><ul>%s</ul></div>%s"
                    "<div class=\"footer\">%s</div></body></html>\n"
                    % (title, style, script, banner, nav, body, footer_text))

    write("/index.html", "演示区人民政府",
          "<ul>%s</ul>" % "".join('<li><a href="/s%d/index.html">栏目%d</a></li>' % (i, i)
                                  for i in range(S)))
    for i in range(S):
        items = "".join('<li><a href="/s%d/a%d.html">文章%d-%d</a><span>2026-11-%02d</span></li>'
                        % (i, j, i, j, 1 + j % 28) for j in range(A))
        write("/s%d/index.html" % i, "栏目%d" % i, '<ul class="list">%s</ul>' % items)
        for j in range(A):
            links = ['<a href="/s%d/a%d.html">上一篇</a>' % (i, (j - 1) % A),
                     '<a href="/s%d/a%d.html">下一篇</a>' % (i, (j + 1) % A),
                     '<a href="/s%d/index.html">返回栏目</a>' % i, '<a href="/">首页</a>']
            for _ in range(12):
                links.append('<a href="/s%d/a%d.html">相关文章</a>'
                             % (rng.randrange(S), rng.randrange(A)))
            links.append('<img src="/img/%d.png" alt="图片">' % rng.randrange(50))
            links.append('<img src="/img/%d.png" alt="图片">' % rng.randrange(50))
            links.append('<a href="/files/%d.pdf">附件</a>' % rng.randrange(100))
            # About 1 % of the pages carry a dead link, half of them to a page, half to
            # an attachment.
            if rng.random() < 0.01:
                d = ("/old/%d-%d.html" if rng.random() < 0.5 else "/files/old-%d-%d.pdf") % (i, j)
                dead.add(d)
                links.append('<a href="%s">旧链接</a>' % d)
            write("/s%d/a%d.html" % (i, j), "文章%d-%d" % (i, j),
                  "<h1>文章%d-%d</h1><p>发布时间：2026-11-%02d</p><p>%s</p><p>%s</p><p>%s</p>"
                  "<p>%s</p>"
                  % (i, j, 1 + j % 28, para(rng, 60), para(rng, 60), para(rng, 60),
                     " ".join(links)))
    with open(os.path.join(args.out, "dead.txt"), "w") as f:
        f.write("\n".join(sorted(dead)) + "\n")
    print("%d pages, %d dead links" % (S * A + S + 1, len(dead)))


if __name__ == "__main__":
    main()

/* The crawl's pure helpers: robots.txt (RFC 9309), crawler traps, the page cache's
 * encoding and the soft-404 signs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>

#include "common/buf.h"
#include "common/util.h"
#include "crawler/html.h"
#include "crawler/pagecache.h"
#include "crawler/robots.h"
#include "crawler/soft404.h"
#include "crawler/trap.h"

static bool allowed(const char *txt, const char *path)
{
        struct robots *r = robots_parse(txt, strlen(txt), "xunjian");
        bool ok = robots_allowed(r, path);
        robots_free(r);
        return ok;
}

static void test_robots_groups(void **state)
{
        /* Our group wins over "*", whatever the order; the product token is matched
         * case-insensitively and up to its first non-token character. */
        const char *txt = "User-agent: *\nDisallow: /\n\n"
                          "User-agent: Googlebot\nDisallow: /g/\n\n"
                          "User-Agent: XunJian/2.0\nDisallow: /admin/\nAllow: /\n";
        assert_true(allowed(txt, "/index.html"));
        assert_false(allowed(txt, "/admin/x"));
        assert_true(allowed(txt, "/g/x"));
        /* Without our group, "*" applies. */
        assert_false(allowed("User-agent: *\nDisallow: /\n", "/a"));
        /* Consecutive user-agent lines share one group; rules after another record start
         * a new group. */
        txt = "User-agent: a\nUser-agent: xunjian\nDisallow: /x\nUser-agent: b\nDisallow: /y\n";
        assert_false(allowed(txt, "/x"));
        assert_true(allowed(txt, "/y"));
        /* Groups naming us twice are merged. */
        txt = "User-agent: xunjian\nDisallow: /a\n\nUser-agent: xunjian\nDisallow: /b\n";
        assert_false(allowed(txt, "/a"));
        assert_false(allowed(txt, "/b"));
        /* Empty disallow allows everything; /robots.txt is always allowed. */
        assert_true(allowed("User-agent: *\nDisallow:\n", "/anything"));
        assert_true(allowed("User-agent: *\nDisallow: /\n", "/robots.txt"));
        /* Comments, CRLF, a BOM and garbage lines. */
        txt = "\xef\xbb\xbfUser-agent: * # all\r\nDisallow: /p # private\r\nnonsense\r\n";
        assert_false(allowed(txt, "/p/1"));
        assert_true(allowed(txt, "/q"));
}

static void test_robots_matching(void **state)
{
        /* Longest match wins; allow wins a tie. */
        const char *txt = "User-agent: *\nDisallow: /a\nAllow: /a/b\nDisallow: /a/b/c\n"
                          "Allow: /t\nDisallow: /t\n";
        assert_false(allowed(txt, "/a/x"));
        assert_true(allowed(txt, "/a/b/x"));
        assert_false(allowed(txt, "/a/b/c/d"));
        assert_true(allowed(txt, "/t"));
        /* Wildcards and the end anchor. */
        txt = "User-agent: *\nDisallow: /*.pdf$\nDisallow: /s*/x\nDisallow: /exact$\n";
        assert_false(allowed(txt, "/docs/a.pdf"));
        assert_true(allowed(txt, "/docs/a.pdf?x=1"));
        assert_false(allowed(txt, "/search/q/x/1"));
        assert_false(allowed(txt, "/exact"));
        assert_true(allowed(txt, "/exact/more"));
        /* Percent-encoding: an escaped unreserved character equals itself, raw UTF-8 in
         * the file equals the escaped path. */
        assert_false(allowed("User-agent: *\nDisallow: /%7Euser\n", "/~user/a"));
        assert_false(allowed("User-agent: *\nDisallow: /搜索\n", "/%E6%90%9C%E7%B4%A2/q"));
        /* A hostile pattern does not make matching explode. */
        const char *evil = "User-agent: *\nDisallow: /*a*a*a*a*a*a*a*a*a*b\n";
        struct robots *r = robots_parse(evil, strlen(evil), "xunjian");
        char path[4096];
        memset(path, 'a', sizeof(path) - 1);
        path[0] = '/';
        path[sizeof(path) - 1] = '\0';
        assert_true(robots_allowed(r, path));
        robots_free(r);
}

static void test_robots_states(void **state)
{
        struct robots *all = robots_new_allow_all(), *none = robots_new_disallow_all();
        assert_true(robots_allowed(all, "/x"));
        assert_false(robots_allowed(none, "/x"));
        assert_true(robots_allowed(none, "/robots.txt"));
        robots_free(all);
        robots_free(none);

        const char *delay = "User-agent: xunjian\nCrawl-delay: 2.5\n";
        struct robots *r = robots_parse(delay, strlen(delay), "xunjian");
        assert_int_equal(robots_crawl_delay_ms(r), 2500);
        robots_free(r);
        /* Only the first 500 KiB count: a rule past them is not read. */
        size_t n = 600 * 1024;
        char *big = xmalloc(n + 64);
        memset(big, '#', n);
        memcpy(big, "User-agent: *\n#", 15);
        big[n - 1] = '\n';
        strcpy(big + n, "Disallow: /late\n");
        r = robots_parse(big, strlen(big), "xunjian");
        assert_true(robots_allowed(r, "/late"));
        robots_free(r);
        free(big);
}

static void test_traps(void **state)
{
        xj_day today = day_from_civil(2026, 11, 23);
        char *s;

        s = trap_strip_session("http://a.cn/x.jsp;jsessionid=ABC123?page=2");
        assert_string_equal(s, "http://a.cn/x.jsp?page=2");
        free(s);
        s = trap_strip_session("http://a.cn/l.php?PHPSESSID=f00&page=1&ASPSESSIONIDQAQB=x");
        assert_string_equal(s, "http://a.cn/l.php?page=1");
        free(s);
        s = trap_strip_session("http://a.cn/l.php?sessionid=1");
        assert_string_equal(s, "http://a.cn/l.php");
        free(s);
        /* "sid" is a site id in government CMSs, not a session. */
        assert_null(trap_strip_session("http://a.cn/l.jsp?sid=12&page=1"));
        assert_null(trap_strip_session("http://a.cn/plain.html"));

        assert_null(trap_check("http://a.cn/a/b/a/b/c.html", today));
        assert_non_null(trap_check("http://a.cn/a/b/a/b/a/b/", today));
        assert_null(trap_check("http://a.cn/art/2026/11/20/art_1234_5678.html", today));
        assert_null(trap_check("http://a.cn/col/202611/t20261120_4521.html", today));
        assert_null(trap_check("http://a.cn/cal/2028/12/", today));
        assert_non_null(trap_check("http://a.cn/cal/2029/01/", today));
        assert_non_null(trap_check("http://a.cn/cal?year=2031", today));
        assert_non_null(trap_check("http://a.cn/cal?month=1990-02", today));
        assert_null(trap_check("http://a.cn/cal?month=2001-02", today));
        assert_non_null(trap_check("http://a.cn/log/21001120.html", today));
        /* Not dates: an id whose "month" is no month. */
        assert_null(trap_check("http://a.cn/content_98765432.html", today));

        struct trap_counter *t = trap_counter_new(3);
        assert_false(trap_counter_over(t, "http://a.cn/p"));
        for (int i = 0; i < 3; i++) {
                char url[64];
                snprintf(url, sizeof(url), "http://a.cn/p?i=%d", i);
                assert_false(trap_counter_over(t, url));
        }
        assert_true(trap_counter_over(t, "http://a.cn/p?i=9"));
        assert_false(trap_counter_over(t, "http://a.cn/q?i=9"));
        trap_counter_free(t);
}

static void test_pagecache_roundtrip(void **state)
{
        const char *html = "<html><head><title>通知公告</title>"
                           "<meta name=\"PubDate\" content=\"2026-11-20\"></head><body>"
                           "<ul><li><a href=\"a.html\">一</a><span>2026-11-20</span></li>"
                           "<li><a href=\"b.html\">二</a><span>2026-11-19</span></li>"
                           "<li><a href=\"c.html\">三</a><span>[11-18]</span></li></ul>"
                           "<img src=\"x.png\" alt=\"图\"><a href=\"index_1.html\">下一页</a>"
                           "<p>正文内容。</p></body></html>";
        struct html_options o = {.today = day_from_civil(2026, 11, 23)};
        struct html_page *p = NULL, *q = NULL;
        struct buf b;

        assert_int_equal(html_parse(html, strlen(html), "http://a.cn/tzgg/", &o, &p, NULL), 0);
        buf_init(&b, 1 << 20);
        assert_int_equal(pagecache_encode(p, &b), 0);
        assert_int_equal(pagecache_decode(b.data, b.len, &q), 0);
        assert_string_equal(q->title, p->title);
        assert_int_equal(q->n_links, p->n_links);
        for (size_t i = 0; i < p->n_links; i++) {
                assert_string_equal(q->links[i].url, p->links[i].url);
                assert_int_equal(q->links[i].kind, p->links[i].kind);
                assert_string_equal(q->links[i].text, p->links[i].text);
        }
        assert_int_equal(q->n_items, p->n_items);
        for (size_t i = 0; i < p->n_items; i++) {
                assert_string_equal(q->items[i].url, p->items[i].url);
                assert_int_equal(q->items[i].has_date, p->items[i].has_date);
                assert_int_equal(q->items[i].date.day, p->items[i].date.day);
                assert_int_equal(q->items[i].date.year_inferred, p->items[i].date.year_inferred);
        }
        assert_int_equal(q->n_dated_links, p->n_dated_links);
        assert_int_equal(q->n_list_pages, p->n_list_pages);
        assert_string_equal(html_page_meta(q, "PubDate"), "2026-11-20");
        assert_string_equal(q->text, p->text);
        assert_int_equal(q->text_len, p->text_len);
        assert_string_equal(q->main_text ? q->main_text : "", p->main_text ? p->main_text : "");

        /* Damaged bytes are a miss, never a crash: every truncation and a flipped count. */
        for (size_t n = 0; n < b.len; n++) {
                struct html_page *bad = NULL;
                assert_int_equal(pagecache_decode(b.data, n, &bad), -EBADMSG);
                assert_null(bad);
        }
        char *copy = xmalloc(b.len);
        memcpy(copy, b.data, b.len);
        copy[0] = 'X';
        struct html_page *bad = NULL;
        assert_int_equal(pagecache_decode(copy, b.len, &bad), -EBADMSG);
        free(copy);
        html_page_free(q);
        html_page_free(p);
        buf_free(&b);
}

/* What the content checks read (hidden links and how they were hidden, label/value fields,
 * table rows, media counts, template links) must come back from the cache too: an unchanged
 * page answered with 304 is checked from these alone. */
static void test_pagecache_content_fields(void **state)
{
        const char *html =
                "<html><head><title>办事指南</title><style>.x{display:none}</style></head><body>"
                "<div class=\"nav\"><a href=\"/\">首页</a></div>"
                "<table><tr><th>事项名称</th><td>营业执照办理</td></tr>"
                "<tr><th>办理地点</th><td>政务服务中心</td></tr></table>"
                "<dl><dt>联系电话</dt><dd>0351-1234567</dd></dl>"
                "<ul><li><a href=\"f.doc\">申请表</a><span>下载</span></li>"
                "<li><a href=\"g.doc\">样本</a><span>查看</span></li></ul>"
                "<div class=\"x\"><a href=\"http://bad.example/\">博彩</a></div>"
                "<div style=\"position:absolute;left:-9999px\"><a href=\"http://b.example/\">娱乐城</a></div>"
                "<script>document.write('<a href=\"http://c.example/\">六合彩</a>');</script>"
                "<video src=\"v.mp4\"></video><img src=\"i.png\" width=\"400\" height=\"300\">"
                "<p>正文。</p></body></html>";
        struct html_options o = {.today = day_from_civil(2026, 11, 23)};
        struct html_page *p = NULL, *q = NULL;
        struct buf b;

        assert_int_equal(html_parse(html, strlen(html), "http://a.cn/bszn/1.html", &o, &p, NULL),
                         0);
        /* The page has what this test is about, or it would prove nothing. */
        assert_true(p->n_fields >= 3);
        assert_true(p->n_rows >= 2);
        assert_int_equal(p->n_videos, 1);
        assert_int_equal(p->n_content_images, 1);
        size_t hidden = 0, in_template = 0;
        for (size_t i = 0; i < p->n_links; i++) {
                hidden += p->links[i].hidden;
                in_template += p->links[i].in_template;
        }
        assert_int_equal(hidden, 3);
        assert_true(in_template >= 1);

        buf_init(&b, 1 << 20);
        assert_int_equal(pagecache_encode(p, &b), 0);
        assert_int_equal(pagecache_decode(b.data, b.len, &q), 0);
        assert_int_equal(q->n_links, p->n_links);
        for (size_t i = 0; i < p->n_links; i++) {
                assert_int_equal(q->links[i].hidden, p->links[i].hidden);
                assert_int_equal(q->links[i].hidden_by, p->links[i].hidden_by);
                assert_string_equal(q->links[i].hidden_how, p->links[i].hidden_how);
                assert_int_equal(q->links[i].in_template, p->links[i].in_template);
        }
        assert_int_equal(q->n_fields, p->n_fields);
        for (size_t i = 0; i < p->n_fields; i++) {
                assert_string_equal(q->fields[i].label, p->fields[i].label);
                assert_string_equal(q->fields[i].value, p->fields[i].value);
        }
        assert_int_equal(q->n_rows, p->n_rows);
        for (size_t i = 0; i < p->n_rows; i++) {
                assert_int_equal(q->rows[i].n_cells, p->rows[i].n_cells);
                for (size_t k = 0; k < p->rows[i].n_cells; k++)
                        assert_string_equal(q->rows[i].cells[k], p->rows[i].cells[k]);
                assert_string_equal(q->rows[i].url ? q->rows[i].url : "",
                                    p->rows[i].url ? p->rows[i].url : "");
        }
        assert_int_equal(q->rows_dropped, p->rows_dropped);
        assert_int_equal(q->n_videos, p->n_videos);
        assert_int_equal(q->n_content_images, p->n_content_images);
        assert_int_equal(q->style_rules_dropped, p->style_rules_dropped);

        for (size_t n = 0; n < b.len; n++) {
                struct html_page *bad = NULL;
                assert_int_equal(pagecache_decode(b.data, n, &bad), -EBADMSG);
                assert_null(bad);
        }
        html_page_free(q);
        html_page_free(p);
        buf_free(&b);
}

static void test_soft404(void **state)
{
        struct strv pats = {0};
        strv_push(&pats, "页面不存在");
        strv_push(&pats, "404");
        strv_push(&pats, "Not Found");

        assert_string_equal(soft404_title_match("404 - 页面不存在", &pats), "页面不存在");
        assert_string_equal(soft404_title_match("Error 404", &pats), "404");
        assert_string_equal(soft404_title_match("not found", &pats), "Not Found");
        assert_null(soft404_title_match("关于印发第1404号文件的通知", &pats));
        assert_null(soft404_title_match("通知公告", &pats));
        assert_null(soft404_title_match(NULL, &pats));

        /* A template that echoes the requested path compares equal for two URLs. */
        uint64_t a = soft404_fingerprint("提示", "对不起，您访问的页面 /x/abc123.html 不存在。",
                                         "http://a.cn/x/abc123.html");
        uint64_t b = soft404_fingerprint("提示", "对不起，您访问的页面 /gone.html 不存在。",
                                         "http://a.cn/gone.html");
        uint64_t c = soft404_fingerprint("通知", "今天发布了 3 条通知。", "http://a.cn/n.html");
        assert_true(a == b);
        assert_true(a != c);
        strv_free(&pats);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_robots_groups),   cmocka_unit_test(test_robots_matching),
                cmocka_unit_test(test_robots_states),   cmocka_unit_test(test_traps),
                cmocka_unit_test(test_pagecache_roundtrip),
                cmocka_unit_test(test_pagecache_content_fields), cmocka_unit_test(test_soft404),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

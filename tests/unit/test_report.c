/* Tests of notify/'s reports: HTML escaping and the capped builder, the SVG charts, period
 * parsing, the office key of rules.d, and the numbers of the 通报 and the key-column roll
 * computed from a database filled with known rows. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "notify/html.h"
#include "notify/report.h"
#include "notify/svg.h"

/* ---- escaping ----------------------------------------------------------------------------- */

static char *escaped(const char *s)
{
        struct buf b;

        buf_init(&b, 1 << 16);
        assert_int_equal(notify_html_escape(&b, s), 0);
        return buf_steal(&b);
}

static void test_escape(void **state)
{
        _cleanup_free_ char *a = escaped("<script>alert(\"x\")</script>&'y'");
        _cleanup_free_ char *b = escaped("区发改委 a\x01z\x7f\tq\n");
        _cleanup_free_ char *c = escaped("bad \xff\xfe byte, overlong \xc0\xaf, cut \xe5\x8c");
        _cleanup_free_ char *d = escaped("&amp;");

        assert_string_equal(a, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;y&#39;");
        assert_string_equal(b, "区发改委 az\tq\n");
        assert_string_equal(c, "bad \xef\xbf\xbd\xef\xbf\xbd byte, overlong \xef\xbf\xbd\xef\xbf\xbd,"
                               " cut \xef\xbf\xbd\xef\xbf\xbd");
        /* Already-escaped text is escaped again: values are never trusted as markup. */
        assert_string_equal(d, "&amp;amp;");
}

static void test_builder_cap(void **state)
{
        struct notify_html h;
        char *page = NULL;
        size_t len = 0;

        notify_html_init(&h, 64);
        notify_html_raw(&h, "<p>");
        notify_html_text_cut(&h, "政务公开工作情况通报", 4);
        notify_html_raw(&h, "</p>");
        assert_int_equal(notify_html_finish(&h, &page, &len), 0);
        assert_string_equal(page, "<p>政务公开…</p>");
        assert_int_equal(len, strlen(page));
        free(page);

        /* Past the cap the error sticks and nothing is handed out. */
        notify_html_init(&h, 16);
        notify_html_raw(&h, "0123456789");
        notify_html_text(&h, "<<<<<");
        notify_html_raw(&h, "x");
        assert_int_equal(h.error, -ENOBUFS);
        page = NULL;
        assert_int_equal(notify_html_finish(&h, &page, &len), -ENOBUFS);
        assert_null(page);
}

/* ---- SVG ---------------------------------------------------------------------------------- */

static xmlDocPtr parse_xml(const char *s)
{
        /* Well-formed XML or nothing: no recovery, no network. */
        return xmlReadMemory(s, (int)strlen(s), "chart.svg", "UTF-8",
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

static xmlXPathObjectPtr xpath(xmlDocPtr doc, const char *expr)
{
        xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
        xmlXPathObjectPtr o;

        xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST "http://www.w3.org/2000/svg");
        o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
        xmlXPathFreeContext(ctx);
        return o;
}

static double attr_num(xmlNodePtr n, const char *name)
{
        xmlChar *v = xmlGetProp(n, BAD_CAST name);
        double d = v ? strtod((const char *)v, NULL) : -1;
        xmlFree(v);
        return d;
}

static void test_svg_bars(void **state)
{
        const double cur[] = {5, 10, 0}, prev[] = {2, 4, 1};
        const char *labels[] = {"区发改委", "<script>x</script>", "区\"教育\"局"};
        const struct notify_chart_series series[] = {{"本期", cur, "#c00"}, {"上期 & 前", prev, "#999"}};
        const struct notify_chart c = {
                .title = "发布信息 <b>",
                .labels = labels,
                .n_labels = 3,
                .series = series,
                .n_series = 2,
                .width = 600,
                .height = 300,
        };
        struct notify_html h;
        char *svg;
        xmlDocPtr doc;
        xmlXPathObjectPtr bars, values;

        notify_html_init(&h, 1 << 20);
        notify_svg_bars(&h, &c);
        assert_int_equal(notify_html_finish(&h, &svg, NULL), 0);
        doc = parse_xml(svg);
        assert_non_null(doc);
        assert_null(strstr(svg, "<script>"));
        assert_non_null(strstr(svg, "&lt;script&gt;"));

        bars = xpath(doc, "//s:rect[@class='bar']");
        assert_int_equal(bars->nodesetval->nodeNr, 6);
        /* Bars go label by label, series by series: 5, 2, 10, 4, 0, 1. The axis runs to 10,
         * so 10 is the full plot height and 5 is half of it, on the same baseline. */
        xmlNodePtr *n = bars->nodesetval->nodeTab;
        double h5 = attr_num(n[0], "height"), h10 = attr_num(n[2], "height");
        assert_true(h10 > 0);
        assert_true(h5 > 0.49 * h10 && h5 < 0.51 * h10);
        assert_true(attr_num(n[4], "height") == 0);
        assert_true(attr_num(n[0], "y") + h5 > attr_num(n[2], "y") + h10 - 0.2);
        assert_true(attr_num(n[0], "y") + h5 < attr_num(n[2], "y") + h10 + 0.2);
        /* Later labels sit further right. */
        assert_true(attr_num(n[2], "x") > attr_num(n[0], "x"));

        values = xpath(doc, "//s:text[@class='value']");
        assert_int_equal(values->nodesetval->nodeNr, 6);
        xmlChar *ten = xmlNodeGetContent(values->nodesetval->nodeTab[2]);
        assert_string_equal((const char *)ten, "10");
        xmlFree(ten);

        xmlXPathFreeObject(bars);
        xmlXPathFreeObject(values);
        xmlFreeDoc(doc);
        free(svg);
}

static void test_svg_lines(void **state)
{
        const double v[] = {0, 3, 6};
        const char *labels[] = {"7月", "8月", "9月"};
        const struct notify_chart_series series[] = {{"合计", v, "#c00"}};
        const struct notify_chart c = {
                .title = "每月",
                .labels = labels,
                .n_labels = 3,
                .series = series,
                .n_series = 1,
                .width = 400,
                .height = 200,
        };
        struct notify_html h;
        char *svg;
        xmlDocPtr doc;
        xmlXPathObjectPtr pts;

        notify_html_init(&h, 1 << 20);
        notify_svg_lines(&h, &c);
        assert_int_equal(notify_html_finish(&h, &svg, NULL), 0);
        doc = parse_xml(svg);
        assert_non_null(doc);
        pts = xpath(doc, "//s:circle");
        assert_int_equal(pts->nodesetval->nodeNr, 3);
        /* The axis runs to 10 (the nice maximum above 6): 0 on the baseline, 6 at 60 %. */
        double y0 = attr_num(pts->nodesetval->nodeTab[0], "cy");
        double y3 = attr_num(pts->nodesetval->nodeTab[1], "cy");
        double y6 = attr_num(pts->nodesetval->nodeTab[2], "cy");
        assert_true(y0 > y3 && y3 > y6);
        assert_true(y0 - y6 > 1.99 * (y0 - y3) && y0 - y6 < 2.01 * (y0 - y3));
        xmlXPathFreeObject(pts);
        xmlFreeDoc(doc);
        free(svg);
}

static void test_axis_max(void **state)
{
        assert_true(notify_chart_axis_max(0) == 1);
        assert_true(notify_chart_axis_max(1) == 1);
        assert_true(notify_chart_axis_max(3) == 5);
        assert_true(notify_chart_axis_max(6) == 10);
        assert_true(notify_chart_axis_max(10) == 10);
        assert_true(notify_chart_axis_max(11) == 20);
        assert_true(notify_chart_axis_max(212) == 250);
        assert_true(notify_chart_axis_max(4100) == 5000);
}

/* ---- periods ------------------------------------------------------------------------------ */

static void assert_period(const char *s, int kind, const char *first, const char *last,
                          const char *label)
{
        struct notify_period p;
        char a[16], b[16], l[32], id[16];

        assert_int_equal(notify_period_parse(s, &p, NULL), 0);
        assert_int_equal(p.kind, kind);
        assert_string_equal(day_format(p.first, a), first);
        assert_string_equal(day_format(p.last, b), last);
        assert_string_equal(notify_period_label(&p, l), label);
        /* The id reads back as the same period. */
        struct notify_period q;
        assert_int_equal(notify_period_parse(notify_period_id(&p, id), &q, NULL), 0);
        assert_true(q.first == p.first && q.last == p.last);
}

static void test_period_parse(void **state)
{
        assert_period("2026Q3", PERIOD_QUARTER, "2026-07-01", "2026-09-30", "2026年第三季度");
        assert_period("2026q1", PERIOD_QUARTER, "2026-01-01", "2026-03-31", "2026年第一季度");
        assert_period("2026-10", PERIOD_MONTH, "2026-10-01", "2026-10-31", "2026年10月");
        assert_period("2028-02", PERIOD_MONTH, "2028-02-01", "2028-02-29", "2028年2月");
        assert_period("2026", PERIOD_YEAR, "2026-01-01", "2026-12-31", "2026年");

        static const char *const bad[] = {"2026Q5", "2026Q0", "2026-13", "2026-00", "2026-1",
                                          "26Q1", "2026Q", "2026Q12", "abcd", "", "1999",
                                          "2026-10-01", "2026 Q3", "２０２６"};
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                struct notify_period p;
                char *error = NULL;

                assert_int_equal(notify_period_parse(bad[i], &p, &error), -EINVAL);
                assert_non_null(error);
                /* The message names the value the user gave. */
                assert_non_null(strstr(error, bad[i]));
                free(error);
        }
}

static void test_period_previous(void **state)
{
        struct notify_period p, q;
        char id[16];

        notify_period_parse("2026Q1", &p, NULL);
        notify_period_previous(&p, &q);
        assert_string_equal(notify_period_id(&q, id), "2025Q4");
        notify_period_parse("2026-01", &p, NULL);
        notify_period_previous(&p, &q);
        assert_string_equal(notify_period_id(&q, id), "2025-12");
        notify_period_parse("2026", &p, NULL);
        notify_period_previous(&p, &q);
        assert_string_equal(notify_period_id(&q, id), "2025");
        /* 2026-10-01 00:00 CST is in Q4; one second earlier is in Q3. */
        notify_period_of(PERIOD_QUARTER, INT64_C(1790784000), &p);
        assert_string_equal(notify_period_id(&p, id), "2026Q4");
        notify_period_of(PERIOD_QUARTER, INT64_C(1790784000) - 1, &p);
        assert_string_equal(notify_period_id(&p, id), "2026Q3");
        assert_true(notify_period_from(&p) == INT64_C(1790784000) - 92 * 86400);
        assert_true(notify_period_to(&p) == INT64_C(1790784000));
}

/* ---- the numbers of the 通报 -------------------------------------------------------------- */

static const char site_yaml[] =
        "units:\n"
        "  evil: {name: '区<script>\"局\"', email: [e@example.gov.cn]}\n"
        "sites:\n"
        "  t:\n"
        "    name: 测试站\n"
        "    base_url: http://127.0.0.1:9/\n"
        "    homepage: index.html\n"
        "    unit: zfb\n"
        "    columns:\n"
        "      - {name: 工作动态, url: gzdt/, class: news, unit: fgw}\n"
        "      - {name: 通知公告, url: tzgg/, class: notice, unit: evil}\n"
        "      - {name: 政府文件, url: zfwj/, class: policy, unit: fgw}\n"
        "  off:\n"
        "    name: 停用站\n"
        "    base_url: http://127.0.0.1:9/off/\n"
        "    homepage: index.html\n"
        "    unit: zfb\n"
        "    enabled: false\n"
        "    columns:\n"
        "      - {name: 工作动态, url: gzdt/, class: news, unit: fgw}\n";

static const char office_yaml[] =
        "office:\n"
        "  issuer: 测试区人民政府政务公开办公室\n"
        "  name: 测试区政府政务公开办\n"
        "  screen: {seconds_per_unit: 5, refresh_s: 60}\n"
        "  key_columns:\n"
        "    min_monthly: 2\n"
        "    columns:\n"
        "      - {column: 工作动态, site: t, area: 动态要闻}\n"
        "      - {column: 通知公告, area: 五公开, min_monthly: 1}\n";

struct fixture {
        char dir[64];
        char rules[96];
        struct rule_config *config;
        struct store *store;
        sqlite3 *db;    /* a second connection, to fill the tables as other writers do */
};

static void write_text(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static void copy_file(const char *from, const char *to)
{
        char buf[8192];
        FILE *in = fopen(from, "r"), *out = fopen(to, "w");
        size_t n;

        assert_non_null(in);
        assert_non_null(out);
        while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
                fwrite(buf, 1, n, out);
        fclose(in);
        fclose(out);
}

static int load_rules(struct fixture *fx, const char *office)
{
        static const char *const shipped[] = {"00-national.yaml", "05-holidays.yaml",
                                              "10-units.yaml"};
        struct strv errors = {0};
        char path[256];
        int r;

        for (size_t i = 0; i < ARRAY_SIZE(shipped); i++) {
                char from[256];
                snprintf(from, sizeof(from), "%s/%s", XJ_RULES_DIR, shipped[i]);
                snprintf(path, sizeof(path), "%s/%s", fx->rules, shipped[i]);
                copy_file(from, path);
        }
        snprintf(path, sizeof(path), "%s/60-site.yaml", fx->rules);
        write_text(path, site_yaml);
        snprintf(path, sizeof(path), "%s/90-office.yaml", fx->rules);
        write_text(path, office);
        r = rule_config_load(fx->rules, &fx->config, &errors);
        for (size_t i = 0; i < errors.n; i++)
                fprintf(stderr, "%s\n", errors.items[i]);
        strv_free(&errors);
        return r;
}

static int setup(void **state)
{
        struct fixture *fx = xcalloc(1, sizeof(*fx));
        char path[128];
        char *error = NULL;

        snprintf(fx->dir, sizeof(fx->dir), "/tmp/xj-test-report-XXXXXX");
        if (!mkdtemp(fx->dir))
                return -1;
        snprintf(fx->rules, sizeof(fx->rules), "%s/rules.d", fx->dir);
        if (mkdir(fx->rules, 0755) < 0)
                return -1;
        if (load_rules(fx, office_yaml) < 0)
                return -1;
        snprintf(path, sizeof(path), "%s/xunjian.db", fx->dir);
        if (store_open(path, &fx->store, &error) < 0) {
                fprintf(stderr, "%s\n", error);
                free(error);
                return -1;
        }
        if (sqlite3_open(path, &fx->db) != SQLITE_OK)
                return -1;
        *state = fx;
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        return remove(path);
}

static int teardown(void **state)
{
        struct fixture *fx = *state;

        sqlite3_close(fx->db);
        store_close(fx->store);
        rule_config_free(fx->config);
        nftw(fx->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        free(fx);
        return 0;
}

/* Unix time of a CST day at 10:00. */
static int64_t at(int y, int m, int d)
{
        return time_of_day(day_from_civil(y, m, d)) + 10 * 3600;
}

/* sqlite3_vmprintf: %Q quotes a string (NULL as NULL), which printf checking does not know. */
static void sql(struct fixture *fx, const char *fmt, ...)
{
        va_list ap;
        char *q, *err = NULL;

        va_start(ap, fmt);
        q = sqlite3_vmprintf(fmt, ap);
        va_end(ap);
        if (sqlite3_exec(fx->db, q, NULL, NULL, &err) != SQLITE_OK)
                fail_msg("%s: %s", q, err);
        sqlite3_free(q);
}

static void add_page(struct fixture *fx, int scan, const char *url, const char *column,
                     const char *day)
{
        sql(fx, "INSERT INTO pages (scan_id, url, kind, column_name, pubdate) VALUES "
                "(%d, %Q, 'article', %Q, %Q)",
            scan, url, column, day);
}

static void add_violation(struct fixture *fx, int id, const char *rule, const char *unit,
                          const char *kind, int64_t first)
{
        sql(fx, "INSERT INTO violations (id, site, rule, subject, kind, severity, state, unit,"
                " column_name, url, detail, evidence, first_seen, last_seen) VALUES (%d, 't',"
                " %Q, 's%d', %Q, 'serious', 'open', %Q, '工作动态', 'http://127.0.0.1:9/x',"
                " '栏目已 212 天未更新', '{\"days\":212,\"why\":\"<i>\"}', %lld, %lld)",
            id, rule, id, kind, unit, (long long)first, (long long)first);
}

static void add_ticket(struct fixture *fx, int id, const char *kind, int violation,
                       const char *unit, int64_t issued, int64_t deadline, const char *state,
                       int64_t closed)
{
        char d[32] = "NULL", c[32] = "NULL";

        if (deadline)
                snprintf(d, sizeof(d), "%lld", (long long)deadline);
        if (closed)
                snprintf(c, sizeof(c), "%lld", (long long)closed);
        sql(fx, "INSERT INTO tickets (id, kind, number, year, seq, violation_id, site, unit,"
                " issued_at, deadline, state, closed_at) VALUES (%d, %Q,"
                " '测〔2026〕%s第%04d号', 2026, %d, %d, 't', %Q, %lld, %s, %Q, %s)",
            id, kind, kind, id, id, violation, unit, (long long)issued, d, state, c);
}

static void add_account(struct fixture *fx, int64_t when, const char *account, const char *unit,
                        const char *status)
{
        sql(fx, "INSERT INTO account_checks (at, account, name, type, unit, status) VALUES"
                " (%lld, %Q, %Q, '微信公众号', %Q, %Q)",
            (long long)when, account, account, unit, status);
}

/* Known numbers for 2026Q3 (and Q2 for the trend); see the assertions. */
static void fill(struct fixture *fx)
{
        const char *evil = "区<script>\"局\"";

        sql(fx, "INSERT INTO scans (id, site, state, started_at) VALUES (1, 't', 'complete', %lld),"
                " (2, 't', 'interrupted', %lld), (3, 'off', 'complete', %lld)",
            (long long)at(2026, 7, 20), (long long)at(2026, 9, 28), (long long)at(2026, 9, 28));
        /* 区发改委: 工作动态 Jul 2, Aug 1, Sep 1 (one URL in two scans, counted once) and
         * 政府文件 Sep 1 = 5 in Q3; 2 in Q2. */
        add_page(fx, 1, "u1", "工作动态", "2026-07-01");
        add_page(fx, 1, "u2", "工作动态", "2026-07-31");
        add_page(fx, 2, "u3", "工作动态", "2026-08-15");
        add_page(fx, 1, "u4", "工作动态", "2026-09-30");
        add_page(fx, 2, "u4", "工作动态", "2026-09-30");
        add_page(fx, 2, "u5", "政府文件", "2026-09-02");
        add_page(fx, 1, "u6", "工作动态", "2026-06-30");
        add_page(fx, 1, "u7", "工作动态", "2026-04-01");
        add_page(fx, 2, "u8", "工作动态", "2026-10-01");       /* next quarter */
        add_page(fx, 2, "u9", NULL, "2026-08-01");             /* no column */
        /* EVIL: 通知公告 Aug 1. A column no longer configured: unattributed. */
        add_page(fx, 2, "v1", "通知公告", "2026-08-31");
        add_page(fx, 2, "w1", "旧栏目", "2026-08-31");
        /* The disabled site's pages count too: they were published. */
        add_page(fx, 3, "o1", "工作动态", "2026-08-02");

        add_violation(fx, 1, "column_stale", "区发改委", "violation", at(2026, 7, 1));
        add_violation(fx, 2, "dead_link", "区发改委", "violation", at(2026, 9, 30));
        add_violation(fx, 3, "dead_link", evil, "violation", at(2026, 8, 1));
        add_violation(fx, 4, "column_stale", "区发改委", "warning", at(2026, 8, 1));
        add_violation(fx, 5, "dead_link", "区发改委", "violation", at(2026, 6, 30));
        add_violation(fx, 6, "dead_link", NULL, "violation", at(2026, 8, 1));

        /* now = 2026-10-09. Deadlines are the end of their day. */
        int64_t eod = 14 * 3600 - 1;
        add_ticket(fx, 1, "handling", 1, "区发改委", at(2026, 7, 2), at(2026, 7, 9) + eod,
                   "closed", at(2026, 7, 9) + eod);                      /* on time, at the limit */
        add_ticket(fx, 2, "handling", 2, "区发改委", at(2026, 9, 30), at(2026, 10, 9) + eod,
                   "open", 0);                                            /* pending */
        add_ticket(fx, 3, "handling", 3, evil, at(2026, 8, 2), at(2026, 8, 9) + eod, "open",
                   0);                                                    /* overdue, open */
        add_ticket(fx, 4, "handling", 3, evil, at(2026, 8, 3), at(2026, 8, 9) + eod, "closed",
                   at(2026, 8, 10));                                      /* overdue, late */
        add_ticket(fx, 5, "reminder", 4, "区发改委", at(2026, 8, 1), 0, "open", 0);
        add_ticket(fx, 6, "urging", 3, evil, at(2026, 8, 10), at(2026, 8, 17), "open", 0);
        add_ticket(fx, 7, "handling", 1, "区发改委", at(2026, 9, 1), at(2026, 9, 8), "accepted",
                   0);
        add_ticket(fx, 8, "handling", 5, "区发改委", at(2026, 6, 30), at(2026, 7, 7), "open",
                   0);                                                    /* Q2, overdue */

        add_account(fx, at(2026, 7, 1), "a1", "区发改委", "ok");
        add_account(fx, at(2026, 9, 1), "a1", "区发改委", "account_stale");
        add_account(fx, at(2026, 7, 1), "a2", "区发改委", "account_stale");
        add_account(fx, at(2026, 9, 1), "a2", "区发改委", "ok");
        add_account(fx, at(2026, 8, 1), "a3", evil, "ok");
        add_account(fx, at(2026, 6, 1), "a1", "区发改委", "ok");
}

#define NOW_OCT9 (time_of_day(day_from_civil(2026, 10, 9)) + 9 * 3600)

static void test_report_numbers(void **state)
{
        struct fixture *fx = *state;
        struct notify_period p;
        struct notify_report *r = NULL;
        const struct notify_unit_report *fgw, *evil, *none, *zfb;

        fill(fx);
        assert_int_equal(notify_period_parse("2026Q3", &p, NULL), 0);
        assert_int_equal(notify_report_build(fx->config, fx->store, &p, NOW_OCT9, &r), 0);

        fgw = notify_report_unit(r, "区发改委");
        evil = notify_report_unit(r, "区<script>\"局\"");
        none = notify_report_unit(r, "（未指定单位）");
        zfb = notify_report_unit(r, "区政府办");
        assert_non_null(fgw);
        assert_non_null(evil);
        assert_non_null(none);
        assert_non_null(zfb);

        /* 5 in t's columns + 1 on the disabled site (same column name, same unit). */
        assert_int_equal(fgw->cur.items, 6);
        assert_int_equal(fgw->prev.items, 2);
        assert_int_equal(fgw->cur.columns, 2);          /* the disabled site's column is not checked */
        assert_int_equal(fgw->cur.problems, 2);
        assert_int_equal(fgw->prev.problems, 1);
        assert_int_equal(fgw->cur.accounts, 2);
        assert_int_equal(fgw->cur.accounts_ok, 1);      /* a1's last check failed, a2's passed */
        assert_int_equal(fgw->prev.accounts, 1);
        assert_int_equal(fgw->prev.accounts_ok, 1);
        assert_int_equal(fgw->cur.issued[TICKET_KIND_HANDLING], 3);
        assert_int_equal(fgw->cur.issued[TICKET_KIND_REMINDER], 1);
        assert_int_equal(fgw->cur.issued[TICKET_KIND_URGING], 0);
        assert_int_equal(fgw->cur.on_time, 1);
        assert_int_equal(fgw->cur.overdue, 0);
        assert_int_equal(fgw->cur.pending, 1);
        assert_int_equal(fgw->cur.accepted, 1);
        assert_int_equal(fgw->prev.issued[TICKET_KIND_HANDLING], 1);
        assert_int_equal(fgw->prev.overdue, 1);

        assert_int_equal(evil->cur.items, 1);
        assert_int_equal(evil->cur.columns, 1);
        assert_int_equal(evil->cur.problems, 1);
        assert_int_equal(evil->cur.issued[TICKET_KIND_HANDLING], 2);
        assert_int_equal(evil->cur.issued[TICKET_KIND_URGING], 1);
        assert_int_equal(evil->cur.on_time, 0);
        assert_int_equal(evil->cur.overdue, 2);
        assert_int_equal(evil->cur.accounts, 1);
        assert_true(notify_pass_rate(&evil->cur) == 100.0);
        assert_int_equal(none->cur.problems, 1);
        assert_int_equal(zfb->cur.columns, 0);
        assert_true(notify_pass_rate(&zfb->cur) < 0);

        assert_int_equal(r->total_cur.items, 7);
        assert_int_equal(r->total_cur.problems, 4);
        assert_int_equal(r->total_cur.columns, 3);
        assert_int_equal(r->unattributed_items, 1);
        assert_int_equal(r->n_bad_accounts, 1);
        assert_string_equal(r->bad_accounts[0].name, "a1");

        /* Problems by category: column_stale 1 (区发改委), dead_link 3 (one each). */
        assert_int_equal(r->n_rules, 2);
        assert_string_equal(r->rules[0], "column_stale");
        assert_string_equal(r->rules[1], "dead_link");
        assert_int_equal(r->rule_cur[0], 1);
        assert_int_equal(r->rule_cur[1], 3);
        assert_int_equal(r->rule_prev[1], 1);
        assert_int_equal(fgw->problems_by_rule[1], 1);
        assert_int_equal(evil->problems_by_rule[1], 1);

        /* Every value of the page is escaped. */
        char *html = NULL, *csv = NULL;
        assert_int_equal(notify_report_html(r, &fx->config->office, &html, NULL), 0);
        assert_null(strstr(html, "<script"));
        assert_non_null(strstr(html, "区&lt;script&gt;&quot;局&quot;"));
        assert_int_equal(notify_report_csv(r, &csv, NULL), 0);
        assert_true(str_startswith(csv, "\xef\xbb\xbf期间,责任单位,发布信息"));
        assert_non_null(strstr(csv, "\r\n2026Q3,区发改委,6,2,2,2,1,50.0,3,1,0,1,0,1,2,"));
        assert_non_null(strstr(csv, "2026Q3,\"区<script>\"\"局\"\"\",1,1,"));
        free(html);
        free(csv);
        notify_report_free(r);
}

static void test_roll(void **state)
{
        struct fixture *fx = *state;
        struct notify_period p;
        struct notify_roll *r = NULL;
        char *html = NULL;

        fill(fx);
        /* 工作动态 is pinned to t (off has one too); 通知公告, named without a site, is only
         * t's. */
        assert_int_equal(fx->config->office.n_key_columns, 2);
        assert_int_equal(notify_period_parse("2026-10", &p, NULL), 0);
        assert_int_equal(notify_roll_build(fx->config, fx->store, &p, NOW_OCT9, &r), 0);
        assert_int_equal(r->first_month, 1);
        assert_int_equal(r->n_months, 10);
        assert_int_equal(r->month_state[8], 1);         /* September has ended */
        assert_int_equal(r->month_state[9], 0);         /* October runs */

        const struct notify_roll_row *gz = &r->rows[0];
        assert_string_equal(gz->key->column->name, "工作动态");
        assert_int_equal(gz->counts[3], 1);             /* April */
        assert_int_equal(gz->counts[5], 1);             /* June */
        assert_int_equal(gz->counts[6], 2);             /* July */
        assert_int_equal(gz->counts[7], 1);             /* August (the disabled site's is not t's) */
        assert_int_equal(gz->counts[8], 1);             /* September */
        assert_int_equal(gz->counts[9], 1);             /* October so far */
        assert_true(notify_roll_short(r, 0, 7));        /* 1 < 2 */
        assert_false(notify_roll_short(r, 0, 6));
        assert_false(notify_roll_short(r, 0, 9));       /* October is not judged yet */
        assert_int_equal(r->rows[1].key->min_monthly, 1);
        assert_false(notify_roll_short(r, 1, 7));       /* 通知公告 August 1 ≥ 1 */

        assert_int_equal(notify_roll_html(r, &fx->config->office, &html, NULL), 0);
        assert_non_null(strstr(html, "<td class=\"num short\" title=\"低于要求 2 条\">1</td>"));
        free(html);
        notify_roll_free(r);
}

static void test_document(void **state)
{
        struct fixture *fx = *state;
        struct notify_document_query q = {.number = "测〔2026〕handling第0003号"};
        char *html = NULL;

        fill(fx);
        assert_int_equal(notify_document_html(fx->store, &fx->config->office, &q, NOW_OCT9,
                                              &html, NULL),
                         0);
        assert_non_null(strstr(html, "测〔2026〕handling第0003号"));
        assert_non_null(strstr(html, "测试区人民政府政务公开办公室"));
        assert_non_null(strstr(html, "区&lt;script&gt;&quot;局&quot;："));
        assert_non_null(strstr(html, "2026年8月9日"));
        assert_non_null(strstr(html, "&lt;i&gt;"));     /* the evidence, escaped */
        assert_non_null(strstr(html, "@page { size: A4"));
        assert_null(strstr(html, "<script"));
        free(html);

        /* All open handling orders of a unit: 3 (open) but not 4 (closed). */
        q = (struct notify_document_query){.unit = "区<script>\"局\"", .kind = "handling"};
        assert_int_equal(notify_document_html(fx->store, &fx->config->office, &q, NOW_OCT9,
                                              &html, NULL),
                         0);
        assert_non_null(strstr(html, "第0003号"));
        assert_null(strstr(html, "第0004号"));
        free(html);

        q = (struct notify_document_query){.number = "没有这张单"};
        assert_int_equal(notify_document_html(fx->store, &fx->config->office, &q, NOW_OCT9,
                                              &html, NULL),
                         -ENOENT);
}

static void test_screen(void **state)
{
        struct fixture *fx = *state;
        struct notify_period p;
        struct notify_report *r = NULL;
        char *html = NULL;

        fill(fx);
        notify_period_parse("2026Q3", &p, NULL);
        assert_int_equal(notify_report_build(fx->config, fx->store, &p, NOW_OCT9, &r), 0);
        assert_int_equal(notify_screen_html(r, NULL, &fx->config->office, &html, NULL), 0);
        assert_non_null(strstr(html, "<meta http-equiv=\"refresh\" content=\"60\">"));
        assert_non_null(strstr(html, "}, 5000);"));
        /* Exactly one script element: ours. */
        char *first = strstr(html, "<script");
        assert_non_null(first);
        assert_null(strstr(first + 1, "<script"));
        free(html);
        notify_report_free(r);
}

static void test_office_errors(void **state)
{
        struct fixture *fx = *state;
        static const char bad[] =
                "office:\n"
                "  issuer: 测试\n"
                "  name: \"two\\nlines\"\n"
                "  screen: {seconds_per_unit: 1, refresh_s: 60}\n"
                "  key_columns:\n"
                "    min_monthly: 1\n"
                "    columns:\n"
                "      - {column: 没有的栏目}\n"
                "      - {column: 工作动态, site: nosuch}\n";
        struct strv errors = {0};
        struct rule_config *c = NULL;
        char path[256];
        bool line, range, column, site;

        snprintf(path, sizeof(path), "%s/90-office.yaml", fx->rules);
        write_text(path, bad);
        assert_int_equal(rule_config_load(fx->rules, &c, &errors), -EINVAL);
        line = range = column = site = false;
        for (size_t i = 0; i < errors.n; i++) {
                const char *e = errors.items[i];
                assert_non_null(strstr(e, "90-office.yaml:"));
                line |= strstr(e, ":3:") && strstr(e, "office.name") != NULL;
                range |= strstr(e, ":4:") && strstr(e, "seconds_per_unit") != NULL;
                column |= strstr(e, ":8:") && strstr(e, "没有的栏目") != NULL;
                site |= strstr(e, ":9:") && strstr(e, "nosuch") != NULL;
        }
        assert_true(line && range && column && site);
        strv_free(&errors);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escape),
                cmocka_unit_test(test_builder_cap),
                cmocka_unit_test(test_svg_bars),
                cmocka_unit_test(test_svg_lines),
                cmocka_unit_test(test_axis_max),
                cmocka_unit_test(test_period_parse),
                cmocka_unit_test(test_period_previous),
                cmocka_unit_test_setup_teardown(test_report_numbers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_roll, setup, teardown),
                cmocka_unit_test_setup_teardown(test_document, setup, teardown),
                cmocka_unit_test_setup_teardown(test_screen, setup, teardown),
                cmocka_unit_test_setup_teardown(test_office_errors, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

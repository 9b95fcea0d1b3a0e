/* The time rules at their boundaries, each with a fixed "now": the publication deadline
 * across 国庆 2026 and its working Saturday (19 / 20 / 21 working days), a year missing
 * from the holiday calendar, annual columns (31 March vs 1 April), the annual report
 * (31 January vs 1 February), early warnings (homepage 9 vs 10 days, a news column at its
 * period minus its lead, blank 1 vs 2, overdue 5 vs 6), the interaction rule (3 months to
 * the day, 5 vs 6 working days, invalid messages), availability (3.0 % vs 3.1 %, 4.9 % vs
 * 5.0 %, too few probes) and the site verdict with its trend. Pages are real HTML parsed
 * with html_parse(); the configuration is the shipped rules.d. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "crawler/html.h"
#include "rules/checks.h"
#include "rules/verdict.h"

#define MAX_FOUND 32

struct found {
        char rule[48];
        char subject[256];
        char detail[768];
        enum finding_kind kind;
        enum severity severity;
};

static struct found found[MAX_FOUND];
static size_t n_found;
static char warned[256];

static void collect(const struct store_finding *f, void *userdata)
{
        assert_true(n_found < MAX_FOUND);
        struct found *x = &found[n_found++];
        snprintf(x->rule, sizeof(x->rule), "%s", f->rule);
        snprintf(x->subject, sizeof(x->subject), "%s", f->subject);
        snprintf(x->detail, sizeof(x->detail), "%s", f->detail);
        x->kind = f->kind;
        x->severity = f->severity;
        assert_true(utf8_valid(f->detail, strlen(f->detail)));
}

static void warn(const char *message, void *userdata)
{
        snprintf(warned, sizeof(warned), "%s", message);
}

static const struct found *find(const char *rule)
{
        for (size_t i = 0; i < n_found; i++)
                if (streq(found[i].rule, rule))
                        return &found[i];
        return NULL;
}

static void reset(void)
{
        n_found = 0;
        warned[0] = '\0';
}

static struct rule_config *config;
static struct rule_column columns[4];
static struct rule_site site = {
        .id = "t",
        .name = "测试区人民政府",
        .base_url = "http://t.example/",
        .homepage = "http://t.example/index.html",
        .columns = columns,
        .n_columns = ARRAY_SIZE(columns),
        .enabled = true,
};

static const struct rule_class *class_by_id(const char *id)
{
        for (size_t i = 0; i < config->n_classes; i++)
                if (streq(config->classes[i].id, id))
                        return &config->classes[i];
        fail_msg("no class %s in the shipped rules.d", id);
        return NULL;
}

static int setup(void **state)
{
        struct strv errors = {0};

        assert_int_equal(rule_config_load(XJ_RULES_DIR, &config, &errors), 0);
        strv_free(&errors);
        columns[0] = (struct rule_column){.name = "工作动态", .url = "http://t.example/gzdt/",
                                          .cls = class_by_id("news")};
        columns[1] = (struct rule_column){.name = "区情概况", .url = "http://t.example/qqgk/",
                                          .cls = class_by_id("annual")};
        columns[2] = (struct rule_column){.name = "信息公开年报",
                                          .url = "http://t.example/xxgknb/",
                                          .cls = class_by_id("annual_report")};
        columns[3] = (struct rule_column){.name = "政务咨询", .url = "http://t.example/zwzx/",
                                          .cls = class_by_id("consult")};
        return 0;
}

static int teardown(void **state)
{
        rule_config_free(config);
        return 0;
}

static xj_day day(int y, int m, int d)
{
        return day_from_civil(y, m, d);
}

/* ---- publication deadline ------------------------------------------------------------- */

/* A TRS-style disclosure table: label and value in cells of their own. */
static const char trs_table[] =
        "<html><head><title>关于印发某某办法的通知</title></head><body>"
        "<div class=\"nav\"><a href=\"/\">首页</a></div>"
        "<table class=\"xxgk\"><tr><td>索引号：</td><td>11210300MB1234567X/2026-00123</td>"
        "<td>发文字号：</td><td>演政发〔2026〕12号</td></tr>"
        "<tr><td>成文日期：</td><td>%s</td><td>发布日期：</td><td>%s</td></tr></table>"
        "<div id=\"zoom\"><p>各街道办事处，区政府各部门：现将《某某办法》印发给你们，请认真"
        "贯彻执行。</p></div></body></html>";

static void run_publication(const char *issued, const char *published, xj_day today,
                            const char *template)
{
        char html[4096];
        struct html_page *page = NULL;

        /* The templates are this file's own constants, each with two %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(html, sizeof(html), template, issued, published);
#pragma GCC diagnostic pop
        assert_int_equal(html_parse(html, strlen(html), "http://t.example/zcwj/t1.html",
                                    &(struct html_options){.today = today}, &page, NULL),
                         0);
        struct site_fetch f = {
                .url = "http://t.example/zcwj/t1.html",
                .kind = SITE_FETCH_ARTICLE,
                .column = 0,
                .page = page,
        };
        struct page_check_context ctx = {
                .config = config,
                .site = &site,
                .fetch = &f,
                .today = today,
                .emit = collect,
                .warn = warn,
        };
        reset();
        check_publication(&ctx);
        html_page_free(page);
}

/* 2026-09-11 (Friday) issued. The working days after it: 9/14-18 (5), 9/20 Sunday made a
 * working day (6), 9/21-24 (10), 9/25-27 中秋 off, 9/28-30 (13), 10/1-7 国庆 off,
 * 10/8-9 (15), 10/10 Saturday made a working day (16), 10/12-16 (21). */
static void test_publication_across_national_day(void **state)
{
        xj_day today = day(2026, 11, 23);

        assert_int_equal(workday_count(&config->holidays, day(2026, 9, 11), day(2026, 10, 15)),
                         20);
        run_publication("2026年09月11日", "2026年10月14日", today, trs_table);
        assert_int_equal(n_found, 0);           /* 19 working days */
        run_publication("2026-09-11", "2026-10-15", today, trs_table);
        assert_int_equal(n_found, 0);           /* 20: still in time */
        run_publication("2026-09-11", "2026-10-16", today, trs_table);
        assert_int_equal(n_found, 1);           /* 21 */
        assert_string_equal(found[0].rule, "publish_late");
        assert_int_equal(found[0].kind, FINDING_VIOLATION);
        assert_non_null(strstr(found[0].detail, "相隔 21 个工作日（要求：20 个工作日内公开）"));
        assert_non_null(strstr(found[0].detail, "关于印发某某办法的通知"));
        assert_string_equal(warned, "");
        /* Without the working Saturday 10 October, 10/15 would already be 20 → 19. */
        assert_false(workday_is(&config->holidays, day(2026, 10, 3)));
        assert_true(workday_is(&config->holidays, day(2026, 10, 10)));
}

/* A Hanweb-style block (labels in spans, values in text) and meta tags. */
static void test_publication_other_layouts(void **state)
{
        static const char hanweb[] =
                "<html><body><div class=\"xxgk_table\"><ul><li><span>成文日期</span>"
                "<em>%s</em></li><li><span>发布时间</span><em>%s</em></li></ul></div>"
                "<div class=\"content\">正文</div></body></html>";
        static const char metas[] =
                "<html><head><meta name=\"WriteDate\" content=\"%s\">"
                "<meta name=\"PubDate\" content=\"%s 10:00\"></head><body>正文</body></html>";
        static const char one_date[] =
                "<html><body><p>成文日期：%s</p><p>%s</p></body></html>";
        xj_day today = day(2026, 11, 23);

        run_publication("2026-01-05", "2026-03-20", today, hanweb);
        assert_int_equal(n_found, 1);
        run_publication("2026-01-05", "2026-01-06", today, hanweb);
        assert_int_equal(n_found, 0);
        run_publication("2026-01-05", "2026-03-20", today, metas);
        assert_int_equal(n_found, 1);
        /* Only one of the two dates: nothing to judge. */
        run_publication("2026-01-05", "无", today, one_date);
        assert_int_equal(n_found, 0);
        /* Published before issued is a typo, not a delay. */
        run_publication("2026-03-20", "2026-01-05", today, hanweb);
        assert_int_equal(n_found, 0);
}

/* 2024 is not in the shipped calendar: a clear warning, and Monday to Friday. */
static void test_publication_missing_year(void **state)
{
        run_publication("2024-09-02", "2024-10-31", day(2026, 11, 23), trs_table);
        assert_int_equal(n_found, 1);
        assert_non_null(strstr(warned, "没有 2024 年的节假日安排"));
        assert_non_null(strstr(warned, "按周一至周五"));
        assert_int_equal(workday_calendar_missing_year(&config->holidays, day(2024, 9, 2),
                                                       day(2024, 10, 31)),
                         2024);
        /* Monday to Friday: 9/3 .. 10/31 holds 43 working days. */
        assert_non_null(strstr(found[0].detail, "相隔 43 个工作日"));
}

/* ---- annual columns and the annual report --------------------------------------------- */

struct world {
        struct site_results res;
        struct site_column_result cols[4];
        struct html_item items[4][2];
        struct html_item homepage[1];
};

static void world_init(struct world *w, xj_day newest)
{
        memset(w, 0, sizeof(*w));
        for (int i = 0; i < 4; i++) {
                w->cols[i].fetched = true;
                w->cols[i].status = 200;
                w->cols[i].text = "列表";
                w->items[i][0] = (struct html_item){
                        .title = "一条信息", .url = "http://t.example/a.html",
                        .has_date = true, .date = {.day = newest}};
                w->cols[i].items = w->items[i];
                w->cols[i].n_items = 1;
        }
        w->homepage[0] = (struct html_item){.title = "要闻", .url = "http://t.example/b.html",
                                            .has_date = true, .date = {.day = newest}};
        w->res.homepage_fetched = true;
        w->res.homepage_items = w->homepage;
        w->res.n_homepage_items = 1;
        w->res.columns = w->cols;
}

static void run_end_checks(struct world *w, xj_day today)
{
        struct check_context ctx = {
                .config = config,
                .site = &site,
                .results = &w->res,
                .today = today,
                .now = time_of_day(today),
                .emit = collect,
                .warn = warn,
        };
        reset();
        rule_checks_run(&ctx);
}

static void test_annual_deadline(void **state)
{
        struct world w;

        /* Newest update of 区情概况 last year: fine on 31 March, late on 1 April. */
        world_init(&w, day(2026, 3, 1));
        w.items[1][0].date.day = day(2025, 12, 20);
        run_end_checks(&w, day(2026, 3, 31));
        assert_null(find("column_annual_stale"));
        run_end_checks(&w, day(2026, 4, 1));
        const struct found *f = find("column_annual_stale");
        assert_non_null(f);
        assert_string_equal(f->subject, "http://t.example/qqgk/");
        assert_non_null(strstr(f->detail, "今年未更新（最新信息：2025-12-20；要求：每年 3 月 31 日前"));
        /* A single-page column dated by its own page (更新时间 / PubDate) this year. */
        w.cols[1].n_items = 0;
        w.cols[1].text = "区情概况：本区位于……（此处为二十个字以上的正文内容，介绍区情。）";
        w.cols[1].has_pubdate = true;
        w.cols[1].pubdate = day(2026, 3, 18);
        run_end_checks(&w, day(2026, 4, 1));
        assert_null(find("column_annual_stale"));
}

static void test_annual_report(void **state)
{
        struct world w;

        world_init(&w, day(2026, 1, 20));
        w.items[2][0] = (struct html_item){.title = "2024年政府信息公开工作年度报告",
                                           .url = "http://t.example/xxgknb/r2024.html",
                                           .has_date = true, .date = {.day = day(2025, 1, 20)}};
        /* 31 January: in time, but within the 15-day lead: an early warning. */
        run_end_checks(&w, day(2026, 1, 31));
        assert_null(find("annual_report_missing"));
        const struct found *f = find("column_annual_warning");
        assert_non_null(f);
        assert_int_equal(f->kind, FINDING_WARNING);
        assert_non_null(strstr(f->detail, "尚未发布 2025 年度报告，0 天后到期"));
        run_end_checks(&w, day(2026, 1, 15));
        assert_null(find("column_annual_warning"));
        run_end_checks(&w, day(2026, 2, 1));
        f = find("annual_report_missing");
        assert_non_null(f);
        assert_non_null(strstr(f->detail, "未按时发布 2025 年度报告"));
        /* Published on time: nothing. */
        w.items[2][0].date.day = day(2026, 1, 20);
        run_end_checks(&w, day(2026, 2, 1));
        assert_null(find("annual_report_missing"));
        assert_null(find("column_annual_warning"));
}

/* ---- early warnings ------------------------------------------------------------------- */

static void test_homepage_and_column_warnings(void **state)
{
        struct world w;
        xj_day today = day(2026, 11, 23);

        world_init(&w, today - 9);
        run_end_checks(&w, today);
        assert_null(find("homepage_stale_warning"));
        assert_null(find("column_stale_warning"));      /* news: 14 - 4 = 10 days */
        world_init(&w, today - 10);
        run_end_checks(&w, today);
        const struct found *f = find("homepage_stale_warning");
        assert_non_null(f);
        assert_int_equal(f->kind, FINDING_WARNING);
        assert_string_equal(f->detail, "首页已 10 天未更新，4 天后超期（要求：14 天内）");
        f = find("column_stale_warning");
        assert_non_null(f);
        assert_string_equal(f->detail, "栏目「工作动态」已 10 天未更新，4 天后超期（要求：14 天内）");
        /* 13 and 14 days: still warnings; 15: violations, and no warning. */
        world_init(&w, today - 14);
        run_end_checks(&w, today);
        assert_non_null(find("homepage_stale_warning"));
        assert_null(find("homepage_stale"));
        world_init(&w, today - 15);
        run_end_checks(&w, today);
        assert_non_null(find("homepage_stale"));
        assert_null(find("homepage_stale_warning"));
        assert_non_null(find("column_stale"));
        assert_null(find("column_stale_warning"));
}

static void run_counts(int blank, int any)
{
        struct rule_overdue o = {.blank = blank, .any = any};
        struct site_results res = {0};
        struct check_context ctx = {
                .config = config, .site = &site, .results = &res, .emit = collect,
                .overdue = &o,
        };
        reset();
        check_counts(&ctx);
}

static void test_count_warnings(void **state)
{
        run_counts(1, 5);
        assert_int_equal(n_found, 0);
        run_counts(2, 6);
        assert_int_equal(n_found, 2);
        assert_non_null(strstr(find("blank_columns_warning")->detail, "已有 2 个空白栏目"));
        assert_non_null(strstr(find("overdue_columns_warning")->detail, "已有 6 个栏目超期"));
        /* At the vetoes the verdict speaks instead. */
        run_counts(5, 10);
        assert_int_equal(n_found, 0);
}

/* ---- interaction ---------------------------------------------------------------------- */

static void run_interaction(const char *rows, xj_day today)
{
        char html[8192];
        struct html_page *page = NULL;

        snprintf(html, sizeof(html),
                 "<html><body><table class=\"list\"><tr><th>标题</th><th>留言时间</th>"
                 "<th>回复时间</th><th>状态</th></tr>%s</table></body></html>",
                 rows);
        assert_int_equal(html_parse(html, strlen(html), "http://t.example/zwzx/index.html",
                                    &(struct html_options){.today = today}, &page, NULL),
                         0);
        struct site_fetch f = {
                .url = "http://t.example/zwzx/index.html",
                .kind = SITE_FETCH_COLUMN,
                .column = 3,
                .page = page,
        };
        struct page_check_context ctx = {
                .config = config, .site = &site, .fetch = &f, .today = today,
                .emit = collect, .warn = warn,
        };
        reset();
        check_interaction(&ctx);
        html_page_free(page);
}

static void test_interaction_unanswered(void **state)
{
        static const char rows[] =
                "<tr><td><a href=\"m1.html\">咨询小区供暖问题</a></td><td>2026-08-23</td>"
                "<td></td><td>未回复</td></tr>"
                "<tr><td><a href=\"m2.html\">反映道路破损</a></td><td>2026-08-22</td>"
                "<td></td><td>未回复</td></tr>"
                "<tr><td><a href=\"m3.html\">广告信息</a></td><td>2026-01-02</td><td></td>"
                "<td>无效留言</td></tr>"
                "<tr><td><a href=\"m4.html\">去年的留言</a></td><td>2025-11-01</td><td></td>"
                "<td>未回复</td></tr>";

        /* 23 November: 8-23 is exactly 3 months old (in time), 8-22 is past. The invalid
         * message and the one older than a year are not counted. */
        run_interaction(rows, day(2026, 11, 23));
        assert_int_equal(n_found, 1);
        assert_string_equal(found[0].rule, "reply_overdue");
        assert_string_equal(found[0].subject, "http://t.example/zwzx/m2.html");
        assert_int_equal(found[0].severity, SEVERITY_SERIOUS);
        assert_non_null(strstr(found[0].detail, "留言「反映道路破损」于 2026-08-22 提交，至今 93 天未回复"));
        run_interaction(rows, day(2026, 11, 24));
        assert_int_equal(n_found, 2);
}

static void test_interaction_slow_reply(void **state)
{
        /* Monday 2026-11-02: 5 working days end on Monday 11-09, 6 on 11-10. Across 国庆:
         * 9-30 → 10-10 (the working Saturday) is 2 working days. */
        static const char rows[] =
                "<tr><td>问题一</td><td>2026-11-02</td><td>2026-11-09</td><td>已回复</td></tr>"
                "<tr><td>问题二</td><td>2026-11-02</td><td>2026-11-10</td><td>已回复</td></tr>"
                "<tr><td>问题三</td><td>2026-09-30</td><td>2026-10-10</td><td>已回复</td></tr>";

        run_interaction(rows, day(2026, 11, 23));
        assert_int_equal(n_found, 1);
        assert_string_equal(found[0].rule, "reply_slow");
        assert_int_equal(found[0].severity, SEVERITY_SUSPECT);
        assert_string_equal(found[0].subject, "http://t.example/zwzx/index.html#问题二");
        assert_non_null(strstr(found[0].detail, "用时 6 个工作日（要求：简单咨询 5 个工作日内答复）"));
}

/* A list of <li> rows as many CMSs write them, and a malformed page: no crash. */
static void test_interaction_list_rows(void **state)
{
        static const char li_page[] =
                "<html><body><ul class=\"xj\"><li><a href=\"q1.html\">咨询社保转移</a>"
                "<span>2026-07-01</span><span>未回复</span></li>"
                "<li><a href=\"q2.html\">咨询落户</a><span>2026-07-01</span>"
                "<span>2026-07-02</span></li></ul><li><td>2026-<b></ul></body>";
        struct html_page *page = NULL;
        xj_day today = day(2026, 11, 23);

        assert_int_equal(html_parse(li_page, strlen(li_page), "http://t.example/zwzx/",
                                    &(struct html_options){.today = today}, &page, NULL),
                         0);
        struct site_fetch f = {.url = "http://t.example/zwzx/", .kind = SITE_FETCH_LIST,
                               .column = 3, .page = page};
        struct page_check_context ctx = {.config = config, .site = &site, .fetch = &f,
                                         .today = today, .emit = collect};
        reset();
        check_interaction(&ctx);
        assert_int_equal(n_found, 1);
        assert_string_equal(found[0].subject, "http://t.example/zwzx/q1.html");
        /* A column that is not a consultation column is not read. */
        f.column = 0;
        reset();
        check_interaction(&ctx);
        assert_int_equal(n_found, 0);
        html_page_free(page);
}

/* ---- availability --------------------------------------------------------------------- */

static enum rule_availability_state judge(int64_t probes, int64_t failures)
{
        return rule_availability_judge(&config->settings,
                                       &(struct rule_availability){probes, failures, 7});
}

static void test_availability_boundaries(void **state)
{
        assert_int_equal(judge(1000, 49), AVAILABILITY_WARNING);        /* 4.9 % */
        assert_int_equal(judge(1000, 50), AVAILABILITY_VETO);           /* 5.0 % */
        assert_int_equal(judge(1000, 30), AVAILABILITY_OK);             /* 3.0 %: not above */
        assert_int_equal(judge(1000, 31), AVAILABILITY_WARNING);        /* 3.1 % */
        assert_int_equal(judge(140, 7), AVAILABILITY_VETO);             /* 7 days × 20 */
        assert_int_equal(judge(140, 6), AVAILABILITY_WARNING);          /* 4.3 % */
        assert_int_equal(judge(19, 19), AVAILABILITY_TOO_FEW);          /* < min_probes */
        assert_int_equal(judge(0, 0), AVAILABILITY_TOO_FEW);

        reset();
        check_availability(config, &site, &(struct rule_availability){1000, 50, 7}, collect,
                           NULL);
        assert_int_equal(n_found, 1);
        assert_string_equal(found[0].rule, "site_unavailable");
        assert_string_equal(found[0].detail,
                            "首页近 7 天探测 1000 次，失败 50 次，失败率 5.0%（要求：低于 5%）");
        reset();
        check_availability(config, &site, &(struct rule_availability){1000, 49, 7}, collect,
                           NULL);
        assert_int_equal(n_found, 1);
        assert_string_equal(found[0].rule, "site_unavailable_warning");
        assert_int_equal(found[0].kind, FINDING_WARNING);
        assert_non_null(strstr(found[0].detail, "失败率 4.9%"));
}

/* ---- verdict -------------------------------------------------------------------------- */

static void add(struct rule_verdict *v, const char *rule, const char *subject,
                enum severity sev, enum violation_state state, const char *evidence)
{
        rule_verdict_add(v, &site, &(struct store_violation){
                                           .rule = rule, .subject = subject,
                                           .kind = FINDING_VIOLATION, .severity = sev,
                                           .state = state, .evidence = evidence});
}

static void test_verdict(void **state)
{
        struct rule_verdict v;
        struct store_verdict a, b;
        char *ra = NULL, *rb = NULL;

        rule_verdict_init(&v, &(struct rule_availability){140, 6, 7});
        add(&v, "column_stale", "http://t.example/gzdt/", SEVERITY_NORMAL, VIOLATION_OPEN, NULL);
        add(&v, "wrong_word", "p1#攻府", SEVERITY_SERIOUS, VIOLATION_OPEN, NULL);
        add(&v, "wrong_word", "p2#攻府", SEVERITY_SERIOUS, VIOLATION_OPEN, NULL);
        add(&v, "wrong_word", "p3#攻府", SEVERITY_SERIOUS, VIOLATION_OPEN, NULL);
        add(&v, "dead_link", "x", SEVERITY_NORMAL, VIOLATION_OPEN, NULL);
        rule_verdict_judge(&v, config);
        assert_true(v.qualified);                       /* 3 serious: not more than 3 */
        assert_int_equal(v.overdue.news, 1);
        rule_verdict_to_store(&v, "t", 1, 100, &a, &ra);

        add(&v, "sensitive_word", "p4#x", SEVERITY_SERIOUS, VIOLATION_OPEN, NULL);
        add(&v, "homepage_stale", "http://t.example/index.html", SEVERITY_NORMAL,
            VIOLATION_OPEN, "{\"newest\":\"2026-11-01\",\"age_days\":22,\"max_age_days\":14}");
        add(&v, "reply_overdue", "m1", SEVERITY_SERIOUS, VIOLATION_OPEN, NULL);
        /* Accepted as an exception: not counted. */
        add(&v, "reply_overdue", "m2", SEVERITY_SERIOUS, VIOLATION_ACCEPTED, NULL);
        for (int i = 0; i < 4; i++)
                add(&v, "column_blank", "b", SEVERITY_NORMAL, VIOLATION_OPEN, NULL);
        v.probes.failures = 7;                          /* 5.0 % of 140 */
        rule_verdict_judge(&v, config);
        assert_false(v.qualified);
        assert_int_equal(v.vetoes, 4);
        assert_string_equal(v.reasons.items[0], "站点无法访问：首页近 7 天探测 140 次，失败 7 次，"
                                                "失败率 5.0%（达到 5% 即单项否决）");
        assert_string_equal(v.reasons.items[1], "首页不更新：首页已 22 天未更新（要求：14 天内）");
        assert_string_equal(v.reasons.items[2], "严重表述错误：4 处（超过 3 处即单项否决）");
        assert_string_equal(v.reasons.items[3], "互动回应差：1 条有效留言超过 3 个月未回复");
        assert_int_equal(v.overdue.blank, 4);           /* below 5 */
        assert_int_equal(v.overdue.any, 5);             /* below 10 */

        add(&v, "column_blank", "b5", SEVERITY_NORMAL, VIOLATION_OPEN, NULL);
        rule_verdict_judge(&v, config);
        assert_int_equal(v.vetoes, 5);
        assert_string_equal(v.reasons.items[2], "空白栏目：5 个（达到 5 个即单项否决）");
        rule_verdict_to_store(&v, "t", 2, 200, &b, &rb);
        assert_non_null(strstr(b.reasons, "\n首页不更新"));

        assert_int_equal(rule_verdict_trend(&b, &a), TREND_WORSE);
        assert_int_equal(rule_verdict_trend(&a, &b), TREND_BETTER);
        assert_int_equal(rule_verdict_trend(&a, &a), TREND_SAME);
        assert_int_equal(rule_verdict_trend(&a, NULL), TREND_NONE);
        struct store_verdict a2 = a;
        a2.overdue_any++;
        assert_int_equal(rule_verdict_trend(&a2, &a), TREND_WORSE);
        assert_string_equal(rule_trend_label(TREND_BETTER), "好转");
        rule_verdict_clear(&v);
        free(ra);
        free(rb);
}

static void test_verdict_overdue_counts(void **state)
{
        struct rule_verdict v;

        rule_verdict_init(&v, NULL);
        /* 5 news+notice overdue columns: the veto. */
        for (int i = 0; i < 5; i++)
                add(&v, "column_stale", "http://t.example/gzdt/", SEVERITY_NORMAL,
                    VIOLATION_OPEN, NULL);
        rule_verdict_judge(&v, config);
        assert_false(v.qualified);
        assert_non_null(strstr(v.reasons.items[0], "栏目不更新：动态要闻类 5 个"));
        rule_verdict_clear(&v);

        rule_verdict_init(&v, NULL);
        for (int i = 0; i < 9; i++)
                add(&v, "column_annual_stale", "http://t.example/qqgk/", SEVERITY_NORMAL,
                    VIOLATION_OPEN, NULL);
        rule_verdict_judge(&v, config);
        assert_true(v.qualified);                       /* 9 < 10 */
        add(&v, "annual_report_missing", "http://t.example/xxgknb/", SEVERITY_NORMAL,
            VIOLATION_OPEN, NULL);
        rule_verdict_judge(&v, config);
        assert_false(v.qualified);
        assert_non_null(strstr(v.reasons.items[0], "应更新栏目超期 10 个"));
        rule_verdict_clear(&v);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_publication_across_national_day),
                cmocka_unit_test(test_publication_other_layouts),
                cmocka_unit_test(test_publication_missing_year),
                cmocka_unit_test(test_annual_deadline),
                cmocka_unit_test(test_annual_report),
                cmocka_unit_test(test_homepage_and_column_warnings),
                cmocka_unit_test(test_count_warnings),
                cmocka_unit_test(test_interaction_unanswered),
                cmocka_unit_test(test_interaction_slow_reply),
                cmocka_unit_test(test_interaction_list_rows),
                cmocka_unit_test(test_availability_boundaries),
                cmocka_unit_test(test_verdict),
                cmocka_unit_test(test_verdict_overdue_counts),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

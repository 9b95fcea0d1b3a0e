/* The checks at their boundaries: freshness by class (14 vs 15 days...), undated lists,
 * future dates, blank columns, unreachable columns, dead-link grading and attribution,
 * and the homepage rule. Crawl results are built by hand; the configuration is the
 * shipped national defaults plus tests/fixtures/checks/rules.d/60-site.yaml. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "rules/checks.h"

#define MAX_FOUND 32

struct found {
        char rule[32];
        char subject[256];
        char unit[64];
        char column[64];
        char detail[512];
        enum severity severity;
};

static struct found found[MAX_FOUND];
static size_t n_found;

static void collect(const struct store_finding *f, void *userdata)
{
        /* These tests are about violations; the early warnings have theirs in
         * test_time_rules.c. */
        if (f->kind == FINDING_WARNING)
                return;
        assert_true(n_found < MAX_FOUND);
        struct found *x = &found[n_found++];
        snprintf(x->rule, sizeof(x->rule), "%s", f->rule);
        snprintf(x->subject, sizeof(x->subject), "%s", f->subject);
        snprintf(x->unit, sizeof(x->unit), "%s", f->unit ? f->unit : "");
        snprintf(x->column, sizeof(x->column), "%s", f->column ? f->column : "");
        snprintf(x->detail, sizeof(x->detail), "%s", f->detail);
        x->severity = f->severity;
        assert_string_equal(f->site, "t");
}

static const struct found *find(const char *rule, const char *subject_suffix)
{
        for (size_t i = 0; i < n_found; i++)
                if (streq(found[i].rule, rule) && str_endswith(found[i].subject, subject_suffix))
                        return &found[i];
        return NULL;
}

struct world {
        struct rule_config *config;
        const struct rule_site *site;
        struct site_results res;
        struct site_column_result cols[4];
        struct html_item items[4][4];
        struct html_item homepage[2];
        xj_day today;
};

static int setup(void **state)
{
        struct world *w = calloc(1, sizeof(*w));
        struct strv errors = {0};

        assert_int_equal(rule_config_load(XJ_FIXTURES "/checks/rules.d", &w->config, &errors), 0);
        strv_free(&errors);
        w->site = rule_config_site(w->config, "t");
        assert_non_null(w->site);
        assert_int_equal(w->site->n_columns, 4);
        w->today = day_from_civil(2026, 11, 23);

        /* Every column fetched, with one item dated today, unless a test says otherwise. */
        for (int i = 0; i < 4; i++) {
                w->cols[i].fetched = true;
                w->cols[i].status = 200;
                w->cols[i].text = "工作动态 列表";
                w->items[i][0] = (struct html_item){
                        .title = "一条信息",
                        .url = "http://127.0.0.1:1/a.html",
                        .has_date = true,
                        .date = {.day = w->today},
                };
                w->cols[i].items = w->items[i];
                w->cols[i].n_items = 1;
        }
        w->homepage[0] = (struct html_item){
                .title = "要闻", .url = "http://127.0.0.1:1/n.html", .has_date = true,
                .date = {.day = w->today - 1},
        };
        w->res.homepage_fetched = true;
        w->res.homepage_items = w->homepage;
        w->res.n_homepage_items = 1;
        w->res.columns = w->cols;
        n_found = 0;
        *state = w;
        return 0;
}

static int teardown(void **state)
{
        struct world *w = *state;
        rule_config_free(w->config);
        free(w);
        return 0;
}

static void run_checks(struct world *w)
{
        struct check_context ctx = {
                .config = w->config,
                .site = w->site,
                .results = &w->res,
                .now = time_of_day(w->today) + 9 * 3600,
                .today = w->today,
                .emit = collect,
        };
        n_found = 0;
        rule_checks_run(&ctx);
}

static void age_column(struct world *w, int column, int days)
{
        w->items[column][0].date.day = w->today - days;
}

static void test_all_fresh(void **state)
{
        struct world *w = *state;
        run_checks(w);
        assert_int_equal(n_found, 0);
}

/* The boundary is inclusive: an item exactly max_age_days old is still in time. */
static void test_freshness_boundaries(void **state)
{
        struct world *w = *state;

        age_column(w, 0, 14);
        age_column(w, 1, 180);
        age_column(w, 2, 365);
        run_checks(w);
        assert_int_equal(n_found, 0);

        age_column(w, 0, 15);
        age_column(w, 1, 181);
        age_column(w, 2, 366);
        run_checks(w);
        assert_int_equal(n_found, 3);
        const struct found *news = find("column_stale", "/gzdt/");
        assert_non_null(news);
        assert_string_equal(news->detail, "栏目「工作动态」已 15 天未更新（要求：14 天内）");
        assert_string_equal(news->unit, "区政府办");
        assert_string_equal(news->column, "工作动态");
        const struct found *notice = find("column_stale", "/tzgg/");
        assert_non_null(notice);
        assert_non_null(strstr(notice->detail, "已 181 天未更新（要求：180 天内）"));
        assert_string_equal(notice->unit, "区发改委");
        assert_non_null(find("column_stale", "/rsxx/"));
}

/* Annual columns follow their own rule; a stale date there is not a 365-day finding,
 * but the annual rule's (nothing dated this year once 31 March has passed). */
static void test_annual_not_judged_by_age(void **state)
{
        struct world *w = *state;
        age_column(w, 3, 900);
        run_checks(w);
        assert_null(find("column_stale", "/qqgk/"));
        assert_non_null(find("column_annual_stale", "/qqgk/"));
        assert_int_equal(n_found, 1);
}

static void test_newest_item_counts(void **state)
{
        struct world *w = *state;

        /* Two items: an old one first, a fresh one later in the list. */
        w->items[0][0].date.day = w->today - 100;
        w->items[0][1] = (struct html_item){.title = "新", .url = "http://127.0.0.1:1/b.html",
                                            .has_date = true, .date = {.day = w->today - 3}};
        w->cols[0].n_items = 2;
        run_checks(w);
        assert_int_equal(n_found, 0);
}

static void test_future_date_ignored(void **state)
{
        struct world *w = *state;

        w->items[0][0].date.day = w->today - 30;
        w->items[0][1] = (struct html_item){.title = "会议预告", .url = "http://127.0.0.1:1/f.html",
                                            .has_date = true, .date = {.day = w->today + 10}};
        w->cols[0].n_items = 2;
        run_checks(w);
        assert_int_equal(n_found, 1);
        assert_non_null(strstr(find("column_stale", "/gzdt/")->detail, "已 30 天"));
}

static void test_undated_column(void **state)
{
        struct world *w = *state;

        w->items[1][0].has_date = false;
        run_checks(w);
        assert_int_equal(n_found, 1);
        const struct found *f = find("column_stale", "/tzgg/");
        assert_non_null(f);
        assert_non_null(strstr(f->detail, "均无发布日期"));
}

static void test_blank_columns(void **state)
{
        struct world *w = *state;

        /* Empty list, nothing but the placeholder. */
        w->cols[0].n_items = 0;
        w->cols[0].text = "暂无信息";
        /* Empty list and no text at all. */
        w->cols[1].n_items = 0;
        w->cols[1].text = "";
        /* A single-page column with real body text is not blank. */
        w->cols[2].n_items = 0;
        w->cols[2].text = "本区位于关中平原东部，辖五个街道办事处，总面积二百四十四平方公里，"
                          "常住人口约二十八万。";
        run_checks(w);
        assert_int_equal(n_found, 2);
        const struct found *a = find("column_blank", "/gzdt/");
        assert_non_null(a);
        assert_non_null(strstr(a->detail, "暂无信息"));
        assert_non_null(find("column_blank", "/tzgg/"));
        /* A blank column is not also reported stale. */
        assert_null(find("column_stale", "/gzdt/"));
}

/* A long page that mentions a placeholder in passing is not blank. */
static void test_placeholder_in_long_text(void **state)
{
        struct world *w = *state;

        w->cols[2].n_items = 0;
        w->cols[2].text = "依申请公开办理情况：本季度共受理申请十二件，均已按期答复。"
                          "其中涉及历史档案的两件，经查暂无信息可提供，已书面告知申请人并说明理由，"
                          "申请人对答复无异议。下一步将继续规范办理流程，提高答复质量，"
                          "确保依申请公开工作依法有序开展，切实保障人民群众的知情权、参与权和监督权。";
        run_checks(w);
        assert_int_equal(n_found, 0);
}

static void test_unreachable_column(void **state)
{
        struct world *w = *state;

        w->cols[1].fetched = false;
        w->cols[1].status = 500;
        w->cols[1].n_items = 0;
        run_checks(w);
        assert_int_equal(n_found, 1);
        const struct found *f = find("column_unreachable", "/tzgg/");
        assert_non_null(f);
        assert_non_null(strstr(f->detail, "HTTP 500"));
}

static void test_dead_links(void **state)
{
        struct world *w = *state;
        struct site_broken_link broken[] = {
                {.url = "http://127.0.0.1:1/gone.html", .kind = HTML_LINK_A,
                 .referrer = "http://127.0.0.1:1/tzgg/a.html", .referrer_column = 1,
                 .verdict = LINK_DEAD, .status = 404, .attempts = 1},
                {.url = "http://127.0.0.2:9/x.html", .kind = HTML_LINK_A,
                 .referrer = "http://127.0.0.1:1/", .referrer_column = -1,
                 .verdict = LINK_SUSPECT, .failure = HTTP_FAIL_CONNECT, .attempts = 3,
                 .error = "Connection refused"},
                {.url = "http://127.0.0.1:1/pic.png", .kind = HTML_LINK_IMG,
                 .referrer = "http://127.0.0.1:1/rsxx/", .referrer_column = 2,
                 .verdict = LINK_DEAD, .status = 410, .attempts = 1},
        };

        w->res.broken = broken;
        w->res.n_broken = ARRAY_SIZE(broken);
        run_checks(w);
        assert_int_equal(n_found, 3);

        const struct found *gone = find("dead_link", "/gone.html");
        assert_non_null(gone);
        assert_int_equal(gone->severity, SEVERITY_NORMAL);
        assert_string_equal(gone->unit, "区发改委");
        assert_string_equal(gone->column, "通知公告");
        assert_non_null(strstr(gone->detail, "HTTP 404"));

        const struct found *refused = find("dead_link", "/x.html");
        assert_non_null(refused);
        assert_int_equal(refused->severity, SEVERITY_SUSPECT);
        /* On the homepage: the site's own unit, no column. */
        assert_string_equal(refused->unit, "区政府办");
        assert_string_equal(refused->column, "");
        assert_non_null(strstr(refused->detail, "已尝试 3 次"));

        const struct found *img = find("dead_link", "/pic.png");
        assert_non_null(img);
        assert_non_null(strstr(img->detail, "图片不可用"));
        assert_string_equal(img->unit, "区教育局");
}

static void test_homepage(void **state)
{
        struct world *w = *state;

        w->homepage[0].date.day = w->today - 14;
        run_checks(w);
        assert_int_equal(n_found, 0);

        w->homepage[0].date.day = w->today - 15;
        run_checks(w);
        assert_int_equal(n_found, 1);
        const struct found *f = find("homepage_stale", "127.0.0.1:1/");
        assert_non_null(f);
        assert_string_equal(f->detail, "首页已 15 天未更新（要求：14 天内）");

        /* No dated link at all: not updated. */
        w->res.n_homepage_items = 0;
        run_checks(w);
        assert_int_equal(n_found, 1);
        assert_non_null(strstr(found[0].detail, "没有带发布日期的信息"));

        /* An unreachable homepage is judged by availability, not freshness. */
        w->res.homepage_fetched = false;
        run_checks(w);
        assert_int_equal(n_found, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_all_fresh, setup, teardown),
                cmocka_unit_test_setup_teardown(test_freshness_boundaries, setup, teardown),
                cmocka_unit_test_setup_teardown(test_annual_not_judged_by_age, setup, teardown),
                cmocka_unit_test_setup_teardown(test_newest_item_counts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_future_date_ignored, setup, teardown),
                cmocka_unit_test_setup_teardown(test_undated_column, setup, teardown),
                cmocka_unit_test_setup_teardown(test_blank_columns, setup, teardown),
                cmocka_unit_test_setup_teardown(test_placeholder_in_long_text, setup, teardown),
                cmocka_unit_test_setup_teardown(test_unreachable_column, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dead_links, setup, teardown),
                cmocka_unit_test_setup_teardown(test_homepage, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

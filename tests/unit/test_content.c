/* Tests for the content checks (rules/check_hidden_links.c, check_page_tags.c,
 * check_guides.c, check_interpretation.c): a data-driven loop over the fixtures in
 * tests/fixtures/{hidden_links,page_tags,guides,interpretation}/, plus the hostile-regex
 * cases of rules/regex.c. The configuration is the shipped rules.d plus
 * tests/fixtures/content/rules.d/60-site.yaml.
 *
 * A <name>.expected file is a list of tab-separated lines ("#" starts a comment):
 *   today YYYY-MM-DD
 *   checks NAME...         which checks run (hidden_links, page_tags, guides,
 *                          interpretation); the page parts on every page, then the
 *                          end-of-scan parts once
 *   page FILE KIND COLUMN URL
 *                          a page of the scan, in order: FILE in the same directory, KIND
 *                          homepage|column|article|page, COLUMN a column name or "-"
 *   broken URL STATUS      a link the crawl found dead (STATUS 0: connection refused)
 *   finding RULE SEVERITY SUBJECT DETAIL
 *                          an expected finding: every finding must be listed, and DETAIL
 *                          must be part of its detail
 * No finding line means no finding may come out. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/unit/mdwe.h"
#include "common/buf.h"
#include "common/util.h"
#include "common/xtime.h"
#include "crawler/html.h"
#include "tests/unit/fixture_util.h"
#include "rules/checks.h"
#include "rules/regex.h"

#define MAX_FOUND 64
#define MAX_PAGES 16

static const char *const check_dirs[] = {"hidden_links", "page_tags", "guides", "interpretation"};

static struct rule_config *config;

struct found {
        char rule[48];
        char subject[512];
        char detail[2048];
        enum severity severity;
        bool matched;
};

static struct found found[MAX_FOUND];
static size_t n_found;

static void collect(const struct store_finding *f, void *userdata)
{
        assert_true(n_found < MAX_FOUND);
        struct found *x = &found[n_found++];
        snprintf(x->rule, sizeof(x->rule), "%s", f->rule);
        snprintf(x->subject, sizeof(x->subject), "%s", f->subject);
        snprintf(x->detail, sizeof(x->detail), "%s", f->detail);
        x->severity = f->severity;
        x->matched = false;
        assert_string_equal(f->site, "t");
        assert_non_null(f->detail);
        if (f->evidence)
                assert_true(f->evidence[0] == '{');
}

static int kind_of(const char *s)
{
        static const struct {
                const char *name;
                enum site_fetch_kind kind;
        } kinds[] = {
                {"homepage", SITE_FETCH_HOMEPAGE}, {"column", SITE_FETCH_COLUMN},
                {"list", SITE_FETCH_LIST},         {"article", SITE_FETCH_ARTICLE},
                {"page", SITE_FETCH_PAGE},
        };
        for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
                if (streq(s, kinds[i].name))
                        return (int)kinds[i].kind;
        fail_msg("unknown page kind %s", s);
        return -1;
}

static int column_of(const struct rule_site *site, const char *name)
{
        if (streq(name, "-"))
                return -1;
        for (size_t i = 0; i < site->n_columns; i++)
                if (streq(site->columns[i].name, name))
                        return (int)i;
        fail_msg("unknown column %s", name);
        return -1;
}

static bool wants(const char *checks, const char *name)
{
        return checks && strstr(checks, name);
}

static void run_page_checks(const char *checks, const struct page_check_context *ctx)
{
        if (wants(checks, "hidden_links"))
                check_hidden_links(ctx);
        if (wants(checks, "page_tags"))
                check_page_tags(ctx);
        if (wants(checks, "guides"))
                check_guides(ctx);
        if (wants(checks, "interpretation"))
                check_interpretation(ctx);
}

static void run_end_checks(const char *checks, const struct check_context *ctx)
{
        if (wants(checks, "page_tags"))
                check_page_tags_end(ctx);
        if (wants(checks, "guides"))
                check_guides_end(ctx);
        if (wants(checks, "interpretation"))
                check_interpretation_end(ctx);
}

static void run_fixture(void **state)
{
        const char *path = *state;      /* DIR/NAME.expected */
        _cleanup_free_ char *dir = xstrdup(path);
        *strrchr(dir, '/') = '\0';
        _cleanup_free_ char *expected = fixture_read(path, NULL);
        const struct rule_site *site = rule_config_site(config, "t");
        struct content_scan *content = content_scan_new();
        struct site_broken_link broken[8];
        size_t n_broken = 0;
        _cleanup_free_ char *checks = NULL;
        xj_day today = day_from_civil(2026, 11, 23);
        int failures = 0;
        char *f[6];

        assert_non_null(expected);
        assert_non_null(site);
        n_found = 0;

        /* First pass: the options, then the pages in order. */
        _cleanup_free_ char *copy = xstrdup(expected);
        for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
                if (line[0] == '#')
                        continue;
                size_t n = fixture_split_tabs(line, f, 6);
                if (streq(f[0], "today") && n > 1) {
                        int y, m, d;
                        assert_int_equal(sscanf(f[1], "%d-%d-%d", &y, &m, &d), 3);
                        today = day_from_civil(y, m, d);
                } else if (streq(f[0], "checks") && n > 1) {
                        str_replace(&checks, f[1]);
                } else if (streq(f[0], "broken") && n > 2) {
                        assert_true(n_broken < ARRAY_SIZE(broken));
                        long status = atol(f[2]);
                        broken[n_broken++] = (struct site_broken_link){
                                .url = xstrdup(f[1]),
                                .kind = HTML_LINK_A,
                                .referrer_column = -1,
                                .verdict = status ? LINK_DEAD : LINK_SUSPECT,
                                .status = status,
                                .failure = status ? HTTP_OK : HTTP_FAIL_CONNECT,
                                .error = status ? NULL : "Connection refused",
                                .attempts = 1,
                        };
                } else if (streq(f[0], "page") && n == 5) {
                        _cleanup_free_ char *file = xasprintf("%s/%s", dir, f[1]);
                        size_t len = 0;
                        _cleanup_free_ char *html = fixture_read(file, &len);
                        struct html_options o = {
                                .today = today,
                                .hidden_offset_px = config->settings.hidden_offset_px,
                                .hidden_tiny_px = config->settings.hidden_tiny_px,
                        };
                        struct html_page *page = NULL;
                        struct http_response resp = {.status = 200, .final_url = f[4]};
                        if (!html)
                                fail_msg("%s: cannot read %s", path, file);
                        assert_int_equal(html_parse(html, len, f[4], &o, &page, NULL), 0);
                        struct site_fetch fetch = {
                                .url = f[4],
                                .kind = (enum site_fetch_kind)kind_of(f[2]),
                                .column = column_of(site, f[3]),
                                .resp = &resp,
                                .page = page,
                        };
                        struct page_check_context ctx = {
                                .config = config,
                                .site = site,
                                .fetch = &fetch,
                                .now = time_of_day(today) + 9 * 3600,
                                .today = today,
                                .emit = collect,
                                .content = content,
                        };
                        run_page_checks(checks, &ctx);
                        html_page_free(page);
                }
        }
        assert_non_null(checks);

        struct site_results res = {.broken = broken, .n_broken = n_broken};
        struct check_context end = {
                .config = config,
                .site = site,
                .results = &res,
                .now = time_of_day(today) + 9 * 3600,
                .today = today,
                .emit = collect,
                .content = content,
        };
        run_end_checks(checks, &end);

        /* Second pass: the expected findings. */
        int line_no = 0;
        for (char *line = expected, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                line_no++;
                if (line[0] == '#' || !str_startswith(line, "finding\t"))
                        continue;
                size_t n = fixture_split_tabs(line, f, 6);
                if (n < 5) {
                        print_error("%s:%d: finding needs RULE SEVERITY SUBJECT DETAIL\n", path,
                                    line_no);
                        failures++;
                        continue;
                }
                enum severity sev;
                assert_int_equal(severity_from_id(f[2], &sev), 0);
                struct found *x = NULL;
                for (size_t i = 0; i < n_found && !x; i++)
                        if (streq(found[i].rule, f[1]) && streq(found[i].subject, f[3]))
                                x = &found[i];
                if (!x) {
                        print_error("%s:%d: missing %s %s\n", path, line_no, f[1], f[3]);
                        failures++;
                        continue;
                }
                x->matched = true;
                if (x->severity != sev || !strstr(x->detail, f[4])) {
                        print_error("%s:%d: %s %s: severity %s, detail %s\n", path, line_no,
                                    f[1], f[3], severity_id(x->severity), x->detail);
                        failures++;
                }
        }
        for (size_t i = 0; i < n_found; i++)
                if (!found[i].matched) {
                        print_error("%s: unexpected %s %s %s: %s\n", path, found[i].rule,
                                    severity_id(found[i].severity), found[i].subject,
                                    found[i].detail);
                        failures++;
                }

        for (size_t i = 0; i < n_broken; i++)
                free(broken[i].url);
        content_scan_free(content);
        assert_int_equal(failures, 0);
}

/* ---- unit cases ---- */

/* Catastrophic backtracking on a hostile page stops at the match limit, quickly. */
static void test_regex_hostile(void **state)
{
        struct rule_regex *re = NULL;
        char *error = NULL;
        size_t len = 100000;
        char *text = xmalloc(len + 2);

        memset(text, 'a', len);
        text[len] = '!';
        text[len + 1] = '\0';
        assert_int_equal(rule_regex_compile("^(a+)+$", &re, &error), 0);
        clock_t t0 = clock();
        assert_int_equal(rule_regex_search(re, text, len + 1, NULL, NULL), -E2BIG);
        assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
        rule_regex_free(re);

        /* Nested quantifiers on Chinese text, and a pattern that matches. */
        assert_int_equal(rule_regex_compile("(.*赌)*场", &re, &error), 0);
        struct buf b;
        buf_init(&b, 1 << 20);
        for (int i = 0; i < 20000; i++)
                buf_appends(&b, "赌");
        int r = rule_regex_search(re, b.data, b.len, NULL, NULL);
        assert_true(r == 0 || r == -E2BIG);
        buf_free(&b);
        rule_regex_free(re);

        size_t start, end;
        assert_int_equal(rule_regex_compile("ICP备\\s*[0-9]{4,12}\\s*号", &re, &error), 0);
        const char *footer = "主办：演示区人民政府　陕ICP备05000000号-1";
        assert_int_equal(rule_regex_search(re, footer, strlen(footer), &start, &end), 1);
        assert_int_equal(end - start, strlen("ICP备05000000号"));
        assert_string_equal(rule_regex_pattern(re), "ICP备\\s*[0-9]{4,12}\\s*号");
        /* Bytes that are not UTF-8 are refused, not read past. */
        assert_int_equal(rule_regex_search(re, "\xff\xfe", 2, NULL, NULL), -EINVAL);
        rule_regex_free(re);
        rule_regex_free(NULL);

        /* Errors name the place. */
        assert_int_equal(rule_regex_compile("ICP备([0-9]", &re, &error), -EINVAL);
        assert_non_null(strstr(error, "at byte"));
        free(error);
        char *huge = xmalloc(8192);
        memset(huge, 'x', 8191);
        huge[8191] = '\0';
        assert_int_equal(rule_regex_compile(huge, &re, &error), -EINVAL);
        free(error);
        free(huge);
        free(text);
}

/* Without a content collection the page checks still judge single pages, and the end
 * checks do nothing. */
static void test_no_collection(void **state)
{
        const struct rule_site *site = rule_config_site(config, "t");
        static const char html[] = "<html><head><title>x</title></head><body>"
                                   "<div style=\"display:none\"><a href=\"http://bet.example.com/\">"
                                   "博彩</a></div></body></html>";
        struct html_page *page = NULL;
        struct http_response resp = {.status = 200};

        assert_int_equal(html_parse(html, sizeof(html) - 1, "http://www.example.gov.cn/a.html",
                                    NULL, &page, NULL),
                         0);
        struct site_fetch fetch = {.url = "http://www.example.gov.cn/a.html",
                                   .kind = SITE_FETCH_PAGE, .column = -1, .resp = &resp,
                                   .page = page};
        struct page_check_context ctx = {.config = config, .site = site, .fetch = &fetch,
                                         .today = day_from_civil(2026, 11, 23), .emit = collect};
        n_found = 0;
        rule_page_checks_run(&ctx);
        /* The hidden link, and the page's missing site tags. */
        assert_int_equal(n_found, 2);
        html_page_free(page);

        struct site_results res = {0};
        struct check_context end = {.config = config, .site = site, .results = &res,
                                    .emit = collect};
        n_found = 0;
        check_page_tags_end(&end);
        check_guides_end(&end);
        check_interpretation_end(&end);
        assert_int_equal(n_found, 0);
        content_scan_free(NULL);
        assert_string_equal(rule_label("hidden_link"), "暗链");
        assert_string_equal(rule_label("guide_incomplete"), "办事指南要素不全");
}

static int name_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t list_fixtures(struct strv *paths)
{
        for (size_t d = 0; d < ARRAY_SIZE(check_dirs); d++) {
                _cleanup_free_ char *dir = xasprintf("%s/%s", XJ_FIXTURES, check_dirs[d]);
                DIR *dp = opendir(dir);
                struct dirent *e;
                assert_non_null(dp);
                while ((e = readdir(dp)))
                        if (str_endswith(e->d_name, ".expected"))
                                strv_push_take(paths, xasprintf("%s/%s", dir, e->d_name));
                closedir(dp);
        }
        qsort(paths->items, paths->n, sizeof(char *), name_cmp);
        return paths->n;
}

int main(void)
{
        /* XJ_TEST_MDWE=1 (meson test content-nojit): rules/regex.c under the service's
         * MemoryDenyWriteExecute=. */
        if (test_mdwe_from_env() < 0)
                return 77;
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_regex_hostile),
                cmocka_unit_test(test_no_collection),
        };
        struct strv errors = {0}, paths = {0};
        int failed;

        if (rule_config_load(XJ_FIXTURES "/content/rules.d", &config, &errors) < 0) {
                for (size_t i = 0; i < errors.n; i++)
                        fprintf(stderr, "%s\n", errors.items[i]);
                return 1;
        }
        size_t n = list_fixtures(&paths);
        struct CMUnitTest *fixtures = xcalloc(n, sizeof(*fixtures));
        for (size_t i = 0; i < n; i++)
                fixtures[i] = (struct CMUnitTest){
                        .name = strstr(paths.items[i], "/fixtures/") + strlen("/fixtures/"),
                        .test_func = run_fixture,
                        .initial_state = paths.items[i],
                };
        failed = cmocka_run_group_tests_name("content unit", tests, NULL, NULL);
        failed += _cmocka_run_group_tests("content fixtures", fixtures, n, NULL, NULL);
        free(fixtures);
        strv_free(&paths);
        strv_free(&errors);
        rule_config_free(config);
        return failed;
}

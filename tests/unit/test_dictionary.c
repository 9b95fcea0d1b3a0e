/* The page checks of 错敏字 and personal data (check_dictionary.c, check_personal_data.c)
 * driven by data: each tests/fixtures/dictionary/NAME.html is parsed as the crawler does
 * and checked with the configuration in tests/fixtures/dictionary/rules.d (the shipped
 * dictionary plus 70-local.yaml); NAME.expected lists exactly the findings it must give:
 *
 *   pubdate YYYY-MM-DD                   the page's own publication date (else none)
 *   RULE SEVERITY SUBJECT-SUFFIX DETAIL  a finding (tab-separated; DETAIL is a substring)
 *   evidence-has SUBJECT-SUFFIX TEXT     that finding's evidence contains TEXT
 *   evidence-lacks TEXT                  no finding's detail or evidence contains TEXT
 *
 * Also: the hostile page must finish quickly, and the sentence helper.
 *
 * Run again with XJ_TEST_MDWE=1 (meson test dictionary-nojit): the same fixtures with PCRE2's
 * JIT refused as under xunjian.service's MemoryDenyWriteExecute=, so the patterns find the
 * same hits and stop at the same limits in the interpreter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <cmocka.h>

#include <dirent.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "tests/unit/fixture_util.h"
#include "tests/unit/mdwe.h"
#include "rules/checks.h"
#include "rules/content_scan.h"

#define DICT_DIR XJ_FIXTURES "/dictionary"
#define MAX_FOUND 64

struct found {
        char *rule, *subject, *detail, *evidence;
        enum severity severity;
        enum finding_kind kind;
        bool matched;
};

static struct found found[MAX_FOUND];
static size_t n_found;

static void collect(const struct store_finding *f, void *userdata)
{
        assert_true(n_found < MAX_FOUND);
        found[n_found++] = (struct found){
                .rule = xstrdup(f->rule),
                .subject = xstrdup(f->subject),
                .detail = xstrdup(f->detail),
                .evidence = xstrdup(f->evidence ? f->evidence : ""),
                .severity = f->severity,
                .kind = f->kind,
        };
        assert_string_equal(f->site, "t");
        assert_non_null(f->url);
        /* The page is an article of the column 通知公告, whose unit is 区发改委. */
        assert_string_equal(f->column, "通知公告");
        assert_string_equal(f->unit, "区发改委");
}

/* The same for a finding about the whole site (no column; the site's unit). */
static void collect_site(const struct store_finding *f, void *userdata)
{
        assert_true(n_found < MAX_FOUND);
        found[n_found++] = (struct found){
                .rule = xstrdup(f->rule),
                .subject = xstrdup(f->subject),
                .detail = xstrdup(f->detail),
                .evidence = xstrdup(f->evidence ? f->evidence : ""),
                .severity = f->severity,
                .kind = f->kind,
        };
        assert_null(f->column);
}

static void clear_found(void)
{
        for (size_t i = 0; i < n_found; i++) {
                free(found[i].rule);
                free(found[i].subject);
                free(found[i].detail);
                free(found[i].evidence);
        }
        n_found = 0;
}

static struct found *find(const char *rule, const char *subject_suffix)
{
        for (size_t i = 0; i < n_found; i++)
                if ((!rule || streq(found[i].rule, rule)) &&
                    str_endswith(found[i].subject, subject_suffix))
                        return &found[i];
        return NULL;
}

static int setup(void **state)
{
        struct rule_config *c = NULL;
        struct strv errors = {0};
        int r = rule_config_load(DICT_DIR "/rules.d", &c, &errors);

        for (size_t i = 0; i < errors.n; i++)
                print_message("%s\n", errors.items[i]);
        strv_free(&errors);
        if (r < 0)
                return -1;
        *state = c;
        return 0;
}

static int teardown(void **state)
{
        rule_config_free(*state);
        return 0;
}

/* Runs the dictionary's page checks (not the others, which have their own fixtures) on
 * fixture NAME.html; returns the seconds it took. */
static double check_page(const struct rule_config *c, const char *name, bool has_pubdate,
                         xj_day pubdate)
{
        _cleanup_free_ char *path = xasprintf("%s/%s.html", DICT_DIR, name);
        _cleanup_free_ char *url = xasprintf("http://127.0.0.1:1/tzgg/%s.html", name);
        _cleanup_free_ char *html = fixture_read(path, NULL);
        _cleanup_free_ char *error = NULL;
        struct html_options o = {.today = day_from_civil(2026, 11, 23)};
        struct html_page *page = NULL;
        struct http_response resp = {.status = 200};
        struct timespec t0, t1;

        assert_non_null(html);
        assert_int_equal(html_parse(html, strlen(html), url, &o, &page, &error), 0);
        struct site_fetch f = {
                .url = url,
                .kind = SITE_FETCH_ARTICLE,
                .column = 0,
                .depth = 2,
                .resp = &resp,
                .page = page,
                .has_pubdate = has_pubdate,
                .pubdate = pubdate,
        };
        struct page_check_context ctx = {
                .config = c,
                .site = rule_config_site(c, "t"),
                .fetch = &f,
                .now = time_of_day(day_from_civil(2026, 11, 23)) + 9 * 3600,
                .today = day_from_civil(2026, 11, 23),
                .emit = collect,
        };
        clock_gettime(CLOCK_MONOTONIC, &t0);
        check_dictionary(&ctx);
        check_personal_data(&ctx);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        html_page_free(page);
        return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

static size_t split_tabs(char *line, char **f, size_t max)
{
        size_t n = 0;

        f[n++] = line;
        for (char *p = line; *p && n < max; p++)
                if (*p == '\t') {
                        *p = '\0';
                        f[n++] = p + 1;
                }
        return n;
}

static void run_fixture(const struct rule_config *c, const char *name)
{
        _cleanup_free_ char *path = xasprintf("%s/%s.expected", DICT_DIR, name);
        _cleanup_free_ char *text = fixture_read(path, NULL);
        bool has_pubdate = false;
        xj_day pubdate = 0;
        size_t wanted = 0;
        char *save = NULL;
        double seconds;

        assert_non_null(text);
        /* The date first: the checks run before the rest is compared. */
        for (char *line = strstr(text, "pubdate\t"); line; line = NULL) {
                int y, m, d;
                assert_int_equal(sscanf(line + 8, "%d-%d-%d", &y, &m, &d), 3);
                pubdate = day_from_civil(y, m, d);
                has_pubdate = true;
        }
        clear_found();
        seconds = check_page(c, name, has_pubdate, pubdate);
        /* Every page here is small: even the hostile one must be done at once. */
        if (seconds > 2.0)
                fail_msg("%s: the checks took %.2f s", name, seconds);

        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *f[4];
                size_t n;

                if (line[0] == '#' || line[0] == '\0')
                        continue;
                n = split_tabs(line, f, 4);
                if (streq(f[0], "pubdate"))
                        continue;
                if (streq(f[0], "evidence-lacks")) {
                        assert_int_equal(n, 2);
                        for (size_t i = 0; i < n_found; i++)
                                if (strstr(found[i].evidence, f[1]) || strstr(found[i].detail, f[1]))
                                        fail_msg("%s: %s in the finding %s", name, f[1],
                                                 found[i].subject);
                        continue;
                }
                if (streq(f[0], "evidence-has")) {
                        assert_int_equal(n, 3);
                        struct found *x = find(NULL, f[1]);
                        if (!x || !strstr(x->evidence, f[2]))
                                fail_msg("%s: no evidence with %s for %s", name, f[2], f[1]);
                        continue;
                }
                assert_int_equal(n, 4);
                struct found *x = find(f[0], f[2]);
                if (!x)
                        fail_msg("%s: missing finding %s %s", name, f[0], f[2]);
                if (!strstr(x->detail, f[3]))
                        fail_msg("%s: %s: detail \"%s\" lacks \"%s\"", name, f[2], x->detail,
                                 f[3]);
                assert_string_equal(severity_id(x->severity), f[1]);
                x->matched = true;
                wanted++;
        }
        for (size_t i = 0; i < n_found; i++)
                if (!found[i].matched)
                        fail_msg("%s: unexpected finding %s %s: %s", name, found[i].rule,
                                 found[i].subject, found[i].detail);
        assert_int_equal(n_found, wanted);
        clear_found();
}

static void test_fixtures(void **state)
{
        const struct rule_config *c = *state;
        DIR *d = opendir(DICT_DIR);
        struct dirent *de;
        size_t pages = 0;

        assert_non_null(d);
        while ((de = readdir(d))) {
                _cleanup_free_ char *name = NULL;

                if (!str_endswith(de->d_name, ".html"))
                        continue;
                name = xstrndup(de->d_name, strlen(de->d_name) - 5);
                print_message("fixture %s\n", name);
                run_fixture(c, name);
                pages++;
        }
        closedir(d);
        assert_true(pages >= 6);
}

/* The limit is what stops the hostile page: with it raised a thousandfold the same search
 * would run for minutes, so only the reported warning is checked here. */
static void test_hostile_limit_evidence(void **state)
{
        const struct rule_config *c = *state;
        struct found *x;

        clear_found();
        check_page(c, "hostile", false, 0);
        x = find("dictionary_limit", "「hostile_backtrack」");
        assert_non_null(x);
        assert_int_equal(x->kind, FINDING_WARNING);
        assert_non_null(strstr(x->evidence, "\"limit\":\"match_limit\""));
        clear_found();
}

static void test_context(void **state)
{
        const char *text = "第一句。第二句中有错字，还有后文！第三句";
        struct buf b;
        size_t at = strlen("第一句。第二句中有");

        buf_init(&b, 4096);
        rule_text_context(text, strlen(text), at, at + strlen("错字"), 60, &b);
        assert_string_equal(b.data, "第二句中有错字，还有后文！");
        buf_reset(&b);
        /* Cut to three characters each way, marked. */
        rule_text_context(text, strlen(text), at, at + strlen("错字"), 3, &b);
        assert_string_equal(b.data, "…句中有错字，还有…");
        buf_reset(&b);
        /* At the very start and end. */
        rule_text_context(text, strlen(text), 0, strlen("第一句"), 60, &b);
        assert_string_equal(b.data, "第一句。");
        buf_reset(&b);
        at = strlen(text) - strlen("第三句");
        rule_text_context(text, strlen(text), at, strlen(text), 60, &b);
        assert_string_equal(b.data, "第三句");
        buf_free(&b);
}

static void test_id_card(void **state)
{
        xj_day today = day_from_civil(2026, 11, 23);

        assert_true(rule_id_card_valid("11010519491231002X", today));
        assert_true(rule_id_card_valid("11010519491231002x", today));
        assert_true(rule_id_card_valid("440306198512031234", today));
        assert_false(rule_id_card_valid("110105194912310021", today)); /* check digit */
        assert_false(rule_id_card_valid("990105194912310021", today)); /* province */
        assert_false(rule_id_card_valid("110105194902300021", today)); /* 02-30 */
        /* Born after today. */
        assert_false(rule_id_card_valid("110105202712310021", today));
}

/* Under MDWE no pattern is JIT-compiled, and pcre2_jit_compile()'s failure did not refuse
 * the pattern; otherwise, where PCRE2 has a JIT, every pattern uses it. */
static bool under_mdwe;

static void test_jit_state(void **state)
{
        const struct rule_config *c = *state;
        uint32_t have_jit = 0;

        pcre2_config(PCRE2_CONFIG_JIT, &have_jit);
        assert_true(c->dictionary.n_patterns >= 3);
        for (size_t i = 0; i < c->dictionary.n_patterns; i++) {
                const struct rule_pattern *p = &c->dictionary.patterns[i];
                if (under_mdwe || !have_jit)
                        assert_false(p->jit);
                else
                        assert_true(p->jit);
        }
}

/* A wrong word in the site's footer is on every page: one finding for the site, kept across
 * the pages in the content scan and reported at the end, not one finding per page. A page
 * whose own text has the word still gets its own finding. */
static void test_template_word(void **state)
{
        const struct rule_config *c = *state;
        const struct rule_site *site = rule_config_site(c, "t");
        struct content_scan *cs = content_scan_new();
        struct http_response resp = {.status = 200};
        const char *bodies[] = {
                "<p>第一篇文章的正文，内容完整。</p>",
                "<p>第二篇文章的正文，内容完整。</p>",
                "<p>第三篇文章提到区攻府的工作安排。</p>",
        };

        for (size_t i = 0; i < ARRAY_SIZE(bodies); i++) {
                _cleanup_free_ char *url = xasprintf("http://127.0.0.1:1/tzgg/t%zu.html", i);
                _cleanup_free_ char *html = xasprintf(
                        "<html><body><div class=\"nav\"><a href=\"/\">首页</a></div>%s"
                        "<div class=\"footer\">主办：某区人民攻府办公室</div></body></html>",
                        bodies[i]);
                struct html_options o = {.today = day_from_civil(2026, 11, 23)};
                struct html_page *page = NULL;

                assert_int_equal(html_parse(html, strlen(html), url, &o, &page, NULL), 0);
                struct site_fetch f = {
                        .url = url,
                        .kind = SITE_FETCH_ARTICLE,
                        .column = 0,
                        .depth = 2,
                        .resp = &resp,
                        .page = page,
                };
                check_dictionary(&(struct page_check_context){
                        .config = c,
                        .site = site,
                        .fetch = &f,
                        .now = time_of_day(day_from_civil(2026, 11, 23)) + 9 * 3600,
                        .today = day_from_civil(2026, 11, 23),
                        .emit = collect,
                        .content = cs,
                });
                html_page_free(page);
        }
        /* Only the third page, which has the word in its own text, has a finding so far. */
        assert_int_equal(n_found, 1);
        assert_non_null(find("wrong_word", "t2.html 「攻府」"));
        clear_found();

        check_dictionary_end(&(struct check_context){
                .config = c,
                .site = site,
                .now = time_of_day(day_from_civil(2026, 11, 23)) + 9 * 3600,
                .today = day_from_civil(2026, 11, 23),
                .emit = collect_site,
                .content = cs,
        });
        assert_int_equal(n_found, 1);
        assert_true(str_startswith(found[0].subject, site->homepage));
        assert_non_null(strstr(found[0].subject, "「攻府」（网站模板或链接文字）"));
        assert_string_equal(found[0].rule, "wrong_word");
        assert_int_equal(found[0].severity, SEVERITY_SERIOUS);
        assert_non_null(strstr(found[0].detail, "共 2 个页面"));
        assert_non_null(strstr(found[0].evidence, "\"pages\":2"));
        assert_non_null(strstr(found[0].evidence, "t0.html"));
        assert_non_null(strstr(found[0].evidence, "攻府办公室"));
        clear_found();
        content_scan_free(cs);
}

int main(void)
{
        int mdwe = test_mdwe_from_env();

        if (mdwe < 0)
                return 77;
        under_mdwe = mdwe > 0;
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_jit_state),
                cmocka_unit_test(test_fixtures),
                cmocka_unit_test(test_hostile_limit_evidence),
                cmocka_unit_test(test_context),
                cmocka_unit_test(test_id_card),
                cmocka_unit_test(test_template_word),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

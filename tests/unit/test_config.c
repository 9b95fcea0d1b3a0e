/* Tests of the rules.d loader: the shipped rules.d, merging and overrides, Chinese keys,
 * and one fixture directory per kind of error (tests/fixtures/config/<case>/). */

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <unistd.h>

#include "rules/config.h"

#define CASE_DIR(name) XJ_FIXTURES "/config/" name

/* One expected error: where it is (relative to the case directory, "file:line:col: ")
 * and a piece of its message. */
struct expect {
        const char *where;
        const char *text;
};

static void dump_errors(const struct strv *errors)
{
        for (size_t i = 0; i < errors->n; i++)
                print_message("  got: %s\n", errors->items[i]);
}

/* The errors must be exactly these, in this order. */
static void check_errors(const char *case_name, const struct strv *errors, const struct expect *e,
                         size_t n)
{
        bool ok = errors->n == n;

        for (size_t i = 0; ok && i < n; i++) {
                char *full = xasprintf("%s/config/%s/%s", XJ_FIXTURES, case_name, e[i].where);

                if (!str_startswith(errors->items[i], full) ||
                    !strstr(errors->items[i], e[i].text)) {
                        print_message("error %zu: want \"%s\" ... \"%s\"\n", i, full, e[i].text);
                        ok = false;
                }
                free(full);
        }
        if (!ok) {
                print_message("case %s: %zu errors, want %zu\n", case_name, errors->n, n);
                dump_errors(errors);
                fail();
        }
}

/* Loads a case that must fail with -EINVAL and checks its errors. */
static void check_case(const char *case_name, const struct expect *e, size_t n)
{
        char *dir = xasprintf("%s/config/%s", XJ_FIXTURES, case_name);
        struct rule_config *c = NULL;
        struct strv errors = {0};
        int r;

        r = rule_config_load(dir, &c, &errors);
        if (r != -EINVAL)
                dump_errors(&errors);
        assert_int_equal(r, -EINVAL);
        assert_null(c);
        check_errors(case_name, &errors, e, n);
        strv_free(&errors);
        free(dir);
}

static struct rule_config *load_ok(const char *dir)
{
        struct rule_config *c = NULL;
        struct strv errors = {0};
        int r;

        r = rule_config_load(dir, &c, &errors);
        if (r != 0 || errors.n != 0)
                dump_errors(&errors);
        assert_int_equal(r, 0);
        assert_int_equal(errors.n, 0);
        assert_non_null(c);
        strv_free(&errors);
        return c;
}

static const struct rule_class *class_by_id(const struct rule_config *c, const char *id)
{
        for (size_t i = 0; i < c->n_classes; i++)
                if (streq(c->classes[i].id, id))
                        return &c->classes[i];
        return NULL;
}

static void test_shipped(void **state)
{
        struct rule_config *c = load_ok(XJ_RULES_DIR);
        const struct rule_settings *s = &c->settings;
        const struct rule_class *news, *annual;
        const struct rule_unit *fgw;
        const struct rule_site *site;

        assert_true(c->files.n >= 3);
        assert_true(str_endswith(c->files.items[0], "/00-national.yaml"));
        assert_true(str_endswith(c->files.items[1], "/10-units.yaml"));

        /* DOMAIN.md's numbers, from 00-national.yaml. */
        assert_int_equal(s->homepage_max_age_days, 14);
        assert_int_equal(s->homepage_warn_days, 10);
        assert_int_equal(s->blank_warn, 2);
        assert_int_equal(s->blank_veto, 5);
        assert_int_equal(s->overdue_news_veto, 5);
        assert_int_equal(s->overdue_any_veto, 10);
        assert_int_equal(s->connect_timeout_ms, 10000);
        assert_int_equal(s->timeout_ms, 30000);
        assert_int_equal(s->max_body_bytes, 5242880);
        assert_int_equal(s->max_host_connections, 4);
        assert_int_equal(s->max_depth, 2);
        assert_int_equal(s->max_url_length, 2048);
        /* The User-Agent says what the crawler is and who runs it, in ASCII. */
        assert_non_null(strstr(s->user_agent, "xunjian/"));
        assert_non_null(strstr(s->user_agent, "crawler"));
        assert_non_null(strstr(s->user_agent, "run by"));
        for (const char *p = s->user_agent; *p; p++)
                assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
        assert_int_equal(s->host_delay_ms, 100);
        assert_int_equal(s->max_retry_after_ms, 120000);
        assert_int_equal(s->max_urls_per_path, 500);
        assert_int_equal(s->resume_within_h, 24);
        assert_true(strv_contains(&s->soft404_titles, "页面不存在"));
        assert_true(strv_contains(&s->soft404_titles, "404"));
        assert_true(strv_contains(&s->blank_placeholders, "暂无信息"));
        assert_true(strv_contains(&s->blank_placeholders, "栏目建设中"));

        news = class_by_id(c, "news");
        assert_non_null(news);
        assert_string_equal(news->name, "动态要闻");
        assert_int_equal(news->max_age_days, 14);
        assert_int_equal(news->warn_lead_days, 4);
        assert_int_equal(news->group, CLASS_GROUP_NEWS);
        assert_false(news->annual);
        assert_int_equal(class_by_id(c, "policy")->group, CLASS_GROUP_NOTICE);
        assert_int_equal(class_by_id(c, "policy")->max_age_days, 180);
        assert_int_equal(class_by_id(c, "regular")->max_age_days, 365);
        annual = class_by_id(c, "annual");
        assert_non_null(annual);
        assert_true(annual->annual);
        assert_int_equal(annual->max_age_days, 0);
        assert_int_equal(annual->annual_month, 3);
        assert_int_equal(annual->annual_day, 31);
        assert_int_equal(annual->group, CLASS_GROUP_OTHER);

        /* Units by id and by name are the same entry. */
        fgw = rule_config_unit(c, "fgw");
        assert_non_null(fgw);
        assert_ptr_equal(rule_config_unit(c, "区发改委"), fgw);
        assert_int_equal(fgw->emails.n, 1);
        assert_string_equal(fgw->emails.items[0], "fgw@example.gov.cn");
        assert_non_null(rule_config_unit(c, "区数据信息中心"));
        assert_non_null(rule_config_unit(c, "区政府政务公开办"));
        assert_null(rule_config_unit(c, "区长办"));
        assert_true(c->n_units >= 24);

        /* The example site: disabled, but found and fully resolved. */
        site = rule_config_site(c, "example");
        assert_non_null(site);
        assert_ptr_equal(rule_config_site(c, "示例区人民政府"), site);
        assert_false(site->enabled);
        assert_string_equal(site->base_url, "https://www.example.gov.cn/");
        assert_string_equal(site->homepage, "https://www.example.gov.cn/index.html");
        assert_ptr_equal(site->unit, rule_config_unit(c, "zfb"));
        assert_true(site->n_columns >= 15);
        assert_true(str_endswith(site->file, "/50-example-site.yaml"));
        for (size_t i = 0; i < site->n_columns; i++) {
                const struct rule_column *col = &site->columns[i];
                assert_non_null(col->cls);
                assert_non_null(col->unit);
                assert_true(str_startswith(col->url, "https://www.example.gov.cn/"));
                assert_true(col->line > 0);
        }
        assert_string_equal(site->columns[0].name, "工作动态");
        assert_string_equal(site->columns[0].url, "https://www.example.gov.cn/xwzx/gzdt/");
        assert_string_equal(site->columns[0].item_selector, "ul.list > li");
        assert_null(site->columns[1].item_selector);
        /* A class and a unit named by their Chinese names. */
        assert_string_equal(site->columns[2].name, "乡镇街道动态");
        assert_ptr_equal(site->columns[2].cls, news);
        assert_ptr_equal(site->columns[2].unit, rule_config_unit(c, "zfb"));
        assert_null(rule_config_site(c, "nosuchsite"));

        rule_config_free(c);
}

static void test_base_fixture(void **state)
{
        struct rule_config *c = load_ok(CASE_DIR("base"));
        const struct rule_site *demo = rule_config_site(c, "demo");

        assert_non_null(demo);
        assert_true(demo->enabled);
        /* The trailing "/" is added, and the homepage defaults to the base URL. */
        assert_string_equal(demo->base_url, "http://127.0.0.1:8080/");
        assert_string_equal(demo->homepage, "http://127.0.0.1:8080/");
        assert_int_equal(demo->n_columns, 2);
        assert_string_equal(demo->columns[0].url, "http://127.0.0.1:8080/xwzx/gzdt/");
        assert_int_equal(demo->columns[0].line, 46);
        assert_string_equal(demo->columns[1].url, "http://127.0.0.1:8080/zwgk/zfwj/");
        assert_ptr_equal(demo->columns[1].cls, class_by_id(c, "policy"));
        assert_ptr_equal(demo->columns[1].unit, rule_config_unit(c, "jyj"));
        assert_int_equal(demo->line, 41);
        /* email: a string or a list. */
        assert_int_equal(rule_config_unit(c, "zfb")->emails.n, 1);
        assert_int_equal(rule_config_unit(c, "jyj")->emails.n, 2);
        assert_string_equal(rule_config_unit(c, "jyj")->emails.items[1], "jyj2@example.gov.cn");
        rule_config_free(c);
        rule_config_free(NULL);
}

static void test_override(void **state)
{
        struct rule_config *c = load_ok(CASE_DIR("override"));
        const struct rule_class *news = class_by_id(c, "news");
        const struct rule_site *demo;

        /* Hidden files, README.txt and *.bak are skipped; .yml is read; name order. */
        assert_int_equal(c->files.n, 3);
        assert_true(str_endswith(c->files.items[0], "/00-base.yaml"));
        assert_true(str_endswith(c->files.items[1], "/20-extra.yml"));
        assert_true(str_endswith(c->files.items[2], "/90-local.yaml"));

        /* settings merge leaf by leaf. */
        assert_int_equal(c->settings.blank_veto, 3);
        assert_int_equal(c->settings.blank_warn, 2);
        assert_int_equal(c->settings.homepage_max_age_days, 14);

        /* classes, units and sites are replaced as a whole, in their place. */
        assert_int_equal(c->n_classes, 5);
        assert_ptr_equal(news, &c->classes[0]);
        assert_string_equal(news->name, "要闻动态");
        assert_int_equal(news->max_age_days, 7);
        assert_int_equal(news->warn_lead_days, 0);
        assert_int_equal(c->n_units, 3);
        assert_string_equal(rule_config_unit(c, "zfb")->name, "区政府办公室");
        assert_null(rule_config_unit(c, "区政府办"));
        assert_string_equal(rule_config_unit(c, "zfb")->emails.items[0], "office@example.gov.cn");

        assert_int_equal(c->n_sites, 1);
        demo = rule_config_site(c, "demo");
        assert_non_null(demo);
        assert_false(demo->enabled);
        assert_string_equal(demo->name, "演示区人民政府（新版）");
        assert_string_equal(demo->base_url, "http://127.0.0.1:8081/new/");
        assert_string_equal(demo->homepage, "http://127.0.0.1:8081/portal.html");
        assert_ptr_equal(demo->unit, rule_config_unit(c, "zfb"));
        assert_int_equal(demo->n_columns, 1);
        assert_string_equal(demo->columns[0].url, "http://127.0.0.1:8081/new/dt/");
        assert_ptr_equal(demo->columns[0].cls, news);
        assert_ptr_equal(demo->columns[0].unit, rule_config_unit(c, "区民政局"));
        assert_true(str_endswith(demo->columns[0].file, "/90-local.yaml"));
        rule_config_free(c);
}

static void test_chinese(void **state)
{
        struct rule_config *c = load_ok(CASE_DIR("chinese"));
        const struct rule_site *site = rule_config_site(c, "演示站");
        const struct rule_class *yaowen = class_by_id(c, "要闻");

        assert_true(str_endswith(c->files.items[1], "/50-中文.yaml"));
        assert_non_null(yaowen);
        assert_int_equal(yaowen->max_age_days, 7);
        assert_non_null(site);
        assert_ptr_equal(rule_config_site(c, "中文演示站"), site);
        assert_ptr_equal(site->unit, rule_config_unit(c, "办公室"));
        assert_ptr_equal(site->unit, rule_config_unit(c, "区政府办公室"));
        assert_int_equal(site->n_columns, 2);
        assert_string_equal(site->columns[0].name, "通知公告");
        assert_ptr_equal(site->columns[0].cls, yaowen);
        assert_ptr_equal(site->columns[1].cls, class_by_id(c, "policy"));
        assert_ptr_equal(site->columns[1].unit, rule_config_unit(c, "jyj"));
        /* URLs with Chinese paths come out percent-encoded, under the base URL. */
        assert_true(str_startswith(site->base_url, "http://127.0.0.1:8080/%"));
        assert_true(str_endswith(site->base_url, "/"));
        assert_true(str_startswith(site->columns[0].url, site->base_url));
        assert_true(str_endswith(site->columns[1].url, "/zcwj/"));
        for (const char *p = site->columns[0].url; *p; p++)
                assert_true((unsigned char)*p < 0x80);
        rule_config_free(c);
}

static void test_syntax(void **state)
{
        static const struct expect e[] = {
            {"50-broken.yaml:2:47: ", "YAML syntax error: mismatched flow mapping end"},
            {"70-more.yaml:3:21: ", "units.wjj: unknown key 'mail' (allowed: name, email)"},
        };
        struct rule_config *c = NULL;
        struct strv errors = {0};
        FILE *capture = tmpfile();
        int saved = dup(STDERR_FILENO);
        int r;

        /* libfyaml must not print anything itself: its messages come back as errors. */
        assert_non_null(capture);
        assert_true(saved >= 0);
        fflush(stderr);
        assert_true(dup2(fileno(capture), STDERR_FILENO) >= 0);
        r = rule_config_load(CASE_DIR("syntax"), &c, &errors);
        fflush(stderr);
        assert_true(dup2(saved, STDERR_FILENO) >= 0);
        close(saved);
        assert_int_equal(fseek(capture, 0, SEEK_END), 0);
        assert_int_equal(ftell(capture), 0);
        fclose(capture);

        assert_int_equal(r, -EINVAL);
        assert_null(c);
        check_errors("syntax", &errors, e, ARRAY_SIZE(e));
        strv_free(&errors);
}

static void test_unknown_key(void **state)
{
        static const struct expect e[] = {
            {"50-unknown.yaml:3:5: ",
             "settings.http: unknown key 'timeout' (allowed: "
             "connect_timeout_s, timeout_s, max_body_bytes, max_redirects, "
             "max_connections, max_host_connections, retries, user_agent, host_delay_ms, "
             "max_retry_after_s)"},
            {"50-unknown.yaml:5:53: ",
             "classes.extra: unknown key 'warn_days' (allowed: "
             "name, max_age_days, warn_lead_days, group, annual_deadline)"},
            {"50-unknown.yaml:11:5: ", "sites.second: unknown key 'colums'"},
        };

        check_case("unknown_key", e, ARRAY_SIZE(e));
}

static void test_top_level(void **state)
{
        static const struct expect e[] = {
            {"50-top.yaml:1:1: ", "unknown top-level key 'setting' (allowed: settings, "
                                  "classes, units, sites)"},
        };

        check_case("top_level", e, ARRAY_SIZE(e));
}

static void test_wrong_type(void **state)
{
        static const struct expect e[] = {
            {"50-types.yaml:2:10: ", "settings.crawl: expected a mapping (got \"5\")"},
            {"50-types.yaml:4:17: ", "settings.thresholds.blank_veto: expected an "
                                     "integer (got the quoted string \"3\""},
            {"50-types.yaml:6:17: ", "classes.extra.name: expected a string (got a "
                                     "list)"},
            {"50-types.yaml:6:37: ", "classes.extra.max_age_days: expected an integer "
                                     "(got \"30.5\")"},
            {"50-types.yaml:8:8: ", "units.mzj: expected a mapping (got \"区民政局\")"},
            {"50-types.yaml:14:14: ", "sites.second.enabled: expected true or false "
                                      "(got \"yes\")"},
            {"50-types.yaml:15:14: ", "sites.second.columns: expected a list of columns "
                                      "(got a mapping)"},
        };

        check_case("wrong_type", e, ARRAY_SIZE(e));
}

static void test_range(void **state)
{
        static const struct expect e[] = {
            {"50-range.yaml:3:16: ", "settings.http.timeout_s must be between 1 and "
                                     "3600 (got 0)"},
            {"50-range.yaml:5:17: ", "settings.thresholds.blank_veto must be between 1"},
            {"50-range.yaml:8:37: ", "classes.extra.max_age_days must be between 1 and "
                                     "3650 (got 4000)"},
            {"50-range.yaml:9:58: ", "classes.extra2.warn_lead_days (30) must be less "
                                     "than max_age_days (30)"},
            {"50-range.yaml:10:40: ", "classes.yearly.annual_deadline: expected a date "
                                      "\"MM-DD\""},
            {"50-range.yaml:11:41: ", "(got '02-29')"},
            {"50-range.yaml:12:48: ", "classes.grouped.group: must be news, notice or "
                                      "other (got 'misc')"},
            /* Checked after the merge, against the base file's homepage_max_age_days. */
            {"50-range.yaml:6:25: ", "settings.thresholds.homepage_warn_days (20) must "
                                     "be less than settings.thresholds.homepage_max_age_days (14)"},
        };

        check_case("range", e, ARRAY_SIZE(e));
}

static void test_unknown_ref(void **state)
{
        static const struct expect e[] = {
            {"50-refs.yaml:5:11: ", "sites.second.unit: unknown unit '区长办'"},
            {"50-refs.yaml:7:35: ", "sites.second.columns[1].class: unknown class "
                                    "'polcy' (known: news, notice, policy, regular, annual, late)"},
            {"50-refs.yaml:8:47: ", "sites.second.columns[2].unit: unknown unit "
                                    "'nobody'"},
        };

        check_case("unknown_ref", e, ARRAY_SIZE(e));
}

static void test_dup_url(void **state)
{
        static const struct expect e[] = {
            {"50-dup.yaml:9:24: ",
             "sites.second.columns[3].url: duplicate column URL "
             "http://127.0.0.2/portal/zwgk/ (already the URL of column '甲' at line 7)"},
        };

        check_case("dup_url", e, ARRAY_SIZE(e));
}

static void test_bad_url(void **state)
{
        static const struct expect e[] = {
            {"50-urls.yaml:4:15: ", "sites.second.base_url: 'ftp://127.0.0.2/' is not an "
                                    "http or https URL"},
            {"50-urls.yaml:11:15: ",
             "sites.third.homepage: "
             "'mailto:webmaster@example.gov.cn' is not an http or https URL"},
            {"50-urls.yaml:14:24: ", "sites.third.columns[1].url: 'javascript:void(0)' "
                                     "is not an http or https URL"},
            {"50-urls.yaml:15:24: ", "sites.third.columns[2].url: 'http://[::1/' is not "
                                     "a valid URL"},
        };

        check_case("bad_url", e, ARRAY_SIZE(e));
}

static void test_missing_key(void **state)
{
        static const struct expect e[] = {
            {"50-missing.yaml:2:3: ", "units.mzj: missing required key 'name'"},
            {"50-missing.yaml:4:3: ", "classes.extra: missing required key "
                                      "'max_age_days' (or 'annual_deadline'"},
            {"50-missing.yaml:6:3: ", "sites.second: missing required key 'base_url'"},
            {"50-missing.yaml:10:9: ", "sites.second.columns[1]: missing required key "
                                       "'class'"},
        };

        check_case("missing_key", e, ARRAY_SIZE(e));
}

static void test_missing_setting(void **state)
{
        /* Reported where the section was written, naming the whole key. */
        static const struct expect e[] = {
            {"00-a.yaml:13:3: ", "settings.crawl.max_depth is required, and no file of " XJ_FIXTURES
                                 "/config/missing_setting sets it"},
            {"10-b.yaml:2:3: ", "settings.thresholds.overdue_any_veto is required"},
        };

        check_case("missing_setting", e, ARRAY_SIZE(e));
}

static void test_no_settings(void **state)
{
        struct rule_config *c = NULL;
        struct strv errors = {0};
        const char *prefix = CASE_DIR("no_settings") "/00-only.yaml:1:1: ";

        assert_int_equal(rule_config_load(CASE_DIR("no_settings"), &c, &errors), -EINVAL);
        assert_null(c);
        /* Every one of the 25 settings is named. */
        assert_int_equal(errors.n, 25);
        for (size_t i = 0; i < errors.n; i++)
                assert_true(str_startswith(errors.items[i], prefix));
        assert_non_null(strstr(errors.items[0], "settings.http.connect_timeout_s is required"));
        assert_non_null(strstr(errors.items[23], "settings.blank_placeholders is required"));
        assert_non_null(strstr(errors.items[24], "settings.soft404_titles is required"));
        strv_free(&errors);
}

static void test_not_utf8(void **state)
{
        static const struct expect e[] = {
            {"50-gbk.yaml:2:15: ", "not valid UTF-8 (byte 0xc7)"},
        };

        check_case("not_utf8", e, ARRAY_SIZE(e));
}

static void test_dup_key(void **state)
{
        static const struct expect e[] = {
            {"50-dup.yaml:3:3: ", "units: duplicate key 'mzj' (first written at line 2)"},
            {"50-dup.yaml:9:5: ", "sites.second: duplicate key 'name' (first written at "
                                  "line 7)"},
            /* Names must be unique too, since references may use them. */
            {"50-dup.yaml:4:3: ", "units.mzj2.name: '区教育局' is already the name of "
                                  "units.jyj (" XJ_FIXTURES "/config/dup_key/00-base.yaml:39)"},
        };

        check_case("dup_key", e, ARRAY_SIZE(e));
}

static void test_empty_dir(void **state)
{
        struct rule_config *c = NULL;
        struct strv errors = {0};

        assert_int_equal(rule_config_load(CASE_DIR("empty"), &c, &errors), -ENOENT);
        assert_null(c);
        assert_int_equal(errors.n, 1);
        assert_true(str_startswith(errors.items[0], CASE_DIR("empty") ": "));
        assert_non_null(strstr(errors.items[0], "no rules files"));
        strv_free(&errors);
}

static void test_missing_dir(void **state)
{
        struct rule_config *c = NULL;
        struct strv errors = {0};

        assert_int_equal(rule_config_load(CASE_DIR("does-not-exist"), &c, &errors), -ENOENT);
        assert_null(c);
        assert_int_equal(errors.n, 1);
        assert_true(str_startswith(errors.items[0], CASE_DIR("does-not-exist") ": "));
        assert_non_null(strstr(errors.items[0], "No such file or directory"));
        strv_free(&errors);

        /* A file given as the directory is "missing" too. */
        assert_int_equal(rule_config_load(CASE_DIR("base/00-base.yaml"), &c, &errors), -ENOENT);
        assert_int_equal(errors.n, 1);
        strv_free(&errors);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_shipped),     cmocka_unit_test(test_base_fixture),
            cmocka_unit_test(test_override),    cmocka_unit_test(test_chinese),
            cmocka_unit_test(test_syntax),      cmocka_unit_test(test_unknown_key),
            cmocka_unit_test(test_top_level),   cmocka_unit_test(test_wrong_type),
            cmocka_unit_test(test_range),       cmocka_unit_test(test_unknown_ref),
            cmocka_unit_test(test_dup_url),     cmocka_unit_test(test_bad_url),
            cmocka_unit_test(test_missing_key), cmocka_unit_test(test_missing_setting),
            cmocka_unit_test(test_no_settings), cmocka_unit_test(test_not_utf8),
            cmocka_unit_test(test_dup_key),     cmocka_unit_test(test_empty_dir),
            cmocka_unit_test(test_missing_dir),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

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

        assert_true(c->files.n >= 4);
        assert_true(str_endswith(c->files.items[0], "/00-national.yaml"));
        assert_true(str_endswith(c->files.items[1], "/05-holidays.yaml"));
        assert_true(str_endswith(c->files.items[2], "/10-units.yaml"));

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
        /* 政务新媒体: 14 days for every type. */
        for (int t = 0; t < N_ACCOUNT_TYPES; t++)
                assert_int_equal(s->media_max_age_days[t], 14);
        assert_true(strv_contains(&s->media_platform_hosts, "mp.weixin.qq.com"));
        /* The content checks: seed 002's eight guide elements, seed 001's 50 %. */
        assert_int_equal(s->guide_elements.n, 8);
        assert_int_equal(s->multiform_min_percent, 50);
        assert_true(strv_contains(&s->site_metas, "SiteIDCode"));
        assert_true(strv_contains(&s->article_metas, "PubDate"));
        assert_int_equal(rule_regex_search(s->footer_police, "京公网安备 11010502000001号",
                                           strlen("京公网安备 11010502000001号"), NULL, NULL),
                         1);

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
        assert_int_equal(demo->columns[0].line, 61);
        assert_string_equal(demo->columns[1].url, "http://127.0.0.1:8080/zwgk/zfwj/");
        assert_ptr_equal(demo->columns[1].cls, class_by_id(c, "policy"));
        assert_ptr_equal(demo->columns[1].unit, rule_config_unit(c, "jyj"));
        assert_int_equal(demo->line, 56);
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
        assert_int_equal(c->files.n, 4);
        assert_true(str_endswith(c->files.items[0], "/00-base.yaml"));
        assert_true(str_endswith(c->files.items[1], "/05-content.yaml"));
        assert_true(str_endswith(c->files.items[2], "/20-extra.yml"));
        assert_true(str_endswith(c->files.items[3], "/90-local.yaml"));

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

        assert_true(str_endswith(c->files.items[2], "/50-中文.yaml"));
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
             "name, max_age_days, warn_lead_days, group, annual_deadline, interaction)"},
            {"50-unknown.yaml:11:5: ", "sites.second: unknown key 'colums'"},
        };

        check_case("unknown_key", e, ARRAY_SIZE(e));
}

static void test_top_level(void **state)
{
        static const struct expect e[] = {
            {"50-top.yaml:1:1: ", "unknown top-level key 'setting' (allowed: settings, "
                                  "classes, units, sites, holidays, accounts, tickets, mail, "
                                  "office, dictionary, patterns)"},
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

/* The content checks' settings: a regular expression that does not compile, a class
 * that does not exist, a site's guide_pages pattern. */
static void test_content_bad(void **state)
{
        static const struct expect e[] = {
            {"50-bad.yaml:3:17: ", "settings.page_tags.footer_icp: invalid regular expression "
                                   "at byte "},
            {"50-bad.yaml:5:21: ", "settings.interpretation.policy_classes[2]: unknown class "
                                   "'polcy'"},
            {"50-bad.yaml:11:18: ", "sites.guides.guide_pages: invalid regular expression"},
        };

        check_case("content_bad", e, ARRAY_SIZE(e));
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
        /* Every one of the 70 settings is named, then the tickets and mail sections. */
        assert_int_equal(errors.n, 72);
        for (size_t i = 0; i < errors.n; i++)
                assert_true(str_startswith(errors.items[i], prefix));
        assert_non_null(strstr(errors.items[0], "settings.http.connect_timeout_s is required"));
        assert_non_null(strstr(errors.items[23], "settings.blank_placeholders is required"));
        assert_non_null(strstr(errors.items[43], "settings.media.platform_hosts is required"));
        assert_non_null(strstr(errors.items[69], "settings.soft404_titles is required"));
        assert_non_null(strstr(errors.items[70], "tickets is required"));
        assert_non_null(strstr(errors.items[71], "mail is required"));
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
                                  "units.jyj (" XJ_FIXTURES "/config/dup_key/00-base.yaml:54)"},
        };

        check_case("dup_key", e, ARRAY_SIZE(e));
}

static void test_holidays(void **state)
{
        static const struct expect e[] = {
            {"50-holidays.yaml:3:36: ", "holidays.2026.rest[2]: \"2026-13-01\" is not a date"},
            {"50-holidays.yaml:3:48: ", "holidays.2026.rest[3]: 2027-01-01 is outside 2026"},
            {"50-holidays.yaml:3:60: ", "the range 2026-03-01..2026-02-01 must run forward"},
            {"50-holidays.yaml:4:12: ", "holidays.2026.work[1]: 2026-02-16 is a weekday"},
            {"50-holidays.yaml:6:5: ", "holidays.2025: missing required key 'rest'"},
            {"50-holidays.yaml:7:3: ", "holidays: a year: expected an integer (got \"twenty\")"},
            {"50-holidays.yaml:11:11: ",
             "holidays.2019: 2018-12-30 is listed both as a rest day and as a working day"},
        };

        check_case("holidays", e, ARRAY_SIZE(e));
}

/* The shipped calendar is the State Council's: spot-check each notice's bridges. */
static void test_holidays_shipped(void **state)
{
        struct rule_config *c = load_ok(XJ_RULES_DIR);
        const struct workday_calendar *h = &c->holidays;

        assert_true(workday_calendar_has_year(h, 2025));
        assert_true(workday_calendar_has_year(h, 2026));
        assert_true(workday_is(h, day_from_civil(2025, 1, 26)));   /* Sunday, 春节 调休 */
        assert_false(workday_is(h, day_from_civil(2025, 2, 4)));
        assert_true(workday_is(h, day_from_civil(2025, 10, 11)));  /* Saturday */
        assert_false(workday_is(h, day_from_civil(2025, 10, 8)));
        assert_true(workday_is(h, day_from_civil(2026, 1, 4)));    /* Sunday, 元旦 调休 */
        assert_false(workday_is(h, day_from_civil(2026, 2, 23)));  /* Monday, 春节 */
        assert_true(workday_is(h, day_from_civil(2026, 9, 20)));   /* Sunday, 国庆 调休 */
        assert_false(workday_is(h, day_from_civil(2026, 10, 7)));
        assert_true(workday_is(h, day_from_civil(2026, 10, 10)));
        rule_config_free(c);
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

/* The new-media ledger: types by id, Chinese name and alias, units by id or name, the
 * per-type default or the account's own period, statuses in both languages. */
static void test_accounts(void **state)
{
        struct rule_config *c = load_ok(CASE_DIR("accounts"));
        const struct rule_account *a;

        assert_int_equal(c->n_accounts, 5);
        assert_string_equal(rule_config_site(c, "demo")->media_page,
                            "http://127.0.0.1:8080/xmt/index.html");

        a = rule_config_account(c, "jiaoyu");
        assert_non_null(a);
        assert_string_equal(a->name, "阎良教育");
        assert_int_equal(a->type, ACCOUNT_WECHAT);
        assert_ptr_equal(a->unit, rule_config_unit(c, "jyj"));
        assert_false(a->closed);
        assert_string_equal(a->url, "https://mp.weixin.qq.com/s/Jiaoyu");
        assert_string_equal(a->feed_url, "http://127.0.0.1:8080/feeds/jiaoyu.xml");
        assert_string_equal(a->feed_format, "rss");
        assert_null(a->feed_items);
        assert_int_equal(a->max_age_days, 14);
        assert_string_equal(rule_account_type_label(a->type), "微信公众号");

        a = rule_config_account(c, "jiaoyu_video");
        assert_int_equal(a->type, ACCOUNT_CHANNELS);
        assert_int_equal(a->max_age_days, 7);           /* its own */
        assert_null(a->feed_url);

        a = rule_config_account(c, "weibo");
        assert_int_equal(a->type, ACCOUNT_WEIBO);
        assert_true(a->closed);
        assert_true(a->has_closed_day);
        assert_int_equal(a->closed_day, day_from_civil(2026, 10, 1));
        assert_string_equal(a->feed_format, "html");
        assert_string_equal(a->feed_items, "ul.posts li");

        assert_int_equal(rule_config_account(c, "mini")->type, ACCOUNT_MINIPROGRAM);
        a = rule_config_account(c, "misc");
        assert_int_equal(a->type, ACCOUNT_OTHER);
        assert_int_equal(a->max_age_days, 10);          /* other_max_age_days in base */
        assert_true(a->closed);
        assert_false(a->has_closed_day);
        assert_null(rule_config_account(c, "nobody"));
        rule_config_free(c);
}

static void test_accounts_bad(void **state)
{
        static const struct expect e[] = {
            {"50-accounts.yaml:4:11: ", "accounts.a.type: unknown account type '快手号' (known: "
                                        "微信公众号/wechat"},
            {"50-accounts.yaml:16:13: ", "accounts.c.status: unknown status '停用' (备案/active "
                                         "or 注销/closed)"},
            {"50-accounts.yaml:22:13: ", "accounts.d.closed: a closing date needs status 注销 "
                                         "(closed), not '备案'"},
            {"50-accounts.yaml:23:67: ", "accounts.d.feed.items: an item selector only applies "
                                         "to format html"},
            {"50-accounts.yaml:31:5: ", "accounts.e: unknown key 'owner' (allowed: name, type, "
                                        "unit, status, closed, url, feed, max_age_days)"},
            {"50-accounts.yaml:24:3: ", "accounts.e: missing required key 'unit'"},
            {"50-accounts.yaml:28:13: ", "accounts.e.closed: \"2026-02-30\" is not a date"},
            {"50-accounts.yaml:29:55: ", "accounts.e.feed.format: unknown feed format 'rdf'"},
            {"50-accounts.yaml:30:19: ", "accounts.e.max_age_days must be between 1 and 3650"},
            /* References and URLs are resolved once every file is read. */
            {"50-accounts.yaml:10:11: ", "accounts.b.unit: unknown unit 'nobody'"},
            {"50-accounts.yaml:23:17: ", "accounts.d.feed.url: 'ftp://example.gov.cn/feed' is "
                                         "not an http or https URL"},
            {"50-accounts.yaml:32:3: ", "accounts.f.name: '丁' is already the name of the 抖音号 "
                                        "accounts.d"},
        };

        check_case("accounts_bad", e, ARRAY_SIZE(e));
}

/* A malformed dictionary file: every bad entry is named at its place. */
static void test_dict_bad(void **state)
{
        static const struct expect e[] = {
            {"50-dict.yaml:2:39: ", "dictionary[1].class: unknown class 'politics'"},
            {"50-dict.yaml:3:13: ", "dictionary[2].wrong: must not be empty"},
            {"50-dict.yaml:4:5: ", "dictionary[3]: missing required key 'right'"},
            {"50-dict.yaml:5:68: ", "dictionary[4].wrong_from: expected a date \"YYYY-MM-DD\" "
                                    "(got '2018-02-30')"},
            {"50-dict.yaml:6:50: ", "dictionary[5].except[1]: '通信' must be a longer text "
                                    "that contains the wrong text '网通'"},
            {"50-dict.yaml:7:41: ", "dictionary[6].wrong_from: only an obsolete_name entry"},
            {"50-dict.yaml:8:51: ", "dictionary[7].severity: must be 严重, 一般 or 疑似"},
            {"50-dict.yaml:11:14: ", "patterns[1].pattern: invalid PCRE2 pattern at offset 7: "
                                    "missing closing parenthesis"},
            {"50-dict.yaml:15:5: ", "patterns[2]: missing required key 'prefilter'"},
            {"50-dict.yaml:8:5: ", "dictionary: '攻府' is already an entry of this file (line 7)"},
        };

        check_case("dict_bad", e, ARRAY_SIZE(e));
}

/* The shipped dictionary loads, and a later file overrides or turns off an entry. */
static void test_dict_shipped(void **state)
{
        struct rule_config *c = load_ok(XJ_RULES_DIR);
        const struct rule_dictionary *d = &c->dictionary;
        bool found = false;

        assert_true(d->n_words >= 150);
        assert_non_null(d->matcher);
        for (size_t i = 0; i < d->n_words; i++) {
                if (!streq(d->words[i].wrong, "国家卫生和计划生育委员会"))
                        continue;
                found = true;
                assert_int_equal(d->words[i].cls, WORD_OBSOLETE_NAME);
                assert_true(d->words[i].has_wrong_from);
                assert_int_equal(d->words[i].wrong_from, day_from_civil(2018, 3, 27));
                assert_string_equal(d->words[i].right.items[0], "国家卫生健康委员会");
        }
        assert_true(found);
        assert_true(d->n_patterns >= 1);
        rule_config_free(c);
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
            cmocka_unit_test(test_content_bad),
            cmocka_unit_test(test_no_settings), cmocka_unit_test(test_not_utf8),
            cmocka_unit_test(test_dup_key),     cmocka_unit_test(test_empty_dir),
            cmocka_unit_test(test_missing_dir), cmocka_unit_test(test_holidays),
            cmocka_unit_test(test_accounts), cmocka_unit_test(test_accounts_bad),
            cmocka_unit_test(test_holidays_shipped),
            cmocka_unit_test(test_missing_dir), cmocka_unit_test(test_dict_bad),
            cmocka_unit_test(test_dict_shipped),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

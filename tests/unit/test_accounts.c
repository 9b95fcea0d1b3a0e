/* Tests for the new-media checks (rules/check_accounts.c) at their boundaries — 13 and 14
 * days, the closing date, a closed account's window — for the matrix page against the
 * ledger, and for the account_checks rows (store/store_media.c). The ledger is the one of
 * tests/fixtures/config/accounts. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "common/xtime.h"
#include "crawler/html.h"
#include "rules/checks.h"
#include "rules/config.h"
#include "store/store.h"

struct seen {
        size_t n;
        char rule[8][64];
        char subject[8][256];
        char detail[8][1024];
        enum severity severity[8];
};

static void on_finding(const struct store_finding *f, void *userdata)
{
        struct seen *s = userdata;

        assert_true(s->n < 8);
        assert_string_equal(f->site, RULE_MEDIA_SCOPE);
        snprintf(s->rule[s->n], sizeof(s->rule[0]), "%s", f->rule);
        snprintf(s->subject[s->n], sizeof(s->subject[0]), "%s", f->subject);
        snprintf(s->detail[s->n], sizeof(s->detail[0]), "%s", f->detail);
        s->severity[s->n] = f->severity;
        s->n++;
}

static int setup(void **state)
{
        struct rule_config *c = NULL;
        struct strv errors = {0};

        if (rule_config_load(XJ_FIXTURES "/config/accounts", &c, &errors) < 0) {
                for (size_t i = 0; i < errors.n; i++)
                        print_error("%s\n", errors.items[i]);
                strv_free(&errors);
                return -1;
        }
        *state = c;
        return 0;
}

static int teardown(void **state)
{
        rule_config_free(*state);
        return 0;
}

static int64_t t(const char *iso)
{
        int64_t v;
        assert_int_equal(time_parse_iso8601(iso, &v), 0);
        return v;
}

/* Judges account id with its newest post at `newest` (NULL: no post) at now. */
static const char *judge(const struct rule_config *c, const char *id, const char *newest,
                         const char *now, struct seen *seen, char *detail)
{
        struct account_observation o = {
                .account = rule_config_account(c, id),
                .state = ACCOUNT_FEED_READ,
                .has_newest = newest != NULL,
                .newest = newest ? t(newest) : 0,
                .n_posts = newest ? 3 : 0,
        };

        assert_non_null(o.account);
        memset(seen, 0, sizeof(*seen));
        return check_account(&o, t(now), on_finding, seen, detail, 1024);
}

static void test_stale_boundary(void **state)
{
        const struct rule_config *c = *state;
        struct seen seen;
        char detail[1024];

        /* 14-day period (the wechat default): 13 days is fine, 14 days is stale. The post's
         * hour does not matter, only calendar days in China Standard Time. */
        assert_string_equal(judge(c, "jiaoyu", "2026-11-10T23:59:00+08:00",
                                  "2026-11-23T00:01:00+08:00", &seen, detail),
                            "ok");
        assert_int_equal(seen.n, 0);
        assert_non_null(strstr(detail, "13 天前"));
        assert_string_equal(judge(c, "jiaoyu", "2026-11-09T23:59:00+08:00",
                                  "2026-11-23T00:01:00+08:00", &seen, detail),
                            "account_stale");
        assert_int_equal(seen.n, 1);
        assert_string_equal(seen.rule[0], "account_stale");
        assert_string_equal(seen.subject[0], "account:jiaoyu");
        assert_string_equal(seen.detail[0], "微信公众号「阎良教育」已 14 天未更新（要求：14 天内有更新）");
        /* A UTC time late in the day is the next day in China. */
        assert_string_equal(judge(c, "jiaoyu", "2026-11-09T16:30:00Z", "2026-11-23T09:00:00+08:00",
                                  &seen, detail),
                            "ok");

        /* The account's own period (7) over its type's. */
        assert_string_equal(judge(c, "jiaoyu_video", "2026-11-17T08:00:00+08:00",
                                  "2026-11-23T09:00:00+08:00", &seen, detail),
                            "ok");
        assert_string_equal(judge(c, "jiaoyu_video", "2026-11-16T08:00:00+08:00",
                                  "2026-11-23T09:00:00+08:00", &seen, detail),
                            "account_stale");
        assert_non_null(strstr(seen.detail[0], "微信视频号「阎良教育」已 7 天未更新"));

        /* No post at all. */
        assert_string_equal(judge(c, "jiaoyu", NULL, "2026-11-23T09:00:00+08:00", &seen, detail),
                            "account_stale");
        assert_non_null(strstr(seen.detail[0], "没有任何发布"));
}

static void test_closed(void **state)
{
        const struct rule_config *c = *state;
        struct seen seen;
        char detail[1024];

        /* Closed on 2026-10-01: a post that day is before closing, the next day is not. */
        assert_string_equal(judge(c, "weibo", "2026-10-01T20:00:00+08:00",
                                  "2026-11-23T09:00:00+08:00", &seen, detail),
                            "ok");
        assert_int_equal(seen.n, 0);
        assert_string_equal(judge(c, "weibo", "2026-10-02T08:00:00+08:00",
                                  "2026-11-23T09:00:00+08:00", &seen, detail),
                            "account_closed_active");
        assert_string_equal(seen.rule[0], "account_closed_active");
        assert_string_equal(seen.detail[0],
                            "微博「阎良政务」台账记为已注销（2026-10-01），但 2026-10-02 仍有发布");
        /* A closed account is never stale. */
        assert_string_equal(judge(c, "weibo", NULL, "2026-11-23T09:00:00+08:00", &seen, detail),
                            "ok");

        /* No closing date: a post within its period (10 days for "other") is activity. */
        assert_string_equal(judge(c, "misc", "2026-11-14T08:00:00+08:00",
                                  "2026-11-23T09:00:00+08:00", &seen, detail),
                            "account_closed_active");
        assert_non_null(strstr(seen.detail[0], "9 天前"));
        assert_string_equal(judge(c, "misc", "2026-11-13T08:00:00+08:00",
                                  "2026-11-23T09:00:00+08:00", &seen, detail),
                            "ok");
}

static void test_feed_states(void **state)
{
        const struct rule_config *c = *state;
        struct account_observation o = {
                .account = rule_config_account(c, "jiaoyu"),
                .state = ACCOUNT_FEED_GONE,
                .error = "http://127.0.0.1:8080/feeds/jiaoyu.xml: HTTP 404",
        };
        struct seen seen = {0};
        char detail[1024];

        assert_string_equal(check_account(&o, t("2026-11-23T09:00:00+08:00"), on_finding, &seen,
                                          detail, sizeof(detail)),
                            "account_feed_gone");
        assert_int_equal(seen.n, 1);
        assert_non_null(strstr(seen.detail[0], "HTTP 404"));

        o.state = ACCOUNT_FEED_INVALID;
        o.error = "http://127.0.0.1:8080/feeds/jiaoyu.xml: 不是格式正确的 XML";
        memset(&seen, 0, sizeof(seen));
        assert_string_equal(check_account(&o, t("2026-11-23T09:00:00+08:00"), on_finding, &seen,
                                          detail, sizeof(detail)),
                            "account_feed_invalid");
        assert_string_equal(seen.rule[0], "account_feed_invalid");

        /* A closed account whose feed is gone is what closing means. */
        o.account = rule_config_account(c, "weibo");
        o.state = ACCOUNT_FEED_GONE;
        memset(&seen, 0, sizeof(seen));
        assert_string_equal(check_account(&o, t("2026-11-23T09:00:00+08:00"), on_finding, &seen,
                                          detail, sizeof(detail)),
                            "ok");
        assert_int_equal(seen.n, 0);
}

static void test_media_page(void **state)
{
        const struct rule_config *c = *state;
        const struct rule_site *site = rule_config_site(c, "demo");
        static const char page_html[] =
                "<html><body><ul>"
                /* In the ledger by URL, and by name in the caption. */
                "<li><a href='https://mp.weixin.qq.com/s/Jiaoyu'>教育公众号</a></li>"
                "<li><a href='https://weibo.com/u/77'>阎良政务（微博）</a></li>"
                /* Not in the ledger: a subdomain of a platform host. */
                "<li><a href='https://www.douyin.com/user/hl'>后柳古镇</a></li>"
                /* Not an account: another host, an image. */
                "<li><a href='https://www.gov.cn/'>中国政府网</a></li>"
                "<li><img src='https://weibo.com/qr.png' alt='二维码'></li>"
                "</ul></body></html>";
        struct html_options ho = {.today = day_from_civil(2026, 11, 23)};
        struct html_page *page = NULL;
        struct seen seen = {0};

        assert_int_equal(html_parse(page_html, strlen(page_html), site->media_page, &ho, &page,
                                    NULL),
                         0);
        assert_int_equal(check_media_page(c, site, page, on_finding, &seen), 3);
        assert_int_equal(seen.n, 1);
        assert_string_equal(seen.rule[0], "account_unlisted");
        assert_string_equal(seen.subject[0], "https://www.douyin.com/user/hl");
        assert_int_equal(seen.severity[0], SEVERITY_SERIOUS);
        assert_non_null(strstr(seen.detail[0], "「后柳古镇」不在台账中"));
        html_page_free(page);
}

static int count_row(const struct store_account_check *row, void *userdata)
{
        size_t *n = userdata;

        if (*n == 0) {
                assert_string_equal(row->account, "b");
                assert_false(row->has_newest);
                assert_null(row->unit);
        } else {
                assert_string_equal(row->account, "a");
                assert_string_equal(row->status, "account_stale");
                assert_true(row->has_newest);
                assert_int_equal(row->newest, 1700000000);
                assert_string_equal(row->type, "微信公众号");
        }
        (*n)++;
        return 0;
}

static void test_store_rows(void **state)
{
        char dir[] = "/tmp/xj-accounts-XXXXXX";
        _cleanup_free_ char *path = NULL;
        struct store *s = NULL;
        size_t n = 0;

        assert_non_null(mkdtemp(dir));
        path = xasprintf("%s/x.db", dir);
        assert_int_equal(store_open(path, &s, NULL), 0);
        assert_int_equal(store_account_check_put(s, &(struct store_account_check){
                                                            .at = 100,
                                                            .account = "a",
                                                            .name = "甲",
                                                            .type = "微信公众号",
                                                            .unit = "区教育局",
                                                            .status = "account_stale",
                                                            .has_newest = true,
                                                            .newest = 1700000000,
                                                    }),
                         0);
        assert_int_equal(store_account_check_put(s, &(struct store_account_check){
                                                            .at = 100,
                                                            .account = "b",
                                                            .name = "乙",
                                                            .type = "微博",
                                                            .status = "ok",
                                                    }),
                         0);
        assert_int_equal(store_account_check_put(s, &(struct store_account_check){
                                                            .at = 200,
                                                            .account = "a",
                                                            .name = "甲",
                                                            .type = "微博",
                                                            .status = "ok",
                                                    }),
                         0);
        assert_int_equal(store_account_check_put(s, &(struct store_account_check){.at = 1}),
                         -EINVAL);
        assert_int_equal(store_account_checks_foreach(s, 100, count_row, &n), 0);
        assert_int_equal(n, 2);
        store_close(s);
        unlink(path);
        free(path);
        path = xasprintf("%s/x.db-wal", dir);
        unlink(path);
        free(path);
        path = xasprintf("%s/x.db-shm", dir);
        unlink(path);
        rmdir(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_stale_boundary), cmocka_unit_test(test_closed),
                cmocka_unit_test(test_feed_states),    cmocka_unit_test(test_media_page),
                cmocka_unit_test(test_store_rows),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}

/* Tests for the feeds of new-media accounts (crawler/feed.c): each format from the
 * fixtures in tests/fixtures/feeds/, dates in every form feeds write, the item cap, and
 * malformed, hostile (XXE, entity bomb) and undated feeds, which must give an error that
 * names the URL, never a crash. */
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

#include "common/buf.h"
#include "common/util.h"
#include "common/xtime.h"
#include "crawler/feed.h"

#define FIXTURE_DIR XJ_FIXTURES "/feeds"
#define URL "http://127.0.0.1/feed"

static char *read_fixture(const char *name, size_t *ret_len)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", FIXTURE_DIR, name);
        FILE *f = fopen(path, "rb");
        struct buf b;
        char chunk[4096];
        size_t n;

        assert_non_null(f);
        buf_init(&b, 1 << 24);
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                assert_int_equal(buf_append(&b, chunk, n), 0);
        fclose(f);
        *ret_len = b.len;
        return buf_steal(&b);
}

static int64_t t(const char *iso)
{
        int64_t v;
        assert_int_equal(time_parse_iso8601(iso, &v), 0);
        return v;
}

static struct feed *parse_ok(const char *name, enum feed_format format, const char *selector)
{
        size_t len;
        _cleanup_free_ char *body = read_fixture(name, &len);
        struct feed_options o = {
                .today = day_from_civil(2026, 11, 23),
                .item_selector = selector,
        };
        struct feed *f = NULL;
        char *error = NULL;
        int r = feed_parse(body, len, URL, format, &o, &f, &error);

        if (r < 0)
                print_error("%s: %s\n", name, error);
        assert_int_equal(r, 0);
        assert_null(error);
        return f;
}

/* Parses and expects an error containing each of the fragments. */
static void parse_fails(const char *body, size_t len, enum feed_format format, int want,
                        const char *frag1, const char *frag2)
{
        struct feed_options o = {.today = day_from_civil(2026, 11, 23)};
        struct feed *f = NULL;
        char *error = NULL;

        assert_int_equal(feed_parse(body, len, URL, format, &o, &f, &error), want);
        assert_null(f);
        assert_non_null(error);
        if (!strstr(error, URL) || (frag1 && !strstr(error, frag1)) ||
            (frag2 && !strstr(error, frag2)))
                fail_msg("error \"%s\" lacks the URL or \"%s\" / \"%s\"", error, frag1,
                         frag2 ? frag2 : "");
        free(error);
}

static void parse_fails_str(const char *body, enum feed_format format, int want,
                            const char *frag1, const char *frag2)
{
        parse_fails(body, strlen(body), format, want, frag1, frag2);
}

static void fixture_fails(const char *name, enum feed_format format, const char *frag1,
                          const char *frag2)
{
        size_t len;
        _cleanup_free_ char *body = read_fixture(name, &len);
        parse_fails(body, len, format, -EBADMSG, frag1, frag2);
}

static void test_rfc822(void **state)
{
        int64_t v;

        assert_int_equal(feed_parse_rfc822("Tue, 10 Nov 2026 09:30:00 +0800", &v), 0);
        assert_int_equal(v, t("2026-11-10T09:30:00+08:00"));
        assert_int_equal(feed_parse_rfc822("10 Nov 2026 01:30 GMT", &v), 0);
        assert_int_equal(v, t("2026-11-10T09:30:00+08:00"));
        assert_int_equal(feed_parse_rfc822("Mon, 9 November 26 02:00:00 UT", &v), 0);
        assert_int_equal(v, t("2026-11-09T10:00:00+08:00"));
        assert_int_equal(feed_parse_rfc822("Tue, 10 Nov 2026 09:30:00 -0500", &v), 0);
        assert_int_equal(v, t("2026-11-10T22:30:00+08:00"));
        assert_int_equal(feed_parse_rfc822("Tue, 10 Nov 2026 09:30:00 EST", &v), 0);
        assert_int_equal(v, t("2026-11-10T22:30:00+08:00"));
        /* Chinese CMSs mean China Standard Time by CST. */
        assert_int_equal(feed_parse_rfc822("Tue, 10 Nov 2026 09:30:00 CST", &v), 0);
        assert_int_equal(v, t("2026-11-10T09:30:00+08:00"));
        /* A leap second is kept inside its minute. */
        assert_int_equal(feed_parse_rfc822("31 Dec 2016 23:59:60 +0000", &v), 0);

        assert_int_equal(feed_parse_rfc822("", &v), -EINVAL);
        assert_int_equal(feed_parse_rfc822("Tue, 31 Feb 2026 09:30:00 +0800", &v), -EINVAL);
        assert_int_equal(feed_parse_rfc822("Tue, 10 Foo 2026 09:30:00 +0800", &v), -EINVAL);
        assert_int_equal(feed_parse_rfc822("Tue, 10 Nov 2026 24:30:00 +0800", &v), -EINVAL);
        assert_int_equal(feed_parse_rfc822("Tue, 10 Nov 2026 09:30:00 XYZ", &v), -EINVAL);
        assert_int_equal(feed_parse_rfc822("Tue, 10 Nov 2026 09:30:00 +08", &v), -EINVAL);
        assert_int_equal(feed_parse_rfc822("Tue, 10 Nov 202 09:30:00 +0800", &v), -EINVAL);
        assert_int_equal(feed_parse_rfc822("Tue, 10 Nov 2026 09:30:00 +0800 junk", &v), -EINVAL);
        assert_int_equal(feed_parse_rfc822("2026-11-10T09:30:00+08:00", &v), -EINVAL);
}

static void test_rfc3339(void **state)
{
        int64_t v;

        assert_int_equal(feed_parse_rfc3339("2026-11-10T09:30:00+08:00", &v), 0);
        assert_int_equal(v, t("2026-11-10T09:30:00+08:00"));
        assert_int_equal(feed_parse_rfc3339("2026-11-10T01:30:00Z", &v), 0);
        assert_int_equal(v, t("2026-11-10T09:30:00+08:00"));
        assert_int_equal(feed_parse_rfc3339("2026-11-10t01:30:00.999999z", &v), 0);
        assert_int_equal(v, t("2026-11-10T09:30:00+08:00"));
        assert_int_equal(feed_parse_rfc3339("2026-11-10 09:30:00-01:30", &v), 0);
        assert_int_equal(v, t("2026-11-10T19:00:00+08:00"));

        assert_int_equal(feed_parse_rfc3339("2026-11-10T09:30:00", &v), -EINVAL);
        assert_int_equal(feed_parse_rfc3339("2026-11-10", &v), -EINVAL);
        assert_int_equal(feed_parse_rfc3339("2026-02-29T09:30:00Z", &v), -EINVAL);
        assert_int_equal(feed_parse_rfc3339("2026-11-10T09:30:00.Z", &v), -EINVAL);
        assert_int_equal(feed_parse_rfc3339("2026-11-10T09:30:00+0800", &v), -EINVAL);
        assert_int_equal(feed_parse_rfc3339("2026-11-10T09:61:00Z", &v), -EINVAL);
}

static void test_formats(void **state)
{
        enum feed_format f;

        for (int i = FEED_RSS; i <= FEED_HTML; i++) {
                assert_int_equal(feed_format_from_id(feed_format_id((enum feed_format)i), &f), 0);
                assert_int_equal(f, i);
        }
        assert_int_equal(feed_format_from_id("rdf", &f), -EINVAL);
}

static void test_rss(void **state)
{
        struct feed *f = parse_ok("rss.xml", FEED_RSS, NULL);
        int64_t newest;

        assert_string_equal(f->title, "阎良教育");
        assert_int_equal(f->n_items, 5);
        assert_int_equal(f->undated, 1);
        /* White space collapsed and trimmed; CDATA kept as text. */
        assert_string_equal(f->items[0].title, "全区中小学开展 安全教育周活动");
        assert_string_equal(f->items[0].url, "https://example.gov.cn/a/1");
        assert_int_equal(f->items[0].at, t("2026-11-10T09:30:00+08:00"));
        assert_string_equal(f->items[1].title, "关于<秋季>招生的通知");
        assert_string_equal(f->items[1].url, "https://example.gov.cn/a/2"); /* from guid */
        assert_int_equal(f->items[1].at, t("2026-11-09T10:00:00+08:00"));
        /* A Chinese date in pubDate, as some CMSs write it. */
        assert_true(f->items[2].has_date);
        assert_int_equal(f->items[2].at, t("2026-11-12T08:00:00+08:00"));
        assert_int_equal(f->items[3].at, t("2026-11-01T08:00:00+08:00")); /* dc:date */
        assert_false(f->items[4].has_date);

        assert_true(feed_newest(f, t("2026-11-23T09:00:00+08:00"), &newest));
        assert_int_equal(newest, t("2026-11-12T08:00:00+08:00"));
        /* A post after "now" is not the newest post. */
        assert_true(feed_newest(f, t("2026-11-11T09:00:00+08:00"), &newest));
        assert_int_equal(newest, t("2026-11-10T09:30:00+08:00"));
        assert_false(feed_newest(f, t("2026-10-01T00:00:00+08:00"), &newest));
        feed_free(f);
}

static void test_atom(void **state)
{
        struct feed *f = parse_ok("atom.xml", FEED_ATOM, NULL);

        assert_string_equal(f->title, "西安阎良城管");
        assert_int_equal(f->n_items, 2);
        /* published wins over updated; rel="self" is not the post's link. */
        assert_string_equal(f->items[0].url, "https://example.gov.cn/e/1");
        assert_int_equal(f->items[0].at, t("2026-11-18T23:30:00+08:00"));
        assert_string_equal(f->items[1].url, "https://example.gov.cn/e/2");
        assert_int_equal(f->items[1].at, t("2026-11-20T00:30:00+08:00"));
        feed_free(f);
}

static void test_json(void **state)
{
        struct feed *f = parse_ok("feed.json", FEED_JSON, NULL);

        assert_string_equal(f->title, "阎良政务");
        /* The string item is skipped; the item without a date is kept, undated. */
        assert_int_equal(f->n_items, 3);
        assert_int_equal(f->undated, 1);
        assert_string_equal(f->items[0].title, "政务服务“一网通办”");
        assert_int_equal(f->items[0].at, t("2026-11-15T08:00:00+08:00"));
        assert_string_equal(f->items[1].title, "修改日期"); /* \u escapes */
        assert_int_equal(f->items[1].at, t("2026-11-16T09:00:00+08:00"));
        assert_string_equal(f->items[2].title, "");
        feed_free(f);
}

static void test_listing(void **state)
{
        /* GBK, labelled gb2312, dates in three forms. */
        struct feed *f = parse_ok("listing.html", FEED_HTML, NULL);
        int64_t newest;

        assert_string_equal(f->title, "古邑武屯");
        assert_int_equal(f->n_items, 3);
        assert_string_equal(f->items[0].title, "武屯街道召开冬季防火工作会");
        assert_string_equal(f->items[0].url, "http://127.0.0.1/p/3.html");
        assert_int_equal(f->items[0].at, t("2026-11-11T00:00:00+08:00"));
        assert_false(f->items[0].has_time);
        assert_int_equal(f->items[1].at, t("2026-11-05T00:00:00+08:00"));
        assert_int_equal(f->items[2].at, t("2026-10-28T00:00:00+08:00"));
        assert_true(feed_newest(f, t("2026-11-23T09:00:00+08:00"), &newest));
        assert_int_equal(newest, t("2026-11-11T00:00:00+08:00"));
        feed_free(f);

        /* With a selector: what it names. */
        f = parse_ok("listing.html", FEED_HTML, "ul.posts li");
        assert_int_equal(f->n_items, 3);
        feed_free(f);
}

static void test_listing_selector(void **state)
{
        size_t len;
        _cleanup_free_ char *body = read_fixture("listing.html", &len);
        struct feed_options o = {.today = day_from_civil(2026, 11, 23), .item_selector = "div.nav a"};
        struct feed *f = NULL;
        char *error = NULL;

        /* The selector names undated links only: nothing tells when the account posted. */
        assert_int_equal(feed_parse(body, len, URL, FEED_HTML, &o, &f, &error), -EBADMSG);
        assert_non_null(strstr(error, "均无可识别的发布日期"));
        free(error);
        error = NULL;
        o.item_selector = "ul[";
        assert_int_equal(feed_parse(body, len, URL, FEED_HTML, &o, &f, &error), -EINVAL);
        assert_non_null(strstr(error, URL));
        free(error);
}

static void test_malformed(void **state)
{
        fixture_fails("bad.xml", FEED_RSS, "不是格式正确的 XML", "第 4 行");
        fixture_fails("truncated.json", FEED_JSON, "不是格式正确的 JSON", NULL);
        fixture_fails("nodates.xml", FEED_RSS, "2 条内容均无可识别的发布日期", NULL);
        fixture_fails("listing_undated.html", FEED_HTML, "没有找到带日期的条目", NULL);
        fixture_fails("notrss.xml", FEED_RSS, "不是 RSS 订阅源", NULL);
        fixture_fails("notrss.xml", FEED_ATOM, "不是 Atom 订阅源", NULL);
        fixture_fails("rss.xml", FEED_JSON, "不是格式正确的 JSON", NULL);
        fixture_fails("feed.json", FEED_RSS, "不是格式正确的 XML", NULL);
        parse_fails_str("{\"version\":\"https://jsonfeed.org/version/1.1\"}", FEED_JSON,
                    -EBADMSG, "不是 JSON Feed", NULL);
        parse_fails_str("[1,2]", FEED_JSON, -EBADMSG, "不是 JSON Feed", NULL);
        parse_fails("", 0, FEED_RSS, -EBADMSG, "XML", NULL);
        parse_fails("", 0, FEED_JSON, -EBADMSG, "JSON", NULL);
        parse_fails_str("<html></html>", FEED_HTML, -EBADMSG, "没有找到带日期的条目", NULL);
        /* Invalid UTF-8 in JSON. */
        parse_fails_str("{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[{\"title\":\"\xff\"}]}",
                    FEED_JSON, -EBADMSG, "JSON", NULL);
}

static void test_empty(void **state)
{
        struct feed *f = parse_ok("empty.xml", FEED_RSS, NULL);
        int64_t newest;

        assert_int_equal(f->n_items, 0);
        assert_false(feed_newest(f, INT64_MAX, &newest));
        feed_free(f);
}

static void test_xxe(void **state)
{
        char secret[] = "/tmp/xj-feed-secret-XXXXXX";
        int fd = mkstemp(secret);
        size_t len;
        _cleanup_free_ char *body = read_fixture("xxe.xml", &len);
        _cleanup_free_ char *doc = NULL;
        const char *at;
        struct feed_options o = {.today = day_from_civil(2026, 11, 23)};
        struct feed *f = NULL;
        char *error = NULL;

        assert_true(fd >= 0);
        assert_int_equal(write(fd, "TOPSECRET", 9), 9);
        close(fd);
        at = strstr(body, "@SECRET@");
        assert_non_null(at);
        doc = xasprintf("%.*s%s%s", (int)(at - body), body, secret, at + 8);

        assert_int_equal(feed_parse(doc, strlen(doc), URL, FEED_RSS, &o, &f, &error), -EBADMSG);
        assert_null(f);
        assert_non_null(strstr(error, "XML 实体"));
        assert_null(strstr(error, "TOPSECRET"));
        free(error);
        unlink(secret);

        /* The same in UTF-16, where the bytes "<!ENTITY" do not occur: refused too. */
        {
                static const char utf16[] = "\xff\xfe<\0?\0x\0m\0l\0";
                parse_fails(utf16, sizeof(utf16) - 1, FEED_RSS, -EBADMSG, "UTF-16", NULL);
        }

        /* An undeclared entity reference is a well-formedness error, nothing more. */
        parse_fails_str("<rss version=\"2.0\"><channel><title>&xxe;</title></channel></rss>",
                    FEED_RSS, -EBADMSG, "XML", NULL);
}

static void test_entity_bomb(void **state)
{
        fixture_fails("laughs.xml", FEED_RSS, "XML 实体", NULL);
}

static void test_item_cap(void **state)
{
        struct buf b;
        struct feed_options o = {.today = day_from_civil(2026, 11, 23), .max_items = 100};
        struct feed *f = NULL;
        char *error = NULL;
        int64_t newest;

        /* 5000 items, about 600 KB: past the cap of 100, and the rest are counted. */
        buf_init(&b, 1 << 24);
        buf_appends(&b, "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[");
        for (int i = 0; i < 5000; i++)
                buf_appendf(&b, "%s{\"id\":\"%d\",\"title\":\"第 %d 条 %s\",\"date_published\":"
                                "\"2026-11-%02dT08:00:00+08:00\"}",
                            i ? "," : "", i, i,
                            "填充填充填充填充填充填充填充填充填充填充填充填充填充填充填充",
                            1 + i % 20);
        buf_appends(&b, "]}");
        assert_int_equal(feed_parse(b.data, b.len, URL, FEED_JSON, &o, &f, &error), 0);
        assert_int_equal(f->n_items, 100);
        assert_int_equal(f->items_dropped, 4900);
        assert_true(feed_newest(f, INT64_MAX, &newest));
        assert_int_equal(newest, t("2026-11-20T08:00:00+08:00"));
        feed_free(f);
        buf_free(&b);

        /* The same cap on RSS; an item title far past 512 bytes is cut at a character. */
        buf_init(&b, 1 << 24);
        buf_appends(&b, "<rss version=\"2.0\"><channel><title>长标题</title><item><title>");
        for (int i = 0; i < 400; i++)
                buf_appends(&b, "长");
        buf_appends(&b, "</title><pubDate>Tue, 10 Nov 2026 09:30:00 +0800</pubDate></item>");
        for (int i = 0; i < 300; i++)
                buf_appendf(&b, "<item><title>%d</title><pubDate>Tue, 10 Nov 2026 09:30:00 "
                                "+0800</pubDate></item>",
                            i);
        buf_appends(&b, "</channel></rss>");
        o.max_items = 7;
        assert_int_equal(feed_parse(b.data, b.len, URL, FEED_RSS, &o, &f, &error), 0);
        assert_int_equal(f->n_items, 7);
        assert_int_equal(f->items_dropped, 294);
        assert_int_equal(strlen(f->items[0].title), 510); /* 170 characters of 3 bytes */
        feed_free(f);
        buf_free(&b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rfc822),   cmocka_unit_test(test_rfc3339),
                cmocka_unit_test(test_formats),  cmocka_unit_test(test_rss),
                cmocka_unit_test(test_atom),     cmocka_unit_test(test_json),
                cmocka_unit_test(test_listing),  cmocka_unit_test(test_listing_selector),
                cmocka_unit_test(test_malformed), cmocka_unit_test(test_empty),
                cmocka_unit_test(test_xxe),      cmocka_unit_test(test_entity_bomb),
                cmocka_unit_test(test_item_cap),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

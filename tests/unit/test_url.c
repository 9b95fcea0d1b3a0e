/* Tests for crawler/url.c: resolving hrefs against their page, normalisation, refused
 * schemes and lengths, and the site / domain / external scope of a link. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "crawler/url.h"

struct resolve_case {
        const char *base;
        const char *ref;
        const char *expect;
};

static void check_resolve(const struct resolve_case *cases, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                char *out = NULL;
                int r = url_resolve(cases[i].base, cases[i].ref, 0, &out);
                if (r != 0 || !streq(out, cases[i].expect))
                        print_error("case %zu: %s + %s: r=%d got %s, want %s\n", i,
                                    cases[i].base, cases[i].ref, r, out ? out : "(null)",
                                    cases[i].expect);
                assert_int_equal(r, 0);
                assert_string_equal(out, cases[i].expect);
                free(out);
        }
}

static void test_relative_forms(void **state)
{
        static const struct resolve_case cases[] = {
                { "http://www.xa.gov.cn/zwgk/tzgg/index.html", "./a.html",
                  "http://www.xa.gov.cn/zwgk/tzgg/a.html" },
                { "http://www.xa.gov.cn/zwgk/tzgg/index.html", "a.html",
                  "http://www.xa.gov.cn/zwgk/tzgg/a.html" },
                { "http://www.xa.gov.cn/zwgk/tzgg/index.html", "../b/",
                  "http://www.xa.gov.cn/zwgk/b/" },
                { "http://www.xa.gov.cn/zwgk/tzgg/index.html", "/x",
                  "http://www.xa.gov.cn/x" },
                { "http://www.xa.gov.cn/zwgk/tzgg/index.html?page=1", "?p=2",
                  "http://www.xa.gov.cn/zwgk/tzgg/index.html?p=2" },
                { "https://www.xa.gov.cn/zwgk/", "//h.example.cn/x",
                  "https://h.example.cn/x" },
                { "http://www.xa.gov.cn/zwgk/tzgg/", "./202304/t20230407_123.html",
                  "http://www.xa.gov.cn/zwgk/tzgg/202304/t20230407_123.html" },
                /* More ".." than the path has stops at the root, as in browsers. */
                { "http://h/a/b.html", "../../../../x", "http://h/x" },
                { "http://h/a/b.html", "", "http://h/a/b.html" },
                { "http://h/a/b.html", "https://other.cn", "https://other.cn/" },
                /* White space around an href and line breaks inside it are dropped. */
                { "http://h/a/", "  \n ./c.html\t ", "http://h/a/c.html" },
                { "http://h/a/", "./x\n/y.html", "http://h/a/x/y.html" },
                /* Backslashes in paths mean "/" to a browser. */
                { "http://h/a/", "..\\img\\1.jpg", "http://h/img/1.jpg" },
        };
        check_resolve(cases, ARRAY_SIZE(cases));
}

static void test_normalisation(void **state)
{
        static const struct resolve_case cases[] = {
                /* Fragments never reach the server. */
                { "http://h/a/", "b.html#top", "http://h/a/b.html" },
                { "http://h/a/b.html", "#top", "http://h/a/b.html" },
                { "http://h/a/", "b.html?x=1#frag ment", "http://h/a/b.html?x=1" },
                /* Default ports dropped, others kept. */
                { "http://h/", "http://h:80/x", "http://h/x" },
                { "http://h/", "https://h:443/x", "https://h/x" },
                { "http://h/", "http://h:8080/x", "http://h:8080/x" },
                { "http://h/", "https://h:80/x", "https://h:80/x" },
                /* Scheme and host lower-cased, the path keeps its case. */
                { "HTTP://WWW.Xa.Gov.CN/Zwgk/", "A.HTML", "http://www.xa.gov.cn/Zwgk/A.HTML" },
                /* Dot segments removed, empty path made "/". */
                { "http://h/", "http://h/a/./b/../c", "http://h/a/c" },
                { "http://h/", "http://h", "http://h/" },
                /* Spaces and Chinese are percent-encoded with upper-case hex, in the path
                 * and in the query (as %20, not "+"); existing escapes get upper case. */
                { "http://h/a/", "x y.html", "http://h/a/x%20y.html" },
                { "http://h/a/", "通知公告/附件 1.doc",
                  "http://h/a/%E9%80%9A%E7%9F%A5%E5%85%AC%E5%91%8A/%E9%99%84%E4%BB%B6%201.doc" },
                { "http://h/", "/s?q=政务 公开",
                  "http://h/s?q=%E6%94%BF%E5%8A%A1%20%E5%85%AC%E5%BC%80" },
                { "http://h/", "/a%2fb%e4%b8%ad", "http://h/a%2Fb%E4%B8%AD" },
                /* A base with Chinese in it works too. */
                { "http://h/政务/", "a.html", "http://h/%E6%94%BF%E5%8A%A1/a.html" },
                /* IP addresses, IPv6 and user info. */
                { "http://127.0.0.1:8080/a/", "b", "http://127.0.0.1:8080/a/b" },
                { "http://[::1]:8080/", "/x", "http://[::1]:8080/x" },
        };
        check_resolve(cases, ARRAY_SIZE(cases));
}

static void test_normalize_absolute(void **state)
{
        char *out = NULL;

        assert_int_equal(url_normalize("HTTPS://WWW.GOV.CN:443/Home/#x", 0, &out), 0);
        assert_string_equal(out, "https://www.gov.cn/Home/");
        free(out);
        out = NULL;
        /* A scheme is never guessed. */
        assert_int_equal(url_normalize("www.gov.cn/home/", 0, &out), -EINVAL);
        assert_int_equal(url_normalize("/home/", 0, &out), -EINVAL);
        assert_int_equal(url_normalize("http://", 0, &out), -EINVAL);
        assert_int_equal(url_normalize("http://h:99999/", 0, &out), -EINVAL);
        assert_null(out);
}

static void test_refused_schemes(void **state)
{
        static const char *const refs[] = {
                "javascript:void(0)", "JavaScript:openWin('a.html')", " javascript:;",
                "mailto:zwgk@xa.gov.cn", "tel:029-12345678", "data:image/png;base64,iVBOR",
                "ftp://ftp.example.cn/a.zip", "file:///etc/passwd", "weixin://dl/chat",
        };
        for (size_t i = 0; i < ARRAY_SIZE(refs); i++) {
                char *out = NULL;
                assert_int_equal(url_resolve("http://h/a/", refs[i], 0, &out),
                                 -EPROTONOSUPPORT);
                assert_null(out);
        }
        char *out = NULL;
        assert_int_equal(url_resolve("ftp://h/a/", "b.html", 0, &out), -EPROTONOSUPPORT);
        assert_int_equal(url_normalize("mailto:a@b.cn", 0, &out), -EPROTONOSUPPORT);
        assert_null(out);
}

static void test_too_long(void **state)
{
        char ref[200];
        char *out = NULL;

        memset(ref, 'a', sizeof(ref) - 1);
        ref[sizeof(ref) - 1] = '\0';
        /* "http://h/" + 199 bytes = 208 bytes. */
        assert_int_equal(url_resolve("http://h/", ref, 207, &out), -E2BIG);
        assert_null(out);
        assert_int_equal(url_resolve("http://h/", ref, 208, &out), 0);
        assert_int_equal(strlen(out), 208);
        free(out);
        /* The cap applies to the encoded result: 30 Chinese characters are 270 bytes. */
        char zh[200] = "";
        for (int i = 0; i < 30; i++)
                strcat(zh, "政");
        out = NULL;
        assert_int_equal(url_resolve("http://h/", zh, 200, &out), -E2BIG);
        assert_null(out);
        /* 0 means the default cap of 4096. */
        char *big = xmalloc(5000);
        memset(big, 'b', 4999);
        big[4999] = '\0';
        assert_int_equal(url_resolve("http://h/", big, 0, &out), -E2BIG);
        free(big);
}

static void test_scope(void **state)
{
        const char *base = "http://www.xa.gov.cn/";

        assert_int_equal(url_scope_of("http://www.xa.gov.cn/zwgk/a.html", base), URL_SCOPE_SITE);
        assert_int_equal(url_scope_of("https://WWW.XA.GOV.CN/", base), URL_SCOPE_SITE);
        assert_int_equal(url_scope_of("http://zwgk.xa.gov.cn/a.html", base), URL_SCOPE_DOMAIN);
        assert_int_equal(url_scope_of("http://xa.gov.cn/", base), URL_SCOPE_DOMAIN);
        /* Another port on the same host is another site of the same domain. */
        assert_int_equal(url_scope_of("http://www.xa.gov.cn:8080/", base), URL_SCOPE_DOMAIN);
        /* gov.cn is a public suffix: another city is not the same domain. */
        assert_int_equal(url_scope_of("http://www.bj.gov.cn/", base), URL_SCOPE_EXTERNAL);
        assert_int_equal(url_scope_of("http://www.gov.cn/", base), URL_SCOPE_EXTERNAL);
        assert_int_equal(url_scope_of("https://www.baidu.com/", base), URL_SCOPE_EXTERNAL);
        assert_int_equal(url_scope_of("not a url", base), URL_SCOPE_EXTERNAL);
        /* A base with a path: only what lies under it is the site. */
        assert_int_equal(url_scope_of("http://h.example.cn/x", "http://h.example.cn/sub/"),
                         URL_SCOPE_DOMAIN);
        assert_int_equal(url_scope_of("http://h.example.cn/sub/y", "http://h.example.cn/sub/"),
                         URL_SCOPE_SITE);
        assert_int_equal(url_scope_of("http://h.example.cn/sub", "http://h.example.cn/sub/"),
                         URL_SCOPE_SITE);
        assert_int_equal(url_scope_of("http://h.example.cn/subway/",
                                      "http://h.example.cn/sub/"),
                         URL_SCOPE_DOMAIN);
        /* IP hosts: the registrable domain is the address itself. */
        assert_int_equal(url_scope_of("http://127.0.0.1:8080/a", "http://127.0.0.1:8080/"),
                         URL_SCOPE_SITE);
        assert_int_equal(url_scope_of("http://127.0.0.1:9090/a", "http://127.0.0.1:8080/"),
                         URL_SCOPE_DOMAIN);
        assert_int_equal(url_scope_of("http://127.0.0.2/a", "http://127.0.0.1/"),
                         URL_SCOPE_EXTERNAL);
        assert_int_equal(url_scope_of("http://localhost:81/", "http://localhost/"),
                         URL_SCOPE_DOMAIN);
        assert_string_equal(url_scope_id(URL_SCOPE_SITE), "site");
        assert_string_equal(url_scope_id(URL_SCOPE_DOMAIN), "domain");
        assert_string_equal(url_scope_id(URL_SCOPE_EXTERNAL), "external");
}

static void test_host(void **state)
{
        char *h = url_host("HTTP://Zwgk.XA.gov.cn:8080/a");

        assert_string_equal(h, "zwgk.xa.gov.cn");
        free(h);
        assert_null(url_host("/relative/only"));
        assert_null(url_host("mailto:a@b.cn"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_relative_forms),
                cmocka_unit_test(test_normalisation),
                cmocka_unit_test(test_normalize_absolute),
                cmocka_unit_test(test_refused_schemes),
                cmocka_unit_test(test_too_long),
                cmocka_unit_test(test_scope),
                cmocka_unit_test(test_host),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests of the mail rendering: RFC 2047 encoded words (length limits, character
 * boundaries, round trip), header injection refused, addresses, HTML escaping, the Date
 * header and the MIME structure. What a real server receives is tests/integration/
 * test_notify.py's business. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/xtime.h"
#include "notify/mail.h"

static int b64_value(char c)
{
        static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const char *p = strchr(a, c);
        return c && p ? (int)(p - a) : -1;
}

/* Decodes n characters of base64 into out; returns the byte count. */
static size_t b64_decode(const char *s, size_t n, unsigned char *out)
{
        size_t o = 0;

        assert_int_equal(n % 4, 0);
        for (size_t i = 0; i < n; i += 4) {
                int v[4];
                for (int k = 0; k < 4; k++)
                        v[k] = s[i + k] == '=' ? 0 : b64_value(s[i + k]);
                for (int k = 0; k < 4; k++)
                        assert_true(v[k] >= 0);
                unsigned w = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 |
                             (unsigned)v[3];
                out[o++] = (unsigned char)(w >> 16);
                if (s[i + 2] != '=')
                        out[o++] = (unsigned char)(w >> 8);
                if (s[i + 3] != '=')
                        out[o++] = (unsigned char)w;
        }
        return o;
}

/* Decodes a header's encoded words back to the text, checking each word and line. */
static char *decode_header(const char *header, const char *name)
{
        struct buf out;
        const char *p;
        size_t prefix = strlen(name) + 2;

        assert_true(str_startswith(header, name));
        assert_true(str_endswith(header, "\r\n"));
        buf_init(&out, 1 << 16);
        /* Every line, the first with its "Name: ", at most 76 characters. */
        for (const char *line = header; *line;) {
                const char *end = strstr(line, "\r\n");
                assert_non_null(end);
                assert_true(end - line <= 76);
                line = end + 2;
        }
        p = header + prefix;
        while ((p = strstr(p, "=?UTF-8?B?"))) {
                const char *start = p + 10, *stop = strstr(start, "?=");
                unsigned char bytes[128];
                size_t n;

                assert_non_null(stop);
                assert_true(stop + 2 - p <= 75);
                n = b64_decode(start, (size_t)(stop - start), bytes);
                /* Split at character boundaries: every word is valid UTF-8 alone. */
                assert_true(utf8_valid((const char *)bytes, n));
                buf_append(&out, bytes, n);
                p = stop + 2;
        }
        return buf_steal(&out);
}

static void test_plain_ascii(void **state)
{
        struct buf b;

        buf_init(&b, 4096);
        assert_int_equal(notify_mail_header(&b, "Subject", "Nightly report"), 0);
        assert_string_equal(b.data, "Subject: Nightly report\r\n");
        buf_free(&b);
        /* Something that looks like an encoded word is encoded, not passed through. */
        buf_init(&b, 4096);
        assert_int_equal(notify_mail_header(&b, "Subject", "=?UTF-8?B?x?="), 0);
        assert_true(str_startswith(b.data, "Subject: =?UTF-8?B?"));
        buf_free(&b);
}

static void test_rfc2047_chinese(void **state)
{
        static const char *const values[] = {
                "【网站巡检】区教育局：新下发 2 件，未办结 5 件，已办结 1 件（2026-11-23）",
                "政",
                "a政b",
                /* Four-byte characters and a long run, to force many words. */
                "𠀀𠀁𠀂𠀃𠀄𠀅𠀆𠀇𠀈𠀉𠀊𠀋𠀌𠀍𠀎𠀏𠀐𠀑𠀒𠀓 mixed ASCII and 中文 with 〔2026〕 第0012号",
        };

        for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
                struct buf b;
                _cleanup_free_ char *back = NULL;

                buf_init(&b, 1 << 16);
                assert_int_equal(notify_mail_header(&b, "Subject", values[i]), 0);
                back = decode_header(b.data, "Subject");
                assert_string_equal(back, values[i]);
                buf_free(&b);
        }
}

static void test_header_injection(void **state)
{
        static const char *const bad[] = {
                "报告\r\nBcc: evil@example.com",
                "报告\nBcc: evil@example.com",
                "报告\rX: y",
                "tab\tinside",
                "nul-free but \x7f",
                "not utf-8 \xff\xfe",
        };
        struct buf b;

        buf_init(&b, 4096);
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                assert_int_equal(notify_mail_header(&b, "Subject", bad[i]), -EINVAL);
                assert_int_equal(notify_mail_mailbox(&b, &(struct notify_mailbox){
                                                                 bad[i], "a@example.gov.cn"}),
                                 -EINVAL);
        }
        assert_int_equal(b.len, 0);
        assert_int_equal(notify_mail_mailbox(&b, &(struct notify_mailbox){
                                                         "区教育局", "a@example.gov.cn\r\nBcc: x@y.z"}),
                         -EINVAL);
        buf_free(&b);
}

static void test_addresses(void **state)
{
        static const char *const good[] = {"jyj@example.gov.cn", "a.b-c+d@mail.example.cn"};
        static const char *const bad[] = {
                "", "jyj", "@example.gov.cn", "a@b@c.cn", "a@localhost", "a b@example.cn",
                "a@example.cn.", "<a@example.cn>", "a@example.cn,b@example.cn", "a\r\n@x.cn",
                "甲@example.cn", "a@.example.cn", "\"a\"@example.cn",
        };
        struct buf b;

        for (size_t i = 0; i < ARRAY_SIZE(good); i++)
                assert_true(notify_mail_address_valid(good[i]));
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
                assert_false(notify_mail_address_valid(bad[i]));

        buf_init(&b, 4096);
        assert_int_equal(notify_mail_mailbox(&b, &(struct notify_mailbox){"区教育局",
                                                                          "jyj@example.gov.cn"}),
                         0);
        assert_string_equal(b.data, "=?UTF-8?B?5Yy65pWZ6IKy5bGA?= <jyj@example.gov.cn>");
        buf_free(&b);
}

static void test_html_escape(void **state)
{
        struct buf b;

        buf_init(&b, 4096);
        assert_int_equal(notify_html_escape(&b, "<a href=\"x\">'&'</a> 栏目"), 0);
        assert_string_equal(b.data, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt; 栏目");
        buf_free(&b);
}

static struct notify_mail_msg sample(const struct notify_mailbox *to, size_t n_to)
{
        return (struct notify_mail_msg){
                .from = {"区政府政务公开办", "xunjian@example.gov.cn"},
                .to = to,
                .n_to = n_to,
                .subject = "【网站巡检】测试",
                /* Monday 23 November 2026, 20:05:09 CST. */
                .date = time_of_day(day_from_civil(2026, 11, 23)) + 20 * 3600 + 5 * 60 + 9,
                .message_id = "<xunjian.test.1@example.gov.cn>",
                .text = "正文\n第二行\n",
                .html = "<p>正文</p>\n",
                .attachment_name = "区教育局-清单.csv",
                .attachment = "\xEF\xBB\xBF编号\r\n",
                .attachment_len = strlen("\xEF\xBB\xBF编号\r\n"),
        };
}

static void test_render(void **state)
{
        const struct notify_mailbox to[] = {{"区教育局", "jyj@example.gov.cn"},
                                            {"区教育局", "jyj2@example.gov.cn"}};
        struct notify_mail_msg m = sample(to, 2);
        char *error = NULL;
        struct buf b;

        buf_init(&b, 1 << 20);
        assert_int_equal(notify_mail_render(&m, &b, &error), 0);
        assert_non_null(strstr(b.data, "\r\nDate: Mon, 23 Nov 2026 20:05:09 +0800\r\n"));
        assert_non_null(strstr(b.data, "\r\nMessage-ID: <xunjian.test.1@example.gov.cn>\r\n"));
        assert_non_null(strstr(b.data, "To: =?UTF-8?B?5Yy65pWZ6IKy5bGA?= <jyj@example.gov.cn>,\r\n"
                                       " =?UTF-8?B?5Yy65pWZ6IKy5bGA?= <jyj2@example.gov.cn>\r\n"));
        assert_non_null(strstr(b.data, "Content-Type: multipart/mixed; boundary=\"=_xunjian_mixed_"));
        assert_non_null(strstr(b.data, "Content-Type: multipart/alternative; boundary="));
        assert_non_null(strstr(b.data, "Content-Type: text/plain; charset=UTF-8\r\n"));
        assert_non_null(strstr(b.data, "Content-Type: text/html; charset=UTF-8\r\n"));
        assert_non_null(strstr(b.data, "Content-Type: text/csv; charset=UTF-8; name="));
        assert_non_null(strstr(b.data, "filename*=UTF-8''%E5%8C%BA%E6%95%99%E8%82%B2%E5%B1%80-"));
        /* "正文\r\n第二行\r\n" in base64: the text body's lines are CRLF. */
        assert_non_null(strstr(b.data, "5q2j5paHDQrnrKzkuozooYwNCg=="));
        /* Every line ends in CRLF and none is longer than 998. */
        for (const char *p = b.data; *p;) {
                const char *end = strstr(p, "\r\n");
                assert_non_null(end);
                assert_true(end - p <= 998);
                assert_null(memchr(p, '\n', (size_t)(end - p)));
                p = end + 2;
        }
        buf_free(&b);
}

/* A unit whose name carries a line break gets no message, with a message that says why. */
static void test_render_refuses(void **state)
{
        const struct notify_mailbox to[] = {{"区教育局\r\nBcc: evil@example.com",
                                             "jyj@example.gov.cn"}};
        const struct notify_mailbox ok[] = {{"区教育局", "jyj@example.gov.cn"}};
        struct notify_mail_msg m = sample(to, 1);
        char *error = NULL;
        struct buf b;

        buf_init(&b, 1 << 20);
        assert_int_equal(notify_mail_render(&m, &b, &error), -EINVAL);
        assert_non_null(strstr(error, "jyj@example.gov.cn"));
        free(error);
        error = NULL;
        m = sample(ok, 1);
        m.subject = "主题\nBcc: evil@example.com";
        assert_int_equal(notify_mail_render(&m, &b, &error), -EINVAL);
        free(error);
        error = NULL;
        m = sample(ok, 1);
        m.from.name = "政务公开办\r\nX-Evil: 1";
        assert_int_equal(notify_mail_render(&m, &b, &error), -EINVAL);
        free(error);
        buf_free(&b);
}

static void test_message_id(void **state)
{
        _cleanup_free_ char *a = notify_mail_message_id("xunjian@example.gov.cn", "20261123.unit");
        _cleanup_free_ char *b = notify_mail_message_id("xunjian@example.gov.cn", "20261123.unit");

        assert_true(str_startswith(a, "<xunjian.20261123.unit."));
        assert_true(str_endswith(a, "@example.gov.cn>"));
        assert_string_not_equal(a, b);
}

static void test_password(void **state)
{
        struct rule_mail m = {.user = (char *)"u", .password_env = (char *)"XJ_TEST_PW_VAR"};
        char path[] = "/tmp/xj-test-pw-XXXXXX";
        char *pw = NULL, *error = NULL;
        int fd;

        unsetenv("XJ_TEST_PW_VAR");
        assert_int_equal(notify_mail_password(&m, &pw, &error), -ENOENT);
        assert_non_null(strstr(error, "XJ_TEST_PW_VAR"));
        free(error);
        setenv("XJ_TEST_PW_VAR", "秘密", 1);
        assert_int_equal(notify_mail_password(&m, &pw, &error), 0);
        assert_string_equal(pw, "秘密");
        free(pw);

        fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "from-file\r\nsecond line\n", 23), 23);
        close(fd);
        m = (struct rule_mail){.user = (char *)"u", .password_file = path};
        assert_int_equal(notify_mail_password(&m, &pw, &error), 0);
        assert_string_equal(pw, "from-file");
        free(pw);
        unlink(path);
        assert_true(notify_mail_password(&m, &pw, &error) < 0);
        free(error);

        m = (struct rule_mail){0};
        assert_int_equal(notify_mail_password(&m, &pw, &error), 0);
        assert_null(pw);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plain_ascii),     cmocka_unit_test(test_rfc2047_chinese),
                cmocka_unit_test(test_header_injection), cmocka_unit_test(test_addresses),
                cmocka_unit_test(test_html_escape),     cmocka_unit_test(test_render),
                cmocka_unit_test(test_render_refuses),  cmocka_unit_test(test_message_id),
                cmocka_unit_test(test_password),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

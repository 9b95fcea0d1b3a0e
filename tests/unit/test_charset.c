/* Tests for crawler/charset.c: the detection order, conflicts between declaration and
 * bytes, GBK-only characters, truncation and the output cap, on the pages in
 * tests/fixtures/charset/ (made by make_fixtures.py there) and on small inline inputs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "crawler/charset.h"

#define FFFD "\xEF\xBF\xBD"
/* "政务公开" in GBK. */
#define GBK_TEXT "\xD5\xFE\xCE\xF1\xB9\xAB\xBF\xAA"

/* Reads a fixture into an exact-length heap buffer (no NUL after it). */
static char *read_fixture(const char *name, size_t *ret_len)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/charset/%s", XJ_FIXTURES, name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        long n = ftell(f);
        assert_true(n > 0);
        rewind(f);
        char *p = malloc((size_t)n);
        assert_non_null(p);
        assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
        fclose(f);
        *ret_len = (size_t)n;
        return p;
}

/* Decodes a fixture with the given Content-Type and a generous cap. */
static void decode_fixture(const char *name, const char *content_type, struct charset_result *r)
{
        size_t len;
        char *body = read_fixture(name, &len);
        assert_int_equal(charset_decode(body, len, content_type, 1 << 20, r), 0);
        free(body);
        assert_non_null(r->utf8);
        assert_int_equal(strlen(r->utf8), r->len);
        assert_true(utf8_valid(r->utf8, r->len));
}

/* Decodes len bytes of s from an exact-length heap copy. */
static void decode_bytes(const char *s, size_t len, const char *content_type, size_t max_out,
                         struct charset_result *r)
{
        char *copy = malloc(len ? len : 1);
        assert_non_null(copy);
        memcpy(copy, s, len);
        assert_int_equal(charset_decode(copy, len, content_type, max_out, r), 0);
        free(copy);
        assert_true(r->len <= max_out);
        assert_int_equal(r->utf8[r->len], '\0');
        assert_true(utf8_valid(r->utf8, r->len));
}

static void decode_str(const char *s, const char *content_type, struct charset_result *r)
{
        decode_bytes(s, strlen(s), content_type, 1 << 20, r);
}

static bool ends_with(const struct charset_result *r, const char *suffix)
{
        size_t n = strlen(suffix);
        return r->len >= n && memcmp(r->utf8 + r->len - n, suffix, n) == 0;
}

static void test_gbk_labelled_gb2312(void **state)
{
        struct charset_result r;

        decode_fixture("gbk_labelled_gb2312.html", "text/html; charset=gb2312", &r);
        assert_string_equal(r.charset, "GB18030");
        assert_string_equal(r.source, "header");
        assert_string_equal(r.declared, "gb2312");
        assert_false(r.conflict);
        assert_int_equal(r.invalid, 0);
        assert_false(r.truncated);
        assert_non_null(strstr(r.utf8, "国务院副总理朱镕基、市长王堃和区长陈喆出席会议。"));
        assert_non_null(strstr(r.utf8, "之后的文字必须保留。END</p>"));
        assert_true(ends_with(&r, "</html>\n"));
        charset_result_free(&r);

        /* The meta alone says the same. */
        decode_fixture("gbk_labelled_gb2312.html", NULL, &r);
        assert_string_equal(r.charset, "GB18030");
        assert_string_equal(r.source, "meta");
        assert_string_equal(r.declared, "gb2312");
        assert_non_null(strstr(r.utf8, "陈喆出席会议。会后"));
        charset_result_free(&r);
}

/* The fixture is only worth something if a strict GB2312 decoder really fails on it. */
static void test_fixture_has_gbk_only_characters(void **state)
{
        size_t len;
        char *body = read_fixture("gbk_labelled_gb2312.html", &len);
        iconv_t cd = iconv_open("UTF-8", "GB2312");
        char out[4096], *ip = body, *op = out;
        size_t il = len, ol = sizeof(out);

        assert_true(cd != (iconv_t)-1);
        assert_int_equal(iconv(cd, &ip, &il, &op, &ol), (size_t)-1);
        assert_int_equal(errno, EILSEQ);
        assert_true(il > 0);
        iconv_close(cd);
        free(body);
}

static void test_utf8_undeclared(void **state)
{
        struct charset_result r;
        size_t len;
        char *body = read_fixture("utf8_undeclared.html", &len);

        decode_fixture("utf8_undeclared.html", "text/html", &r);
        assert_string_equal(r.charset, "UTF-8");
        assert_string_equal(r.source, "utf8");
        assert_null(r.declared);
        assert_false(r.conflict);
        assert_int_equal(r.len, len);
        assert_memory_equal(r.utf8, body, len);
        charset_result_free(&r);
        free(body);
}

static void test_gbk_undeclared(void **state)
{
        struct charset_result r;

        /* Too little evidence for the detector: the default. */
        decode_fixture("gbk_undeclared_small.html", NULL, &r);
        assert_string_equal(r.charset, "GB18030");
        assert_string_equal(r.source, "default");
        assert_null(r.declared);
        assert_int_equal(r.invalid, 0);
        assert_non_null(strstr(r.utf8, "<p>政务公开工作推进会。</p>"));
        charset_result_free(&r);

        /* Enough: the detector. */
        decode_fixture("gbk_undeclared_large.html", NULL, &r);
        assert_string_equal(r.charset, "GB18030");
        assert_string_equal(r.source, "detector");
        assert_int_equal(r.invalid, 0);
        assert_non_null(strstr(r.utf8, "确保信息准确、权威、及时。区政府召开"));
        charset_result_free(&r);
}

static void test_declared_utf8_really_gbk(void **state)
{
        struct charset_result r;

        decode_fixture("utf8_declared_really_gbk.html", NULL, &r);
        assert_string_equal(r.charset, "GB18030");
        assert_string_equal(r.source, "meta");
        assert_string_equal(r.declared, "utf-8");
        assert_true(r.conflict);
        assert_int_equal(r.invalid, 0);
        assert_non_null(strstr(r.utf8, "朱镕基、市长王堃和区长陈喆"));
        assert_non_null(strstr(r.utf8, "必须保留。END"));
        charset_result_free(&r);

        decode_fixture("utf8_declared_really_gbk.html", "text/html; charset=UTF-8", &r);
        assert_string_equal(r.charset, "GB18030");
        assert_string_equal(r.source, "header");
        assert_string_equal(r.declared, "UTF-8");
        assert_true(r.conflict);
        charset_result_free(&r);
}

static void test_utf8_bom(void **state)
{
        struct charset_result r;

        /* The page's meta says gbk; the byte-order mark wins. */
        decode_fixture("utf8_bom.html", "text/html; charset=gbk", &r);
        assert_string_equal(r.charset, "UTF-8");
        assert_string_equal(r.source, "bom");
        assert_string_equal(r.declared, "gbk");
        assert_false(r.conflict);
        assert_int_equal(r.invalid, 0);
        assert_true(strncmp(r.utf8, "<!DOCTYPE html>", 15) == 0);
        assert_non_null(strstr(r.utf8, "政务公开工作推进会"));
        charset_result_free(&r);
}

static void test_utf16_bom(void **state)
{
        struct charset_result r;

        /* "政务" is U+653F U+52A1. */
        decode_bytes("\xFF\xFE\x3F\x65\xA1\x52", 6, NULL, 100, &r);
        assert_string_equal(r.charset, "UTF-16LE");
        assert_string_equal(r.source, "bom");
        assert_string_equal(r.utf8, "政务");
        charset_result_free(&r);

        /* An odd byte at the end is an incomplete character. */
        decode_bytes("\xFE\xFF\x65\x3F\x52\xA1\x00", 7, NULL, 100, &r);
        assert_string_equal(r.charset, "UTF-16BE");
        assert_string_equal(r.utf8, "政务" FFFD);
        assert_int_equal(r.invalid, 1);
        charset_result_free(&r);
}

static void test_big5_declared(void **state)
{
        struct charset_result r;

        decode_fixture("big5_declared.html", NULL, &r);
        assert_string_equal(r.charset, "BIG5");
        assert_string_equal(r.source, "meta");
        assert_string_equal(r.declared, "big5");
        assert_false(r.conflict);
        assert_int_equal(r.invalid, 0);
        assert_non_null(strstr(r.utf8, "<title>政務公開</title>"));
        assert_non_null(strstr(r.utf8, "臺灣繁體中文測試，政府資訊公開。END"));
        charset_result_free(&r);
}

static void test_truncated_tail(void **state)
{
        struct charset_result r;

        /* A GBK page cut after the lead byte of its last character. */
        decode_fixture("gbk_truncated.html", NULL, &r);
        assert_string_equal(r.charset, "GB18030");
        assert_string_equal(r.source, "meta");
        assert_int_equal(r.invalid, 1);
        assert_true(ends_with(&r, "</html>\n政" FFFD));
        charset_result_free(&r);

        /* An undeclared UTF-8 page cut inside its last character stays UTF-8. */
        decode_fixture("utf8_truncated.html", NULL, &r);
        assert_string_equal(r.charset, "UTF-8");
        assert_string_equal(r.source, "utf8");
        assert_int_equal(r.invalid, 1);
        assert_true(ends_with(&r, "</html>\n政" FFFD));
        charset_result_free(&r);
}

static void test_header_and_meta_differ(void **state)
{
        struct charset_result r;

        /* UTF-8 bytes, meta gbk, header utf-8: the header wins and the bytes agree. */
        decode_fixture("utf8_meta_gbk.html", "text/html; charset=utf-8", &r);
        assert_string_equal(r.charset, "UTF-8");
        assert_string_equal(r.source, "header");
        assert_string_equal(r.declared, "utf-8");
        assert_false(r.conflict);
        assert_non_null(strstr(r.utf8, "政务公开工作推进会"));
        charset_result_free(&r);

        /* Without the header, the meta's gbk is contradicted by the UTF-8 bytes. */
        decode_fixture("utf8_meta_gbk.html", NULL, &r);
        assert_string_equal(r.charset, "UTF-8");
        assert_string_equal(r.source, "meta");
        assert_string_equal(r.declared, "gbk");
        assert_true(r.conflict);
        assert_non_null(strstr(r.utf8, "政务公开工作推进会"));
        charset_result_free(&r);

        /* GBK bytes, meta utf-8, header gbk: the header wins, no conflict. */
        decode_fixture("utf8_declared_really_gbk.html", "text/html; charset=GBK", &r);
        assert_string_equal(r.charset, "GB18030");
        assert_string_equal(r.source, "header");
        assert_string_equal(r.declared, "GBK");
        assert_false(r.conflict);
        charset_result_free(&r);

        /* GBK bytes, meta gb2312, header utf-8: the bytes contradict the header. */
        decode_fixture("gbk_labelled_gb2312.html", "text/html; charset=utf-8", &r);
        assert_string_equal(r.charset, "GB18030");
        assert_string_equal(r.source, "header");
        assert_true(r.conflict);
        assert_non_null(strstr(r.utf8, "陈喆"));
        charset_result_free(&r);

        /* A header says big5 over GBK-free ASCII: taken as said. */
        decode_str("<meta charset=gbk>hello", "text/html; charset=big5", &r);
        assert_string_equal(r.charset, "BIG5");
        assert_string_equal(r.source, "header");
        charset_result_free(&r);
}

static void test_output_cap(void **state)
{
        struct charset_result r;
        size_t len, full;
        char *body = read_fixture("gbk_labelled_gb2312.html", &len);

        decode_bytes(body, len, NULL, 1 << 20, &r);
        full = r.len;
        assert_false(r.truncated);
        charset_result_free(&r);

        /* Exactly enough room is not a truncation. */
        decode_bytes(body, len, NULL, full, &r);
        assert_false(r.truncated);
        assert_int_equal(r.len, full);
        charset_result_free(&r);

        /* One byte less is, and the cut falls between characters. */
        decode_bytes(body, len, NULL, full - 1, &r);
        assert_true(r.truncated);
        assert_true(r.len < full);
        charset_result_free(&r);

        /* A cap in the middle of the Chinese text: never half a character. */
        for (size_t cap = 1; cap < full; cap += 7) {
                decode_bytes(body, len, NULL, cap, &r);
                assert_true(r.truncated);
                assert_true(r.len <= cap && r.len + 4 > cap);
                charset_result_free(&r);
        }

        /* The same on the UTF-8 path, which does not go through iconv. */
        free(body);
        body = read_fixture("utf8_undeclared.html", &len);
        for (size_t cap = 1; cap < len; cap += 5) {
                decode_bytes(body, len, NULL, cap, &r);
                assert_string_equal(r.charset, "UTF-8");
                assert_true(r.truncated);
                assert_true(r.len <= cap && r.len + 4 > cap);
                assert_memory_equal(r.utf8, body, r.len);
                charset_result_free(&r);
        }
        decode_bytes(body, len, NULL, len, &r);
        assert_false(r.truncated);
        assert_int_equal(r.len, len);
        charset_result_free(&r);

        /* Replacement characters count against the cap too. */
        decode_bytes("ab\xFF\xFF\xFF", 5, "text/html; charset=gbk", 6, &r);
        assert_true(r.truncated);
        assert_string_equal(r.utf8, "ab" FFFD);
        charset_result_free(&r);

        assert_int_equal(charset_decode(body, len, NULL, 0, &r), -EINVAL);
        free(body);
}

static void test_meta_prescan_variants(void **state)
{
        static const struct {
                const char *html;
                const char *charset, *source, *declared;
        } cases[] = {
            {"<meta charset=\"gbk\">", "GB18030", "meta", "gbk"},
            {"<META CHARSET=GBK>", "GB18030", "meta", "GBK"},
            {"<meta charset='gbk'/>", "GB18030", "meta", "gbk"},
            {"<meta charset = \"gb2312\" >", "GB18030", "meta", "gb2312"},
            {"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">", "GB18030",
             "meta", "gb2312"},
            {"<meta http-equiv=content-type content='text/html;charset=GBK'>", "GB18030", "meta",
             "GBK"},
            {"<META CONTENT=\"text/html; CHARSET=x-gbk\" HTTP-EQUIV=\"Content-Type\">", "GB18030",
             "meta", "x-gbk"},
            {"<meta content=\"text/html; charset='big5'\" http-equiv=\"Content-Type\">", "BIG5",
             "meta", "big5"},
            /* Comments and quoted attribute values are not declarations. */
            {"<!-- <meta charset=\"big5\"> --><meta charset=\"gbk\">", "GB18030", "meta", "gbk"},
            {"<div title=\"<meta charset=big5>\"><meta charset=\"gbk\">", "GB18030", "meta", "gbk"},
            {"<script src=\"a.js\"></script><meta charset=\"big5\">", "BIG5", "meta", "big5"},
            /* A content charset without http-equiv does not count. */
            {"<meta name=\"x\" content=\"charset=big5\">", "GB18030", "default", NULL},
            /* Unknown labels are skipped, and noted when nothing better is found. */
            {"<meta charset=\"klingon\"><meta charset=\"gbk\">", "GB18030", "meta", "gbk"},
            {"<meta charset=\"klingon\">", "GB18030", "default", "klingon"},
            /* The standard: UTF-16 named in an ASCII-compatible page means UTF-8; the
             * GBK bytes then contradict it. */
            {"<meta charset=\"utf-16\">", "GB18030", "meta", "utf-16"},
            {"<metadata charset=\"big5\">", "GB18030", "default", NULL},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                char *html =
                    xasprintf("<html><head>%s</head><body>" GBK_TEXT "</body>", cases[i].html);
                struct charset_result r;
                print_message("html: %s\n", cases[i].html);
                decode_str(html, NULL, &r);
                assert_string_equal(r.charset, cases[i].charset);
                assert_string_equal(r.source, cases[i].source);
                if (cases[i].declared)
                        assert_string_equal(r.declared, cases[i].declared);
                else
                        assert_null(r.declared);
                if (streq(r.charset, "GB18030"))
                        assert_non_null(strstr(r.utf8, "<body>政务公开</body>"));
                charset_result_free(&r);
                free(html);
        }
}

static void test_meta_after_prescan_window(void **state)
{
        struct charset_result r;
        size_t pad = 5000;
        char *html = malloc(pad + 64);

        assert_non_null(html);
        memset(html, ' ', pad);
        strcpy(html + pad, "<meta charset=\"big5\">" GBK_TEXT);
        decode_str(html, NULL, &r);
        assert_string_equal(r.source, "default");
        assert_string_equal(r.charset, "GB18030");
        assert_null(r.declared);
        charset_result_free(&r);
        free(html);
}

static void test_header_parsing(void **state)
{
        static const struct {
                const char *content_type;
                const char *source, *declared;
        } cases[] = {
            {"text/html; charset=GBK", "header", "GBK"},
            {"text/html;charset=\"gb2312\"", "header", "gb2312"},
            {"text/html; Charset = gb2312", "header", "gb2312"},
            {"text/html; format=flowed; charset=gbk; x=y", "header", "gbk"},
            {"text/html", "default", NULL},
            {"", "default", NULL},
            {"text/html; charset=", "default", NULL},
            {"text/html; charset=x-klingon", "default", "x-klingon"},
            {"text/html; mycharset=big5", "default", NULL},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct charset_result r;
                print_message("content-type: %s\n", cases[i].content_type);
                decode_str("<p>" GBK_TEXT "</p>", cases[i].content_type, &r);
                assert_string_equal(r.charset, "GB18030");
                assert_string_equal(r.source, cases[i].source);
                if (cases[i].declared)
                        assert_string_equal(r.declared, cases[i].declared);
                else
                        assert_null(r.declared);
                assert_string_equal(r.utf8, "<p>政务公开</p>");
                charset_result_free(&r);
        }
}

static void test_invalid_bytes(void **state)
{
        struct charset_result r;

        /* Declared UTF-8, invalid, and not GB18030 either: UTF-8 with replacements, and
         * the text after the bad bytes survives. */
        decode_str("abc\xFF\xFE"
                   "def \xE6\x94\xBF",
                   "text/html; charset=utf-8", &r);
        assert_string_equal(r.charset, "UTF-8");
        assert_false(r.conflict);
        assert_int_equal(r.invalid, 2);
        assert_string_equal(r.utf8, "abc" FFFD FFFD "def 政");
        charset_result_free(&r);

        /* A GBK lead byte followed by a byte that cannot trail it: one replacement, and
         * the byte after it is kept. */
        decode_str("\xD5\xFE\xD5"
                   " abc",
                   "text/html; charset=gbk", &r);
        assert_int_equal(r.invalid, 1);
        assert_string_equal(r.utf8, "政" FFFD " abc");
        charset_result_free(&r);

        /* Overlong and surrogate encodings are not UTF-8. */
        decode_str("a\xC0\xAF"
                   "b\xED\xA0\x80"
                   "c",
                   "text/html; charset=utf-8", &r);
        assert_string_equal(r.charset, "UTF-8");
        assert_int_equal(r.invalid, 5);
        assert_string_equal(r.utf8, "a" FFFD FFFD "b" FFFD FFFD FFFD "c");
        charset_result_free(&r);

        /* Above U+10FFFF: glibc's iconv lets these through, we must not. */
        decode_str("a\xF7\xBE\x88\xB4"
                   "b\xF4\x90\x80\x80"
                   "c",
                   "text/html; charset=utf-8", &r);
        assert_int_equal(r.invalid, 8);
        assert_string_equal(r.utf8, "a" FFFD FFFD FFFD FFFD "b" FFFD FFFD FFFD FFFD "c");
        charset_result_free(&r);
}

static void test_latin1_is_windows_1252(void **state)
{
        struct charset_result r;

        decode_str("caf\xE9 \x80 \x93x\x94", "text/html; charset=ISO-8859-1", &r);
        assert_string_equal(r.charset, "WINDOWS-1252");
        assert_string_equal(r.utf8, "café € “x”");
        charset_result_free(&r);
}

static void test_plain_ascii_and_empty(void **state)
{
        struct charset_result r;

        decode_str("<html>hello</html>", NULL, &r);
        assert_string_equal(r.charset, "UTF-8");
        assert_string_equal(r.source, "utf8");
        assert_string_equal(r.utf8, "<html>hello</html>");
        charset_result_free(&r);

        assert_int_equal(charset_decode(NULL, 0, NULL, 10, &r), 0);
        assert_string_equal(r.utf8, "");
        assert_int_equal(r.len, 0);
        assert_false(r.truncated);
        charset_result_free(&r);
        /* Freeing twice is harmless: the result is left empty. */
        charset_result_free(&r);
}

static void test_canonical(void **state)
{
        static const struct {
                const char *label, *canonical;
        } cases[] = {
            {"gb2312", "GB18030"},
            {"GBK", "GB18030"},
            {"x-gbk", "GB18030"},
            {"cp936", "GB18030"},
            {"windows-936", "GB18030"},
            {"EUC-CN", "GB18030"},
            {"gb_2312-80", "GB18030"},
            {"GB18030", "GB18030"},
            {"big5", "BIG5"},
            {"Big5", "BIG5"},
            {"utf8", "UTF-8"},
            {"UTF-8", "UTF-8"},
            {" utf-8 ", "UTF-8"},
            {"iso-8859-1", "WINDOWS-1252"},
            {"latin1", "WINDOWS-1252"},
            {"us-ascii", "WINDOWS-1252"},
            {"utf-16le", "UTF-16LE"},
            {"UTF-16BE", "UTF-16BE"},
            {"shift_jis", "SHIFT_JIS"},
            {"EUC-KR", "EUC-KR"},
            {"windows-1251", "WINDOWS-1251"},
            {"ISO-8859-2", "ISO-8859-2"},
            {"KOI8-R", "KOI8-R"},
            {"EUC-TW", "EUC-TW"},
            {"IBM866", "IBM866"},
            {"TIS-620", "TIS-620"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                const char *c = charset_canonical(cases[i].label);
                print_message("label: %s\n", cases[i].label);
                assert_non_null(c);
                assert_string_equal(c, cases[i].canonical);
                /* Every name we hand to iconv must exist there. */
                iconv_t cd = iconv_open("UTF-8", c);
                assert_true(cd != (iconv_t)-1);
                iconv_close(cd);
        }
        assert_null(charset_canonical(NULL));
        assert_null(charset_canonical(""));
        assert_null(charset_canonical("klingon"));
        assert_null(charset_canonical("utf-8x"));
        assert_null(charset_canonical("gb"));
}

static uint32_t rng_next(uint32_t *s)
{
        *s ^= *s << 13;
        *s ^= *s >> 17;
        *s ^= *s << 5;
        return *s;
}

static void test_fuzz(void **state)
{
        static const char *const types[] = {NULL,
                                            "text/html; charset=utf-8",
                                            "text/html; charset=gbk",
                                            "text/html; charset=big5",
                                            "text/html; charset=utf-16",
                                            "text/html; charset=iso-8859-1",
                                            "text/html"};
        static const char *const prefixes[] = {
            "",         "\xEF\xBB\xBF",       "\xFF\xFE",
            "\xFE\xFF", "<meta charset=gbk>", "<meta charset=\"utf-8"};
        uint32_t seed = 0xC0FFEE;

        for (int iter = 0; iter < 3000; iter++) {
                const char *prefix = prefixes[rng_next(&seed) % ARRAY_SIZE(prefixes)];
                size_t pl = strlen(prefix), n = pl + rng_next(&seed) % 600;
                char *buf = malloc(n ? n : 1);
                assert_non_null(buf);
                memcpy(buf, prefix, pl);
                bool high = rng_next(&seed) % 2;
                for (size_t i = pl; i < n; i++) {
                        uint32_t v = rng_next(&seed);
                        buf[i] = (char)(high ? (v & 0xFF) : (v % 3 ? 0x20 + v % 0x5F : v & 0xFF));
                }
                size_t max_out = 1 + rng_next(&seed) % 3000;
                struct charset_result r;
                assert_int_equal(
                    charset_decode(buf, n, types[rng_next(&seed) % ARRAY_SIZE(types)], max_out, &r),
                    0);
                assert_true(r.len <= max_out);
                assert_int_equal(r.utf8[r.len], '\0');
                assert_non_null(r.charset);
                assert_non_null(r.source);
                /* Embedded NULs are allowed; everything else must be valid UTF-8. */
                assert_true(utf8_valid(r.utf8, r.len));
                charset_result_free(&r);
                free(buf);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_gbk_labelled_gb2312),
            cmocka_unit_test(test_fixture_has_gbk_only_characters),
            cmocka_unit_test(test_utf8_undeclared),
            cmocka_unit_test(test_gbk_undeclared),
            cmocka_unit_test(test_declared_utf8_really_gbk),
            cmocka_unit_test(test_utf8_bom),
            cmocka_unit_test(test_utf16_bom),
            cmocka_unit_test(test_big5_declared),
            cmocka_unit_test(test_truncated_tail),
            cmocka_unit_test(test_header_and_meta_differ),
            cmocka_unit_test(test_output_cap),
            cmocka_unit_test(test_meta_prescan_variants),
            cmocka_unit_test(test_meta_after_prescan_window),
            cmocka_unit_test(test_header_parsing),
            cmocka_unit_test(test_invalid_bytes),
            cmocka_unit_test(test_latin1_is_windows_1252),
            cmocka_unit_test(test_plain_ascii_and_empty),
            cmocka_unit_test(test_canonical),
            cmocka_unit_test(test_fuzz),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

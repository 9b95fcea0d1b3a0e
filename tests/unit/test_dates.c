/* Tests for common/dates.c: every printed form, year inference, the numbers that only look
 * like dates, URL forms, and a random-input loop that ASan watches for overreads. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/dates.h"

/* Runs the finder on an exact-length heap copy of text (no NUL after it), so that any read
 * past len is an ASan error. */
static int find_in(const char *text, xj_day today, bool latest, struct text_date *ret)
{
        size_t len = strlen(text);
        char *copy = malloc(len ? len : 1);
        assert_non_null(copy);
        memcpy(copy, text, len);
        int r = latest ? date_find_latest(copy, len, today, ret) : date_find(copy, len, today, ret);
        free(copy);
        return r;
}

struct positive {
        const char *text;
        int y, m, d;
        size_t start, end;
        bool inferred, has_time;
        int hour, minute, second;
};

static void check_positive(const struct positive *c, xj_day today)
{
        struct text_date td;
        int y, m, d;

        print_message("text: %s\n", c->text);
        assert_int_equal(find_in(c->text, today, false, &td), 0);
        civil_from_day(td.day, &y, &m, &d);
        assert_int_equal(y, c->y);
        assert_int_equal(m, c->m);
        assert_int_equal(d, c->d);
        assert_int_equal(td.start, c->start);
        assert_int_equal(td.end, c->end);
        assert_int_equal(td.year_inferred, c->inferred);
        assert_int_equal(td.has_time, c->has_time);
        if (c->has_time) {
                assert_int_equal(td.hour, c->hour);
                assert_int_equal(td.minute, c->minute);
                assert_int_equal(td.second, c->second);
        }
}

static void test_formats_with_year(void **state)
{
        xj_day today = day_from_civil(2023, 5, 1);
        static const struct positive cases[] = {
            /* "发布日期：" is five three-byte characters. */
            {"发布日期：2023-04-07", 2023, 4, 7, 15, 25},
            {"2023/4/7", 2023, 4, 7, 0, 8},
            {"2023.04.07", 2023, 4, 7, 0, 10},
            {"2023-4-17 标题", 2023, 4, 17, 0, 9},
            {"2023年4月7日", 2023, 4, 7, 0, 15},
            {"2023 年 4 月 7 日", 2023, 4, 7, 0, 20},
            {"2023年04月07日发布", 2023, 4, 7, 0, 17},
            {"2023年4月7号", 2023, 4, 7, 0, 15},
            {"２０２３－０４－０７", 2023, 4, 7, 0, 30},
            {"２０２３年４月７日", 2023, 4, 7, 0, 27},
            {"２０２３／０４／０７", 2023, 4, 7, 0, 30},
            {"２０２３．０４．０７", 2023, 4, 7, 0, 30},
            {"x 20230407 y", 2023, 4, 7, 2, 10},
            {"编号：20230407", 2023, 4, 7, 9, 17},
            {"2023.04.07.", 2023, 4, 7, 0, 10},
            {"2024-02-29", 2024, 2, 29, 0, 10},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                check_positive(&cases[i], today);
}

static void test_formats_with_time(void **state)
{
        xj_day today = day_from_civil(2023, 5, 1);
        static const struct positive cases[] = {
            {"2023-04-07 10:21:00", 2023, 4, 7, 0, 19, false, true, 10, 21, 0},
            {"2023-04-07 10:21", 2023, 4, 7, 0, 16, false, true, 10, 21, 0},
            {"2023-04-07T08:05:09", 2023, 4, 7, 0, 19, false, true, 8, 5, 9},
            {"2023-04-07  9:30 更新", 2023, 4, 7, 0, 16, false, true, 9, 30, 0},
            {"2023年4月7日 10：21", 2023, 4, 7, 0, 23, false, true, 10, 21, 0},
            {"２０２３－０４－０７　１０：２１：３０", 2023, 4, 7, 0, 57, false, true, 10, 21, 30},
            {"[04-07 10:21]", 2023, 4, 7, 1, 12, true, true, 10, 21, 0},
            /* Not a time: the date stands alone. */
            {"2023-04-07 25:00", 2023, 4, 7, 0, 10},
            {"2023-04-07 10:21:00:00", 2023, 4, 7, 0, 10},
            {"2023-04-07 10", 2023, 4, 7, 0, 10},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                check_positive(&cases[i], today);
}

static void test_formats_without_year(void **state)
{
        xj_day today = day_from_civil(2023, 5, 1);
        static const struct positive cases[] = {
            {"[04-07]", 2023, 4, 7, 1, 6, true},
            {"04-07", 2023, 4, 7, 0, 5, true},
            {"标题 04-07", 2023, 4, 7, 7, 12, true},
            {"(04/07)", 2023, 4, 7, 1, 6, true},
            {"(4/7)", 2023, 4, 7, 1, 4, true},
            {"【04-07】", 2023, 4, 7, 3, 8, true},
            {"（04/07）", 2023, 4, 7, 3, 8, true},
            {"4月7日", 2023, 4, 7, 0, 8, true},
            {"4 月 7 日", 2023, 4, 7, 0, 11, true},
            {"４月７日", 2023, 4, 7, 0, 12, true},
            /* After today in 2023, so last year. */
            {"[12-30]", 2022, 12, 30, 1, 6, true},
            {"05-01", 2023, 5, 1, 0, 5, true},
            {"05-02", 2022, 5, 2, 0, 5, true},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                check_positive(&cases[i], today);
}

static void test_year_inference_new_year(void **state)
{
        xj_day today = day_from_civil(2026, 1, 3);
        static const struct positive cases[] = {
            {"[12-30]", 2025, 12, 30, 1, 6, true},
            {"[01-03]", 2026, 1, 3, 1, 6, true},
            {"[01-04]", 2025, 1, 4, 1, 6, true},
            {"12月31日", 2025, 12, 31, 0, 10, true},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                check_positive(&cases[i], today);

        /* 29 February: this year has none, last year does. */
        struct positive leap = {"02-29", 2028, 2, 29, 0, 5, true};
        check_positive(&leap, day_from_civil(2029, 1, 1));
        struct text_date td;
        assert_int_equal(find_in("02-29", day_from_civil(2026, 6, 1), false, &td), -ENOENT);
}

static void test_rejections(void **state)
{
        xj_day today = day_from_civil(2023, 5, 1);
        static const char *const cases[] = {
            "2023-02-30",
            "2023-13-01",
            "2023-04-31",
            "2023-00-10",
            "2023年13月1日",
            "2023年2月30日",
            "电话：0371-12345678",
            "手机 138-0013-8000",
            "0371-20230407",
            "国办秘函〔2019〕19号",
            "[2023]12号",
            "京政发〔2023〕12号文",
            "1989-12-31",
            "2101-01-01",
            "1980年4月7日",
            "19890407",
            "120230407999",
            "No20230407",
            "20230407abc",
            "version 1.2.3",
            "2023.4.7.1",
            "1.2023.04.07",
            "10:21",
            "10:21:00",
            "第3-5条",
            "3-5",
            "04-07-12",
            "0371-12-30",
            "A04-07",
            "2023-04",
            "2023年4月",
            "04.07",
            "[13-01]",
            "２０２３－０２－３０",
            "",
        };
        struct text_date td;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                print_message("text: %s\n", cases[i]);
                assert_int_equal(find_in(cases[i], today, false, &td), -ENOENT);
                assert_int_equal(find_in(cases[i], today, true, &td), -ENOENT);
        }
}

static void test_skips_to_next_valid(void **state)
{
        xj_day today = day_from_civil(2023, 5, 1);
        struct text_date td;
        int y, m, d;

        /* An impossible day, a phone number and a document number come first. */
        const char *text = "2023-02-30 电话0371-12345678 〔2023〕12号 发布于2023-03-01";
        assert_int_equal(find_in(text, today, false, &td), 0);
        civil_from_day(td.day, &y, &m, &d);
        assert_int_equal(y, 2023);
        assert_int_equal(m, 3);
        assert_int_equal(d, 1);
        assert_memory_equal(text + td.start, "2023-03-01", 10);
        assert_int_equal(td.end, strlen(text));
}

static void test_latest(void **state)
{
        xj_day today = day_from_civil(2023, 12, 31);
        struct text_date td;
        int y, m, d;
        const char *text = "成文日期：2023-04-07 发布日期：2023年5月1日 截止 2023/04/20";

        assert_int_equal(find_in(text, today, false, &td), 0);
        assert_int_equal(td.day, day_from_civil(2023, 4, 7));

        assert_int_equal(find_in(text, today, true, &td), 0);
        civil_from_day(td.day, &y, &m, &d);
        assert_int_equal(y, 2023);
        assert_int_equal(m, 5);
        assert_int_equal(d, 1);
        assert_memory_equal(text + td.start, "2023年5月1日", td.end - td.start);

        /* The same day twice: the later time wins. */
        assert_int_equal(find_in("2023-04-07 09:00 / 2023-04-07 17:30", today, true, &td), 0);
        assert_true(td.has_time);
        assert_int_equal(td.hour, 17);
        assert_int_equal(td.minute, 30);
        assert_int_equal(td.start, 19);

        /* A year-less date counts with its inferred year. */
        assert_int_equal(find_in("2022-12-01 [03-05]", today, true, &td), 0);
        assert_int_equal(td.day, day_from_civil(2023, 3, 5));
        assert_true(td.year_inferred);
}

struct url_case {
        const char *url;
        int y, m, d;
        const char *match; /* the text at [start, end) */
};

static void test_url_forms(void **state)
{
        static const struct url_case cases[] = {
            {"http://www.example.gov.cn/zwgk/202304/t20230407_123.html", 2023, 4, 7, "20230407"},
            {"https://news.example.cn/2023-04/07/content_5750123.htm", 2023, 4, 7, "2023-04/07"},
            {"http://www.example.gov.cn/2023/04/07/", 2023, 4, 7, "2023/04/07"},
            {"http://www.hz.gov.cn/art/2023/4/7/art_1_2.html", 2023, 4, 7, "2023/4/7"},
            {"http://www.example.gov.cn/20230407/abc.html", 2023, 4, 7, "20230407"},
            {"/xxgk/t20230407_", 2023, 4, 7, "20230407"},
            {"/xwzx/202304/07/1.html", 2023, 4, 7, "202304/07"},
            {"/news/2023-04-07/1.html", 2023, 4, 7, "2023-04-07"},
            {"//cdn.example.cn/2023/04/07", 2023, 4, 7, "2023/04/07"},
            /* Digits in the host are not part of the path. */
            {"http://www.20220101.cn/a/20230407/", 2023, 4, 7, "20230407"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const struct url_case *c = &cases[i];
                struct text_date td;
                print_message("url: %s\n", c->url);
                assert_int_equal(date_from_url(c->url, &td), 0);
                assert_int_equal(td.day, day_from_civil(c->y, c->m, c->d));
                assert_int_equal(td.end - td.start, strlen(c->match));
                assert_memory_equal(c->url + td.start, c->match, strlen(c->match));
                assert_false(td.year_inferred);
        }
}

static void test_url_rejections(void **state)
{
        static const char *const cases[] = {
            "http://www.20230407.cn/index.html",
            "http://www.example.cn/list.html?date=20230407",
            "http://www.example.cn/list.html#2023/04/07/",
            "/1989/04/07/",
            "/2101/04/07/",
            "/2023/02/30/",
            "/120230407999.html",
            "/art/1/2/3.html",
            "/2023/04/",
            "/202304/index.html",
            "/a/b20230407.html",
            "/2023/04/07.html",
            "/v1.2.3/doc.html",
            "http://www.example.cn",
            "",
        };
        struct text_date td;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                print_message("url: %s\n", cases[i]);
                assert_int_equal(date_from_url(cases[i], &td), -ENOENT);
        }
}

/* A tiny deterministic generator, so that a failure reproduces. */
static uint32_t rng_next(uint32_t *s)
{
        *s ^= *s << 13;
        *s ^= *s >> 17;
        *s ^= *s << 5;
        return *s;
}

static void check_result(const char *buf, size_t len, int r, const struct text_date *td)
{
        if (r == -ENOENT)
                return;
        assert_int_equal(r, 0);
        assert_true(td->start < td->end);
        assert_true(td->end <= len);
        int y, m, d;
        civil_from_day(td->day, &y, &m, &d);
        assert_true(civil_valid(y, m, d));
        assert_true(y >= 1989 && y <= 2100);
}

static void test_fuzz(void **state)
{
        /* Pieces that steer random input towards the scanner's interesting paths, including
         * pieces of multi-byte characters cut short. */
        static const char *const pieces[] = {
            "0",
            "1",
            "2",
            "9",
            "20",
            "2023",
            "12",
            "-",
            "/",
            ".",
            ":",
            " ",
            "年",
            "月",
            "日",
            "号",
            "[",
            "]",
            "(",
            ")",
            "【",
            "】",
            "〔",
            "〕",
            "２",
            "０",
            "－",
            "：",
            "\xef\xbc",
            "\xef",
            "\xe5\xb9",
            "\xc2",
            "\xc2\xa0",
            "\xe3\x80\x80",
            "T",
            "a",
            "\xff",
            "\x80",
            "\xf0\x9f\x98",
        };
        uint32_t seed = 0x5eed1234;
        xj_day today = day_from_civil(2026, 1, 3);

        for (int iter = 0; iter < 20000; iter++) {
                size_t cap = 1 + rng_next(&seed) % 96;
                char *tmp = malloc(cap + 16);
                size_t len = 0;
                bool raw = rng_next(&seed) % 4 == 0;

                assert_non_null(tmp);
                while (len < cap) {
                        if (raw) {
                                tmp[len++] = (char)(rng_next(&seed) & 0xFF);
                                continue;
                        }
                        const char *p =
                            pieces[rng_next(&seed) % (sizeof(pieces) / sizeof(pieces[0]))];
                        size_t n = strlen(p);
                        if (len + n > cap)
                                n = cap - len;
                        memcpy(tmp + len, p, n);
                        len += n;
                }
                /* Exactly len bytes, nothing after them. */
                char *buf = malloc(len);
                assert_non_null(buf);
                memcpy(buf, tmp, len);
                free(tmp);

                struct text_date td;
                check_result(buf, len, date_find(buf, len, today, &td), &td);
                check_result(buf, len, date_find_latest(buf, len, today, &td), &td);
                /* Every prefix too, so a date cut at the end is exercised. */
                size_t cut = rng_next(&seed) % (len + 1);
                check_result(buf, cut, date_find(buf, cut, today, &td), &td);
                free(buf);
        }
}

static void test_url_fuzz(void **state)
{
        static const char *const pieces[] = {"/",      "2023", "04",  "07", "20230407",
                                             "202304", "t",    "_",   "-",  ".html",
                                             "?",      "#",    "://", "a",  "1"};
        uint32_t seed = 42;
        char url[128];

        for (int iter = 0; iter < 20000; iter++) {
                size_t len = 0, n = rng_next(&seed) % 12;
                for (size_t i = 0; i < n; i++) {
                        const char *p =
                            pieces[rng_next(&seed) % (sizeof(pieces) / sizeof(pieces[0]))];
                        size_t pl = strlen(p);
                        if (len + pl >= sizeof(url))
                                break;
                        memcpy(url + len, p, pl);
                        len += pl;
                }
                url[len] = '\0';
                struct text_date td;
                int r = date_from_url(url, &td);
                check_result(url, len, r, &td);
        }
}

static void test_long_input_is_linear(void **state)
{
        /* Megabytes of near-dates must finish quickly and find nothing. */
        const char *unit = "2023-1-";
        size_t ul = strlen(unit), n = 4u << 20;
        char *buf = malloc(n);
        assert_non_null(buf);
        for (size_t i = 0; i < n; i++)
                buf[i] = unit[i % ul];
        struct text_date td;
        assert_int_equal(date_find_latest(buf, n, day_from_civil(2026, 1, 3), &td), -ENOENT);
        memset(buf, '7', n);
        assert_int_equal(date_find_latest(buf, n, day_from_civil(2026, 1, 3), &td), -ENOENT);
        free(buf);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_formats_with_year),
            cmocka_unit_test(test_formats_with_time),
            cmocka_unit_test(test_formats_without_year),
            cmocka_unit_test(test_year_inference_new_year),
            cmocka_unit_test(test_rejections),
            cmocka_unit_test(test_skips_to_next_valid),
            cmocka_unit_test(test_latest),
            cmocka_unit_test(test_url_forms),
            cmocka_unit_test(test_url_rejections),
            cmocka_unit_test(test_fuzz),
            cmocka_unit_test(test_url_fuzz),
            cmocka_unit_test(test_long_input_is_linear),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

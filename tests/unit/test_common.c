/* Tests for the shared pieces in common/: calendar arithmetic and ISO 8601 (xtime.c), the
 * capped buffer (buf.c) and the string helpers (util.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "common/workdays.h"
#include "common/xtime.h"

/* ---- xtime.c ---- */

static void test_civil_round_trip(void **state)
{
        xj_day expect = day_from_civil(1900, 1, 1);
        int y, m, d;

        assert_int_equal(expect, -25567);
        /* Walk every valid date from 1900 to 2200: the day numbers must be consecutive and
         * convert back to the same date. */
        for (int yy = 1900; yy <= 2200; yy++) {
                for (int mm = 1; mm <= 12; mm++) {
                        for (int dd = 1; dd <= 31; dd++) {
                                if (!civil_valid(yy, mm, dd))
                                        continue;
                                xj_day day = day_from_civil(yy, mm, dd);
                                assert_int_equal(day, expect);
                                civil_from_day(day, &y, &m, &d);
                                assert_int_equal(y, yy);
                                assert_int_equal(m, mm);
                                assert_int_equal(d, dd);
                                expect++;
                        }
                }
        }
        assert_int_equal(expect - 1, day_from_civil(2200, 12, 31));
        assert_int_equal(day_from_civil(2200, 12, 31), 84370);
}

static void test_known_days(void **state)
{
        static const struct {
                int y, m, d;
                xj_day day;
                int weekday;
        } cases[] = {
            {1970, 1, 1, 0, 4},       {1900, 1, 1, -25567, 1},  {1949, 10, 1, -7397, 6},
            {2000, 2, 29, 11016, 2},  {2024, 2, 29, 19782, 4},  {2026, 1, 3, 20456, 6},
            {2026, 11, 23, 20780, 1}, {2200, 12, 31, 84370, 3},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                assert_int_equal(day_from_civil(cases[i].y, cases[i].m, cases[i].d), cases[i].day);
                assert_int_equal(day_weekday(cases[i].day), cases[i].weekday);
        }
        char buf[16];
        assert_string_equal(day_format(20456, buf), "2026-01-03");
        assert_string_equal(day_format(-25567, buf), "1900-01-01");
}

static void test_civil_valid(void **state)
{
        assert_true(civil_valid(2024, 2, 29));
        assert_true(civil_valid(2000, 2, 29));
        assert_false(civil_valid(2023, 2, 29));
        assert_false(civil_valid(1900, 2, 29));
        assert_false(civil_valid(2100, 2, 29));
        assert_false(civil_valid(2023, 4, 31));
        assert_true(civil_valid(2023, 12, 31));
        assert_false(civil_valid(2023, 0, 1));
        assert_false(civil_valid(2023, 13, 1));
        assert_false(civil_valid(2023, 1, 0));
        assert_false(civil_valid(2023, 1, 32));
        assert_false(civil_valid(1899, 12, 31));
        assert_false(civil_valid(2201, 1, 1));
}

static void test_day_of_time_midnight(void **state)
{
        xj_day d = day_from_civil(2026, 1, 3);
        int64_t midnight = time_of_day(d);

        /* 00:00 China Standard Time is 16:00 UTC the day before. */
        assert_int_equal(midnight, (int64_t)day_from_civil(2026, 1, 2) * 86400 + 16 * 3600);
        assert_int_equal(day_of_time(midnight), d);
        assert_int_equal(day_of_time(midnight - 1), d - 1);
        assert_int_equal(day_of_time(midnight + 86399), d);
        assert_int_equal(day_of_time(midnight + 86400), d + 1);
        /* Before the epoch, where integer division rounds the wrong way. */
        assert_int_equal(day_of_time(0), 0);
        assert_int_equal(day_of_time(-1), 0);
        assert_int_equal(day_of_time(-8 * 3600), 0);
        assert_int_equal(day_of_time(-8 * 3600 - 1), -1);
        assert_int_equal(day_of_time(time_of_day(-25567)), -25567);
        assert_int_equal(day_of_time(time_of_day(-25567) - 1), -25568);
}

static void test_parse_iso8601(void **state)
{
        static const struct {
                const char *s;
                int64_t t;
        } good[] = {
            {"2026-11-23", 1795363200},
            {"2026-11-23T08:00", 1795392000},
            {"2026-11-23T08:00:00", 1795392000},
            {"2026-11-23 08:00:00", 1795392000},
            {"2026-11-23T08:00:00+08:00", 1795392000},
            {"2026-11-23T08:00:00+0800", 1795392000},
            {"2026-11-23T08:00:00+08", 1795392000},
            {"2026-11-23T00:00:00Z", 1795363200 + 8 * 3600},
            {"2026-11-23T08:00:00Z", 1795420800},
            {"2026-11-23T03:00:00-05:00", 1795420800},
            {"2026-11-23T05:30:00+05:30", 1795392000},
            {"2026-11-23T23:59:59", 1795363200 + 86399},
            {"1970-01-01T00:00:00Z", 0},
        };
        static const char *const bad[] = {
            "",
            "2026",
            "2026-11",
            "2026-11-2",
            "26-11-23",
            "2026/11/23",
            "2026-13-01",
            "2026-02-30",
            "2026-11-23T",
            "2026-11-23T08",
            "2026-11-23T8:00",
            "2026-11-23T24:00",
            "2026-11-23T08:60",
            "2026-11-23T08:00:61",
            "2026-11-23T08:00:0",
            "2026-11-23x",
            "2026-11-23T08:00Zjunk",
            "2026-11-23T08:00+8",
            "2026-11-23T08:00+08:",
            "2026-11-23T08:00+08:0",
            "2026-11-23T08:00+25:00",
            "2026-11-23T08:00+08:60",
            "2026-11-23T08:00:00 ",
            "1899-12-31",
        };
        int64_t t;

        for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
                print_message("good: %s\n", good[i].s);
                t = -1;
                assert_int_equal(time_parse_iso8601(good[i].s, &t), 0);
                assert_int_equal(t, good[i].t);
        }
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                print_message("bad: %s\n", bad[i]);
                t = 12345;
                assert_int_equal(time_parse_iso8601(bad[i], &t), -EINVAL);
                assert_int_equal(t, 12345);
        }
}

static void test_format_iso8601(void **state)
{
        char buf[32];
        int64_t t;

        assert_string_equal(time_format_iso8601(0, buf), "1970-01-01T08:00:00+08:00");
        assert_string_equal(time_format_iso8601(1795392000, buf), "2026-11-23T08:00:00+08:00");
        assert_string_equal(time_format_iso8601(1795363200 - 1, buf), "2026-11-22T23:59:59+08:00");
        assert_string_equal(time_format_iso8601(-8 * 3600 - 1, buf), "1969-12-31T23:59:59+08:00");
        /* Formatting and parsing are inverses. */
        for (int64_t x = -2208988800; x < 7258118400; x += 86400 * 37 + 3671) {
                time_format_iso8601(x, buf);
                assert_int_equal(time_parse_iso8601(buf, &t), 0);
                assert_int_equal(t, x);
        }
}

/* ---- buf.c ---- */

static void test_buf_cap(void **state)
{
        struct buf b;

        buf_init(&b, 10);
        assert_int_equal(buf_append(&b, "0123456789", 10), 0);
        assert_int_equal(b.len, 10);
        assert_int_equal(buf_append(&b, "x", 1), -ENOBUFS);
        assert_int_equal(buf_appends(&b, "y"), -ENOBUFS);
        assert_int_equal(buf_appendf(&b, "%d", 1), -ENOBUFS);
        assert_int_equal(b.len, 10);
        assert_string_equal(b.data, "0123456789");
        /* Appending nothing always fits. */
        assert_int_equal(buf_append(&b, "", 0), 0);
        /* The allocation never passes the cap (plus the NUL). */
        assert_int_equal(b.alloc, 11);
        buf_free(&b);
        assert_null(b.data);
        assert_int_equal(b.len, 0);
        assert_int_equal(b.max, 10);

        /* A refused append leaves the contents exactly as they were. */
        buf_init(&b, 10);
        assert_int_equal(buf_appends(&b, "abc"), 0);
        assert_int_equal(buf_append(&b, "12345678", 8), -ENOBUFS);
        assert_int_equal(b.len, 3);
        assert_string_equal(b.data, "abc");
        assert_int_equal(buf_appendf(&b, "%s", "12345678"), -ENOBUFS);
        assert_int_equal(b.len, 3);
        assert_string_equal(b.data, "abc");
        assert_int_equal(buf_appends(&b, "1234567"), 0);
        assert_string_equal(b.data, "abc1234567");
        buf_free(&b);

        /* A zero cap refuses everything but nothing. */
        buf_init(&b, 0);
        assert_int_equal(buf_append(&b, "a", 1), -ENOBUFS);
        assert_int_equal(buf_append(&b, "", 0), 0);
        assert_string_equal(b.data, "");
        buf_free(&b);
}

static void test_buf_growth(void **state)
{
        struct buf b;
        char piece[100];

        buf_init(&b, 1 << 20);
        for (int i = 0; i < 5000; i++) {
                int n = snprintf(piece, sizeof(piece), "%d,", i);
                assert_int_equal(buf_append(&b, piece, (size_t)n), 0);
        }
        assert_int_equal(strlen(b.data), b.len);
        assert_true(b.alloc > b.len);
        assert_true(strncmp(b.data, "0,1,2,", 6) == 0);
        assert_true(strcmp(b.data + b.len - 5, "4999,") == 0);
        buf_reset(&b);
        assert_int_equal(b.len, 0);
        assert_string_equal(b.data, "");
        buf_free(&b);
}

static void test_buf_appendf(void **state)
{
        struct buf b;

        buf_init(&b, 32);
        assert_int_equal(buf_appendf(&b, "%s=%d", "天数", 212), 0);
        assert_string_equal(b.data, "天数=212");
        assert_int_equal(b.len, strlen("天数=212"));
        assert_int_equal(buf_appendf(&b, "%s", ""), 0);
        /* Exactly up to the cap. */
        size_t room = b.max - b.len;
        char *fill = malloc(room + 1);
        assert_non_null(fill);
        memset(fill, 'x', room);
        fill[room] = '\0';
        assert_int_equal(buf_appendf(&b, "%s", fill), 0);
        assert_int_equal(b.len, 32);
        assert_int_equal(strlen(b.data), 32);
        assert_int_equal(buf_appendf(&b, "x"), -ENOBUFS);
        free(fill);
        buf_free(&b);
}

static void test_buf_append_some(void **state)
{
        struct buf b;

        buf_init(&b, 8);
        assert_int_equal(buf_append_some(&b, "abcde", 5), 5);
        assert_int_equal(buf_append_some(&b, "fghij", 5), 3);
        assert_int_equal(b.len, 8);
        assert_string_equal(b.data, "abcdefgh");
        assert_int_equal(buf_append_some(&b, "k", 1), 0);
        assert_string_equal(b.data, "abcdefgh");
        buf_free(&b);
}

static void test_buf_steal(void **state)
{
        struct buf b;

        buf_init(&b, 100);
        char *empty = buf_steal(&b);
        assert_non_null(empty);
        assert_string_equal(empty, "");
        free(empty);

        assert_int_equal(buf_appends(&b, "政务公开"), 0);
        char *s = buf_steal(&b);
        assert_string_equal(s, "政务公开");
        assert_null(b.data);
        assert_int_equal(b.len, 0);
        assert_int_equal(b.alloc, 0);
        free(s);
        /* The buffer is usable again with its cap. */
        assert_int_equal(buf_appends(&b, "again"), 0);
        assert_string_equal(b.data, "again");
        buf_free(&b);
}

/* ---- util.c ---- */

static void test_str_trim(void **state)
{
        static const struct {
                const char *in, *out;
        } cases[] = {
            {"  abc  ", "abc"},
            {"\t\r\n abc\n", "abc"},
            {"\u3000\u00a0 通知公告 \u3000", "通知公告"},
            {"\u3000\u3000首页\u3000要闻\u00a0", "首页\u3000要闻"},
            {"a b", "a b"},
            {"   ", ""},
            {"\u3000\u00a0", ""},
            {"", ""},
            /* U+3001 (、) shares two bytes with U+3000 and is not white space. */
            {"\u3001x\u3001", "\u3001x\u3001"},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                char *s = xstrdup(cases[i].in);
                assert_ptr_equal(str_trim(s), s);
                assert_string_equal(s, cases[i].out);
                free(s);
        }
}

static void test_str_collapse_space(void **state)
{
        static const struct {
                const char *in, *out;
        } cases[] = {
            {"a  \u3000 b\u00a0\u00a0c", "a b c"},
            {"栏目\n\n\t名称", "栏目 名称"},
            {"  lead and trail  ", "lead and trail"},
            {"none", "none"},
            {"\u3000", ""},
            {"", ""},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                char *s = xstrdup(cases[i].in);
                str_collapse_space(s);
                assert_string_equal(s, cases[i].out);
                free(s);
        }
}

static void test_utf8_valid(void **state)
{
        static const struct {
                const char *s;
                size_t n;
                bool valid;
        } cases[] = {
            {"", 0, true},
            {"ascii", 5, true},
            {"中文", 6, true},
            {"\xC2\x80", 2, true},
            {"\xF0\x9F\x98\x80", 4, true},
            {"\xF4\x8F\xBF\xBF", 4, true}, /* U+10FFFF */
            {"\xEE\x80\x80", 3, true},     /* U+E000, just past the surrogates */
            {"\xC0\xAF", 2, false},        /* overlong '/' */
            {"\xC1\xBF", 2, false},
            {"\xE0\x80\xAF", 3, false},
            {"\xE0\x9F\xBF", 3, false},
            {"\xF0\x80\x80\xAF", 4, false},
            {"\xF0\x8F\xBF\xBF", 4, false},
            {"\xED\xA0\x80", 3, false},     /* U+D800 */
            {"\xED\xBF\xBF", 3, false},     /* U+DFFF */
            {"\xF4\x90\x80\x80", 4, false}, /* U+110000 */
            {"\xF8\x88\x80\x80\x80", 5, false},
            {"\xFF", 1, false},
            {"\x80", 1, false},
            {"a\xBF", 2, false},
            {"\xE4\xB8", 2, false}, /* cut short */
            {"中", 2, false},       /* n cuts the character */
            {"\xE4\xB8\x41", 3, false},
            {"\xF0\x9F\x98", 3, false},
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                print_message("case %zu\n", i);
                assert_int_equal(utf8_valid(cases[i].s, cases[i].n), cases[i].valid);
        }
        /* Embedded NUL is valid UTF-8, and n, not the NUL, ends the check. */
        assert_true(utf8_valid("a\0b", 3));
        assert_false(utf8_valid("a\0\xFF", 3));
}

static void test_str_index(void **state)
{
        static const char *const ids[] = {"open", "fixed", "accepted"};

        assert_int_equal(str_index(ids, 3, "open"), 0);
        assert_int_equal(str_index(ids, 3, "accepted"), 2);
        assert_int_equal(str_index(ids, 3, "closed"), -EINVAL);
        assert_int_equal(str_index(ids, 2, "accepted"), -EINVAL);
        assert_int_equal(str_index(ids, 3, NULL), -EINVAL);
}

static void test_strv(void **state)
{
        struct strv v = {0};
        char name[16];

        assert_false(strv_contains(&v, "x"));
        for (int i = 0; i < 100; i++) {
                snprintf(name, sizeof(name), "item%d", i);
                strv_push(&v, name);
        }
        strv_push_take(&v, xstrdup("栏目"));
        assert_int_equal(v.n, 101);
        assert_true(v.cap >= v.n);
        assert_string_equal(v.items[0], "item0");
        assert_string_equal(v.items[99], "item99");
        assert_true(strv_contains(&v, "item57"));
        assert_true(strv_contains(&v, "栏目"));
        assert_false(strv_contains(&v, "item100"));
        /* strv_push copies. */
        snprintf(name, sizeof(name), "changed");
        assert_string_equal(v.items[99], "item99");
        strv_free(&v);
        assert_null(v.items);
        assert_int_equal(v.n, 0);
        assert_int_equal(v.cap, 0);
        strv_free(&v);
}

static void test_small_helpers(void **state)
{
        assert_true(str_endswith("index.html", ".html"));
        assert_false(str_endswith("html", ".html"));
        assert_true(str_endswith("x", ""));
        assert_true(str_startswith("http://a", "http://"));
        assert_true(streq_ptr(NULL, NULL));
        assert_false(streq_ptr("a", NULL));
        assert_true(streq_ptr("a", "a"));
        assert_int_equal(utf8_length("政务abc"), 5);
        assert_int_equal(utf8_length(""), 0);
        assert_true(hash_str("a") != hash_str("b"));
        assert_true(hash_bytes("", 0) == 0xcbf29ce484222325ULL);

        char *p = xstrdup("old");
        str_replace(&p, "new");
        assert_string_equal(p, "new");
        str_replace(&p, NULL);
        assert_null(p);

        char *f = xasprintf("%s %d", "栏目", 180);
        assert_string_equal(f, "栏目 180");
        free(f);
        char *n = xstrndup("abcdef", 3);
        assert_string_equal(n, "abc");
        free(n);
}

/* ---- working days ----------------------------------------------------------------- */

static xj_day D(int y, int m, int d)
{
        return day_from_civil(y, m, d);
}

static xj_day *days_of(size_t n, const xj_day *src)
{
        xj_day *v = xcalloc(n ? n : 1, sizeof(*v));
        memcpy(v, src, n * sizeof(*v));
        return v;
}

/* The 2026 notice, as far as the tests need it: 春节 15–23 February with 14 and 28
 * February working Saturdays, 国庆 1–7 October with 10 October a working Saturday. */
static void calendar_2026(struct workday_calendar *c)
{
        xj_day rest[16], work[] = {D(2026, 2, 14), D(2026, 2, 28), D(2026, 10, 10)};
        size_t n = 0;

        for (int d = 23; d >= 15; d--)  /* unsorted on purpose: put() sorts */
                rest[n++] = D(2026, 2, d);
        for (int d = 1; d <= 7; d++)
                rest[n++] = D(2026, 10, d);
        struct workday_year y = {
                .year = 2026,
                .holidays = days_of(n, rest),
                .n_holidays = n,
                .workdays = days_of(ARRAY_SIZE(work), work),
                .n_workdays = ARRAY_SIZE(work),
        };
        workday_calendar_put(c, &y);
        assert_null(y.holidays);
}

static void test_workdays_plain_weeks(void **state)
{
        struct workday_calendar c = {0};

        /* No calendar: Monday to Friday. 2027-01-01 is a Friday. */
        assert_true(workday_is(&c, D(2027, 1, 1)));
        assert_false(workday_is(&c, D(2027, 1, 2)));
        assert_false(workday_is(&c, D(2027, 1, 3)));
        assert_int_equal(workday_add(&c, D(2027, 1, 1), 1), D(2027, 1, 4));
        assert_int_equal(workday_add(&c, D(2027, 1, 1), 5), D(2027, 1, 8));
        assert_int_equal(workday_add(&c, D(2027, 1, 1), 0), D(2027, 1, 1));
        assert_int_equal(workday_count(&c, D(2027, 1, 1), D(2027, 1, 8)), 5);
        assert_int_equal(workday_count(&c, D(2027, 1, 8), D(2027, 1, 1)), 0);
        assert_int_equal(workday_calendar_missing_year(&c, D(2026, 12, 1), D(2027, 1, 8)), 2026);
}

static void test_workdays_holidays(void **state)
{
        struct workday_calendar c = {0};

        calendar_2026(&c);
        assert_true(workday_calendar_has_year(&c, 2026));
        assert_false(workday_calendar_has_year(&c, 2027));
        assert_true(workday_is(&c, D(2026, 2, 14)));    /* a working Saturday */
        assert_false(workday_is(&c, D(2026, 2, 16)));   /* a Monday in 春节 */
        assert_true(workday_is(&c, D(2026, 2, 24)));
        /* From Friday 13 February: Saturday 14 works, 15–23 rest, Tuesday 24 works. */
        assert_int_equal(workday_count(&c, D(2026, 2, 13), D(2026, 2, 24)), 2);
        assert_int_equal(workday_add(&c, D(2026, 2, 13), 2), D(2026, 2, 24));
        /* 30 September + 1 working day skips 国庆 to Thursday 8 October; + 2 lands on the
         * working Saturday 10 October. */
        assert_int_equal(workday_add(&c, D(2026, 9, 30), 1), D(2026, 10, 8));
        assert_int_equal(workday_add(&c, D(2026, 9, 30), 3), D(2026, 10, 10));
        /* 20 working days from Monday 21 September end on Friday 23 October: 国庆 does
         * not count, the working Saturday 10 October does. */
        assert_int_equal(workday_add(&c, D(2026, 9, 21), 20), D(2026, 10, 23));
        assert_int_equal(workday_count(&c, D(2026, 9, 21), D(2026, 10, 23)), 20);
        assert_int_equal(workday_count(&c, D(2026, 9, 21), D(2026, 10, 22)), 19);
        assert_int_equal(workday_count(&c, D(2026, 9, 21), D(2026, 10, 26)), 21);
        assert_int_equal(workday_calendar_missing_year(&c, D(2026, 3, 1), D(2026, 9, 1)), 0);
        assert_int_equal(workday_calendar_missing_year(&c, D(2026, 12, 1), D(2027, 2, 1)), 2027);
        workday_calendar_clear(&c);
        assert_int_equal(c.n_years, 0);
}

/* A notice reaching back into December (元旦 2019 began on Sunday 30 December 2018, with
 * Saturday 29 December working), and a later entry of the same year replacing the first. */
static void test_workdays_december_and_replace(void **state)
{
        struct workday_calendar c = {0};
        xj_day rest[] = {D(2018, 12, 30), D(2018, 12, 31), D(2019, 1, 1)};
        xj_day work[] = {D(2018, 12, 29)};
        struct workday_year y = {
                .year = 2019,
                .holidays = days_of(3, rest),
                .n_holidays = 3,
                .workdays = days_of(1, work),
                .n_workdays = 1,
        };

        workday_calendar_put(&c, &y);
        assert_true(workday_is(&c, D(2018, 12, 29)));
        assert_false(workday_is(&c, D(2018, 12, 31)));
        assert_false(workday_is(&c, D(2019, 1, 1)));
        assert_true(workday_is(&c, D(2019, 1, 2)));

        y = (struct workday_year){.year = 2019, .holidays = days_of(1, &rest[2]), .n_holidays = 1};
        workday_calendar_put(&c, &y);
        assert_int_equal(c.n_years, 1);
        assert_true(workday_is(&c, D(2018, 12, 31)));   /* the old entry is gone */
        assert_false(workday_is(&c, D(2018, 12, 29)));
        calendar_2026(&c);
        assert_int_equal(c.n_years, 2);
        assert_int_equal(c.years[0].year, 2019);
        assert_int_equal(c.years[1].year, 2026);
        workday_calendar_clear(&c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_str_index),
            cmocka_unit_test(test_civil_round_trip),
            cmocka_unit_test(test_known_days),
            cmocka_unit_test(test_civil_valid),
            cmocka_unit_test(test_day_of_time_midnight),
            cmocka_unit_test(test_parse_iso8601),
            cmocka_unit_test(test_format_iso8601),
            cmocka_unit_test(test_buf_cap),
            cmocka_unit_test(test_buf_growth),
            cmocka_unit_test(test_buf_appendf),
            cmocka_unit_test(test_buf_append_some),
            cmocka_unit_test(test_buf_steal),
            cmocka_unit_test(test_str_trim),
            cmocka_unit_test(test_str_collapse_space),
            cmocka_unit_test(test_utf8_valid),
            cmocka_unit_test(test_strv),
            cmocka_unit_test(test_small_helpers),
            cmocka_unit_test(test_workdays_plain_weeks),
            cmocka_unit_test(test_workdays_holidays),
            cmocka_unit_test(test_workdays_december_and_replace),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Civil-calendar arithmetic (proleptic Gregorian) and ISO 8601 parsing; see xtime.h. */
#include "common/xtime.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <time.h>

/* Howard Hinnant's days_from_civil algorithm, in its public-domain formulation. */
xj_day day_from_civil(int y, int m, int d)
{
        y -= m <= 2;
        int era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned)(y - era * 400);
        unsigned doy = (153u * (unsigned)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (unsigned)d - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return (xj_day)(era * 146097 + (int)doe - 719468);
}

void civil_from_day(xj_day z, int *ret_year, int *ret_month, int *ret_day)
{
        int zz = z + 719468;
        int era = (zz >= 0 ? zz : zz - 146096) / 146097;
        unsigned doe = (unsigned)(zz - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int y = (int)yoe + era * 400;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        unsigned mp = (5 * doy + 2) / 153;
        unsigned d = doy - (153 * mp + 2) / 5 + 1;
        unsigned m = mp < 10 ? mp + 3 : mp - 9;
        *ret_year = y + (m <= 2);
        *ret_month = (int)m;
        *ret_day = (int)d;
}

static int days_in_month(int y, int m)
{
        static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        return m == 2 && leap ? 29 : days[m - 1];
}

bool civil_valid(int y, int m, int d)
{
        return y >= 1900 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int day_weekday(xj_day d)
{
        /* 1970-01-01 was a Thursday. */
        int w = (d + 4) % 7;
        return w < 0 ? w + 7 : w;
}

xj_day day_of_time(int64_t t)
{
        int64_t s = t + XJ_TZ_OFFSET;
        int64_t d = s / 86400;
        if (s % 86400 < 0)
                d--;
        return (xj_day)d;
}

int64_t time_of_day(xj_day d)
{
        return (int64_t)d * 86400 - XJ_TZ_OFFSET;
}

static int parse_digits(const char **p, int n, int *ret)
{
        int v = 0;
        for (int i = 0; i < n; i++) {
                if (!isdigit((unsigned char)(*p)[i]))
                        return -EINVAL;
                v = v * 10 + ((*p)[i] - '0');
        }
        *p += n;
        *ret = v;
        return 0;
}

int time_parse_iso8601(const char *s, int64_t *ret)
{
        int y, mo, d, h = 0, mi = 0, sec = 0, off = XJ_TZ_OFFSET;
        const char *p = s;

        if (parse_digits(&p, 4, &y) < 0 || *p++ != '-' || parse_digits(&p, 2, &mo) < 0 ||
            *p++ != '-' || parse_digits(&p, 2, &d) < 0)
                return -EINVAL;
        if (!civil_valid(y, mo, d))
                return -EINVAL;
        if (*p == 'T' || *p == ' ') {
                p++;
                if (parse_digits(&p, 2, &h) < 0 || *p++ != ':' || parse_digits(&p, 2, &mi) < 0)
                        return -EINVAL;
                if (*p == ':') {
                        p++;
                        if (parse_digits(&p, 2, &sec) < 0)
                                return -EINVAL;
                }
                if (h > 23 || mi > 59 || sec > 60)
                        return -EINVAL;
        }
        if (*p == 'Z') {
                off = 0;
                p++;
        } else if (*p == '+' || *p == '-') {
                int sign = *p == '-' ? -1 : 1, oh, om = 0;
                p++;
                if (parse_digits(&p, 2, &oh) < 0)
                        return -EINVAL;
                /* "+08", "+0800" and "+08:00"; a colon must be followed by minutes. */
                if (*p == ':') {
                        p++;
                        if (parse_digits(&p, 2, &om) < 0)
                                return -EINVAL;
                } else if (*p && parse_digits(&p, 2, &om) < 0) {
                        return -EINVAL;
                }
                if (oh > 23 || om > 59)
                        return -EINVAL;
                off = sign * (oh * 3600 + om * 60);
        }
        if (*p)
                return -EINVAL;
        *ret = (int64_t)day_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
        return 0;
}

char *time_format_iso8601(int64_t t, char *buf)
{
        int64_t local = t + XJ_TZ_OFFSET;
        xj_day d = day_of_time(t);
        int y, m, dd;
        int64_t sod = local - (int64_t)d * 86400;

        civil_from_day(d, &y, &m, &dd);
        snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", y, m, dd, (int)(sod / 3600),
                 (int)(sod / 60 % 60), (int)(sod % 60));
        return buf;
}

char *day_format(xj_day d, char *buf)
{
        int y, m, dd;
        civil_from_day(d, &y, &m, &dd);
        snprintf(buf, 16, "%04d-%02d-%02d", y, m, dd);
        return buf;
}

int64_t time_now_wall(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return ts.tv_sec;
}

/* Report periods: a month, a quarter or a year of China Standard Time days, as the command
 * line names them ("2026-10", "2026Q3", "2026"). */
#include <errno.h>
#include <stdio.h>

#include "notify/report.h"

/* Years a government site's report can plausibly be about. */
#define PERIOD_YEAR_MIN 2000
#define PERIOD_YEAR_MAX 2100

static xj_day month_last(int year, int month)
{
        return month == 12 ? day_from_civil(year + 1, 1, 1) - 1
                           : day_from_civil(year, month + 1, 1) - 1;
}

static void period_set(enum notify_period_kind kind, int year, int index,
                       struct notify_period *ret)
{
        *ret = (struct notify_period){.kind = kind, .year = year, .index = index};
        switch (kind) {
        case PERIOD_MONTH:
                ret->first = day_from_civil(year, index, 1);
                ret->last = month_last(year, index);
                break;
        case PERIOD_QUARTER:
                ret->first = day_from_civil(year, 3 * index - 2, 1);
                ret->last = month_last(year, 3 * index);
                break;
        case PERIOD_YEAR:
                ret->first = day_from_civil(year, 1, 1);
                ret->last = day_from_civil(year, 12, 31);
                break;
        }
}

static bool all_digits(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

static int fail(char **ret_error, const char *s, const char *why)
{
        if (ret_error)
                *ret_error = xasprintf("期间「%s」无效：%s（应为 2026Q3、2026-10 或 2026）", s,
                                       why);
        return -EINVAL;
}

int notify_period_parse(const char *s, struct notify_period *ret, char **ret_error)
{
        size_t n = s ? strlen(s) : 0;
        int year, index;

        if (!s || n < 4 || !all_digits(s, 4))
                return fail(ret_error, s ? s : "", "须以四位年份开头");
        year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        if (year < PERIOD_YEAR_MIN || year > PERIOD_YEAR_MAX)
                return fail(ret_error, s, "年份须在 2000 至 2100 之间");
        if (n == 4) {
                period_set(PERIOD_YEAR, year, 0, ret);
                return 0;
        }
        if (n == 6 && (s[4] == 'Q' || s[4] == 'q')) {
                if (!all_digits(s + 5, 1) || s[5] < '1' || s[5] > '4')
                        return fail(ret_error, s, "季度须为 Q1 至 Q4");
                period_set(PERIOD_QUARTER, year, s[5] - '0', ret);
                return 0;
        }
        if (n == 7 && s[4] == '-' && all_digits(s + 5, 2)) {
                index = (s[5] - '0') * 10 + (s[6] - '0');
                if (index < 1 || index > 12)
                        return fail(ret_error, s, "月份须为 01 至 12");
                period_set(PERIOD_MONTH, year, index, ret);
                return 0;
        }
        return fail(ret_error, s, "格式不对");
}

void notify_period_of(enum notify_period_kind kind, int64_t now, struct notify_period *ret)
{
        int y, m, d;

        civil_from_day(day_of_time(now), &y, &m, &d);
        period_set(kind, y, kind == PERIOD_MONTH ? m : kind == PERIOD_QUARTER ? (m + 2) / 3 : 0,
                   ret);
}

void notify_period_previous(const struct notify_period *p, struct notify_period *ret)
{
        switch (p->kind) {
        case PERIOD_MONTH:
                if (p->index == 1)
                        period_set(PERIOD_MONTH, p->year - 1, 12, ret);
                else
                        period_set(PERIOD_MONTH, p->year, p->index - 1, ret);
                break;
        case PERIOD_QUARTER:
                if (p->index == 1)
                        period_set(PERIOD_QUARTER, p->year - 1, 4, ret);
                else
                        period_set(PERIOD_QUARTER, p->year, p->index - 1, ret);
                break;
        case PERIOD_YEAR:
                period_set(PERIOD_YEAR, p->year - 1, 0, ret);
                break;
        }
}

char *notify_period_id(const struct notify_period *p, char *buf)
{
        switch (p->kind) {
        case PERIOD_MONTH:
                snprintf(buf, 16, "%04d-%02d", p->year, p->index);
                break;
        case PERIOD_QUARTER:
                snprintf(buf, 16, "%04dQ%d", p->year, p->index);
                break;
        case PERIOD_YEAR:
                snprintf(buf, 16, "%04d", p->year);
                break;
        }
        return buf;
}

char *notify_period_label(const struct notify_period *p, char *buf)
{
        static const char *const quarters[] = {"一", "二", "三", "四"};

        switch (p->kind) {
        case PERIOD_MONTH:
                snprintf(buf, 32, "%d年%d月", p->year, p->index);
                break;
        case PERIOD_QUARTER:
                snprintf(buf, 32, "%d年第%s季度", p->year, quarters[(p->index - 1) & 3]);
                break;
        case PERIOD_YEAR:
                snprintf(buf, 32, "%d年", p->year);
                break;
        }
        return buf;
}

int64_t notify_period_from(const struct notify_period *p)
{
        return time_of_day(p->first);
}

int64_t notify_period_to(const struct notify_period *p)
{
        return time_of_day(p->last + 1);
}

char *notify_date_cn(int64_t t, char *buf)
{
        int y, m, d;

        civil_from_day(day_of_time(t), &y, &m, &d);
        snprintf(buf, 32, "%d年%d月%d日", y, m, d);
        return buf;
}

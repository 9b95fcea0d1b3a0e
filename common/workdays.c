/* The working-day calendar; see workdays.h. A year holds a few dozen days, so lookups are
 * binary searches over small sorted arrays, and counting walks day by day: the spans the
 * rules count (weeks to months) make that cheaper than anything cleverer. */
#include "common/workdays.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* Counting longer spans than this is a caller's mistake (a date typo like 1026-01-01):
 * clamp rather than spin. Forty years covers any real deadline. */
#define WORKDAY_SPAN_MAX (40 * 366)

static int cmp_day(const void *a, const void *b)
{
        xj_day x = *(const xj_day *)a, y = *(const xj_day *)b;
        return (x > y) - (x < y);
}

static bool day_in(const xj_day *days, size_t n, xj_day d)
{
        /* bsearch() and qsort() must not see the NULL of an empty list (UBSan). */
        return n > 0 && bsearch(&d, days, n, sizeof(*days), cmp_day) != NULL;
}

static const struct workday_year *year_get(const struct workday_calendar *c, int year)
{
        size_t lo = 0, hi = c->n_years;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (c->years[mid].year == year)
                        return &c->years[mid];
                if (c->years[mid].year < year)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

static void year_clear(struct workday_year *y)
{
        free(y->holidays);
        free(y->workdays);
        *y = (struct workday_year){0};
}

void workday_calendar_put(struct workday_calendar *c, struct workday_year *y)
{
        size_t i;

        if (y->n_holidays)
                qsort(y->holidays, y->n_holidays, sizeof(*y->holidays), cmp_day);
        if (y->n_workdays)
                qsort(y->workdays, y->n_workdays, sizeof(*y->workdays), cmp_day);
        for (i = 0; i < c->n_years && c->years[i].year < y->year; i++)
                ;
        if (i < c->n_years && c->years[i].year == y->year) {
                year_clear(&c->years[i]);
                c->years[i] = *y;
        } else {
                c->years = xreallocarray(c->years, c->n_years + 1, sizeof(*c->years));
                memmove(&c->years[i + 1], &c->years[i], (c->n_years - i) * sizeof(*c->years));
                c->years[i] = *y;
                c->n_years++;
        }
        *y = (struct workday_year){0};
}

void workday_calendar_clear(struct workday_calendar *c)
{
        for (size_t i = 0; i < c->n_years; i++)
                year_clear(&c->years[i]);
        free(c->years);
        *c = (struct workday_calendar){0};
}

bool workday_calendar_has_year(const struct workday_calendar *c, int year)
{
        return year_get(c, year) != NULL;
}

int workday_calendar_missing_year(const struct workday_calendar *c, xj_day from, xj_day to)
{
        int y0, y1, m, d;

        civil_from_day(from, &y0, &m, &d);
        civil_from_day(to, &y1, &m, &d);
        for (int y = y0; y <= y1; y++)
                if (!year_get(c, y))
                        return y;
        return 0;
}

bool workday_is(const struct workday_calendar *c, xj_day d)
{
        int year, month, mday, wd = day_weekday(d);
        const struct workday_year *y;

        civil_from_day(d, &year, &month, &mday);
        /* A year's notice may reach back into the December before it (元旦 2019 began on
         * 30 December 2018, with 29 December a working Saturday), so December also looks
         * at the next year's calendar. */
        for (int k = 0; k < (month == 12 ? 2 : 1); k++) {
                y = year_get(c, year + k);
                if (!y)
                        continue;
                if (day_in(y->workdays, y->n_workdays, d))
                        return true;
                if (day_in(y->holidays, y->n_holidays, d))
                        return false;
        }
        return wd != 0 && wd != 6;
}

xj_day workday_add(const struct workday_calendar *c, xj_day d, int n)
{
        for (int span = 0; n > 0 && span < WORKDAY_SPAN_MAX; span++) {
                d++;
                if (workday_is(c, d))
                        n--;
        }
        return d;
}

int workday_count(const struct workday_calendar *c, xj_day from, xj_day to)
{
        int n = 0;

        if (to - from > WORKDAY_SPAN_MAX)
                from = to - WORKDAY_SPAN_MAX;
        for (xj_day d = from + 1; d <= to; d++)
                n += workday_is(c, d);
        return n;
}

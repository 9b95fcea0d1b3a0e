/* The state working-day calendar (工作日): Monday to Friday, except the public holidays the
 * State Council announces each year, plus the weekend days it makes working days to bridge
 * them (调休上班). Deadlines in the rules (20 working days to publish a document, 5 to
 * answer a simple question, N to handle a 办理单) are counted with it. The calendar of each
 * year comes from rules.d; for a year it does not hold, Monday to Friday is assumed, and
 * callers warn about it (workday_calendar_missing_year()). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/xtime.h"

struct workday_year {
        int year;
        /* Days from 1 December of the year before (a notice may reach back) to the end of
         * the year. */
        xj_day *holidays;       /* rest days (放假), sorted */
        size_t n_holidays;
        xj_day *workdays;       /* weekend days made working days, sorted */
        size_t n_workdays;
};

/* Zero-initialised is an empty calendar (Monday to Friday every year). */
struct workday_calendar {
        struct workday_year *years;     /* sorted by year, each year once */
        size_t n_years;
};

/* Adds a year, taking ownership of y's arrays (which it sorts). A year already present is
 * replaced, as a later rules file overrides an earlier one. */
void workday_calendar_put(struct workday_calendar *c, struct workday_year *y);
/* Frees the years; the calendar becomes empty. Accepts an empty calendar. */
void workday_calendar_clear(struct workday_calendar *c);

bool workday_calendar_has_year(const struct workday_calendar *c, int year);
/* The first year in [from, to] (calendar days) the calendar does not hold, or 0 when every
 * year is there. */
int workday_calendar_missing_year(const struct workday_calendar *c, xj_day from, xj_day to);

bool workday_is(const struct workday_calendar *c, xj_day d);
/* The n-th working day after day d (n ≥ 1); for n ≤ 0, d itself. "Within 5 working days
 * of the 3rd" ends on workday_add(c, 3rd, 5). */
xj_day workday_add(const struct workday_calendar *c, xj_day d, int n);
/* The working days in (from, to]: how many working days "to" is after "from". 0 when to is
 * not after from. */
int workday_count(const struct workday_calendar *c, xj_day from, xj_day to);

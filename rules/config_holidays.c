/* rules.d "holidays": the state holiday calendar, one entry per year as the State Council's
 * annual notice (国务院办公厅关于 YYYY 年部分节假日安排的通知) gives it — the rest days and
 * the weekend days made working days. A later file's year replaces an earlier one's. */
#include <stdio.h>
#include <string.h>

#include "rules/config_internal.h"

/* One holiday (春节, 国庆) lasts at most 9 days; a range much longer is a typo. */
#define HOLIDAY_RANGE_MAX 31

/* Parses "2026-02-15" strictly: four-digit year, two-digit month and day, a real date. */
static bool parse_day(const char *s, xj_day *ret)
{
        int y, m, d, n = 0;

        if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
            s[4] != '-' || s[7] != '-' || !civil_valid(y, m, d))
                return false;
        *ret = day_from_civil(y, m, d);
        return true;
}

static void push_day(xj_day **days, size_t *n, xj_day d)
{
        *days = xreallocarray(*days, *n + 1, sizeof(**days));
        (*days)[(*n)++] = d;
}

/* A list of days and "from..to" ranges; every day must belong to the notice's year (or
 * the December before it). Weekend-only for working days. */
static bool load_days(struct loader *l, const char *path, const struct ynode *list, int year,
                      bool working, xj_day **days, size_t *n)
{
        xj_day first = day_from_civil(year - 1, 12, 1), last = day_from_civil(year, 12, 31);
        bool ok = true;

        if (list->kind != Y_SEQ) {
                cfg_report_type(l, path, list, "a list of dates (YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)");
                return false;
        }
        for (size_t i = 0; i < list->n_kids; i++) {
                const struct ynode *item = list->kids[i];
                _cleanup_free_ char *item_path = xasprintf("%s[%zu]", path, i + 1);
                _cleanup_free_ char *from_s = NULL;
                const char *dots;
                xj_day from, to;

                if (!cfg_is_string(item)) {
                        cfg_report_type(l, item_path, item, "a date (YYYY-MM-DD) or a range");
                        ok = false;
                        continue;
                }
                dots = strstr(item->text, "..");
                from_s = dots ? xstrndup(item->text, (size_t)(dots - item->text))
                              : xstrdup(item->text);
                if (!parse_day(from_s, &from) || !parse_day(dots ? dots + 2 : from_s, &to)) {
                        cfg_report(l, item->pos,
                                   "%s: \"%s\" is not a date (YYYY-MM-DD) or a range "
                                   "(YYYY-MM-DD..YYYY-MM-DD)",
                                   item_path, item->text);
                        ok = false;
                        continue;
                }
                if (to < from || to - from >= HOLIDAY_RANGE_MAX) {
                        cfg_report(l, item->pos,
                                   "%s: the range %s must run forward and last at most %d days",
                                   item_path, item->text, HOLIDAY_RANGE_MAX);
                        ok = false;
                        continue;
                }
                if (from < first || to > last) {
                        cfg_report(l, item->pos,
                                   "%s: %s is outside %d (a year's notice covers that year "
                                   "and the December before it)",
                                   item_path, item->text, year);
                        ok = false;
                        continue;
                }
                for (xj_day d = from; d <= to; d++) {
                        int wd = day_weekday(d);
                        if (working && wd != 0 && wd != 6) {
                                char buf[16];
                                cfg_report(l, item->pos,
                                           "%s: %s is a weekday; only a Saturday or Sunday "
                                           "is made a working day (调休上班)",
                                           item_path, day_format(d, buf));
                                ok = false;
                                break;
                        }
                        push_day(days, n, d);
                }
        }
        return ok;
}

static void load_year(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        struct field f[] = {
                {.name = "notice"},
                {.name = "rest"},
                {.name = "work"},
        };
        struct workday_year y = {0};
        _cleanup_free_ char *path = xasprintf("holidays.%s", key->text);
        _cleanup_free_ char *notice = NULL;
        long year;
        bool ok = true;

        if (!cfg_get_long(l, "holidays: a year", key, 1990, 2200, &year))
                return;
        if (!cfg_expect_map(l, path, val))
                return;
        cfg_match_fields(l, val, path, f, ARRAY_SIZE(f));
        y.year = (int)year;
        if (f[0].key && !cfg_get_string(l, "notice", f[0].val, false, &notice))
                ok = false;
        if (!cfg_require(l, val->pos, path, &f[1]))
                ok = false;
        else {
                _cleanup_free_ char *sub = xasprintf("%s.rest", path);
                ok &= load_days(l, sub, f[1].val, y.year, false, &y.holidays, &y.n_holidays);
        }
        if (f[2].key && !cfg_ynode_is_null(f[2].val)) {
                _cleanup_free_ char *sub = xasprintf("%s.work", path);
                ok &= load_days(l, sub, f[2].val, y.year, true, &y.workdays, &y.n_workdays);
        }
        for (size_t i = 0; ok && i < y.n_workdays; i++)
                for (size_t j = 0; j < y.n_holidays; j++)
                        if (y.workdays[i] == y.holidays[j]) {
                                char buf[16];
                                cfg_report(l, f[2].val->pos,
                                           "%s: %s is listed both as a rest day and as a "
                                           "working day",
                                           path, day_format(y.workdays[i], buf));
                                ok = false;
                                break;
                        }
        if (!ok) {
                free(y.holidays);
                free(y.workdays);
                return;
        }
        workday_calendar_put(&cfg_config(l)->holidays, &y);
}

void cfg_load_holidays(struct loader *l, const struct ynode *key, const struct ynode *val)
{
        if (cfg_ynode_is_null(val) || !cfg_expect_map(l, "holidays", val))
                return;
        for (size_t i = 0; i < cfg_map_size(val); i++)
                if (cfg_check_key(l, val, i, "holidays"))
                        load_year(l, val->kids[2 * i], val->kids[2 * i + 1]);
}

void cfg_release_holidays(struct rule_config *c)
{
        workday_calendar_clear(&c->holidays);
}

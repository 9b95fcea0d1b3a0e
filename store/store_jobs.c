/* The daemon's jobs (when each is next due, how its last run went) and the counts that
 * `xunjian status` and the metrics file show; see store.h. */
#include <errno.h>
#include <stdio.h>

#include "common/util.h"
#include "store/store_internal.h"

int store_job_next(struct store *s, const char *site, const char *kind, int64_t *ret_next)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !site || !kind)
                return -EINVAL;
        r = store__prepare(s, "SELECT next_run FROM jobs WHERE site = ? AND kind = ?", &st);
        if (r < 0)
                return r;
        struct binder b = {.stmt = st};
        bind_text(&b, site);
        bind_text(&b, kind);
        r = bind_done(s, &b);
        if (r == 0)
                r = store__step_row(s, st);
        if (r == 0)
                return -ENOENT;
        if (r > 0 && ret_next)
                *ret_next = sqlite3_column_int64(st, 0);
        return r < 0 ? r : 0;
}

/* Runs one write statement whose first two parameters are site and kind, then the given
 * 64-bit integers. */
static int job_write(struct store *s, const char *sql, const char *site, const char *kind,
                     const int64_t *values, size_t n)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !site || !kind)
                return -EINVAL;
        r = store__prepare(s, sql, &st);
        if (r < 0)
                return r;
        struct binder b = {.stmt = st};
        bind_text(&b, site);
        bind_text(&b, kind);
        for (size_t i = 0; i < n; i++)
                bind_int(&b, values[i]);
        r = bind_done(s, &b);
        return r < 0 ? r : store__step_done(s, st);
}

int store_job_schedule(struct store *s, const char *site, const char *kind, int64_t next_run)
{
        return job_write(s,
                         "INSERT INTO jobs (site, kind, next_run) VALUES (?, ?, ?)"
                         " ON CONFLICT (site, kind) DO UPDATE SET next_run = excluded.next_run",
                         site, kind, &next_run, 1);
}

int store_job_started(struct store *s, const char *site, const char *kind, int64_t start)
{
        return job_write(s,
                         "INSERT INTO jobs (site, kind, last_start, runs) VALUES (?, ?, ?, 1)"
                         " ON CONFLICT (site, kind) DO UPDATE SET last_start = excluded.last_start,"
                         " last_end = NULL, runs = runs + 1",
                         site, kind, &start, 1);
}

int store_job_finished(struct store *s, const char *site, const char *kind, int64_t end,
                       const char *result, const char *error, double seconds, int64_t next_run)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !site || !kind || !result)
                return -EINVAL;
        r = store__prepare(s,
                           "INSERT INTO jobs (site, kind, last_end, last_result, last_error,"
                           " last_seconds, next_run, last_success) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                           " ?7, CASE WHEN ?4 = 'ok' THEN ?3 END)"
                           " ON CONFLICT (site, kind) DO UPDATE SET last_end = excluded.last_end,"
                           " last_result = excluded.last_result, last_error = excluded.last_error,"
                           " last_seconds = excluded.last_seconds, next_run = excluded.next_run,"
                           " last_success = coalesce(excluded.last_success, last_success)",
                           &st);
        if (r < 0)
                return r;
        struct binder b = {.stmt = st};
        bind_text(&b, site);
        bind_text(&b, kind);
        bind_int(&b, end);
        bind_text(&b, result);
        bind_text(&b, error);
        bind_double(&b, seconds);
        bind_int(&b, next_run);
        r = bind_done(s, &b);
        return r < 0 ? r : store__step_done(s, st);
}

int store_jobs_foreach(struct store *s, store_job_fn fn, void *userdata)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !fn)
                return -EINVAL;
        r = store__prepare(s,
                           "SELECT site, kind, coalesce(next_run, 0), coalesce(last_start, 0),"
                           " coalesce(last_end, 0), last_result, last_error,"
                           " coalesce(last_success, 0), coalesce(last_seconds, 0), runs"
                           " FROM jobs ORDER BY site, kind",
                           &st);
        while (r >= 0 && (r = store__step_row(s, st)) > 0) {
                struct store_job j = {
                        .site = column_text(st, 0),
                        .kind = column_text(st, 1),
                        .next_run = sqlite3_column_int64(st, 2),
                        .last_start = sqlite3_column_int64(st, 3),
                        .last_end = sqlite3_column_int64(st, 4),
                        .last_result = column_text(st, 5),
                        .last_error = column_text(st, 6),
                        .last_success = sqlite3_column_int64(st, 7),
                        .last_seconds = sqlite3_column_double(st, 8),
                        .runs = sqlite3_column_int64(st, 9),
                };
                r = fn(&j, userdata);
                if (r < 0)
                        break;
        }
        return r < 0 ? r : 0;
}

/* Runs a counting query whose columns are site, unit, rule, severity, kind, count. */
static int count_rows(struct store *s, const char *sql, store_status_count_fn fn,
                      void *userdata)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !fn)
                return -EINVAL;
        r = store__prepare(s, sql, &st);
        while (r >= 0 && (r = store__step_row(s, st)) > 0) {
                struct store_status_count c = {
                        .site = column_text(st, 0),
                        .unit = column_text(st, 1),
                        .rule = column_text(st, 2),
                        .severity = column_text(st, 3),
                        .kind = column_text(st, 4),
                        .count = sqlite3_column_int64(st, 5),
                };
                r = fn(&c, userdata);
                if (r < 0)
                        break;
        }
        return r < 0 ? r : 0;
}

int store_status_violations(struct store *s, store_status_count_fn fn, void *userdata)
{
        return count_rows(s,
                          "SELECT site, coalesce(unit, ''), rule, severity, kind, count(*)"
                          " FROM violations WHERE state = 'open'"
                          " GROUP BY site, coalesce(unit, ''), rule, severity, kind"
                          " ORDER BY site, coalesce(unit, ''), rule, severity, kind",
                          fn, userdata);
}

int store_status_tickets(struct store *s, store_status_count_fn fn, void *userdata)
{
        return count_rows(s,
                          "SELECT '', coalesce(unit, ''), '', '', kind, count(*)"
                          " FROM tickets WHERE state = 'open'"
                          " GROUP BY coalesce(unit, ''), kind ORDER BY coalesce(unit, ''), kind",
                          fn, userdata);
}

int store_status_mails(struct store *s, store_status_count_fn fn, void *userdata)
{
        return count_rows(s,
                          "SELECT '', '', '', '', state, count(*) FROM mails"
                          " GROUP BY state ORDER BY state",
                          fn, userdata);
}

/* The store's read side for reports: the aggregates behind the quarterly 通报, the monthly
 * key-column roll and the big screen, and the tickets a printable 单 lists. See the reports
 * section of store.h. Every statement is prepared per call: reports run seldom, and a
 * callback may call back into the store. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>

#include "store/store_internal.h"

/* Binds the arguments in order: 't' a string (NULL allowed), 'i' an int64_t, 'I' an int64_t
 * bound as NULL when it is 0 (an id that is not given). */
static int bind(struct store *s, sqlite3_stmt *st, const char *types, ...)
{
        va_list ap;
        int rc = SQLITE_OK;

        va_start(ap, types);
        for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
                if (types[i] == 't') {
                        const char *v = va_arg(ap, const char *);
                        rc = v ? sqlite3_bind_text(st, i + 1, v, -1, SQLITE_STATIC)
                               : sqlite3_bind_null(st, i + 1);
                } else {
                        int64_t v = va_arg(ap, int64_t);
                        rc = types[i] == 'I' && v == 0 ? sqlite3_bind_null(st, i + 1)
                                                       : sqlite3_bind_int64(st, i + 1, v);
                }
        }
        va_end(ap);
        return rc == SQLITE_OK ? 0 : store__sql_error(s, rc);
}

static int64_t num(sqlite3_stmt *st, int i)
{
        return sqlite3_column_int64(st, i);
}

/* A "YYYY-MM-DD" day; anything else would compare wrongly against pubdate text. */
static bool is_day(const char *s)
{
        if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
                return false;
        for (int i = 0; i < 10; i++)
                if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
                        return false;
        return true;
}

/* The latest fetch of each (site, URL) wins: SQLite takes the bare columns of an aggregate
 * query from the row that holds the max(). */
static const char items_sql[] =
        "SELECT site, column_name, substr(pubdate, 1, 7) AS month, count(*)"
        " FROM (SELECT s.site AS site, p.url, p.column_name AS column_name,"
        "              p.pubdate AS pubdate, max(p.scan_id)"
        "       FROM pages p JOIN scans s ON s.id = p.scan_id"
        "       WHERE p.kind = 'article' AND p.pubdate BETWEEN ?1 AND ?2"
        "       GROUP BY s.site, p.url)"
        " WHERE column_name IS NOT NULL"
        " GROUP BY site, column_name, month"
        " ORDER BY site, column_name, month";

int store_report_items(struct store *s, const char *first_day, const char *last_day,
                       store_report_items_fn fn, void *userdata)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !fn)
                return -EINVAL;
        if (!is_day(first_day) || !is_day(last_day))
                return store__set_error(s, -EINVAL, "report period days must be YYYY-MM-DD");
        r = store__prepare(s, items_sql, &st);
        if (r >= 0)
                r = bind(s, st, "tt", first_day, last_day);
        while (r >= 0 && (r = store__step_row(s, st)) > 0) {
                struct store_report_items row = {
                        .site = column_text(st, 0),
                        .column = column_text(st, 1),
                        .month = column_text(st, 2),
                        .count = num(st, 3),
                };
                r = fn(&row, userdata);
                if (r != 0)
                        return r;
        }
        return r;
}

int store_report_problems(struct store *s, int64_t from, int64_t to, store_report_problems_fn fn,
                          void *userdata)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !fn)
                return -EINVAL;
        r = store__prepare(s,
                           "SELECT unit, rule, count(*) FROM violations"
                           " WHERE kind = 'violation' AND first_seen >= ?1 AND first_seen < ?2"
                           " GROUP BY unit, rule ORDER BY unit, rule",
                           &st);
        if (r >= 0)
                r = bind(s, st, "ii", from, to);
        while (r >= 0 && (r = store__step_row(s, st)) > 0) {
                struct store_report_problems row = {
                        .unit = column_text(st, 0),
                        .rule = column_text(st, 1),
                        .count = num(st, 2),
                };
                r = fn(&row, userdata);
                if (r != 0)
                        return r;
        }
        return r;
}

/* A deadline is the end of its day: closing at that very second is still on time. */
static const char tickets_sql[] =
        "SELECT unit, kind, count(*),"
        " sum(kind = 'handling' AND state = 'closed' AND deadline IS NOT NULL"
        "     AND closed_at <= deadline),"
        " sum(kind = 'handling' AND deadline IS NOT NULL"
        "     AND ((state = 'closed' AND closed_at > deadline)"
        "          OR (state = 'open' AND deadline < ?3))),"
        " sum(kind = 'handling' AND state = 'open' AND (deadline IS NULL OR deadline >= ?3)),"
        " sum(state = 'accepted')"
        " FROM tickets WHERE issued_at >= ?1 AND issued_at < ?2"
        " GROUP BY unit, kind ORDER BY unit, kind";

int store_report_tickets(struct store *s, int64_t from, int64_t to, int64_t now,
                         store_report_tickets_fn fn, void *userdata)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !fn)
                return -EINVAL;
        r = store__prepare(s, tickets_sql, &st);
        if (r >= 0)
                r = bind(s, st, "iii", from, to, now);
        while (r >= 0 && (r = store__step_row(s, st)) > 0) {
                struct store_report_tickets row = {
                        .unit = column_text(st, 0),
                        .kind = column_text(st, 1),
                        .issued = num(st, 2),
                        .on_time = num(st, 3),
                        .overdue = num(st, 4),
                        .pending = num(st, 5),
                        .accepted = num(st, 6),
                };
                r = fn(&row, userdata);
                if (r != 0)
                        return r;
        }
        return r;
}

static const char accounts_sql[] =
        "SELECT account, name, type, unit, status, detail, at, coalesce(newest, 0), checks"
        " FROM (SELECT *, row_number() OVER w AS rank, count(*) OVER (PARTITION BY account)"
        "              AS checks"
        "       FROM account_checks WHERE at >= ?1 AND at < ?2"
        "       WINDOW w AS (PARTITION BY account ORDER BY at DESC, id DESC))"
        " WHERE rank = 1 ORDER BY unit, account";

int store_report_accounts(struct store *s, int64_t from, int64_t to, store_report_account_fn fn,
                          void *userdata)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !fn)
                return -EINVAL;
        r = store__prepare(s, accounts_sql, &st);
        if (r >= 0)
                r = bind(s, st, "ii", from, to);
        while (r >= 0 && (r = store__step_row(s, st)) > 0) {
                struct store_report_account a = {
                        .account = column_text(st, 0),
                        .name = column_text(st, 1),
                        .type = column_text(st, 2),
                        .unit = column_text(st, 3),
                        .status = column_text(st, 4),
                        .detail = column_text(st, 5),
                        .at = num(st, 6),
                        .newest = num(st, 7),
                        .checks = num(st, 8),
                };
                r = fn(&a, userdata);
                if (r != 0)
                        return r;
        }
        return r;
}

/* Each filter is off when its parameter is NULL. */
static const char ticket_list_sql[] =
        "SELECT t.id, t.year, t.seq, t.kind, t.number, t.site, t.unit, t.state, t.reason,"
        " p.number, t.issued_at, coalesce(t.deadline, 0), coalesce(t.closed_at, 0),"
        " v.id, v.rule, v.subject, v.severity, v.column_name, v.url, v.detail, v.evidence,"
        " v.first_seen, v.last_seen"
        " FROM tickets t JOIN violations v ON v.id = t.violation_id"
        " LEFT JOIN tickets p ON p.id = t.parent_id"
        " WHERE (?1 IS NULL OR t.id = ?1) AND (?2 IS NULL OR t.number = ?2)"
        " AND (?3 IS NULL OR t.unit = ?3) AND (?4 IS NULL OR t.kind = ?4)"
        " AND (?5 IS NULL OR t.state = ?5)"
        " ORDER BY t.issued_at, t.id";

int store_report_ticket_list(struct store *s, const struct store_report_ticket_filter *filter,
                             store_report_ticket_fn fn, void *userdata)
{
        static const struct store_report_ticket_filter all = {0};
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r;

        if (!s || !fn)
                return -EINVAL;
        if (!filter)
                filter = &all;
        r = store__prepare(s, ticket_list_sql, &st);
        if (r >= 0)
                r = bind(s, st, "Itttt", filter->id, filter->number, filter->unit, filter->kind,
                 filter->state);
        while (r >= 0 && (r = store__step_row(s, st)) > 0) {
                struct store_report_ticket t = {
                        .id = num(st, 0),
                        .year = num(st, 1),
                        .seq = num(st, 2),
                        .kind = column_text(st, 3),
                        .number = column_text(st, 4),
                        .site = column_text(st, 5),
                        .unit = column_text(st, 6),
                        .state = column_text(st, 7),
                        .reason = column_text(st, 8),
                        .parent_number = column_text(st, 9),
                        .issued_at = num(st, 10),
                        .deadline = num(st, 11),
                        .closed_at = num(st, 12),
                        .violation_id = num(st, 13),
                        .rule = column_text(st, 14),
                        .subject = column_text(st, 15),
                        .severity = column_text(st, 16),
                        .column = column_text(st, 17),
                        .url = column_text(st, 18),
                        .detail = column_text(st, 19),
                        .evidence = column_text(st, 20),
                        .first_seen = num(st, 21),
                        .last_seen = num(st, 22),
                };
                r = fn(&t, userdata);
                if (r != 0)
                        return r;
        }
        return r;
}

int store_report_snapshot(struct store *s, int (*fn)(void *userdata), void *userdata)
{
        sqlite3 *db;
        int r, rc;

        if (!s || !fn)
                return -EINVAL;
        db = store__db(s);
        if (!sqlite3_get_autocommit(db))
                return fn(userdata);
        rc = sqlite3_exec(db, "BEGIN DEFERRED", NULL, NULL, NULL);
        if (rc != SQLITE_OK)
                return store__sql_error(s, rc);
        r = fn(userdata);
        /* Only read: ending the transaction either way releases the snapshot. */
        if (!sqlite3_get_autocommit(db))
                (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return r;
}

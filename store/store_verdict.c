/* The store's site verdicts (合格/不合格 per crawl scan) and the lookup of the crawl scan a
 * verdict is made for; see store.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "common/util.h"
#include "store/store_internal.h"

int store_scan_last_crawl(struct store *s, const char *site, store_scan_fn fn, void *userdata)
{
        sqlite3_stmt *st = NULL;
        int rc, r;

        if (!s || !site || !fn)
                return -EINVAL;
        r = store__prepare(s, "SELECT id, site, started_at, coalesce(finished_at, 0), pages,"
                              " checked, errors, bytes, findings FROM scans"
                              " WHERE site = ? AND kind = 'crawl' AND state = 'complete'"
                              " ORDER BY started_at DESC, id DESC LIMIT 1", &st);
        if (r < 0)
                return r;
        rc = sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
        r = rc == SQLITE_OK ? store__step_row(s, st) : store__sql_error(s, rc);
        if (r == 0) {
                _cleanup_free_ char *msg = xasprintf("no complete scan of %s", site);
                r = store__fail(s, -ENOENT, msg);
        } else if (r > 0) {
                struct store_scan scan = {
                        .id = sqlite3_column_int64(st, 0),
                        .site = (const char *)sqlite3_column_text(st, 1),
                        .state = SCAN_COMPLETE,
                        .started_at = sqlite3_column_int64(st, 2),
                        .finished_at = sqlite3_column_int64(st, 3),
                        .stats = {
                                .pages = sqlite3_column_int64(st, 4),
                                .checked = sqlite3_column_int64(st, 5),
                                .errors = sqlite3_column_int64(st, 6),
                                .bytes = sqlite3_column_int64(st, 7),
                                .findings = sqlite3_column_int64(st, 8),
                        },
                };
                r = fn(&scan, userdata);
        }
        sqlite3_finalize(st);
        return r;
}

int store_verdict_put(struct store *s, const struct store_verdict *v)
{
        sqlite3_stmt *st = NULL;
        const int64_t ints[] = {
                v ? v->at : 0, v ? v->qualified : 0, v ? v->vetoes : 0, v ? v->probes : 0,
                v ? v->probe_failures : 0, v ? v->homepage_age : 0, v ? v->overdue_news : 0,
                v ? v->overdue_notice : 0, v ? v->overdue_any : 0, v ? v->blank : 0,
                v ? v->serious_errors : 0, v ? v->unanswered : 0,
        };
        int rc = SQLITE_OK, r;

        if (!s || !v || !v->site || v->scan_id <= 0)
                return -EINVAL;
        /* An upsert keeps the row's id when a verdict is made again for the same scan. */
        r = store__prepare(s, "INSERT INTO verdicts (scan_id, site, at, qualified, vetoes, probes,"
                              " probe_failures, homepage_age, overdue_news, overdue_notice,"
                              " overdue_any, blank, serious_errors, unanswered, reasons)"
                              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                              " ON CONFLICT (scan_id) DO UPDATE SET site = excluded.site,"
                              " at = excluded.at, qualified = excluded.qualified,"
                              " vetoes = excluded.vetoes, probes = excluded.probes,"
                              " probe_failures = excluded.probe_failures,"
                              " homepage_age = excluded.homepage_age,"
                              " overdue_news = excluded.overdue_news,"
                              " overdue_notice = excluded.overdue_notice,"
                              " overdue_any = excluded.overdue_any, blank = excluded.blank,"
                              " serious_errors = excluded.serious_errors,"
                              " unanswered = excluded.unanswered, reasons = excluded.reasons",
                           &st);
        if (r < 0)
                return r;
        rc = sqlite3_bind_int64(st, 1, v->scan_id);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 2, v->site, -1, SQLITE_STATIC);
        for (size_t i = 0; i < ARRAY_SIZE(ints) && rc == SQLITE_OK; i++)
                rc = sqlite3_bind_int64(st, 3 + (int)i, ints[i]);
        if (rc == SQLITE_OK)
                rc = v->reasons ? sqlite3_bind_text(st, 15, v->reasons, -1, SQLITE_STATIC)
                                : sqlite3_bind_null(st, 15);
        if (rc != SQLITE_OK) {
                r = store__sql_error(s, rc);
                sqlite3_finalize(st);
                return r;
        }
        r = store__tx_begin(s);
        if (r >= 0)
                r = store__tx_end(s, store__step_done(s, st));
        sqlite3_finalize(st);
        return r;
}

#define VERDICT_COLUMNS                                                                    \
        "id, scan_id, site, at, qualified, vetoes, probes, probe_failures, homepage_age,"  \
        " overdue_news, overdue_notice, overdue_any, blank, serious_errors, unanswered,"   \
        " reasons"

static int verdict_query(struct store *s, sqlite3_stmt *st, store_verdict_fn fn, void *userdata,
                         const char *what)
{
        int r = store__step_row(s, st);

        if (r == 0) {
                _cleanup_free_ char *msg = xasprintf("no verdict for %s", what);
                return store__fail(s, -ENOENT, msg);
        }
        if (r < 0)
                return r;
        struct store_verdict v = {
                .id = sqlite3_column_int64(st, 0),
                .scan_id = sqlite3_column_int64(st, 1),
                .site = (const char *)sqlite3_column_text(st, 2),
                .at = sqlite3_column_int64(st, 3),
                .qualified = sqlite3_column_int(st, 4) != 0,
                .vetoes = sqlite3_column_int(st, 5),
                .probes = sqlite3_column_int64(st, 6),
                .probe_failures = sqlite3_column_int64(st, 7),
                .homepage_age = sqlite3_column_int(st, 8),
                .overdue_news = sqlite3_column_int(st, 9),
                .overdue_notice = sqlite3_column_int(st, 10),
                .overdue_any = sqlite3_column_int(st, 11),
                .blank = sqlite3_column_int(st, 12),
                .serious_errors = sqlite3_column_int(st, 13),
                .unanswered = sqlite3_column_int(st, 14),
                .reasons = (const char *)sqlite3_column_text(st, 15),
        };
        return fn(&v, userdata);
}

int store_verdict_get(struct store *s, int64_t scan_id, store_verdict_fn fn, void *userdata)
{
        sqlite3_stmt *st = NULL;
        char what[32];
        int rc, r;

        if (!s || !fn)
                return -EINVAL;
        r = store__prepare(s, "SELECT " VERDICT_COLUMNS " FROM verdicts WHERE scan_id = ?", &st);
        if (r < 0)
                return r;
        rc = sqlite3_bind_int64(st, 1, scan_id);
        snprintf(what, sizeof(what), "scan %" PRId64, scan_id);
        r = rc == SQLITE_OK ? verdict_query(s, st, fn, userdata, what) : store__sql_error(s, rc);
        sqlite3_finalize(st);
        return r;
}

int store_verdict_previous(struct store *s, const char *site, int64_t scan_id,
                           store_verdict_fn fn, void *userdata)
{
        sqlite3_stmt *st = NULL;
        int rc, r;

        if (!s || !site || !fn)
                return -EINVAL;
        r = store__prepare(s, "SELECT " VERDICT_COLUMNS " FROM verdicts"
                              " WHERE site = ? AND scan_id < ? ORDER BY scan_id DESC LIMIT 1",
                           &st);
        if (r < 0)
                return r;
        rc = sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, 2, scan_id);
        r = rc == SQLITE_OK ? verdict_query(s, st, fn, userdata, site) : store__sql_error(s, rc);
        sqlite3_finalize(st);
        return r;
}

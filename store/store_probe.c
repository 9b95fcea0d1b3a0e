/* The store's availability probes: probe scans, one row per homepage probe, and the counts
 * of a window that the 站点无法访问 rule reads; see store.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "common/util.h"
#include "store/store_internal.h"

int store_probe_scan_begin(struct store *s, const char *site, int64_t now, int64_t *ret_scan_id)
{
        return store_scan_begin_kind(s, site, "probe", now, ret_scan_id);
}

int store_probe_add(struct store *s, int64_t scan_id, const struct store_probe *p)
{
        sqlite3_stmt *st = NULL;
        int rc, r;

        if (!s || !p || !p->site || !p->url)
                return -EINVAL;
        r = store__prepare(s, "INSERT INTO probes (scan_id, site, url, at, ok, status, failure,"
                              " error, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &st);
        if (r < 0)
                return r;
        rc = scan_id ? sqlite3_bind_int64(st, 1, scan_id) : sqlite3_bind_null(st, 1);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 2, p->site, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 3, p->url, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, 4, p->at);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int(st, 5, p->ok ? 1 : 0);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, 6, p->status);
        if (rc == SQLITE_OK)
                rc = p->failure ? sqlite3_bind_text(st, 7, p->failure, -1, SQLITE_STATIC)
                                : sqlite3_bind_null(st, 7);
        if (rc == SQLITE_OK)
                rc = p->error ? sqlite3_bind_text(st, 8, p->error, -1, SQLITE_STATIC)
                              : sqlite3_bind_null(st, 8);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_double(st, 9, p->seconds);
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

int store_probe_counts(struct store *s, const char *site, int64_t from, int64_t to,
                       struct store_probe_counts *ret)
{
        sqlite3_stmt *st = NULL;
        int rc, r;

        if (!s || !site || !ret)
                return -EINVAL;
        r = store__prepare(s, "SELECT count(*), coalesce(sum(ok = 0), 0), coalesce(min(at), 0),"
                              " coalesce(max(at), 0) FROM probes"
                              " WHERE site = ? AND at >= ? AND at <= ?", &st);
        if (r < 0)
                return r;
        rc = sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, 2, from);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, 3, to);
        r = rc == SQLITE_OK ? store__step_row(s, st) : store__sql_error(s, rc);
        if (r > 0) {
                *ret = (struct store_probe_counts){
                        .probes = sqlite3_column_int64(st, 0),
                        .failures = sqlite3_column_int64(st, 1),
                        .first_at = sqlite3_column_int64(st, 2),
                        .last_at = sqlite3_column_int64(st, 3),
                };
                r = 0;
        } else if (r == 0) {
                r = store__fail(s, -EIO, "count(*) returned no row");
        }
        sqlite3_finalize(st);
        return r;
}

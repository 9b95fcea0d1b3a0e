/* The crawl's state in the store: the frontier of a scan, resumable scans and the page
 * cache of incremental re-scans; see the last section of store.h. The frontier lives here
 * rather than in memory so that a site of a million URLs crawls in bounded RAM (the crawler
 * keeps only a window of leased rows) and a killed scan resumes from what was committed. */
#include <errno.h>
#include <unistd.h>

#include "common/util.h"
#include "store/store_internal.h"

enum fstmt {
        F_INSERT,
        F_ID,
        F_CLAIM,
        F_REFERRER,
        F_LEASE,
        F_REQUEUE,
        F_QUEUED,
        F_RESET,
        F_DONE,
        F_PUBDATE,
        F_CACHE_GET,
        F_CACHE_PUT,
        F_CACHE_TOUCH,
        _F_MAX,
};

static const char *const fstmt_sql[_F_MAX] = {
        [F_INSERT] = "INSERT OR IGNORE INTO frontier (scan_id, url, kind, prio, column_index,"
                     " depth, link_kind, referrer) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [F_ID] = "SELECT id FROM frontier WHERE scan_id = ? AND url = ?",
        [F_CLAIM] = "UPDATE frontier SET column_index = ? WHERE scan_id = ? AND url = ?"
                    " AND column_index < 0 AND (? OR kind IN ('article', 'page'))",
        [F_REFERRER] = "UPDATE frontier SET referrer = ?, link_kind = ?"
                       " WHERE scan_id = ? AND url = ? AND referrer IS NULL AND id <> ?1",
        /* RETURNING gives the rows in no particular order; the crawler sorts its window. */
        [F_LEASE] = "UPDATE frontier SET state = 'leased' WHERE id IN (SELECT id FROM frontier"
                    " WHERE scan_id = ? AND state = 'queued' AND not_before <= ?"
                    " ORDER BY prio, id LIMIT ?)"
                    " RETURNING id, url, kind, link_kind, prio, column_index, depth, attempts,"
                    " referrer, history",
        [F_REQUEUE] = "UPDATE frontier SET state = 'queued', not_before = ?, attempts = ?,"
                      " history = ? WHERE id = ? AND scan_id = ?",
        [F_QUEUED] = "SELECT count(*), min(not_before) FROM frontier"
                     " WHERE scan_id = ? AND state = 'queued'",
        /* Only the rows it changes: a killed crawl of a large site leaves hundreds of
         * thousands queued and due, and rewriting each made the resume take seconds. */
        [F_RESET] = "UPDATE frontier SET state = 'queued', not_before = 0"
                    " WHERE scan_id = ? AND (state = 'leased'"
                    " OR (state = 'queued' AND not_before <> 0))",
        [F_DONE] = "UPDATE frontier SET state = 'done', verdict = ?, status = ?, failure = ?,"
                   " error = ?, final_url = ?, content_type = ?, attempts = ?, history = ?,"
                   " parsed = ?, pubdate = ?, soft404 = ? WHERE id = ? AND scan_id = ?",
        [F_PUBDATE] = "SELECT pubdate FROM frontier WHERE scan_id = ? AND url = ?"
                      " AND state = 'done' AND pubdate IS NOT NULL",
        [F_CACHE_GET] = "SELECT etag, last_modified, parse_key, content_type, charset, extract"
                        " FROM page_cache WHERE site = ? AND url = ?",
        [F_CACHE_PUT] = "INSERT INTO page_cache (site, url, etag, last_modified, parse_key,"
                        " content_type, charset, extract, scan_id)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (site, url) DO UPDATE SET etag = excluded.etag,"
                        " last_modified = excluded.last_modified,"
                        " parse_key = excluded.parse_key, content_type = excluded.content_type,"
                        " charset = excluded.charset, extract = excluded.extract,"
                        " scan_id = excluded.scan_id",
        [F_CACHE_TOUCH] = "UPDATE page_cache SET scan_id = ? WHERE site = ? AND url = ?",
};

struct store_frontier {
        struct store *store;
        sqlite3 *db;
        int64_t scan_id;
        char *site;
        sqlite3_stmt *stmts[_F_MAX];
};

/* ---- helpers --------------------------------------------------------------------------- */

static int fstmt_get(struct store_frontier *f, enum fstmt id, sqlite3_stmt **ret)
{
        if (!f->stmts[id]) {
                int rc = sqlite3_prepare_v3(f->db, fstmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                            &f->stmts[id], NULL);
                if (rc != SQLITE_OK)
                        return store__sql_error(f->store, rc);
        }
        sqlite3_reset(f->stmts[id]);
        sqlite3_clear_bindings(f->stmts[id]);
        *ret = f->stmts[id];
        return 0;
}

/* Runs one prepared, bound statement that returns no row. A single statement is atomic on
 * its own, in the caller's transaction or outside one, so it needs no savepoint: the crawl
 * makes dozens of these per page and a savepoint each would double their cost. */
static int write_one(struct store *s, sqlite3_stmt *st)
{
        return store__step_done(s, st);
}

/* ---- scans ----------------------------------------------------------------------------- */

int store_scan_resume(struct store *s, int64_t scan_id)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        sqlite3 *db = store__db(s);
        int rc, r;

        rc = sqlite3_prepare_v2(db,
                                "UPDATE scans SET state = 'running', finished_at = NULL,"
                                " owner_pid = ?, owner_boot = ? WHERE id = ?"
                                " AND state = 'interrupted' AND reconciled_at IS NULL",
                                -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store__sql_error(s, rc);
        struct binder b = {.stmt = st};
        bind_int(&b, (int64_t)getpid());
        bind_text(&b, store__boot_id(s));
        bind_int(&b, scan_id);
        r = bind_done(s, &b);
        if (r < 0)
                return r;
        r = write_one(s, st);
        if (r < 0)
                return r;
        if (sqlite3_changes(db) == 1)
                return 0;
        /* Say which: an unknown scan, or one that is not an unreconciled interrupted one. */
        sqlite3_stmt *q = NULL;
        rc = sqlite3_prepare_v2(db, "SELECT 1 FROM scans WHERE id = ?", -1, &q, NULL);
        if (rc != SQLITE_OK)
                return store__sql_error(s, rc);
        sqlite3_bind_int64(q, 1, scan_id);
        r = store__step_row(s, q);
        sqlite3_finalize(q);
        if (r < 0)
                return r;
        return r ? store__set_error(s, -EINVAL, "only an interrupted scan can resume")
                 : store__set_error(s, -ENOENT, "no such scan");
}

int store_scan_plan_set(struct store *s, int64_t scan_id, const char *fingerprint)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int rc, r;

        rc = sqlite3_prepare_v2(store__db(s),
                                "INSERT OR REPLACE INTO scan_plans (scan_id, fingerprint)"
                                " VALUES (?, ?)",
                                -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store__sql_error(s, rc);
        struct binder b = {.stmt = st};
        bind_int(&b, scan_id);
        bind_text(&b, fingerprint);
        r = bind_done(s, &b);
        return r < 0 ? r : write_one(s, st);
}

int store_scan_plan_get(struct store *s, int64_t scan_id, char **ret_fingerprint)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int rc, r;

        rc = sqlite3_prepare_v2(store__db(s),
                                "SELECT fingerprint FROM scan_plans WHERE scan_id = ?", -1, &st,
                                NULL);
        if (rc != SQLITE_OK)
                return store__sql_error(s, rc);
        sqlite3_bind_int64(st, 1, scan_id);
        r = store__step_row(s, st);
        if (r < 0)
                return r;
        if (r == 0)
                return store__set_error(s, -ENOENT, "no plan recorded for the scan");
        *ret_fingerprint = column_dup(st, 0);
        return 0;
}

/* ---- the frontier ---------------------------------------------------------------------- */

int store_frontier_open(struct store *s, int64_t scan_id, const char *site,
                        struct store_frontier **ret)
{
        struct store_frontier *f;

        if (!s || !site || scan_id <= 0)
                return -EINVAL;
        f = xcalloc(1, sizeof(*f));
        f->store = s;
        f->db = store__db(s);
        /* A crawl touches the frontier's, the links' and the pages' indexes at random
         * places for every page: a 16 MiB page cache (instead of SQLite's 2 MiB) keeps
         * them in memory, which halves the system time of a large crawl. Bounded, and
         * only for this connection. */
        (void)sqlite3_exec(f->db, "PRAGMA cache_size = -16384", NULL, NULL, NULL);
        f->scan_id = scan_id;
        f->site = xstrdup(site);
        *ret = f;
        return 0;
}

void store_frontier_close(struct store_frontier *f)
{
        if (!f)
                return;
        for (size_t i = 0; i < _F_MAX; i++)
                sqlite3_finalize(f->stmts[i]);
        free(f->site);
        free(f);
}

static int frontier_id(struct store_frontier *f, const char *url, int64_t *ret)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = fstmt_get(f, F_ID, &st);
        if (r < 0)
                return r;
        struct binder b = {.stmt = st};
        bind_int(&b, f->scan_id);
        bind_text(&b, url);
        r = bind_done(f->store, &b);
        if (r < 0)
                return r;
        r = store__step_row(f->store, st);
        if (r == 0)
                return store__set_error(f->store, -ENOENT, "URL not in the frontier");
        if (r > 0)
                *ret = sqlite3_column_int64(st, 0);
        return r < 0 ? r : 0;
}

int store_frontier_add(struct store_frontier *f, const struct store_frontier_add *a,
                       int64_t *ret_id, bool *ret_added)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = fstmt_get(f, F_INSERT, &st);
        if (r < 0)
                return r;
        struct binder b = {.stmt = st};
        bind_int(&b, f->scan_id);
        bind_text(&b, a->url);
        bind_text(&b, a->kind);
        bind_int(&b, a->prio);
        bind_int(&b, a->column);
        bind_int(&b, a->depth);
        bind_text(&b, a->link_kind);
        bind_int_if(&b, a->referrer > 0, a->referrer);
        r = bind_done(f->store, &b);
        if (r < 0)
                return r;
        r = write_one(f->store, st);
        if (r < 0)
                return r;
        if (sqlite3_changes(f->db) == 1) {
                *ret_id = sqlite3_last_insert_rowid(f->db);
                *ret_added = true;
                return 0;
        }
        r = frontier_id(f, a->url, ret_id);
        if (r == 0)
                *ret_added = false;
        return r;
}

int store_frontier_find(struct store_frontier *f, const char *url, int64_t *ret_id)
{
        int64_t id;
        int r = frontier_id(f, url, &id);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        *ret_id = id;
        return 1;
}

int store_frontier_claim(struct store_frontier *f, const char *url, int column, bool any_kind)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = fstmt_get(f, F_CLAIM, &st);
        if (r < 0)
                return r;
        struct binder b = {.stmt = st};
        bind_int(&b, column);
        bind_int(&b, f->scan_id);
        bind_text(&b, url);
        bind_int(&b, any_kind);
        r = bind_done(f->store, &b);
        if (r >= 0)
                r = write_one(f->store, st);
        return r < 0 ? r : sqlite3_changes(f->db) > 0;
}

int store_frontier_set_referrer(struct store_frontier *f, const char *url, int64_t referrer,
                                const char *link_kind)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = fstmt_get(f, F_REFERRER, &st);
        if (r < 0)
                return r;
        struct binder b = {.stmt = st};
        bind_int(&b, referrer);
        bind_text(&b, link_kind);
        bind_int(&b, f->scan_id);
        bind_text(&b, url);
        r = bind_done(f->store, &b);
        if (r >= 0)
                r = write_one(f->store, st);
        return r < 0 ? r : sqlite3_changes(f->db) > 0;
}

void store_frontier_rows_free(struct store_frontier_row *rows, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(rows[i].url);
                free(rows[i].kind);
                free(rows[i].link_kind);
                free(rows[i].history);
        }
        free(rows);
}

int store_frontier_lease(struct store_frontier *f, int64_t now_ms, size_t max,
                         struct store_frontier_row **ret_rows, size_t *ret_n)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        struct store_frontier_row *rows = NULL;
        size_t n = 0;
        int r;

        r = fstmt_get(f, F_LEASE, &st);
        if (r < 0)
                return r;
        struct binder b = {.stmt = st};
        bind_int(&b, f->scan_id);
        bind_int(&b, now_ms);
        bind_int(&b, (int64_t)max);
        r = bind_done(f->store, &b);
        if (r < 0)
                return r;
        rows = xcalloc(max ? max : 1, sizeof(*rows));
        while (n < max && (r = store__step_row(f->store, st)) > 0)
                rows[n++] = (struct store_frontier_row){
                        .id = sqlite3_column_int64(st, 0),
                        .url = column_dup(st, 1),
                        .kind = column_dup(st, 2),
                        .link_kind = column_dup(st, 3),
                        .prio = sqlite3_column_int(st, 4),
                        .column = sqlite3_column_int(st, 5),
                        .depth = sqlite3_column_int(st, 6),
                        .attempts = sqlite3_column_int(st, 7),
                        .referrer = sqlite3_column_int64(st, 8),
                        .history = column_dup(st, 9),
                };
        /* RETURNING rows are produced as the update runs: the statement must run to its
         * end before the write counts. */
        if (r > 0)
                r = store__step_done(f->store, st);
        sqlite3_reset(st);
        if (r < 0) {
                store_frontier_rows_free(rows, n);
                return r;
        }
        *ret_rows = rows;
        *ret_n = n;
        return 0;
}

int store_frontier_requeue(struct store_frontier *f, int64_t id, int64_t not_before_ms,
                           int attempts, const char *history)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = fstmt_get(f, F_REQUEUE, &st);
        if (r < 0)
                return r;
        struct binder b = {.stmt = st};
        bind_int(&b, not_before_ms);
        bind_int(&b, attempts);
        bind_text(&b, history);
        bind_int(&b, id);
        bind_int(&b, f->scan_id);
        r = bind_done(f->store, &b);
        return r < 0 ? r : write_one(f->store, st);
}

int store_frontier_queued(struct store_frontier *f, int64_t *ret_count, int64_t *ret_next_ms)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = fstmt_get(f, F_QUEUED, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, f->scan_id);
        r = store__step_row(f->store, st);
        if (r < 0)
                return r;
        *ret_count = sqlite3_column_int64(st, 0);
        *ret_next_ms = sqlite3_column_int64(st, 1);
        return 0;
}

int store_frontier_reset(struct store_frontier *f)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = fstmt_get(f, F_RESET, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, f->scan_id);
        r = write_one(f->store, st);
        return r < 0 ? r : sqlite3_changes(f->db);
}

int store_frontier_done(struct store_frontier *f, const struct store_frontier_result *res)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = fstmt_get(f, F_DONE, &st);
        if (r < 0)
                return r;
        struct binder b = {.stmt = st};
        bind_text(&b, res->verdict);
        bind_int(&b, res->status);
        bind_text(&b, res->failure);
        bind_text(&b, res->error);
        bind_text(&b, res->final_url);
        bind_text(&b, res->content_type);
        bind_int(&b, res->attempts);
        bind_text(&b, res->history);
        bind_int(&b, res->parsed);
        bind_int_if(&b, res->has_pubdate, res->pubdate);
        bind_text(&b, res->soft404);
        bind_int(&b, res->id);
        bind_int(&b, f->scan_id);
        r = bind_done(f->store, &b);
        if (r >= 0)
                r = write_one(f->store, st);
        if (r >= 0 && sqlite3_changes(f->db) != 1)
                r = store__set_error(f->store, -ENOENT, "URL not in the frontier");
        return r;
}

int store_frontier_foreach_done(struct store_frontier *f, bool broken_only,
                                store_frontier_fn fn, void *userdata)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int rc, r;

        rc = sqlite3_prepare_v2(
                f->db,
                "SELECT f.id, f.verdict, f.status, f.failure, f.error, f.final_url,"
                " f.content_type, f.attempts, f.history, f.parsed, f.pubdate, f.soft404,"
                " f.url, f.kind, f.link_kind, f.column_index, f.depth, r.url, r.column_index"
                " FROM frontier f LEFT JOIN frontier r ON r.id = f.referrer"
                " WHERE f.scan_id = ? AND f.state = 'done'"
                " AND (? = 0 OR (f.verdict IN ('dead', 'suspect') AND f.referrer IS NOT NULL)"
                " OR (f.failure = 'too_large' AND f.kind <> 'resource'))"
                " ORDER BY f.id",
                -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store__sql_error(f->store, rc);
        sqlite3_bind_int64(st, 1, f->scan_id);
        sqlite3_bind_int(st, 2, broken_only);
        while ((r = store__step_row(f->store, st)) > 0) {
                struct store_frontier_done_row row = {
                        .r = {
                                .id = sqlite3_column_int64(st, 0),
                                .verdict = column_text(st, 1),
                                .status = (long)sqlite3_column_int64(st, 2),
                                .failure = column_text(st, 3),
                                .error = column_text(st, 4),
                                .final_url = column_text(st, 5),
                                .content_type = column_text(st, 6),
                                .attempts = sqlite3_column_int(st, 7),
                                .history = column_text(st, 8),
                                .parsed = sqlite3_column_int(st, 9) != 0,
                                .has_pubdate = sqlite3_column_type(st, 10) != SQLITE_NULL,
                                .pubdate = sqlite3_column_int(st, 10),
                                .soft404 = column_text(st, 11),
                        },
                        .url = column_text(st, 12),
                        .kind = column_text(st, 13),
                        .link_kind = column_text(st, 14),
                        .column = sqlite3_column_int(st, 15),
                        .depth = sqlite3_column_int(st, 16),
                        .referrer_url = column_text(st, 17),
                        .referrer_column = sqlite3_column_type(st, 18) == SQLITE_NULL
                                                   ? -1
                                                   : sqlite3_column_int(st, 18),
                };
                r = fn(&row, userdata);
                if (r != 0)
                        return r;
        }
        return r;
}

int store_frontier_pubdate(struct store_frontier *f, const char *url, int32_t *ret_day)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = fstmt_get(f, F_PUBDATE, &st);
        if (r < 0)
                return r;
        struct binder b = {.stmt = st};
        bind_int(&b, f->scan_id);
        bind_text(&b, url);
        r = bind_done(f->store, &b);
        if (r < 0)
                return r;
        r = store__step_row(f->store, st);
        if (r > 0)
                *ret_day = sqlite3_column_int(st, 0);
        return r;
}

int store_scan_abandon(struct store *s, int64_t scan_id)
{
        static const char *const sql[] = {
                "DELETE FROM frontier WHERE scan_id = ?",
                "DELETE FROM links_staged WHERE scan_id = ?",
        };
        _cleanup_finalize_ sqlite3_stmt *check = NULL;
        int r;

        r = store__prepare(s, "SELECT state FROM scans WHERE id = ?", &check);
        if (r < 0)
                return r;
        sqlite3_bind_int64(check, 1, scan_id);
        r = store__step_row(s, check);
        if (r < 0)
                return r;
        if (r == 0)
                return store__set_error(s, -ENOENT, "no such scan");
        if (!streq_ptr(column_text(check, 0), "interrupted"))
                return store__set_error(s, -EINVAL, "only an interrupted scan can be abandoned");
        r = store__tx_begin(s);
        for (size_t i = 0; i < ARRAY_SIZE(sql) && r >= 0; i++) {
                _cleanup_finalize_ sqlite3_stmt *st = NULL;
                r = store__prepare(s, sql[i], &st);
                if (r >= 0) {
                        sqlite3_bind_int64(st, 1, scan_id);
                        r = store__step_done(s, st);
                }
        }
        return store__tx_end(s, r);
}

int store_frontier_clear(struct store *s, int64_t scan_id)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(store__db(s), "DELETE FROM frontier WHERE scan_id = ?", -1,
                                    &st, NULL);
        if (rc != SQLITE_OK)
                return store__sql_error(s, rc);
        sqlite3_bind_int64(st, 1, scan_id);
        return write_one(s, st);
}

/* ---- the page cache -------------------------------------------------------------------- */

int store_page_cache_get(struct store_frontier *f, const char *url, store_cached_page_fn fn,
                         void *userdata)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = fstmt_get(f, F_CACHE_GET, &st);
        if (r < 0)
                return r;
        struct binder b = {.stmt = st};
        bind_text(&b, f->site);
        bind_text(&b, url);
        r = bind_done(f->store, &b);
        if (r < 0)
                return r;
        r = store__step_row(f->store, st);
        if (r < 0)
                return r;
        if (r == 0)
                return -ENOENT;
        struct store_cached_page p = {
                .etag = column_text(st, 0),
                .last_modified = column_text(st, 1),
                .parse_key = column_text(st, 2),
                .content_type = column_text(st, 3),
                .charset = column_text(st, 4),
                .extract = sqlite3_column_blob(st, 5),
                .extract_len = (size_t)sqlite3_column_bytes(st, 5),
        };
        return fn(&p, userdata);
}

int store_page_cache_put(struct store_frontier *f, const char *url,
                         const struct store_cached_page *p)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = fstmt_get(f, F_CACHE_PUT, &st);
        if (r < 0)
                return r;
        struct binder b = {.stmt = st};
        bind_text(&b, f->site);
        bind_text(&b, url);
        bind_text(&b, p->etag);
        bind_text(&b, p->last_modified);
        bind_text(&b, p->parse_key ? p->parse_key : "");
        bind_text(&b, p->content_type);
        bind_text(&b, p->charset);
        bind_blob(&b, p->extract, p->extract_len);
        bind_int(&b, f->scan_id);
        r = bind_done(f->store, &b);
        return r < 0 ? r : write_one(f->store, st);
}

int store_page_cache_touch(struct store_frontier *f, const char *url)
{
        _cleanup_reset_ sqlite3_stmt *st = NULL;
        int r = fstmt_get(f, F_CACHE_TOUCH, &st);
        if (r < 0)
                return r;
        struct binder b = {.stmt = st};
        bind_int(&b, f->scan_id);
        bind_text(&b, f->site);
        bind_text(&b, url);
        r = bind_done(f->store, &b);
        return r < 0 ? r : write_one(f->store, st);
}

int store_page_cache_prune(struct store *s, const char *site, int64_t scan_id)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(store__db(s),
                                    "DELETE FROM page_cache WHERE site = ? AND"
                                    " (scan_id IS NULL OR scan_id < ?)",
                                    -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store__sql_error(s, rc);
        struct binder b = {.stmt = st};
        bind_text(&b, site);
        bind_int(&b, scan_id);
        int r = bind_done(s, &b);
        return r < 0 ? r : write_one(s, st);
}

/* ---- staged links ---------------------------------------------------------------------- */

int store_links_stage(struct store *s, int64_t scan_id, int64_t page_id,
                      const struct store_link *links, size_t n)
{
        static const char sql[] = "INSERT INTO links_staged (scan_id, page_id, url, kind, text,"
                                  " scope) VALUES (?, ?, ?, ?, ?, ?)";
        sqlite3_stmt *st;
        int r;

        if (!s || scan_id <= 0 || page_id <= 0 || (n && !links))
                return -EINVAL;
        if (n == 0)
                return 0;
        r = store__cached(s, sql, &st);
        if (r < 0)
                return r;
        _cleanup_reset_ sqlite3_stmt *guard = st;
        for (size_t i = 0; i < n && r >= 0; i++) {
                if (!links[i].url)
                        return store__set_error(s, -EINVAL, "a link without a URL");
                sqlite3_reset(st);
                struct binder b = {.stmt = st};
                bind_int(&b, scan_id);
                bind_int(&b, page_id);
                bind_text(&b, links[i].url);
                bind_text(&b, links[i].kind);
                bind_text(&b, links[i].text);
                bind_text(&b, links[i].scope);
                r = bind_done(s, &b);
                if (r >= 0)
                        r = store__step_done(s, st);
        }
        return r;
}

int store_links_publish(struct store *s, int64_t scan_id)
{
        static const char *const sql[] = {
                "INSERT INTO links (scan_id, page_id, url, kind, text, scope)"
                " SELECT scan_id, page_id, url, kind, text, scope FROM links_staged"
                " WHERE scan_id = ? ORDER BY rowid",
                "DELETE FROM links_staged WHERE scan_id = ?",
        };
        int r = 0;

        for (size_t i = 0; i < ARRAY_SIZE(sql) && r >= 0; i++) {
                _cleanup_finalize_ sqlite3_stmt *st = NULL;
                int rc = sqlite3_prepare_v2(store__db(s), sql[i], -1, &st, NULL);
                if (rc != SQLITE_OK)
                        return store__sql_error(s, rc);
                sqlite3_bind_int64(st, 1, scan_id);
                r = store__step_done(s, st);
        }
        return r;
}

/* ---- checkpoints in another thread ----------------------------------------------------- */

struct store_checkpointer {
        sqlite3 *db;
};

int store_checkpointer_open(struct store *s, struct store_checkpointer **ret)
{
        const char *path = sqlite3_db_filename(store__db(s), "main");
        struct store_checkpointer *cp;
        int rc;

        if (!path || !path[0])
                return store__set_error(s, -ENOTSUP, "an in-memory store has no WAL");
        cp = xcalloc(1, sizeof(*cp));
        rc = sqlite3_open_v2(path, &cp->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
        if (rc == SQLITE_OK)
                rc = sqlite3_exec(cp->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
                int r = store__set_error(s, -EIO, "%s: %s", path, sqlite3_errmsg(cp->db));
                sqlite3_close_v2(cp->db);
                free(cp);
                return r;
        }
        *ret = cp;
        return 0;
}

int store_checkpointer_run(struct store_checkpointer *cp)
{
        int rc = sqlite3_wal_checkpoint_v2(cp->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

        return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : -EIO;
}

void store_checkpointer_close(struct store_checkpointer *cp)
{
        if (!cp)
                return;
        sqlite3_close_v2(cp->db);
        free(cp);
}

int store_checkpoint(struct store *s)
{
        int rc = sqlite3_wal_checkpoint_v2(store__db(s), NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
                                           NULL);

        return rc == SQLITE_OK || rc == SQLITE_BUSY ? 0 : store__sql_error(s, rc);
}

void store_autocheckpoint(struct store *s, bool on)
{
        /* 1000 pages is SQLite's default. */
        (void)sqlite3_wal_autocheckpoint(store__db(s), on ? 1000 : 0);
}

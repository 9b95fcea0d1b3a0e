/* SQLite store; see store.h. One connection per struct store, WAL journal, every write in a
 * transaction (the caller's, or one of its own), hot statements prepared once and cached. */
#include "store/store.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "common/util.h"
#include "store/schema.h"
#include "store/store_internal.h"

/* Statements run often enough to be worth keeping prepared. Each is reset before it is
 * handed out and again when its user is done with it (the _cleanup_reset_ attribute), so a
 * cached statement never holds a read snapshot open between calls. None of them is used
 * while a caller's callback runs, so reentrant calls from a callback cannot clash with them;
 * the statements that do call back are prepared per call. */
enum stmt_id {
        STMT_PAGE_PUT,
        STMT_PAGE_LINKS_DELETE,
        STMT_PAGE_SCAN,
        STMT_LINK_INSERT,
        STMT_SCAN_SITE,
        STMT_FINDING_ADD,
        STMT_VIOLATION_FIND,
        STMT_VIOLATION_INSERT,
        STMT_VIOLATION_SEEN,
        STMT_EVENT_INSERT,
        _STMT_MAX,
};

static const char *const stmt_sql[_STMT_MAX] = {
        /* An upsert rather than INSERT OR REPLACE: the page keeps its id, so nothing that
         * already refers to it is orphaned or silently deleted. */
        [STMT_PAGE_PUT] = "INSERT INTO pages (scan_id, url, final_url, kind, column_name, depth,"
                          " status, error, content_type, charset, bytes, fetched_at, seconds,"
                          " attempts, parsed, title, pubdate, etag, last_modified)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                          " ON CONFLICT (scan_id, url) DO UPDATE SET"
                          " final_url = excluded.final_url, kind = excluded.kind,"
                          " column_name = excluded.column_name, depth = excluded.depth,"
                          " status = excluded.status, error = excluded.error,"
                          " content_type = excluded.content_type, charset = excluded.charset,"
                          " bytes = excluded.bytes, fetched_at = excluded.fetched_at,"
                          " seconds = excluded.seconds, attempts = excluded.attempts,"
                          " parsed = excluded.parsed, title = excluded.title,"
                          " pubdate = excluded.pubdate, etag = excluded.etag,"
                          " last_modified = excluded.last_modified"
                          " RETURNING id",
        [STMT_PAGE_LINKS_DELETE] = "DELETE FROM links WHERE page_id = ?",
        [STMT_PAGE_SCAN] = "SELECT scan_id FROM pages WHERE id = ?",
        [STMT_LINK_INSERT] = "INSERT INTO links (scan_id, page_id, url, kind, text, scope)"
                             " VALUES (?, ?, ?, ?, ?, ?)",
        [STMT_SCAN_SITE] = "SELECT site, state, reconciled_at FROM scans WHERE id = ?",
        [STMT_FINDING_ADD] = "INSERT INTO findings (scan_id, site, rule, kind, severity, subject,"
                             " unit, column_name, url, detail, evidence)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                             " ON CONFLICT (scan_id, rule, subject) DO UPDATE SET"
                             " kind = excluded.kind, severity = excluded.severity,"
                             " unit = excluded.unit, column_name = excluded.column_name,"
                             " url = excluded.url, detail = excluded.detail,"
                             " evidence = excluded.evidence",
        [STMT_VIOLATION_FIND] = "SELECT id, state FROM violations"
                                " WHERE site = ? AND rule = ? AND subject = ?",
        [STMT_VIOLATION_INSERT] = "INSERT INTO violations (site, rule, subject, kind, severity,"
                                  " state, unit, column_name, url, detail, evidence,"
                                  " first_seen, last_seen, times_seen, first_scan, last_scan)"
                                  " VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
        /* Seeing a violation again refreshes what the office reads about it. The state is
         * an argument: "open" for a kept or reopened one, "accepted" stays "accepted". */
        [STMT_VIOLATION_SEEN] = "UPDATE violations SET state = ?, kind = ?, severity = ?,"
                                " unit = ?, column_name = ?, url = ?, detail = ?, evidence = ?,"
                                " last_seen = ?, last_scan = ?, times_seen = times_seen + 1,"
                                " fixed_at = NULL, fixed_scan = NULL WHERE id = ?",
        [STMT_EVENT_INSERT] = "INSERT INTO violation_events (violation_id, at, scan_id, event,"
                              " who, why) VALUES (?, ?, ?, ?, ?, ?)",
};

struct store {
        sqlite3 *db;
        sqlite3_stmt *stmts[_STMT_MAX];
        char *errmsg;
        /* Transactions opened and not yet closed: the caller's (from store_begin) counts as
         * one, and each write function adds one while it runs (a savepoint when nested). */
        unsigned tx_depth;
        bool user_tx;
        /* SQLite rolled the caller's transaction back on its own (I/O error, disk full):
         * the caller's store_commit() must fail rather than pretend. */
        bool user_tx_lost;
        /* The caller's transaction is a group (store_begin_group()): the write functions
         * take no savepoint inside it, and a write that failed in it makes the group
         * uncommittable. */
        bool group;
        bool group_failed;
        /* Statements of the other store files kept across calls (store__cached()). */
        struct {
                const char *sql;
                sqlite3_stmt *st;
        } cached[4];
        /* This boot's id, to tell a scan owner's pid from a reused one after a reboot. */
        char boot_id[64];
};

static const char *const scan_state_ids[] = {
        [SCAN_RUNNING] = "running",
        [SCAN_COMPLETE] = "complete",
        [SCAN_INTERRUPTED] = "interrupted",
        [SCAN_FAILED] = "failed",
};

const char *scan_state_id(enum scan_state st)
{
        return (unsigned)st < ARRAY_SIZE(scan_state_ids) ? scan_state_ids[st] : "?";
}

static int scan_state_from_id(const char *id, enum scan_state *ret)
{
        int i = str_index(scan_state_ids, ARRAY_SIZE(scan_state_ids), id);

        if (i >= 0)
                *ret = (enum scan_state)i;
        return i < 0 ? i : 0;
}

int store_schema_version(void)
{
        return (int)store_schema_n_steps;
}

/* ---- errors ---------------------------------------------------------------------------- */

static int set_error(struct store *s, int r, const char *fmt, ...) _printf_(3, 4);
static int set_error(struct store *s, int r, const char *fmt, ...)
{
        va_list ap;
        char *msg;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        free(s->errmsg);
        s->errmsg = msg;
        return r;
}

/* The one place where SQLite result codes become negative errno values. The message is
 * copied at once, because the rollback that usually follows an error replaces SQLite's. */
static int sql_error(struct store *s, int rc)
{
        const char *msg = s->db && sqlite3_extended_errcode(s->db) == rc ? sqlite3_errmsg(s->db)
                                                                          : sqlite3_errstr(rc);
        int r;

        switch (rc & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                r = -EBUSY;
                break;
        case SQLITE_NOMEM:
                r = -ENOMEM;
                break;
        case SQLITE_READONLY:
                r = -EROFS;
                break;
        case SQLITE_INTERRUPT:
                r = -EINTR;
                break;
        case SQLITE_FULL:
                r = -ENOSPC;
                break;
        case SQLITE_TOOBIG:
                r = -E2BIG;
                break;
        case SQLITE_MISUSE:
        case SQLITE_RANGE:
                r = -EINVAL;
                break;
        case SQLITE_CANTOPEN:
                /* The operating system's reason (EACCES, ENOENT) says more than "unable to
                 * open database file". */
                r = s->db && sqlite3_system_errno(s->db) > 0 ? -sqlite3_system_errno(s->db)
                                                              : -EIO;
                break;
        case SQLITE_CONSTRAINT:
                if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
                        r = -ENOENT;    /* the scan or page referred to does not exist */
                else if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
                        r = -EEXIST;
                else
                        r = -EINVAL;
                break;
        default:
                r = -EIO;
                break;
        }
        return set_error(s, r, "%s", msg);
}

const char *store_errmsg(struct store *s)
{
        return s && s->errmsg ? s->errmsg : "no error";
}

/* ---- statements ------------------------------------------------------------------------ */

/* Hands out a cached statement, preparing it on first use. */
static int stmt_get(struct store *s, enum stmt_id id, sqlite3_stmt **ret)
{
        if (!s->stmts[id]) {
                int rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                            &s->stmts[id], NULL);
                if (rc != SQLITE_OK)
                        return sql_error(s, rc);
        }
        sqlite3_reset(s->stmts[id]);
        sqlite3_clear_bindings(s->stmts[id]);
        *ret = s->stmts[id];
        return 0;
}

/* Prepares a statement for one call; the caller finalizes it. */
static int stmt_prepare(struct store *s, const char *sql, sqlite3_stmt **ret)
{
        int rc = sqlite3_prepare_v2(s->db, sql, -1, ret, NULL);
        return rc == SQLITE_OK ? 0 : sql_error(s, rc);
}

/* Steps a statement that returns no row. */
static int step_done(struct store *s, sqlite3_stmt *st)
{
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        if (rc == SQLITE_ROW)
                return set_error(s, -EIO, "statement returned a row unexpectedly: %s",
                                 sqlite3_sql(st));
        return sql_error(s, rc);
}

/* Steps a query: 1 with a row, 0 at the end, negative on error. */
static int step_row(struct store *s, sqlite3_stmt *st)
{
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                return 1;
        if (rc == SQLITE_DONE)
                return 0;
        return sql_error(s, rc);
}

static int exec(struct store *s, const char *sql)
{
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        return rc == SQLITE_OK ? 0 : sql_error(s, rc);
}

/* For rollbacks on an error path: the first error's message is the one worth keeping. */
static void exec_quiet(struct store *s, const char *sql)
{
        (void)sqlite3_exec(s->db, sql, NULL, NULL, NULL);
}

/* ---- transactions ---------------------------------------------------------------------- */

/* Every write function runs between tx_begin() and tx_end(), so it is all-or-nothing: in a
 * transaction of its own when the caller has none (BEGIN IMMEDIATE, so that waiting for
 * another writer happens here under the busy timeout rather than as a failed lock upgrade
 * in the middle), or in a savepoint inside the caller's, so that a failed call leaves the
 * caller's earlier writes intact. */
static int tx_begin(struct store *s)
{
        if (s->tx_depth > 0 && s->group) {
                /* A savepoint costs a statement journal of every page the write touches,
                 * a third of the crawl's store time; the group is undone whole instead. */
                s->tx_depth++;
                return 0;
        }
        int r = exec(s, s->tx_depth == 0 ? "BEGIN IMMEDIATE" : "SAVEPOINT store_op");
        if (r >= 0)
                s->tx_depth++;
        return r;
}

/* Commits (r >= 0) or rolls back (r < 0) what tx_begin() opened; returns r, or the commit's
 * error. */
static int tx_end(struct store *s, int r)
{
        bool outermost = s->tx_depth == 1;

        if (!outermost && s->group) {
                s->tx_depth--;
                if (r < 0)
                        s->group_failed = true;
                if (r < 0 && sqlite3_get_autocommit(s->db)) {
                        s->user_tx_lost = true;
                        s->user_tx = false;
                        s->group = false;
                        s->tx_depth = 0;
                }
                return r;
        }
        if (r >= 0) {
                int k = exec(s, outermost ? "COMMIT" : "RELEASE store_op");
                if (k >= 0) {
                        s->tx_depth--;
                        return r;
                }
                r = k;
        }
        if (sqlite3_get_autocommit(s->db)) {
                /* SQLite already rolled everything back (some I/O errors do that), the
                 * caller's transaction included. */
                if (s->user_tx)
                        s->user_tx_lost = true;
                s->user_tx = false;
                s->tx_depth = 0;
                return r;
        }
        exec_quiet(s, outermost ? "ROLLBACK" : "ROLLBACK TO store_op; RELEASE store_op");
        s->tx_depth--;
        return r;
}

int store_begin(struct store *s)
{
        int r;

        if (!s)
                return -EINVAL;
        if (s->tx_depth > 0)
                return set_error(s, -EBUSY, "a transaction is already open");
        r = tx_begin(s);
        if (r < 0)
                return r;
        s->user_tx = true;
        s->user_tx_lost = false;
        s->group = false;
        s->group_failed = false;
        return 0;
}

int store_begin_group(struct store *s)
{
        int r = store_begin(s);

        if (r >= 0)
                s->group = true;
        return r;
}

int store_commit(struct store *s)
{
        int r;

        if (!s)
                return -EINVAL;
        if (!s->user_tx) {
                if (s->user_tx_lost) {
                        s->user_tx_lost = false;
                        return set_error(s, -EIO, "the transaction was rolled back by an "
                                                  "earlier error; nothing was committed");
                }
                return set_error(s, -EINVAL, "no transaction is open");
        }
        if (s->group_failed) {
                store_rollback(s);
                return set_error(s, -EIO, "a write of the group failed; nothing was committed");
        }
        r = exec(s, "COMMIT");
        if (r < 0 && !sqlite3_get_autocommit(s->db))
                exec_quiet(s, "ROLLBACK");
        s->user_tx = false;
        s->group = false;
        s->tx_depth = 0;
        return r;
}

void store_rollback(struct store *s)
{
        if (!s)
                return;
        if (s->user_tx && !sqlite3_get_autocommit(s->db))
                exec_quiet(s, "ROLLBACK");
        s->user_tx = false;
        s->user_tx_lost = false;
        s->group = false;
        s->group_failed = false;
        s->tx_depth = 0;
}

/* ---- open, close, migrations ----------------------------------------------------------- */

static int user_version(struct store *s, int *ret)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r = stmt_prepare(s, "PRAGMA user_version", &st);
        if (r < 0)
                return r;
        r = step_row(s, st);
        if (r < 0)
                return r;
        *ret = r > 0 ? sqlite3_column_int(st, 0) : 0;
        return 0;
}

static int check_version(struct store *s, int version)
{
        int latest = store_schema_version();

        if (version > latest)
                return set_error(s, -EPROTO,
                                 "database schema version %d is newer than this program's (%d); "
                                 "it was written by a newer xunjian",
                                 version, latest);
        if (version < 0)
                return set_error(s, -EPROTO, "database schema version %d is not valid",
                                 version);
        return 0;
}

/* Applies the missing steps, each in its own transaction together with the user_version it
 * leads to, so that a migration interrupted by a crash is simply run again. The version is
 * read again once the write lock is held, in case another process migrated meanwhile. */
static int migrate(struct store *s)
{
        int version, r;

        r = user_version(s, &version);
        if (r < 0)
                return r;
        r = check_version(s, version);
        if (r < 0)
                return r;
        while (version < store_schema_version()) {
                char *set_version;

                r = tx_begin(s);
                if (r < 0)
                        return r;
                r = user_version(s, &version);
                if (r >= 0)
                        r = check_version(s, version);
                if (r >= 0 && version < store_schema_version()) {
                        r = exec(s, store_schema_steps[version]);
                        if (r >= 0) {
                                set_version = xasprintf("PRAGMA user_version = %d", version + 1);
                                r = exec(s, set_version);
                                free(set_version);
                        }
                        if (r < 0)
                                set_error(s, r, "migrating the schema to version %d: %s",
                                          version + 1, store_errmsg(s));
                }
                r = tx_end(s, r);
                if (r < 0)
                        return r;
                r = user_version(s, &version);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void read_boot_id(char *buf, size_t size)
{
        FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

        buf[0] = '\0';
        if (!f)
                return;
        if (!fgets(buf, (int)size, f))
                buf[0] = '\0';
        fclose(f);
        buf[strcspn(buf, "\n")] = '\0';
}

/* Whether the process that began a scan still runs. A scan of this very process is not
 * alive: it was begun through a store that has since been closed (one store per process is
 * the rule). A pid from another boot is not the same process even if the number is in use. */
static bool scan_owner_alive(const struct store *s, int64_t pid, const char *boot_id)
{
        if (pid <= 0 || pid == (int64_t)getpid())
                return false;
        if (!boot_id || !streq(boot_id, s->boot_id))
                return false;
        if (kill((pid_t)pid, 0) == 0)
                return true;
        return errno == EPERM;
}

/* Marks as interrupted the scans left running by a process that is gone. Their end time
 * is the last fetch they recorded: that is when they were last known to be working. */
static int mark_interrupted(struct store *s)
{
        _cleanup_finalize_ sqlite3_stmt *query = NULL, *update = NULL;
        int64_t *dead = NULL;
        size_t n_dead = 0;
        int r;

        r = stmt_prepare(s, "SELECT id, owner_pid, owner_boot FROM scans"
                            " WHERE state = 'running'", &query);
        if (r < 0)
                return r;
        while ((r = step_row(s, query)) > 0) {
                if (scan_owner_alive(s, sqlite3_column_int64(query, 1), column_text(query, 2)))
                        continue;
                dead = xreallocarray(dead, n_dead + 1, sizeof(*dead));
                dead[n_dead++] = sqlite3_column_int64(query, 0);
        }
        sqlite3_reset(query);
        if (r < 0 || n_dead == 0)
                goto out;

        r = stmt_prepare(s, "UPDATE scans SET state = 'interrupted', finished_at = max(started_at,"
                            " coalesce((SELECT max(fetched_at) FROM pages WHERE scan_id = ?1), 0))"
                            " WHERE id = ?1 AND state = 'running'", &update);
        if (r < 0)
                goto out;
        r = tx_begin(s);
        if (r < 0)
                goto out;
        for (size_t i = 0; i < n_dead && r >= 0; i++) {
                sqlite3_reset(update);
                r = sqlite3_bind_int64(update, 1, dead[i]);
                r = r == SQLITE_OK ? step_done(s, update) : sql_error(s, r);
        }
        sqlite3_reset(update);
        r = tx_end(s, r);
out:
        free(dead);
        return r;
}

void store_close(struct store *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < _STMT_MAX; i++)
                sqlite3_finalize(s->stmts[i]);
        for (size_t i = 0; i < ARRAY_SIZE(s->cached); i++)
                sqlite3_finalize(s->cached[i].st);
        /* Closing with a transaction open rolls it back, which is what an unfinished batch
         * should get. */
        sqlite3_close_v2(s->db);
        free(s->errmsg);
        free(s);
}

int store_open(const char *path, struct store **ret, char **ret_error)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        struct store *s;
        int rc, r;

        if (!path || !ret)
                return -EINVAL;

        s = xcalloc(1, sizeof(*s));
        read_boot_id(s->boot_id, sizeof(s->boot_id));

        rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
        if (rc != SQLITE_OK) {
                r = sql_error(s, rc);
                goto fail;
        }
        sqlite3_extended_result_codes(s->db, 1);
        /* A daemon and the command line share the file; a writer waits up to 5 s. */
        sqlite3_busy_timeout(s->db, 5000);

        /* WAL lets readers (reports, the big screen) run while a scan writes, and with
         * synchronous=NORMAL a commit costs no fsync yet survives a killed process; only a
         * power cut can lose the last commits, never consistency. journal_mode answers with
         * the mode in force: an in-memory database says "memory", which is fine. */
        r = stmt_prepare(s, "PRAGMA journal_mode = WAL", &st);
        if (r >= 0)
                r = step_row(s, st);
        if (r < 0)
                goto fail;
        sqlite3_finalize(st);
        st = NULL;
        r = exec(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL");
        if (r < 0)
                goto fail;

        r = migrate(s);
        if (r < 0)
                goto fail;
        r = mark_interrupted(s);
        if (r < 0)
                goto fail;

        *ret = s;
        return 0;

fail:
        if (ret_error)
                *ret_error = xasprintf("%s: %s", path, store_errmsg(s));
        sqlite3_finalize(st);
        st = NULL;
        store_close(s);
        return r;
}

/* ---- scans ----------------------------------------------------------------------------- */

int store_scan_begin(struct store *s, const char *site, int64_t now, int64_t *ret_scan_id)
{
        return store_scan_begin_kind(s, site, "crawl", now, ret_scan_id);
}

int store_scan_begin_kind(struct store *s, const char *site, const char *kind, int64_t now,
                          int64_t *ret_scan_id)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        struct binder b;
        int r;

        if (!s || !site || !kind)
                return -EINVAL;
        r = stmt_prepare(s, "INSERT INTO scans (site, kind, state, started_at, owner_pid,"
                            " owner_boot) VALUES (?, ?, 'running', ?, ?, ?)", &st);
        if (r < 0)
                return r;
        b = (struct binder){.stmt = st};
        bind_text(&b, site);
        bind_text(&b, kind);
        bind_int(&b, now);
        bind_int(&b, (int64_t)getpid());
        bind_text(&b, s->boot_id);
        r = bind_done(s, &b);
        if (r < 0)
                return r;

        r = tx_begin(s);
        if (r < 0)
                return r;
        r = step_done(s, st);
        int64_t id = sqlite3_last_insert_rowid(s->db);
        r = tx_end(s, r);
        if (r >= 0 && ret_scan_id)
                *ret_scan_id = id;
        return r;
}

/* Looks up a scan's site; *ret_site is a copy the caller frees. */
static int scan_site(struct store *s, int64_t scan_id, char **ret_site, enum scan_state *ret_state,
                     bool *ret_reconciled)
{
        sqlite3_stmt *st;
        int r = stmt_get(s, STMT_SCAN_SITE, &st);
        if (r < 0)
                return r;
        _cleanup_reset_ sqlite3_stmt *guard = st;
        r = sqlite3_bind_int64(st, 1, scan_id);
        if (r != SQLITE_OK)
                return sql_error(s, r);
        r = step_row(s, st);
        if (r < 0)
                return r;
        if (r == 0)
                return set_error(s, -ENOENT, "no scan %" PRId64, scan_id);
        if (ret_state && scan_state_from_id(column_text(st, 1), ret_state) < 0)
                return set_error(s, -EIO, "scan %" PRId64 " has an unknown state \"%s\"",
                                 scan_id, column_text(st, 1));
        if (ret_reconciled)
                *ret_reconciled = sqlite3_column_type(st, 2) != SQLITE_NULL;
        *ret_site = xstrdup(column_text(st, 0));
        return 0;
}

int store_scan_finish(struct store *s, int64_t scan_id, enum scan_state state, int64_t now,
                      const struct store_scan_stats *stats)
{
        static const struct store_scan_stats none;
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *site = NULL;
        enum scan_state current;
        struct binder b;
        int r;

        if (!s)
                return -EINVAL;
        if (state == SCAN_RUNNING || (unsigned)state >= ARRAY_SIZE(scan_state_ids))
                return set_error(s, -EINVAL, "a scan cannot finish in state %d", (int)state);
        if (!stats)
                stats = &none;
        r = stmt_prepare(s, "UPDATE scans SET state = ?, finished_at = ?, pages = ?, checked = ?,"
                            " errors = ?, bytes = ?, findings = ? WHERE id = ?", &st);
        if (r < 0)
                return r;
        b = (struct binder){.stmt = st};
        bind_text(&b, scan_state_id(state));
        bind_int(&b, now);
        bind_int(&b, stats->pages);
        bind_int(&b, stats->checked);
        bind_int(&b, stats->errors);
        bind_int(&b, stats->bytes);
        bind_int(&b, stats->findings);
        bind_int(&b, scan_id);
        r = bind_done(s, &b);
        if (r < 0)
                return r;

        r = tx_begin(s);
        if (r < 0)
                return r;
        /* Only a running scan can finish: a finished one may already have been reconciled,
         * and changing its state afterwards would rewrite what the violations rest on. */
        r = scan_site(s, scan_id, &site, &current, NULL);
        if (r >= 0 && current != SCAN_RUNNING)
                r = set_error(s, -EINVAL, "scan %" PRId64 " has already ended (%s)", scan_id,
                              scan_state_id(current));
        if (r >= 0)
                r = step_done(s, st);
        return tx_end(s, r);
}

int store_scan_last(struct store *s, const char *site, store_scan_fn fn, void *userdata)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        struct store_scan scan = {0};
        int r;

        if (!s || !site || !fn)
                return -EINVAL;
        r = stmt_prepare(s, "SELECT id, site, state, started_at, coalesce(finished_at, 0), pages,"
                            " checked, errors, bytes, findings FROM scans WHERE site = ?"
                            " AND kind = 'crawl' ORDER BY started_at DESC, id DESC LIMIT 1", &st);
        if (r < 0)
                return r;
        r = sqlite3_bind_text(st, 1, site, -1, SQLITE_STATIC);
        if (r != SQLITE_OK)
                return sql_error(s, r);
        r = step_row(s, st);
        if (r < 0)
                return r;
        if (r == 0)
                return set_error(s, -ENOENT, "no scan of %s", site);
        scan.id = sqlite3_column_int64(st, 0);
        scan.site = column_text(st, 1);
        if (scan_state_from_id(column_text(st, 2), &scan.state) < 0)
                return set_error(s, -EIO, "scan %" PRId64 " has an unknown state \"%s\"",
                                 scan.id, column_text(st, 2));
        scan.started_at = sqlite3_column_int64(st, 3);
        scan.finished_at = sqlite3_column_int64(st, 4);
        scan.stats.pages = sqlite3_column_int64(st, 5);
        scan.stats.checked = sqlite3_column_int64(st, 6);
        scan.stats.errors = sqlite3_column_int64(st, 7);
        scan.stats.bytes = sqlite3_column_int64(st, 8);
        scan.stats.findings = sqlite3_column_int64(st, 9);
        return fn(&scan, userdata);
}

/* ---- pages, links, findings ------------------------------------------------------------ */

static int page_put_in_tx(struct store *s, int64_t scan_id, const struct store_page *p,
                          int64_t *ret_page_id)
{
        sqlite3_stmt *st;
        int64_t id;
        struct binder b;
        int r;

        r = stmt_get(s, STMT_PAGE_PUT, &st);
        if (r < 0)
                return r;
        _cleanup_reset_ sqlite3_stmt *guard = st;
        b = (struct binder){.stmt = st};
        bind_int(&b, scan_id);
        bind_text(&b, p->url);
        bind_text(&b, p->final_url);
        bind_text(&b, p->kind);
        bind_text(&b, p->column);
        bind_int(&b, p->depth);
        bind_int(&b, p->status);
        bind_text(&b, p->error);
        bind_text(&b, p->content_type);
        bind_text(&b, p->charset);
        bind_int(&b, p->bytes);
        bind_int_or_null(&b, p->fetched_at);
        bind_double(&b, p->seconds);
        bind_int(&b, p->attempts);
        bind_int(&b, p->parsed);
        bind_text(&b, p->title);
        bind_text(&b, p->pubdate);
        bind_text(&b, p->etag);
        bind_text(&b, p->last_modified);
        r = bind_done(s, &b);
        if (r < 0)
                return r;
        r = step_row(s, st);
        if (r < 0)
                return r;
        if (r == 0)
                return set_error(s, -EIO, "storing page %s returned no id", p->url);
        id = sqlite3_column_int64(st, 0);
        /* Finish the statement now: with RETURNING the write is only complete at the end. */
        r = step_row(s, st);
        if (r < 0)
                return r;

        /* The links stored for an earlier fetch of the same URL described that fetch; the
         * caller stores the new fetch's links next. */
        r = stmt_get(s, STMT_PAGE_LINKS_DELETE, &st);
        if (r < 0)
                return r;
        _cleanup_reset_ sqlite3_stmt *guard2 = st;
        r = sqlite3_bind_int64(st, 1, id);
        if (r != SQLITE_OK)
                return sql_error(s, r);
        r = step_done(s, st);
        if (r < 0)
                return r;
        *ret_page_id = id;
        return 0;
}

int store_page_put(struct store *s, int64_t scan_id, const struct store_page *p,
                   int64_t *ret_page_id)
{
        int64_t id = 0;
        int r;

        if (!s || !p || !p->url)
                return -EINVAL;
        r = tx_begin(s);
        if (r < 0)
                return r;
        r = tx_end(s, page_put_in_tx(s, scan_id, p, &id));
        if (r >= 0 && ret_page_id)
                *ret_page_id = id;
        return r;
}

static int links_put_in_tx(struct store *s, int64_t scan_id, int64_t page_id,
                           const struct store_link *links, size_t n)
{
        sqlite3_stmt *st;
        int r;

        /* links.scan_id repeats the page's scan; check that it is the same one. */
        r = stmt_get(s, STMT_PAGE_SCAN, &st);
        if (r < 0)
                return r;
        _cleanup_reset_ sqlite3_stmt *guard = st;
        r = sqlite3_bind_int64(st, 1, page_id);
        if (r != SQLITE_OK)
                return sql_error(s, r);
        r = step_row(s, st);
        if (r < 0)
                return r;
        if (r == 0)
                return set_error(s, -ENOENT, "no page %" PRId64, page_id);
        if (sqlite3_column_int64(st, 0) != scan_id)
                return set_error(s, -EINVAL, "page %" PRId64 " belongs to scan %" PRId64
                                             ", not %" PRId64,
                                 page_id, (int64_t)sqlite3_column_int64(st, 0), scan_id);

        r = stmt_get(s, STMT_LINK_INSERT, &st);
        if (r < 0)
                return r;
        _cleanup_reset_ sqlite3_stmt *guard2 = st;
        for (size_t i = 0; i < n; i++) {
                struct binder b = {.stmt = st};

                if (!links[i].url)
                        return set_error(s, -EINVAL, "link %zu of page %" PRId64 " has no URL",
                                         i, page_id);
                sqlite3_reset(st);
                bind_int(&b, scan_id);
                bind_int(&b, page_id);
                bind_text(&b, links[i].url);
                bind_text(&b, links[i].kind);
                bind_text(&b, links[i].text);
                bind_text(&b, links[i].scope);
                r = bind_done(s, &b);
                if (r < 0)
                        return r;
                r = step_done(s, st);
                if (r < 0)
                        return r;
        }
        return 0;
}

int store_links_put(struct store *s, int64_t scan_id, int64_t page_id,
                    const struct store_link *links, size_t n)
{
        int r;

        if (!s || (n > 0 && !links))
                return -EINVAL;
        r = tx_begin(s);
        if (r < 0)
                return r;
        return tx_end(s, links_put_in_tx(s, scan_id, page_id, links, n));
}

static int finding_add_in_tx(struct store *s, int64_t scan_id, const struct store_finding *f)
{
        _cleanup_free_ char *site = NULL;
        sqlite3_stmt *st;
        struct binder b;
        int r;

        /* A scan covers one site: (scan, rule, subject) is the finding's identity, and
         * reconciling folds the scan into its own site's violations only. */
        r = scan_site(s, scan_id, &site, NULL, NULL);
        if (r < 0)
                return r;
        if (f->site && !streq(f->site, site))
                return set_error(s, -EINVAL, "finding for site %s added to scan %" PRId64
                                             " of site %s",
                                 f->site, scan_id, site);

        r = stmt_get(s, STMT_FINDING_ADD, &st);
        if (r < 0)
                return r;
        _cleanup_reset_ sqlite3_stmt *guard = st;
        b = (struct binder){.stmt = st};
        bind_int(&b, scan_id);
        bind_text(&b, site);
        bind_text(&b, f->rule);
        bind_text(&b, finding_kind_id(f->kind));
        bind_text(&b, severity_id(f->severity));
        bind_text(&b, f->subject);
        bind_text(&b, f->unit);
        bind_text(&b, f->column);
        bind_text(&b, f->url);
        bind_text(&b, f->detail);
        bind_text(&b, f->evidence);
        r = bind_done(s, &b);
        if (r < 0)
                return r;
        return step_done(s, st);
}

int store_finding_add(struct store *s, int64_t scan_id, const struct store_finding *f)
{
        int r;

        if (!s || !f)
                return -EINVAL;
        if (!f->rule || !f->subject)
                return set_error(s, -EINVAL, "a finding needs a rule and a subject");
        if ((unsigned)f->kind > FINDING_WARNING || (unsigned)f->severity > SEVERITY_SUSPECT)
                return set_error(s, -EINVAL, "finding %s/%s has an invalid kind or severity",
                                 f->rule, f->subject);
        r = tx_begin(s);
        if (r < 0)
                return r;
        return tx_end(s, finding_add_in_tx(s, scan_id, f));
}

/* ---- reconcile ------------------------------------------------------------------------- */

static int event_add(struct store *s, int64_t violation_id, int64_t at, int64_t scan_id,
                     const char *event, const char *who, const char *why)
{
        sqlite3_stmt *st;
        struct binder b;
        int r = stmt_get(s, STMT_EVENT_INSERT, &st);
        if (r < 0)
                return r;
        _cleanup_reset_ sqlite3_stmt *guard = st;
        b = (struct binder){.stmt = st};
        bind_int(&b, violation_id);
        bind_int(&b, at);
        bind_int_or_null(&b, scan_id);
        bind_text(&b, event);
        bind_text(&b, who);
        bind_text(&b, why);
        r = bind_done(s, &b);
        if (r < 0)
                return r;
        return step_done(s, st);
}

/* Columns of the findings query in reconcile_findings(), in order. */
enum {
        F_RULE,
        F_SUBJECT,
        F_KIND,
        F_SEVERITY,
        F_UNIT,
        F_COLUMN,
        F_URL,
        F_DETAIL,
        F_EVIDENCE,
};

/* Opens, keeps or reopens the violation that one finding (the current row of f) shows. */
static int reconcile_finding(struct store *s, const char *site, int64_t scan_id, int64_t now,
                             sqlite3_stmt *f, struct store_reconcile_stats *stats)
{
        enum violation_state state;
        sqlite3_stmt *st;
        struct binder b;
        int64_t id;
        int r;

        r = stmt_get(s, STMT_VIOLATION_FIND, &st);
        if (r < 0)
                return r;
        _cleanup_reset_ sqlite3_stmt *find = st;
        b = (struct binder){.stmt = st};
        bind_text(&b, site);
        bind_text(&b, column_text(f, F_RULE));
        bind_text(&b, column_text(f, F_SUBJECT));
        r = bind_done(s, &b);
        if (r < 0)
                return r;
        r = step_row(s, st);
        if (r < 0)
                return r;

        if (r == 0) {
                r = stmt_get(s, STMT_VIOLATION_INSERT, &st);
                if (r < 0)
                        return r;
                _cleanup_reset_ sqlite3_stmt *insert = st;
                b = (struct binder){.stmt = st};
                bind_text(&b, site);
                bind_text(&b, column_text(f, F_RULE));
                bind_text(&b, column_text(f, F_SUBJECT));
                bind_text(&b, column_text(f, F_KIND));
                bind_text(&b, column_text(f, F_SEVERITY));
                bind_text(&b, column_text(f, F_UNIT));
                bind_text(&b, column_text(f, F_COLUMN));
                bind_text(&b, column_text(f, F_URL));
                bind_text(&b, column_text(f, F_DETAIL));
                bind_text(&b, column_text(f, F_EVIDENCE));
                bind_int(&b, now);
                bind_int(&b, now);
                bind_int(&b, scan_id);
                bind_int(&b, scan_id);
                r = bind_done(s, &b);
                if (r >= 0)
                        r = step_done(s, st);
                if (r < 0)
                        return r;
                stats->opened++;
                return event_add(s, sqlite3_last_insert_rowid(s->db), now, scan_id, "opened",
                                 NULL, NULL);
        }

        id = sqlite3_column_int64(st, 0);
        if (violation_state_from_id(column_text(st, 1), &state) < 0)
                return set_error(s, -EIO, "violation %" PRId64 " has an unknown state \"%s\"",
                                 id, column_text(st, 1));
        /* Done reading the row: do not hold a cursor on the table about to be updated. */
        sqlite3_reset(st);

        r = stmt_get(s, STMT_VIOLATION_SEEN, &st);
        if (r < 0)
                return r;
        _cleanup_reset_ sqlite3_stmt *seen = st;
        b = (struct binder){.stmt = st};
        bind_text(&b, violation_state_id(state == VIOLATION_FIXED ? VIOLATION_OPEN : state));
        bind_text(&b, column_text(f, F_KIND));
        bind_text(&b, column_text(f, F_SEVERITY));
        bind_text(&b, column_text(f, F_UNIT));
        bind_text(&b, column_text(f, F_COLUMN));
        bind_text(&b, column_text(f, F_URL));
        bind_text(&b, column_text(f, F_DETAIL));
        bind_text(&b, column_text(f, F_EVIDENCE));
        bind_int(&b, now);
        bind_int(&b, scan_id);
        bind_int(&b, id);
        r = bind_done(s, &b);
        if (r >= 0)
                r = step_done(s, st);
        if (r < 0)
                return r;

        switch (state) {
        case VIOLATION_OPEN:
                stats->kept++;
                return 0;
        case VIOLATION_FIXED:
                stats->reopened++;
                return event_add(s, id, now, scan_id, "reopened", NULL, NULL);
        case VIOLATION_ACCEPTED:
                /* Seen, but a person decided it is an exception: no state change. */
                return 0;
        }
        return 0;
}

/* Marks fixed the open violations of site under rule that the scan did not find. The event
 * rows are written first, with the same condition, because afterwards the condition no
 * longer matches. */
static int reconcile_fix_rule(struct store *s, const char *site, int64_t scan_id, int64_t now,
                              const char *rule, const char *page,
                              struct store_reconcile_stats *stats)
{
        static const char not_found[] =
                " FROM violations v WHERE v.site = ?1 AND v.rule = ?2 AND v.state = 'open'"
                " AND (?5 IS NULL OR v.url = ?5)"
                " AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.scan_id = ?3"
                " AND f.rule = v.rule AND f.subject = v.subject)";
        _cleanup_finalize_ sqlite3_stmt *events = NULL, *fix = NULL;
        _cleanup_free_ char *events_sql = NULL, *fix_sql = NULL;
        struct binder b;
        int r;

        events_sql = xasprintf("INSERT INTO violation_events (violation_id, at, scan_id, event)"
                               " SELECT v.id, ?4, ?3, 'fixed'%s",
                               not_found);
        fix_sql = xasprintf("UPDATE violations SET state = 'fixed', fixed_at = ?4,"
                            " fixed_scan = ?3 WHERE id IN (SELECT v.id%s)",
                            not_found);
        r = stmt_prepare(s, events_sql, &events);
        if (r < 0)
                return r;
        r = stmt_prepare(s, fix_sql, &fix);
        if (r < 0)
                return r;
        sqlite3_stmt *const in_order[] = {events, fix};
        for (size_t i = 0; i < ARRAY_SIZE(in_order); i++) {
                b = (struct binder){.stmt = in_order[i]};
                bind_text(&b, site);
                bind_text(&b, rule);
                bind_int(&b, scan_id);
                bind_int(&b, now);
                bind_text(&b, page);
                r = bind_done(s, &b);
                if (r >= 0)
                        r = step_done(s, in_order[i]);
                if (r < 0)
                        return r;
        }
        stats->fixed += sqlite3_changes(s->db);
        return 0;
}

static int reconcile_in_tx(struct store *s, int64_t scan_id, const char *const *rules,
                           size_t n_rules, const char *page, int64_t now,
                           struct store_reconcile_stats *stats)
{
        _cleanup_finalize_ sqlite3_stmt *newer = NULL, *findings = NULL, *mark = NULL;
        _cleanup_free_ char *site = NULL;
        enum scan_state state;
        bool reconciled;
        int r;

        r = scan_site(s, scan_id, &site, &state, &reconciled);
        if (r < 0)
                return r;
        if (reconciled)
                return set_error(s, -EALREADY, "scan %" PRId64 " is already reconciled",
                                 scan_id);
        if (state != SCAN_COMPLETE)
                return set_error(s, -EINVAL, "scan %" PRId64 " is %s, not complete: its "
                                             "findings cannot fix anything",
                                 scan_id, scan_state_id(state));

        /* Folding in a scan older than one already folded in would reopen what the newer
         * scan saw fixed, and fix what it saw open. Only a scan of the same kind counts: a
         * probe reconciles the availability rules, which no crawl reports, so a probe run
         * while a crawl was under way (or waited to resume) leaves the crawl current. */
        r = stmt_prepare(s, "SELECT id FROM scans WHERE site = ?1 AND id > ?2"
                            " AND reconciled_at IS NOT NULL"
                            " AND kind = (SELECT kind FROM scans WHERE id = ?2) LIMIT 1",
                         &newer);
        if (r < 0)
                return r;
        sqlite3_bind_text(newer, 1, site, -1, SQLITE_STATIC);
        sqlite3_bind_int64(newer, 2, scan_id);
        r = step_row(s, newer);
        if (r < 0)
                return r;
        if (r > 0)
                return set_error(s, -ESTALE, "scan %" PRId64 " of %s is older than scan %" PRId64
                                             ", which is already reconciled",
                                 scan_id, site, (int64_t)sqlite3_column_int64(newer, 0));

        r = stmt_prepare(s, "SELECT rule, subject, kind, severity, unit, column_name, url,"
                            " detail, evidence FROM findings WHERE scan_id = ? ORDER BY id",
                         &findings);
        if (r < 0)
                return r;
        r = sqlite3_bind_int64(findings, 1, scan_id);
        if (r != SQLITE_OK)
                return sql_error(s, r);
        while ((r = step_row(s, findings)) > 0) {
                r = reconcile_finding(s, site, scan_id, now, findings, stats);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;

        for (size_t i = 0; i < n_rules; i++) {
                if (!rules[i])
                        return set_error(s, -EINVAL, "rule %zu of the rule list is NULL", i);
                r = reconcile_fix_rule(s, site, scan_id, now, rules[i], page, stats);
                if (r < 0)
                        return r;
        }

        r = stmt_prepare(s, "UPDATE scans SET reconciled_at = ? WHERE id = ?", &mark);
        if (r < 0)
                return r;
        sqlite3_bind_int64(mark, 1, now);
        sqlite3_bind_int64(mark, 2, scan_id);
        return step_done(s, mark);
}

int store_reconcile(struct store *s, int64_t scan_id, const char *const *rules, size_t n_rules,
                    int64_t now, struct store_reconcile_stats *ret_stats)
{
        return store_reconcile_page(s, scan_id, rules, n_rules, NULL, now, ret_stats);
}

int store_reconcile_page(struct store *s, int64_t scan_id, const char *const *rules,
                         size_t n_rules, const char *page, int64_t now,
                         struct store_reconcile_stats *ret_stats)
{
        struct store_reconcile_stats stats = {0};
        int r;

        if (!s || (n_rules > 0 && !rules))
                return -EINVAL;
        r = tx_begin(s);
        if (r < 0)
                return r;
        r = tx_end(s, reconcile_in_tx(s, scan_id, rules, n_rules, page, now, &stats));
        if (r >= 0 && ret_stats)
                *ret_stats = stats;
        return r;
}

/* ---- violations ------------------------------------------------------------------------ */

/* Columns of both listing queries below, in order. */
enum {
        V_ID,
        V_SITE,
        V_RULE,
        V_SUBJECT,
        V_KIND,
        V_SEVERITY,
        V_STATE,
        V_UNIT,
        V_COLUMN,
        V_URL,
        V_DETAIL,
        V_EVIDENCE,
        V_FIRST_SEEN,
        V_LAST_SEEN,
        V_FIXED_AT,
        V_TIMES_SEEN,
};

#define VIOLATION_FILTER                                                                       \
        " (?1 IS NULL OR v.state = ?1) AND (?2 IS NULL OR v.site = ?2)"                         \
        " AND (?3 IS NULL OR v.rule = ?3)"

/* Without a scan: the violation's latest details. */
static const char violations_sql[] =
        "SELECT v.id, v.site, v.rule, v.subject, v.kind, v.severity, v.state, v.unit,"
        " v.column_name, v.url, v.detail, v.evidence, v.first_seen, v.last_seen,"
        " coalesce(v.fixed_at, 0), v.times_seen FROM violations v WHERE" VIOLATION_FILTER
        " ORDER BY v.site, v.unit, v.rule, v.subject";

/* With a scan: the violations that scan found, with what that scan saw of them (an older
 * scan's report must show that scan's evidence, not today's). */
static const char violations_of_scan_sql[] =
        "SELECT v.id, v.site, v.rule, v.subject, f.kind, f.severity, v.state, f.unit,"
        " f.column_name, f.url, f.detail, f.evidence, v.first_seen, v.last_seen,"
        " coalesce(v.fixed_at, 0), v.times_seen"
        " FROM findings f JOIN violations v"
        " ON v.site = f.site AND v.rule = f.rule AND v.subject = f.subject"
        " WHERE f.scan_id = ?4 AND" VIOLATION_FILTER
        " ORDER BY v.site, f.unit, v.rule, v.subject";

static int violation_from_row(struct store *s, sqlite3_stmt *st, struct store_violation *v)
{
        *v = (struct store_violation){
                .id = sqlite3_column_int64(st, V_ID),
                .site = column_text(st, V_SITE),
                .rule = column_text(st, V_RULE),
                .subject = column_text(st, V_SUBJECT),
                .unit = column_text(st, V_UNIT),
                .column = column_text(st, V_COLUMN),
                .url = column_text(st, V_URL),
                .detail = column_text(st, V_DETAIL),
                .evidence = column_text(st, V_EVIDENCE),
                .first_seen = sqlite3_column_int64(st, V_FIRST_SEEN),
                .last_seen = sqlite3_column_int64(st, V_LAST_SEEN),
                .fixed_at = sqlite3_column_int64(st, V_FIXED_AT),
                .times_seen = sqlite3_column_int64(st, V_TIMES_SEEN),
        };
        if (finding_kind_from_id(column_text(st, V_KIND), &v->kind) < 0 ||
            severity_from_id(column_text(st, V_SEVERITY), &v->severity) < 0 ||
            violation_state_from_id(column_text(st, V_STATE), &v->state) < 0)
                return set_error(s, -EIO, "violation %" PRId64 " has an unknown kind, severity "
                                          "or state (%s, %s, %s)",
                                 v->id, column_text(st, V_KIND), column_text(st, V_SEVERITY),
                                 column_text(st, V_STATE));
        return 0;
}

int store_violations_foreach(struct store *s, const struct store_violation_filter *filter,
                             store_violation_fn fn, void *userdata)
{
        static const struct store_violation_filter all = {.state = -1};
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        struct binder b;
        int r;

        if (!s || !fn)
                return -EINVAL;
        if (!filter)
                filter = &all;
        if (filter->state < -1 || filter->state > VIOLATION_ACCEPTED)
                return set_error(s, -EINVAL, "invalid violation state %d in filter",
                                 filter->state);

        r = stmt_prepare(s, filter->scan_id > 0 ? violations_of_scan_sql : violations_sql, &st);
        if (r < 0)
                return r;
        b = (struct binder){.stmt = st};
        bind_text(&b, filter->state < 0 ? NULL : violation_state_id(filter->state));
        bind_text(&b, filter->site);
        bind_text(&b, filter->rule);
        if (filter->scan_id > 0)
                bind_int(&b, filter->scan_id);
        r = bind_done(s, &b);
        if (r < 0)
                return r;

        while ((r = step_row(s, st)) > 0) {
                struct store_violation v;

                r = violation_from_row(s, st, &v);
                if (r < 0)
                        return r;
                r = fn(&v, userdata);
                if (r != 0)
                        return r;
        }
        return r;
}

static int violation_state(struct store *s, int64_t violation_id, enum violation_state *ret)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r = stmt_prepare(s, "SELECT state FROM violations WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, violation_id);
        r = step_row(s, st);
        if (r < 0)
                return r;
        if (r == 0)
                return set_error(s, -ENOENT, "no violation %" PRId64, violation_id);
        if (violation_state_from_id(column_text(st, 0), ret) < 0)
                return set_error(s, -EIO, "violation %" PRId64 " has an unknown state \"%s\"",
                                 violation_id, column_text(st, 0));
        return 0;
}

static int set_state_in_tx(struct store *s, int64_t violation_id, enum violation_state state,
                           int64_t now, const char *who, const char *why)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        enum violation_state current;
        int r;

        r = violation_state(s, violation_id, &current);
        if (r < 0)
                return r;
        if (current == state)
                return 0;
        r = stmt_prepare(s, "UPDATE violations SET state = ?, fixed_at = NULL, fixed_scan = NULL"
                            " WHERE id = ?", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, violation_state_id(state), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, violation_id);
        r = step_done(s, st);
        if (r < 0)
                return r;
        return event_add(s, violation_id, now, 0,
                         state == VIOLATION_ACCEPTED ? "accepted" : "reopened", who, why);
}

int store_violation_set_state(struct store *s, int64_t violation_id, enum violation_state state,
                              int64_t now, const char *who, const char *why)
{
        int r;

        if (!s)
                return -EINVAL;
        /* Only a passing re-check closes a problem (三单联动: 闭环跟进); a person may accept
         * an exception, with a reason, or reopen. */
        if (state == VIOLATION_FIXED)
                return set_error(s, -EINVAL, "only a complete re-check can mark a violation "
                                             "fixed");
        if (state != VIOLATION_OPEN && state != VIOLATION_ACCEPTED)
                return set_error(s, -EINVAL, "invalid violation state %d", (int)state);
        if (!who || !*who)
                return set_error(s, -EINVAL, "a change by hand must say who made it");
        if (state == VIOLATION_ACCEPTED && (!why || !*why))
                return set_error(s, -EINVAL, "accepting an exception needs a reason");
        r = tx_begin(s);
        if (r < 0)
                return r;
        return tx_end(s, set_state_in_tx(s, violation_id, state, now, who, why));
}

int store_violation_history(struct store *s, int64_t violation_id, store_event_fn fn,
                            void *userdata)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        enum violation_state state;
        int r;

        if (!s || !fn)
                return -EINVAL;
        r = violation_state(s, violation_id, &state);
        if (r < 0)
                return r;
        r = stmt_prepare(s, "SELECT at, coalesce(scan_id, 0), event, who, why"
                            " FROM violation_events WHERE violation_id = ? ORDER BY at, id", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, violation_id);
        while ((r = step_row(s, st)) > 0) {
                struct store_violation_event e = {
                        .at = sqlite3_column_int64(st, 0),
                        .scan_id = sqlite3_column_int64(st, 1),
                        .event = column_text(st, 2),
                        .who = column_text(st, 3),
                        .why = column_text(st, 4),
                };

                r = fn(&e, userdata);
                if (r != 0)
                        return r;
        }
        return r;
}

/* ---- for the store's other files (store_internal.h) ------------------------------------ */

sqlite3 *store__db(struct store *s)
{
        return s->db;
}

int store__sql_error(struct store *s, int rc)
{
        return sql_error(s, rc);
}

int store__fail(struct store *s, int r, const char *msg)
{
        return set_error(s, r, "%s", msg);
}

int store__tx_begin(struct store *s)
{
        return tx_begin(s);
}

int store__tx_end(struct store *s, int r)
{
        return tx_end(s, r);
}

int store__prepare(struct store *s, const char *sql, sqlite3_stmt **ret)
{
        return stmt_prepare(s, sql, ret);
}

int store__cached(struct store *s, const char *sql, sqlite3_stmt **ret)
{
        size_t i;

        for (i = 0; i < ARRAY_SIZE(s->cached) && s->cached[i].sql; i++)
                if (s->cached[i].sql == sql)
                        break;
        if (i == ARRAY_SIZE(s->cached))
                return set_error(s, -ENOSPC, "too many cached statements");
        if (!s->cached[i].st) {
                int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                            &s->cached[i].st, NULL);
                if (rc != SQLITE_OK)
                        return sql_error(s, rc);
                s->cached[i].sql = sql;
        }
        sqlite3_reset(s->cached[i].st);
        sqlite3_clear_bindings(s->cached[i].st);
        *ret = s->cached[i].st;
        return 0;
}

int store__step_done(struct store *s, sqlite3_stmt *st)
{
        return step_done(s, st);
}

int store__step_row(struct store *s, sqlite3_stmt *st)
{
        return step_row(s, st);
}

int store__set_error(struct store *s, int r, const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        return set_error(s, r, "%s", msg ? msg : "out of memory");
}

const char *store__boot_id(const struct store *s)
{
        return s->boot_id;
}

/* Private to the store: what store.c shares with the files that keep the store's other
 * tables (store_probe.c, store_frontier.c...), so that every SQLite error still becomes an
 * errno value in one place (store.c) and every write still runs in the same transaction
 * discipline. Not part of the store's public interface. */
#pragma once

#include <sqlite3.h>

#include "common/util.h"

#include "store/store.h"

sqlite3 *store__db(struct store *s);
/* sql_error(): converts a SQLite result code, keeps SQLite's message; returns the errno. */
int store__sql_error(struct store *s, int rc);
/* Keeps msg (copied) as the store's message and returns r. */
int store__fail(struct store *s, int r, const char *msg);
/* The same with a printf format. */
int store__set_error(struct store *s, int r, const char *fmt, ...) _printf_(3, 4);
/* tx_begin() / tx_end(): a transaction of its own, or a savepoint in the caller's. */
int store__tx_begin(struct store *s);
int store__tx_end(struct store *s, int r);
/* Prepares a statement for one call (the caller finalizes it). */
int store__prepare(struct store *s, const char *sql, sqlite3_stmt **ret);
/* A statement prepared once and kept by the store until it closes, found by the address
 * of sql (a static string of the caller's): reset, bindings cleared, owned by the store.
 * For the few statements the crawl runs per page; at most four. */
int store__cached(struct store *s, const char *sql, sqlite3_stmt **ret);
/* Steps a statement that returns no row / a query (1 row, 0 end, negative error). */
int store__step_done(struct store *s, sqlite3_stmt *st);
int store__step_row(struct store *s, sqlite3_stmt *st);
/* This boot's id, recorded with a scan's owner pid. */
const char *store__boot_id(const struct store *s);

/* ---- statements: the helpers every file of the store runs its SQL with ---------------- */

static inline void store__finalizep(sqlite3_stmt **p)
{
        sqlite3_finalize(*p);
}
#define _cleanup_finalize_ _cleanup_(store__finalizep)

/* A cached statement is reset, its bindings cleared, when the function using it returns. */
static inline void store__resetp(sqlite3_stmt **p)
{
        if (*p) {
                sqlite3_reset(*p);
                sqlite3_clear_bindings(*p);
        }
}
#define _cleanup_reset_ _cleanup_(store__resetp)

/* Binds parameters left to right, remembering the first failure so that a sequence of
 * binds is checked once, by bind_done(). Strings and blobs are bound without a copy: every
 * statement is reset or finalized before the function that bound it returns. */
struct binder {
        sqlite3_stmt *stmt;
        int index;
        int rc;
};

static inline void bind_text(struct binder *b, const char *v)
{
        b->index++;
        if (b->rc == SQLITE_OK)
                b->rc = v ? sqlite3_bind_text(b->stmt, b->index, v, -1, SQLITE_STATIC)
                          : sqlite3_bind_null(b->stmt, b->index);
}

static inline void bind_int(struct binder *b, int64_t v)
{
        b->index++;
        if (b->rc == SQLITE_OK)
                b->rc = sqlite3_bind_int64(b->stmt, b->index, v);
}

/* Binds v when has, else NULL. */
static inline void bind_int_if(struct binder *b, bool has, int64_t v)
{
        b->index++;
        if (b->rc == SQLITE_OK)
                b->rc = has ? sqlite3_bind_int64(b->stmt, b->index, v)
                            : sqlite3_bind_null(b->stmt, b->index);
}

/* Binds v, or NULL when v is 0: times and ids that are "not set". */
static inline void bind_int_or_null(struct binder *b, int64_t v)
{
        bind_int_if(b, v != 0, v);
}

static inline void bind_double(struct binder *b, double v)
{
        b->index++;
        if (b->rc == SQLITE_OK)
                b->rc = sqlite3_bind_double(b->stmt, b->index, v);
}

static inline void bind_blob(struct binder *b, const void *p, size_t n)
{
        b->index++;
        if (b->rc == SQLITE_OK)
                b->rc = sqlite3_bind_blob64(b->stmt, b->index, p ? p : "", n, SQLITE_STATIC);
}

static inline int bind_done(struct store *s, const struct binder *b)
{
        return b->rc == SQLITE_OK ? 0 : store__sql_error(s, b->rc);
}

static inline const char *column_text(sqlite3_stmt *st, int i)
{
        return (const char *)sqlite3_column_text(st, i);
}

/* A copy of a text column (the caller frees it), NULL for NULL. */
static inline char *column_dup(sqlite3_stmt *st, int i)
{
        const char *s = column_text(st, i);
        return s ? xstrdup(s) : NULL;
}

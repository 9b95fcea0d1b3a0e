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

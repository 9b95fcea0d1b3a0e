/* What the store's other files (store_tickets.c...) share with store.c: the connection, the
 * transaction helpers and the error conversion, so that every file of the store runs its
 * writes the same way (a transaction of its own, or a savepoint inside the caller's) and
 * reports SQLite errors through the same errno mapping. Not part of store.h. */
#pragma once

#include <sqlite3.h>

#include "common/util.h"
#include "store/store.h"

sqlite3 *store__db(struct store *s);
/* Opens a transaction, or a savepoint inside the caller's; store__tx_end() commits it when
 * r >= 0 and rolls it back otherwise, returning r or the commit's error. */
int store__tx_begin(struct store *s);
int store__tx_end(struct store *s, int r);
/* Converts a SQLite result code into a negative errno and keeps SQLite's message. */
int store__sql_error(struct store *s, int rc);
/* Keeps a message of our own for store_errmsg() and returns r. */
int store__set_error(struct store *s, int r, const char *fmt, ...) _printf_(3, 4);

/* What the store's files share (store.c and the store_<area>.c files that keep the tables
 * of one area): the SQLite connection, the transaction helpers and the conversion of
 * SQLite's result codes. Not part of the store's interface: only store/ includes this. */
#pragma once

#include <sqlite3.h>

#include "store/store.h"

sqlite3 *store_db(struct store *s);
/* A transaction of the call's own, or a savepoint inside the caller's (store.c, tx_begin). */
int store_tx_begin(struct store *s);
/* Commits (r >= 0) or rolls back (r < 0); returns r or the commit's error. */
int store_tx_end(struct store *s, int r);
/* Keeps SQLite's message for store_errmsg() and returns the errno-style code for rc. */
int store_sql_error(struct store *s, int rc);

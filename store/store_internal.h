/* Private to the store: what its other files (store_frontier.c) share with store.c, the
 * connection and the one place SQLite errors become errno values and messages. */
#pragma once

#include <sqlite3.h>

#include "store/store.h"

sqlite3 *store__db(struct store *s);
/* Records SQLite's message for rc and returns the errno value (see sql_error in store.c). */
int store__sql_error(struct store *s, int rc);
/* Records a message and returns r. */
int store__set_error(struct store *s, int r, const char *msg);
/* This boot's id, recorded with a scan's owner pid. */
const char *store__boot_id(const struct store *s);

/* Shared by the store's own files (store.c and store_<area>.c): the connection and the one
 * place that turns SQLite result codes into negative errno values. Not part of the store's
 * public interface: nothing outside store/ includes this. */
#pragma once

#include <sqlite3.h>

#include "common/util.h"
#include "store/store.h"

/* The store's connection; borrowed, valid until store_close(). */
sqlite3 *store__db(struct store *s);
/* Records SQLite's message for rc as the store's error and returns rc as a negative errno
 * value (-EIO, -EBUSY, ...), as store.c does for its own statements. */
int store__sql_error(struct store *s, int rc);
/* Records a message of our own as the store's error and returns r. */
int store__set_error(struct store *s, int r, const char *fmt, ...) _printf_(3, 4);

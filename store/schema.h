/* Private to the store: the schema migrations, applied in order by store.c. Step i takes a
 * database from PRAGMA user_version i to i + 1; the program's schema version is the number of
 * steps. */
#pragma once

#include <stddef.h>

extern const char *const store_schema_steps[];
extern const size_t store_schema_n_steps;

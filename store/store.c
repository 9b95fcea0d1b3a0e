/* SQLite store; see store.h. */

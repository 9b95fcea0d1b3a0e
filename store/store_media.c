/* The new-media ledger's checks (account_checks, schema step 2): one row per account and
 * run, written by `xunjian media`, read by the reports. */
#include <errno.h>

#include "common/util.h"
#include "store/store_internal.h"

static int put_in_tx(struct store *s, const struct store_account_check *c)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        sqlite3 *db = store__db(s);
        int rc;

        rc = sqlite3_prepare_v2(db,
                                "INSERT INTO account_checks (at, account, name, type, unit,"
                                " status, newest, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store__sql_error(s, rc);
        sqlite3_bind_int64(st, 1, c->at);
        sqlite3_bind_text(st, 2, c->account, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, c->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, c->type, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, c->unit, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, c->status, -1, SQLITE_STATIC);
        if (c->has_newest)
                sqlite3_bind_int64(st, 7, c->newest);
        else
                sqlite3_bind_null(st, 7);
        sqlite3_bind_text(st, 8, c->detail, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        return rc == SQLITE_DONE ? 0 : store__sql_error(s, rc);
}

int store_account_check_put(struct store *s, const struct store_account_check *c)
{
        int r;

        if (!s || !c || !c->account || !c->name || !c->type || !c->status)
                return -EINVAL;
        r = store__tx_begin(s);
        if (r < 0)
                return r;
        return store__tx_end(s, put_in_tx(s, c));
}

int store_account_checks_foreach(struct store *s, int64_t at, store_account_check_fn fn,
                                 void *userdata)
{
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int rc, r;

        if (!s || !fn)
                return -EINVAL;
        rc = sqlite3_prepare_v2(store__db(s),
                                "SELECT at, account, name, type, unit, status, newest, detail"
                                " FROM account_checks WHERE at = ?"
                                " ORDER BY coalesce(unit, ''), account, id",
                                -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store__sql_error(s, rc);
        sqlite3_bind_int64(st, 1, at);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                struct store_account_check c = {
                        .at = sqlite3_column_int64(st, 0),
                        .account = (const char *)sqlite3_column_text(st, 1),
                        .name = (const char *)sqlite3_column_text(st, 2),
                        .type = (const char *)sqlite3_column_text(st, 3),
                        .unit = (const char *)sqlite3_column_text(st, 4),
                        .status = (const char *)sqlite3_column_text(st, 5),
                        .has_newest = sqlite3_column_type(st, 6) != SQLITE_NULL,
                        .newest = sqlite3_column_int64(st, 6),
                        .detail = (const char *)sqlite3_column_text(st, 7),
                };
                r = fn(&c, userdata);
                if (r != 0)
                        return r;
        }
        return rc == SQLITE_DONE ? 0 : store__sql_error(s, rc);
}

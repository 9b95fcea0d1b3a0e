/* The crawl's state in the store: frontier rows through their life (added, claimed,
 * leased by priority, requeued with a due time, done), a resumed scan, the plan
 * fingerprint and the page cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include "common/util.h"
#include "store/store.h"

#define SITE "demo"
#define T0 INT64_C(1795000000)

struct fixture {
        char dir[64], path[128];
        struct store *s;
        int64_t scan;
        struct store_frontier *f;
};

static int setup(void **state)
{
        struct fixture *fx = xcalloc(1, sizeof(*fx));

        snprintf(fx->dir, sizeof(fx->dir), "/tmp/xj-test-frontier-XXXXXX");
        assert_non_null(mkdtemp(fx->dir));
        snprintf(fx->path, sizeof(fx->path), "%s/x.db", fx->dir);
        assert_int_equal(store_open(fx->path, &fx->s, NULL), 0);
        assert_int_equal(store_scan_begin(fx->s, SITE, T0, &fx->scan), 0);
        assert_int_equal(store_frontier_open(fx->s, fx->scan, SITE, &fx->f), 0);
        *state = fx;
        return 0;
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(p);
}

static int teardown(void **state)
{
        struct fixture *fx = *state;
        store_frontier_close(fx->f);
        store_close(fx->s);
        nftw(fx->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
        free(fx);
        return 0;
}

static int64_t add(struct fixture *fx, const char *url, const char *kind, int prio, int column,
                   int64_t referrer, bool *ret_added)
{
        int64_t id = 0;
        bool added = false;
        assert_int_equal(store_frontier_add(fx->f,
                                            &(struct store_frontier_add){
                                                    .url = url,
                                                    .kind = kind,
                                                    .link_kind = "a",
                                                    .prio = prio,
                                                    .column = column,
                                                    .depth = 1,
                                                    .referrer = referrer,
                                            },
                                            &id, &added),
                         0);
        if (ret_added)
                *ret_added = added;
        return id;
}

static void test_add_claim_lease(void **state)
{
        struct fixture *fx = *state;
        struct store_frontier_row *rows;
        size_t n;
        bool added;
        int64_t count, next, id;

        int64_t home = add(fx, "http://a.cn/", "homepage", 0, -1, 0, &added);
        assert_true(added);
        int64_t page = add(fx, "http://a.cn/p.html", "page", 2, -1, home, &added);
        assert_true(added);
        int64_t check = add(fx, "http://b.cn/x.pdf", "resource", 3, -1, home, &added);
        int64_t col = add(fx, "http://a.cn/col/", "column", 0, 0, 0, &added);
        /* Met again: the same row, not added. */
        assert_int_equal(add(fx, "http://a.cn/p.html", "article", 1, 0, col, &added), page);
        assert_false(added);
        assert_int_equal(store_frontier_find(fx->f, "http://a.cn/p.html", &id), 1);
        assert_int_equal(id, page);
        assert_int_equal(store_frontier_find(fx->f, "http://nowhere/", &id), 0);

        /* A column claims a page nobody claimed, once; structure is never claimed. */
        assert_int_equal(store_frontier_claim(fx->f, "http://a.cn/p.html", 0, false), 1);
        assert_int_equal(store_frontier_claim(fx->f, "http://a.cn/p.html", 1, false), 0);
        assert_int_equal(store_frontier_claim(fx->f, "http://a.cn/", 1, false), 0);
        assert_int_equal(store_frontier_claim(fx->f, "http://a.cn/", 1, true), 1);
        /* A planned URL gets the referrer it lacked, never its own id. */
        assert_int_equal(store_frontier_set_referrer(fx->f, "http://a.cn/col/", col, "a"), 0);
        assert_int_equal(store_frontier_set_referrer(fx->f, "http://a.cn/col/", home, "a"), 1);
        assert_int_equal(store_frontier_set_referrer(fx->f, "http://a.cn/col/", page, "a"), 0);

        assert_int_equal(store_frontier_queued(fx->f, &count, &next), 0);
        assert_int_equal(count, 4);
        /* Leased by priority then discovery order (the caller sorts; here: the set). */
        assert_int_equal(store_frontier_lease(fx->f, 0, 2, &rows, &n), 0);
        assert_int_equal(n, 2);
        assert_true((rows[0].id == home && rows[1].id == col) ||
                    (rows[0].id == col && rows[1].id == home));
        store_frontier_rows_free(rows, n);
        assert_int_equal(store_frontier_lease(fx->f, 0, 10, &rows, &n), 0);
        assert_int_equal(n, 2);
        for (size_t i = 0; i < n; i++)
                if (rows[i].id == page) {
                        assert_int_equal(rows[i].column, 0);
                        assert_string_equal(rows[i].kind, "page");
                }
        store_frontier_rows_free(rows, n);
        assert_int_equal(store_frontier_queued(fx->f, &count, &next), 0);
        assert_int_equal(count, 0);

        /* A retry goes back with a due time: not leased before it. */
        assert_int_equal(store_frontier_requeue(fx->f, check, 5000, 1, "[{\"status\":503}]"), 0);
        assert_int_equal(store_frontier_queued(fx->f, &count, &next), 0);
        assert_int_equal(count, 1);
        assert_int_equal(next, 5000);
        assert_int_equal(store_frontier_lease(fx->f, 4999, 10, &rows, &n), 0);
        assert_int_equal(n, 0);
        store_frontier_rows_free(rows, n);
        assert_int_equal(store_frontier_lease(fx->f, 5000, 10, &rows, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(rows[0].attempts, 1);
        assert_string_equal(rows[0].history, "[{\"status\":503}]");
        store_frontier_rows_free(rows, n);
}

static int collect(const struct store_frontier_done_row *row, void *userdata)
{
        struct strv *v = userdata;
        strv_push_take(v, xasprintf("%s %s %s %d", row->url, row->r.verdict,
                                    row->referrer_url ? row->referrer_url : "-",
                                    row->referrer_column));
        return 0;
}

static void test_done_broken_resume(void **state)
{
        struct fixture *fx = *state;
        struct store_frontier_row *rows;
        size_t n;
        struct strv all = {0}, broken = {0};
        int32_t day;

        int64_t home = add(fx, "http://a.cn/", "homepage", 0, 2, 0, NULL);
        int64_t dead = add(fx, "http://a.cn/gone.html", "page", 2, -1, home, NULL);
        int64_t big = add(fx, "http://a.cn/big.html", "page", 2, -1, home, NULL);
        add(fx, "http://a.cn/later.html", "page", 2, -1, home, NULL);
        assert_int_equal(store_frontier_lease(fx->f, 0, 3, &rows, &n), 0);
        store_frontier_rows_free(rows, n);

        assert_int_equal(store_frontier_done(fx->f, &(struct store_frontier_result){
                                                            .id = home,
                                                            .verdict = "ok",
                                                            .status = 200,
                                                            .failure = "ok",
                                                            .parsed = true,
                                                            .has_pubdate = true,
                                                            .pubdate = 20000,
                                                    }),
                         0);
        assert_int_equal(store_frontier_done(fx->f, &(struct store_frontier_result){
                                                            .id = dead,
                                                            .verdict = "dead",
                                                            .status = 404,
                                                            .failure = "ok",
                                                    }),
                         0);
        assert_int_equal(store_frontier_done(fx->f, &(struct store_frontier_result){
                                                            .id = big,
                                                            .verdict = "ok",
                                                            .status = 200,
                                                            .failure = "too_large",
                                                    }),
                         0);
        assert_int_equal(store_frontier_done(fx->f, &(struct store_frontier_result){.id = 999999,
                                                                                     .verdict = "ok"}),
                         -ENOENT);
        assert_int_equal(store_frontier_pubdate(fx->f, "http://a.cn/", &day), 1);
        assert_int_equal(day, 20000);
        assert_int_equal(store_frontier_pubdate(fx->f, "http://a.cn/gone.html", &day), 0);

        assert_int_equal(store_frontier_foreach_done(fx->f, false, collect, &all), 0);
        assert_int_equal(all.n, 3);
        assert_int_equal(store_frontier_foreach_done(fx->f, true, collect, &broken), 0);
        assert_int_equal(broken.n, 2);
        assert_string_equal(broken.items[0], "http://a.cn/gone.html dead http://a.cn/ 2");
        assert_string_equal(broken.items[1], "http://a.cn/big.html ok http://a.cn/ 2");
        strv_free(&all);
        strv_free(&broken);

        /* The process dies: the scan is interrupted when the store is next opened, and
         * resumes with the leased row queued again and the done ones kept. */
        store_frontier_close(fx->f);
        store_close(fx->s);
        fx->f = NULL;
        assert_int_equal(store_open(fx->path, &fx->s, NULL), 0);
        assert_int_equal(store_scan_resume(fx->s, fx->scan), 0);
        assert_int_equal(store_scan_resume(fx->s, fx->scan), -EINVAL);
        assert_int_equal(store_scan_resume(fx->s, 424242), -ENOENT);
        assert_int_equal(store_frontier_open(fx->s, fx->scan, SITE, &fx->f), 0);
        /* later.html was queued and due, the rest done: nothing was leased by then, so
         * nothing changes; a leased row goes back to the queue. */
        assert_int_equal(store_frontier_reset(fx->f), 0);
        int64_t count, next;
        assert_int_equal(store_frontier_queued(fx->f, &count, &next), 0);
        assert_int_equal(count, 1);
        rows = NULL;
        size_t n_rows = 0;
        assert_int_equal(store_frontier_lease(fx->f, 0, 8, &rows, &n_rows), 0);
        assert_int_equal(n_rows, 1);
        store_frontier_rows_free(rows, n_rows);
        assert_int_equal(store_frontier_queued(fx->f, &count, &next), 0);
        assert_int_equal(count, 0);
        assert_int_equal(store_frontier_reset(fx->f), 1);
        assert_int_equal(store_frontier_queued(fx->f, &count, &next), 0);
        assert_int_equal(count, 1);
        assert_int_equal(store_frontier_clear(fx->s, fx->scan), 0);
        assert_int_equal(store_frontier_queued(fx->f, &count, &next), 0);
        assert_int_equal(count, 0);
}

static void test_plan_fingerprint(void **state)
{
        struct fixture *fx = *state;
        char *fp = NULL;

        assert_int_equal(store_scan_plan_get(fx->s, fx->scan, &fp), -ENOENT);
        assert_int_equal(store_scan_plan_set(fx->s, fx->scan, "abc-12"), 0);
        assert_int_equal(store_scan_plan_get(fx->s, fx->scan, &fp), 0);
        assert_string_equal(fp, "abc-12");
        free(fp);
        /* A running scan cannot "resume". */
        assert_int_equal(store_scan_resume(fx->s, fx->scan), -EINVAL);
}

struct got {
        char etag[32];
        size_t len;
        char data[16];
};

static int take(const struct store_cached_page *p, void *userdata)
{
        struct got *g = userdata;
        snprintf(g->etag, sizeof(g->etag), "%s", p->etag ? p->etag : "");
        g->len = p->extract_len;
        memcpy(g->data, p->extract, p->extract_len < sizeof(g->data) ? p->extract_len : 0);
        return 7;
}

static void test_page_cache(void **state)
{
        struct fixture *fx = *state;
        struct got g = {0};

        assert_int_equal(store_page_cache_get(fx->f, "http://a.cn/", take, &g), -ENOENT);
        assert_int_equal(store_page_cache_put(fx->f, "http://a.cn/",
                                              &(struct store_cached_page){
                                                      .etag = "\"v1\"",
                                                      .parse_key = "k",
                                                      .extract = "ab\0cd",
                                                      .extract_len = 5,
                                              }),
                         0);
        assert_int_equal(store_page_cache_get(fx->f, "http://a.cn/", take, &g), 7);
        assert_string_equal(g.etag, "\"v1\"");
        assert_int_equal(g.len, 5);
        assert_memory_equal(g.data, "ab\0cd", 5);

        /* A later scan that neither fetched nor reused the page prunes it. */
        int64_t later;
        struct store_frontier *f2;
        assert_int_equal(store_scan_finish(fx->s, fx->scan, SCAN_COMPLETE, T0 + 10, NULL), 0);
        assert_int_equal(store_scan_begin(fx->s, SITE, T0 + 100, &later), 0);
        assert_int_equal(store_frontier_open(fx->s, later, SITE, &f2), 0);
        assert_int_equal(store_page_cache_put(f2, "http://a.cn/new.html",
                                              &(struct store_cached_page){.parse_key = "k",
                                                                          .extract = "x",
                                                                          .extract_len = 1}),
                         0);
        assert_int_equal(store_page_cache_prune(fx->s, SITE, later), 0);
        assert_int_equal(store_page_cache_get(fx->f, "http://a.cn/", take, &g), -ENOENT);
        assert_int_equal(store_page_cache_get(f2, "http://a.cn/new.html", take, &g), 7);
        /* Touching keeps an entry: the 304 path. */
        assert_int_equal(store_page_cache_touch(f2, "http://a.cn/new.html"), 0);
        store_frontier_close(f2);
}

static int64_t count_rows(struct fixture *fx, const char *table)
{
        sqlite3 *db;
        sqlite3_stmt *st;
        int64_t n = -1;
        char sql[128];

        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
        assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        if (sqlite3_step(st) == SQLITE_ROW)
                n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
        return n;
}

static void test_staged_links(void **state)
{
        struct fixture *fx = *state;
        int64_t page;
        struct store_link links[] = {
                {.url = "http://a.cn/1", .kind = "a", .text = "一", .scope = "site"},
                {.url = "http://b.cn/2", .kind = "img", .scope = "external"},
        };

        assert_int_equal(store_page_put(fx->s, fx->scan,
                                        &(struct store_page){.url = "http://a.cn/", .parsed = true},
                                        &page),
                         0);
        assert_int_equal(store_links_stage(fx->s, fx->scan, page, links, 2), 0);
        assert_int_equal(store_links_stage(fx->s, fx->scan, page, NULL, 0), 0);
        assert_int_equal(store_links_stage(fx->s, fx->scan, 0, links, 2), -EINVAL);
        assert_int_equal(count_rows(fx, "links_staged"), 2);
        assert_int_equal(count_rows(fx, "links"), 0);
        assert_int_equal(store_links_publish(fx->s, fx->scan), 0);
        assert_int_equal(count_rows(fx, "links_staged"), 0);
        assert_int_equal(count_rows(fx, "links"), 2);
}

/* An interrupted scan that will not be resumed (a newer one begins) leaves no working
 * state behind: its frontier rows and staged links go. */
static void test_abandon(void **state)
{
        struct fixture *fx = *state;
        int64_t page;
        struct store_link link = {.url = "http://a.cn/1", .kind = "a", .scope = "site"};

        add(fx, "http://a.cn/", "homepage", 0, -1, 0, NULL);
        add(fx, "http://a.cn/1", "page", 3, -1, 0, NULL);
        assert_int_equal(store_page_put(fx->s, fx->scan,
                                        &(struct store_page){.url = "http://a.cn/", .parsed = true},
                                        &page),
                         0);
        assert_int_equal(store_links_stage(fx->s, fx->scan, page, &link, 1), 0);
        /* Only an interrupted scan can be abandoned. */
        assert_int_equal(store_scan_abandon(fx->s, fx->scan), -EINVAL);
        assert_int_equal(count_rows(fx, "frontier"), 2);
        assert_int_equal(store_scan_finish(fx->s, fx->scan, SCAN_INTERRUPTED, T0 + 60, NULL), 0);
        assert_int_equal(store_scan_abandon(fx->s, fx->scan), 0);
        assert_int_equal(count_rows(fx, "frontier"), 0);
        assert_int_equal(count_rows(fx, "links_staged"), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_add_claim_lease, setup, teardown),
                cmocka_unit_test_setup_teardown(test_done_broken_resume, setup, teardown),
                cmocka_unit_test_setup_teardown(test_plan_fingerprint, setup, teardown),
                cmocka_unit_test_setup_teardown(test_page_cache, setup, teardown),
                cmocka_unit_test_setup_teardown(test_staged_links, setup, teardown),
                cmocka_unit_test_setup_teardown(test_abandon, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

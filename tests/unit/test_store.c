/* Tests of the SQLite store: schema and migrations, pages/links/findings, reconciling
 * findings into violations, filters, and that a killed writer leaves a consistent database. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "store/store.h"

#define SITE "www.example.gov.cn"
#define T0 INT64_C(1700000000)
#define DAY INT64_C(86400)

struct fixture {
        char dir[64];
        char path[128];
        struct store *s;
};

static int setup(void **state)
{
        struct fixture *fx = xcalloc(1, sizeof(*fx));
        char *error = NULL;

        snprintf(fx->dir, sizeof(fx->dir), "/tmp/xj-test-store-XXXXXX");
        if (!mkdtemp(fx->dir)) {
                free(fx);
                return -1;
        }
        snprintf(fx->path, sizeof(fx->path), "%s/xunjian.db", fx->dir);
        if (store_open(fx->path, &fx->s, &error) < 0) {
                fprintf(stderr, "store_open: %s\n", error);
                free(error);
                return -1;
        }
        *state = fx;
        return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        return remove(path);
}

static int teardown(void **state)
{
        struct fixture *fx = *state;

        store_close(fx->s);
        nftw(fx->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
        free(fx);
        return 0;
}

/* ---- raw SQL, to look at the database behind the store's back -------------------------- */

static sqlite3 *raw_open(const char *path)
{
        sqlite3 *db = NULL;

        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        return db;
}

/* The first column of the first row of sql, as an integer (-1 without a row). */
static int64_t raw_int(const char *path, const char *fmt, ...) _printf_(2, 3);
static int64_t raw_int(const char *path, const char *fmt, ...)
{
        sqlite3 *db = raw_open(path);
        sqlite3_stmt *st = NULL;
        _cleanup_free_ char *sql = NULL;
        int64_t v = -1;
        va_list ap;

        va_start(ap, fmt);
        assert_true(vasprintf(&sql, fmt, ap) >= 0);
        va_end(ap);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        if (sqlite3_step(st) == SQLITE_ROW)
                v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(db);
        return v;
}

/* The first column of the first row of sql as a string the caller frees, or NULL. */
static char *raw_text(const char *path, const char *sql)
{
        sqlite3 *db = raw_open(path);
        sqlite3_stmt *st = NULL;
        char *v = NULL;

        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
                v = xstrdup((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        sqlite3_close(db);
        return v;
}

static void raw_exec(const char *path, const char *sql)
{
        sqlite3 *db = raw_open(path);

        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
}

/* ---- helpers ----------------------------------------------------------------------------- */

static int64_t begin_scan(struct store *s, const char *site, int64_t now)
{
        int64_t id = 0;

        assert_int_equal(store_scan_begin(s, site, now, &id), 0);
        assert_true(id > 0);
        return id;
}

static void finish_scan(struct store *s, int64_t scan, enum scan_state state, int64_t now)
{
        struct store_scan_stats stats = {.pages = 1};

        assert_int_equal(store_scan_finish(s, scan, state, now, &stats), 0);
}

static void add_finding(struct store *s, int64_t scan, const char *rule, const char *subject,
                        const char *unit, const char *detail)
{
        struct store_finding f = {
                .site = SITE,
                .rule = rule,
                .kind = FINDING_VIOLATION,
                .severity = SEVERITY_NORMAL,
                .subject = subject,
                .unit = unit,
                .column = "通知公告",
                .url = subject,
                .detail = detail,
                .evidence = "{\"days\":212}",
        };

        assert_int_equal(store_finding_add(s, scan, &f), 0);
}

/* Collected violations, copied out of the callback. */
struct seen {
        size_t n;
        int64_t id[32];
        char subject[32][96];
        char detail[32][96];
        char unit[32][32];
        enum violation_state state[32];
        int64_t times_seen[32], last_seen[32], fixed_at[32];
};

static int collect(const struct store_violation *v, void *userdata)
{
        struct seen *seen = userdata;
        size_t i = seen->n++;

        assert_true(i < ARRAY_SIZE(seen->id));
        seen->id[i] = v->id;
        snprintf(seen->subject[i], sizeof(seen->subject[i]), "%s", v->subject);
        snprintf(seen->detail[i], sizeof(seen->detail[i]), "%s", v->detail ? v->detail : "");
        snprintf(seen->unit[i], sizeof(seen->unit[i]), "%s", v->unit ? v->unit : "");
        seen->state[i] = v->state;
        seen->times_seen[i] = v->times_seen;
        seen->last_seen[i] = v->last_seen;
        seen->fixed_at[i] = v->fixed_at;
        return 0;
}

static struct seen list(struct store *s, int state, const char *site, const char *rule,
                        int64_t scan_id)
{
        struct store_violation_filter filter = {
                .state = state, .site = site, .rule = rule, .scan_id = scan_id};
        struct seen seen = {0};

        assert_int_equal(store_violations_foreach(s, &filter, collect, &seen), 0);
        return seen;
}

/* The violation with this subject in seen, or -1. */
static int find_subject(const struct seen *seen, const char *subject)
{
        for (size_t i = 0; i < seen->n; i++)
                if (streq(seen->subject[i], subject))
                        return (int)i;
        return -1;
}

struct events {
        size_t n;
        char event[16][16];
        int64_t at[16], scan_id[16];
        char who[16][32], why[16][64];
};

static int collect_event(const struct store_violation_event *e, void *userdata)
{
        struct events *ev = userdata;
        size_t i = ev->n++;

        assert_true(i < ARRAY_SIZE(ev->event));
        snprintf(ev->event[i], sizeof(ev->event[i]), "%s", e->event);
        ev->at[i] = e->at;
        ev->scan_id[i] = e->scan_id;
        snprintf(ev->who[i], sizeof(ev->who[i]), "%s", e->who ? e->who : "");
        snprintf(ev->why[i], sizeof(ev->why[i]), "%s", e->why ? e->why : "");
        return 0;
}

static struct events history(struct store *s, int64_t violation_id)
{
        struct events ev = {0};

        assert_int_equal(store_violation_history(s, violation_id, collect_event, &ev), 0);
        return ev;
}

static int copy_scan(const struct store_scan *scan, void *userdata)
{
        struct store_scan *out = userdata;

        *out = *scan;
        out->site = NULL;       /* only valid during the callback */
        return 0;
}

static struct store_scan last_scan(struct store *s, const char *site)
{
        struct store_scan scan = {0};

        assert_int_equal(store_scan_last(s, site, copy_scan, &scan), 0);
        return scan;
}

static int64_t put_page(struct store *s, int64_t scan, const char *url, long status)
{
        struct store_page p = {
                .url = url,
                .kind = "article",
                .depth = 1,
                .status = status,
                .fetched_at = T0 + 5,
                .seconds = 0.25,
                .attempts = 1,
                .parsed = true,
                .title = "关于开展政务公开检查的通知",
        };
        int64_t id = 0;

        assert_int_equal(store_page_put(s, scan, &p, &id), 0);
        assert_true(id > 0);
        return id;
}

/* ---- schema ---------------------------------------------------------------------------- */

static void test_fresh_open(void **state)
{
        struct fixture *fx = *state;
        _cleanup_free_ char *mode = NULL;
        static const char *const tables[] = {"scans", "pages", "links", "findings",
                                             "violations", "violation_events"};

        assert_true(store_schema_version() >= 1);
        assert_int_equal(raw_int(fx->path, "PRAGMA user_version"), store_schema_version());
        for (size_t i = 0; i < ARRAY_SIZE(tables); i++)
                assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM sqlite_schema WHERE"
                                                   " type = 'table' AND name = '%s'",
                                         tables[i]),
                                 1);
        mode = raw_text(fx->path, "PRAGMA journal_mode");
        assert_string_equal(mode, "wal");
        assert_string_equal(scan_state_id(SCAN_RUNNING), "running");
        assert_string_equal(scan_state_id(SCAN_COMPLETE), "complete");
        assert_string_equal(scan_state_id(SCAN_INTERRUPTED), "interrupted");
        assert_string_equal(scan_state_id(SCAN_FAILED), "failed");
}

static void test_reopen_idempotent(void **state)
{
        struct fixture *fx = *state;
        int64_t scan = begin_scan(fx->s, SITE, T0);
        _cleanup_free_ char *schema_before = NULL, *schema_after = NULL;

        finish_scan(fx->s, scan, SCAN_COMPLETE, T0 + 60);
        schema_before = raw_text(fx->path, "SELECT group_concat(sql, ';') FROM sqlite_schema");
        store_close(fx->s);
        fx->s = NULL;
        for (int i = 0; i < 2; i++) {
                store_close(fx->s);
                assert_int_equal(store_open(fx->path, &fx->s, NULL), 0);
        }
        schema_after = raw_text(fx->path, "SELECT group_concat(sql, ';') FROM sqlite_schema");
        assert_string_equal(schema_before, schema_after);
        assert_int_equal(raw_int(fx->path, "PRAGMA user_version"), store_schema_version());
        struct store_scan got = last_scan(fx->s, SITE);
        assert_int_equal(got.id, scan);
        assert_int_equal(got.state, SCAN_COMPLETE);
        assert_int_equal(got.finished_at, T0 + 60);
        assert_int_equal(got.stats.pages, 1);
}

static void test_newer_schema_refused(void **state)
{
        struct fixture *fx = *state;
        struct store *s = NULL;
        char *error = NULL;
        _cleanup_free_ char *sql = NULL;

        store_close(fx->s);
        fx->s = NULL;
        sql = xasprintf("PRAGMA user_version = %d", store_schema_version() + 1);
        raw_exec(fx->path, sql);
        assert_int_equal(store_open(fx->path, &s, &error), -EPROTO);
        assert_null(s);
        assert_non_null(error);
        assert_non_null(strstr(error, "newer"));
        free(error);
        /* Refusing must not touch the file. */
        assert_int_equal(raw_int(fx->path, "PRAGMA user_version"), store_schema_version() + 1);
}

static void test_not_a_database(void **state)
{
        struct fixture *fx = *state;
        _cleanup_free_ char *path = xasprintf("%s/garbage.db", fx->dir);
        struct store *s = NULL;
        char *error = NULL;
        FILE *f = fopen(path, "we");

        assert_non_null(f);
        for (int i = 0; i < 200; i++)
                fputs("this is not an SQLite database, only text. ", f);
        fclose(f);
        assert_true(store_open(path, &s, &error) < 0);
        assert_null(s);
        assert_non_null(error);
        assert_non_null(strstr(error, path));
        free(error);

        /* A directory that does not exist cannot hold a database. */
        _cleanup_free_ char *missing = xasprintf("%s/no/such/dir/x.db", fx->dir);
        assert_true(store_open(missing, &s, NULL) < 0);
}

/* ---- scans, pages, links, findings ------------------------------------------------------ */

static void test_scan_finish(void **state)
{
        struct fixture *fx = *state;
        struct store_scan_stats stats = {.pages = 120, .checked = 900, .errors = 7,
                                         .bytes = 123456789, .findings = 12};
        int64_t a = begin_scan(fx->s, SITE, T0);
        struct store_scan got = last_scan(fx->s, SITE);

        assert_int_equal(got.id, a);
        assert_int_equal(got.state, SCAN_RUNNING);
        assert_int_equal(got.started_at, T0);
        assert_int_equal(got.finished_at, 0);

        assert_int_equal(store_scan_finish(fx->s, a, SCAN_RUNNING, T0 + 1, &stats), -EINVAL);
        assert_int_equal(store_scan_finish(fx->s, a, SCAN_FAILED, T0 + 99, &stats), 0);
        got = last_scan(fx->s, SITE);
        assert_int_equal(got.state, SCAN_FAILED);
        assert_int_equal(got.finished_at, T0 + 99);
        assert_int_equal(got.stats.pages, 120);
        assert_int_equal(got.stats.checked, 900);
        assert_int_equal(got.stats.errors, 7);
        assert_int_equal(got.stats.bytes, 123456789);
        assert_int_equal(got.stats.findings, 12);
        /* An ended scan cannot end again, nor can one that does not exist. */
        assert_int_equal(store_scan_finish(fx->s, a, SCAN_COMPLETE, T0 + 100, NULL), -EINVAL);
        assert_int_equal(store_scan_finish(fx->s, a + 100, SCAN_COMPLETE, T0, NULL), -ENOENT);
        assert_true(strlen(store_errmsg(fx->s)) > 0);

        /* The most recent scan wins; other sites are separate. */
        int64_t b = begin_scan(fx->s, SITE, T0 + DAY);
        begin_scan(fx->s, "other.gov.cn", T0 + 2 * DAY);
        assert_int_equal(last_scan(fx->s, SITE).id, b);
        /* A probe of the site since does not hide the crawl: an interrupted crawl must
         * still be found to be resumed. */
        int64_t probe;
        assert_int_equal(store_probe_scan_begin(fx->s, SITE, T0 + DAY + 60, &probe), 0);
        assert_int_equal(last_scan(fx->s, SITE).id, b);
        struct store_scan ignored;
        assert_int_equal(store_scan_last(fx->s, "never.gov.cn", copy_scan, &ignored), -ENOENT);
}

static void test_page_put_upsert(void **state)
{
        struct fixture *fx = *state;
        int64_t scan = begin_scan(fx->s, SITE, T0);
        struct store_link links[] = {{.url = "https://www.example.gov.cn/a", .kind = "a",
                                      .text = "首页", .scope = "site"}};
        int64_t p1 = put_page(fx->s, scan, "https://www.example.gov.cn/", 200);
        int64_t p2 = put_page(fx->s, scan, "https://www.example.gov.cn/other", 200);

        assert_int_not_equal(p1, p2);
        assert_int_equal(store_links_put(fx->s, scan, p1, links, 1), 0);

        /* Same (scan, url): same row, same id, new values, the old fetch's links gone. */
        int64_t again = put_page(fx->s, scan, "https://www.example.gov.cn/", 404);
        assert_int_equal(again, p1);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM pages"), 2);
        assert_int_equal(raw_int(fx->path, "SELECT status FROM pages WHERE id = %lld",
                                 (long long)p1),
                         404);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM links WHERE page_id = %lld",
                                 (long long)p1),
                         0);

        /* The same URL in another scan is another row. */
        int64_t scan2 = begin_scan(fx->s, SITE, T0 + DAY);
        assert_int_not_equal(put_page(fx->s, scan2, "https://www.example.gov.cn/", 200), p1);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM pages"), 3);

        /* A page of a scan that does not exist is refused by the foreign key. */
        struct store_page orphan = {.url = "https://www.example.gov.cn/x"};
        assert_int_equal(store_page_put(fx->s, scan + 1000, &orphan, NULL), -ENOENT);
        struct store_page no_url = {0};
        assert_int_equal(store_page_put(fx->s, scan, &no_url, NULL), -EINVAL);
}

static void test_links_put(void **state)
{
        struct fixture *fx = *state;
        int64_t scan = begin_scan(fx->s, SITE, T0);
        int64_t other_scan = begin_scan(fx->s, SITE, T0 + 1);
        int64_t page = put_page(fx->s, scan, "https://www.example.gov.cn/", 200);
        struct store_link links[] = {
                {.url = "https://www.example.gov.cn/zwgk/", .kind = "a", .text = "政务公开",
                 .scope = "site"},
                {.url = "https://www.example.gov.cn/logo.png", .kind = "img", .scope = "site"},
                {.url = "https://www.gov.cn/", .kind = "a", .text = "中国政府网",
                 .scope = "external"},
        };
        _cleanup_free_ char *text = NULL;

        assert_int_equal(store_links_put(fx->s, scan, page, links, ARRAY_SIZE(links)), 0);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM links WHERE page_id = %lld"
                                           " AND scan_id = %lld",
                                 (long long)page, (long long)scan),
                         3);
        text = raw_text(fx->path, "SELECT text FROM links WHERE kind = 'a' AND scope = 'external'");
        assert_string_equal(text, "中国政府网");
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM links WHERE text IS NULL"), 1);
        assert_int_equal(store_links_put(fx->s, scan, page, NULL, 0), 0);

        /* Misuse: the page of another scan, a page that does not exist. */
        assert_int_equal(store_links_put(fx->s, other_scan, page, links, 1), -EINVAL);
        assert_int_equal(store_links_put(fx->s, scan, page + 99, links, 1), -ENOENT);

        /* A bad link in the middle undoes the whole call. */
        struct store_link bad[] = {{.url = "https://www.example.gov.cn/1", .kind = "a"},
                                   {.url = NULL, .kind = "a"}};
        assert_int_equal(store_links_put(fx->s, scan, page, bad, 2), -EINVAL);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM links"), 3);
}

static void test_finding_replace(void **state)
{
        struct fixture *fx = *state;
        int64_t scan = begin_scan(fx->s, SITE, T0);
        _cleanup_free_ char *detail = NULL, *severity = NULL;

        add_finding(fx->s, scan, "column_stale", "https://www.example.gov.cn/tzgg/", "区政府办",
                    "栏目「通知公告」已 200 天未更新（要求：180 天内）");
        add_finding(fx->s, scan, "column_stale", "https://www.example.gov.cn/tzgg/", "区政府办",
                    "栏目「通知公告」已 212 天未更新（要求：180 天内）");
        add_finding(fx->s, scan, "column_blank", "https://www.example.gov.cn/tzgg/", "区政府办",
                    "栏目「通知公告」为空白栏目");
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM findings"), 2);
        detail = raw_text(fx->path, "SELECT detail FROM findings WHERE rule = 'column_stale'");
        assert_string_equal(detail, "栏目「通知公告」已 212 天未更新（要求：180 天内）");
        severity = raw_text(fx->path, "SELECT severity FROM findings LIMIT 1");
        assert_string_equal(severity, "normal");

        /* The site defaults to the scan's; another site's finding does not belong here. */
        struct store_finding f = {.rule = "dead_link", .subject = "https://x/", .kind =
                                  FINDING_WARNING, .severity = SEVERITY_SUSPECT};
        assert_int_equal(store_finding_add(fx->s, scan, &f), 0);
        _cleanup_free_ char *site = raw_text(fx->path, "SELECT site FROM findings"
                                                        " WHERE rule = 'dead_link'");
        assert_string_equal(site, SITE);
        f.site = "other.gov.cn";
        assert_int_equal(store_finding_add(fx->s, scan, &f), -EINVAL);
        f.site = NULL;
        assert_int_equal(store_finding_add(fx->s, scan + 50, &f), -ENOENT);
        f.subject = NULL;
        assert_int_equal(store_finding_add(fx->s, scan, &f), -EINVAL);
}

static void test_transactions(void **state)
{
        struct fixture *fx = *state;
        int64_t scan = begin_scan(fx->s, SITE, T0);
        struct store_link bad = {.url = NULL};

        /* Rolled back: nothing stays. */
        assert_int_equal(store_begin(fx->s), 0);
        assert_int_equal(store_begin(fx->s), -EBUSY);
        put_page(fx->s, scan, "https://www.example.gov.cn/rolled-back", 200);
        store_rollback(fx->s);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM pages"), 0);

        /* Not committed yet: another connection does not see it. A failed call inside the
         * transaction undoes only itself. */
        assert_int_equal(store_begin(fx->s), 0);
        int64_t page = put_page(fx->s, scan, "https://www.example.gov.cn/kept", 200);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM pages"), 0);
        assert_int_equal(store_links_put(fx->s, scan, page, &bad, 1), -EINVAL);
        add_finding(fx->s, scan, "dead_link", "https://www.example.gov.cn/gone", NULL, "死链");
        assert_int_equal(store_commit(fx->s), 0);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM pages"), 1);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM findings"), 1);

        assert_int_equal(store_commit(fx->s), -EINVAL);
        store_rollback(fx->s);  /* nothing open: harmless */
        put_page(fx->s, scan, "https://www.example.gov.cn/after", 200);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM pages"), 2);
}

/* A group commits whole or not at all: a failed call in it makes store_commit() roll
 * everything back, and the next transaction is an ordinary one again. */
static void test_group_transactions(void **state)
{
        struct fixture *fx = *state;
        int64_t scan = begin_scan(fx->s, SITE, T0);
        struct store_link bad = {.url = NULL};

        assert_int_equal(store_begin_group(fx->s), 0);
        assert_int_equal(store_begin_group(fx->s), -EBUSY);
        int64_t page = put_page(fx->s, scan, "https://www.example.gov.cn/g1", 200);
        add_finding(fx->s, scan, "dead_link", "https://www.example.gov.cn/g-gone", NULL, "死链");
        assert_int_equal(store_commit(fx->s), 0);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM pages"), 1);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM findings"), 1);

        assert_int_equal(store_begin_group(fx->s), 0);
        put_page(fx->s, scan, "https://www.example.gov.cn/g2", 200);
        assert_int_equal(store_links_put(fx->s, scan, page, &bad, 1), -EINVAL);
        put_page(fx->s, scan, "https://www.example.gov.cn/g3", 200);
        assert_int_equal(store_commit(fx->s), -EIO);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM pages"), 1);
        assert_int_equal(store_commit(fx->s), -EINVAL);

        /* An ordinary transaction after it: a failed call undoes only itself. */
        assert_int_equal(store_begin(fx->s), 0);
        put_page(fx->s, scan, "https://www.example.gov.cn/g4", 200);
        assert_int_equal(store_links_put(fx->s, scan, page, &bad, 1), -EINVAL);
        assert_int_equal(store_commit(fx->s), 0);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM pages"), 2);

        /* Rolled back by the caller. */
        assert_int_equal(store_begin_group(fx->s), 0);
        put_page(fx->s, scan, "https://www.example.gov.cn/g5", 200);
        store_rollback(fx->s);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM pages"), 2);
}

/* ---- reconcile ------------------------------------------------------------------------- */

static const char *const column_rules[] = {"column_stale", "dead_link"};

#define SUBJ_A "https://www.example.gov.cn/tzgg/"
#define SUBJ_B "https://www.example.gov.cn/zcwj/"
#define SUBJ_C "https://www.example.gov.cn/broken.pdf"

static int64_t complete_scan(struct store *s, int64_t now, const char *const *subjects, size_t n)
{
        int64_t scan = begin_scan(s, SITE, now);

        for (size_t i = 0; i < n; i++) {
                const char *rule = streq(subjects[i], SUBJ_C) ? "dead_link" : "column_stale";
                _cleanup_free_ char *detail = xasprintf("seen at %lld", (long long)now);
                add_finding(s, scan, rule, subjects[i], "区政府办", detail);
        }
        finish_scan(s, scan, SCAN_COMPLETE, now + 3600);
        return scan;
}

static struct store_reconcile_stats reconcile(struct store *s, int64_t scan, int64_t now)
{
        struct store_reconcile_stats stats = {-1, -1, -1, -1};

        assert_int_equal(store_reconcile(s, scan, column_rules, ARRAY_SIZE(column_rules), now,
                                         &stats),
                         0);
        return stats;
}

static void test_reconcile_lifecycle(void **state)
{
        struct fixture *fx = *state;
        const char *all[] = {SUBJ_A, SUBJ_B, SUBJ_C};
        const char *only_a[] = {SUBJ_A};
        const char *only_b[] = {SUBJ_B};
        struct store_reconcile_stats st;
        struct seen seen;
        int a, b, c;

        /* First scan: everything is new. */
        int64_t s1 = complete_scan(fx->s, T0, all, 3);
        st = reconcile(fx->s, s1, T0 + 3600);
        assert_int_equal(st.opened, 3);
        assert_int_equal(st.kept + st.reopened + st.fixed, 0);
        seen = list(fx->s, VIOLATION_OPEN, NULL, NULL, 0);
        assert_int_equal(seen.n, 3);

        /* Second scan sees A only: A is kept, B and C are fixed. */
        int64_t s2 = complete_scan(fx->s, T0 + DAY, only_a, 1);
        st = reconcile(fx->s, s2, T0 + DAY + 3600);
        assert_int_equal(st.opened, 0);
        assert_int_equal(st.kept, 1);
        assert_int_equal(st.reopened, 0);
        assert_int_equal(st.fixed, 2);
        seen = list(fx->s, -1, NULL, NULL, 0);
        a = find_subject(&seen, SUBJ_A);
        b = find_subject(&seen, SUBJ_B);
        c = find_subject(&seen, SUBJ_C);
        assert_true(a >= 0 && b >= 0 && c >= 0);
        assert_int_equal(seen.state[a], VIOLATION_OPEN);
        assert_int_equal(seen.times_seen[a], 2);
        assert_int_equal(seen.last_seen[a], T0 + DAY + 3600);
        assert_string_equal(seen.detail[a], "seen at 1700086400");
        assert_int_equal(seen.fixed_at[a], 0);
        assert_int_equal(seen.state[b], VIOLATION_FIXED);
        assert_int_equal(seen.fixed_at[b], T0 + DAY + 3600);
        assert_int_equal(seen.state[c], VIOLATION_FIXED);
        int64_t id_b = seen.id[b];

        /* Third scan finds B again: reopened; A not found: fixed. */
        int64_t s3 = complete_scan(fx->s, T0 + 2 * DAY, only_b, 1);
        st = reconcile(fx->s, s3, T0 + 2 * DAY + 3600);
        assert_int_equal(st.opened, 0);
        assert_int_equal(st.kept, 0);
        assert_int_equal(st.reopened, 1);
        assert_int_equal(st.fixed, 1);
        seen = list(fx->s, -1, NULL, NULL, 0);
        b = find_subject(&seen, SUBJ_B);
        assert_int_equal(seen.id[b], id_b);
        assert_int_equal(seen.state[b], VIOLATION_OPEN);
        assert_int_equal(seen.fixed_at[b], 0);
        assert_int_equal(seen.times_seen[b], 2);
        assert_int_equal(seen.state[find_subject(&seen, SUBJ_A)], VIOLATION_FIXED);

        /* B's history: opened by scan 1, fixed by scan 2, reopened by scan 3. */
        struct events ev = history(fx->s, id_b);
        assert_int_equal(ev.n, 3);
        assert_string_equal(ev.event[0], "opened");
        assert_int_equal(ev.scan_id[0], s1);
        assert_int_equal(ev.at[0], T0 + 3600);
        assert_string_equal(ev.event[1], "fixed");
        assert_int_equal(ev.scan_id[1], s2);
        assert_int_equal(ev.at[1], T0 + DAY + 3600);
        assert_string_equal(ev.event[2], "reopened");
        assert_int_equal(ev.scan_id[2], s3);
        assert_string_equal(ev.who[2], "");
        /* Kept violations add no history: A has opened and fixed only. */
        assert_int_equal(history(fx->s, seen.id[find_subject(&seen, SUBJ_A)]).n, 2);
        assert_int_equal(raw_int(fx->path, "SELECT fixed_scan FROM violations WHERE id = %lld",
                                 (long long)seen.id[find_subject(&seen, SUBJ_A)]),
                         s3);

        /* Reconciled once only; and an older scan cannot be folded in after a newer one. */
        assert_int_equal(store_reconcile(fx->s, s3, column_rules, 2, T0 + 3 * DAY, &st),
                         -EALREADY);
        assert_int_equal(store_reconcile(fx->s, s1, column_rules, 2, T0 + 3 * DAY, &st),
                         -EALREADY);
        int64_t late = complete_scan(fx->s, T0 + 3 * DAY, all, 3);
        int64_t later = complete_scan(fx->s, T0 + 4 * DAY, all, 3);
        reconcile(fx->s, later, T0 + 4 * DAY);
        assert_int_equal(store_reconcile(fx->s, late, column_rules, 2, T0 + 5 * DAY, &st),
                         -ESTALE);

        /* A probe of the same site, begun and reconciled while a crawl runs (or while an
         * interrupted crawl waits to resume), does not make that crawl stale: the two kinds
         * reconcile disjoint rules. */
        int64_t crawl = begin_scan(fx->s, SITE, T0 + 5 * DAY);
        int64_t probe;
        assert_int_equal(store_probe_scan_begin(fx->s, SITE, T0 + 5 * DAY + 60, &probe), 0);
        finish_scan(fx->s, probe, SCAN_COMPLETE, T0 + 5 * DAY + 70);
        static const char *const probe_rules[] = {"site_unavailable"};
        assert_int_equal(store_reconcile(fx->s, probe, probe_rules, 1, T0 + 5 * DAY + 70, &st), 0);
        add_finding(fx->s, crawl, "column_stale", SUBJ_A, "区政府办", "seen again");
        finish_scan(fx->s, crawl, SCAN_COMPLETE, T0 + 5 * DAY + 3600);
        assert_int_equal(store_reconcile(fx->s, crawl, column_rules, 2, T0 + 5 * DAY + 3600, &st),
                         0);
        assert_int_equal(store_violation_history(fx->s, 9999, collect_event, &ev), -ENOENT);
}

static void test_reconcile_rule_not_listed(void **state)
{
        struct fixture *fx = *state;
        const char *only_rule[] = {"column_stale"};
        struct store_reconcile_stats st;
        int64_t s1 = begin_scan(fx->s, SITE, T0);

        add_finding(fx->s, s1, "typo", "https://www.example.gov.cn/a.html#攻府", NULL, "错字");
        add_finding(fx->s, s1, "column_stale", SUBJ_A, NULL, "不更新");
        finish_scan(fx->s, s1, SCAN_COMPLETE, T0 + 10);
        assert_int_equal(store_reconcile(fx->s, s1, only_rule, 1, T0 + 10, &st), 0);
        assert_int_equal(st.opened, 2);

        /* The second scan ran only the column checks: the typo stays open. */
        int64_t s2 = begin_scan(fx->s, SITE, T0 + DAY);
        finish_scan(fx->s, s2, SCAN_COMPLETE, T0 + DAY + 10);
        assert_int_equal(store_reconcile(fx->s, s2, only_rule, 1, T0 + DAY + 10, &st), 0);
        assert_int_equal(st.fixed, 1);
        struct seen seen = list(fx->s, VIOLATION_OPEN, NULL, NULL, 0);
        assert_int_equal(seen.n, 1);
        assert_string_equal(seen.subject[0], "https://www.example.gov.cn/a.html#攻府");

        /* With no rule listed, nothing at all can be fixed. */
        int64_t s3 = begin_scan(fx->s, SITE, T0 + 2 * DAY);
        finish_scan(fx->s, s3, SCAN_COMPLETE, T0 + 2 * DAY + 10);
        assert_int_equal(store_reconcile(fx->s, s3, NULL, 0, T0 + 2 * DAY + 10, &st), 0);
        assert_int_equal(st.fixed, 0);
        assert_int_equal(list(fx->s, VIOLATION_OPEN, NULL, NULL, 0).n, 1);
}

static void test_reconcile_incomplete_refused(void **state)
{
        struct fixture *fx = *state;
        const char *all[] = {SUBJ_A, SUBJ_B, SUBJ_C};
        struct store_reconcile_stats st = {0};
        int64_t s1 = complete_scan(fx->s, T0, all, 3);

        reconcile(fx->s, s1, T0);

        /* An interrupted scan saw nothing: it must not fix A, B and C. */
        int64_t s2 = begin_scan(fx->s, SITE, T0 + DAY);
        finish_scan(fx->s, s2, SCAN_INTERRUPTED, T0 + DAY + 5);
        assert_int_equal(store_reconcile(fx->s, s2, column_rules, 2, T0 + DAY + 5, &st),
                         -EINVAL);
        assert_non_null(strstr(store_errmsg(fx->s), "interrupted"));
        int64_t s3 = begin_scan(fx->s, SITE, T0 + 2 * DAY);
        assert_int_equal(store_reconcile(fx->s, s3, column_rules, 2, T0 + 2 * DAY, &st),
                         -EINVAL);
        int64_t s4 = begin_scan(fx->s, SITE, T0 + 3 * DAY);
        finish_scan(fx->s, s4, SCAN_FAILED, T0 + 3 * DAY);
        assert_int_equal(store_reconcile(fx->s, s4, column_rules, 2, T0 + 3 * DAY, &st),
                         -EINVAL);
        assert_int_equal(store_reconcile(fx->s, s4 + 10, column_rules, 2, T0, &st), -ENOENT);

        assert_int_equal(list(fx->s, VIOLATION_OPEN, NULL, NULL, 0).n, 3);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM violation_events"), 3);
        /* Refused scans are not marked reconciled. */
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM scans"
                                           " WHERE reconciled_at IS NOT NULL"),
                         1);
}

static void test_accepted_stays_accepted(void **state)
{
        struct fixture *fx = *state;
        const char *only_a[] = {SUBJ_A};
        struct seen seen;

        int64_t s1 = complete_scan(fx->s, T0, only_a, 1);
        reconcile(fx->s, s1, T0);
        seen = list(fx->s, -1, NULL, NULL, 0);
        assert_int_equal(seen.n, 1);
        int64_t id = seen.id[0];

        /* Accepting needs who and why; fixing by hand is not allowed. */
        assert_int_equal(store_violation_set_state(fx->s, id, VIOLATION_ACCEPTED, T0 + 100,
                                                   "张三", NULL),
                         -EINVAL);
        assert_int_equal(store_violation_set_state(fx->s, id, VIOLATION_FIXED, T0 + 100, "张三",
                                                   "已改"),
                         -EINVAL);
        assert_int_equal(store_violation_set_state(fx->s, id + 1, VIOLATION_ACCEPTED, T0,
                                                   "张三", "无"),
                         -ENOENT);
        assert_int_equal(store_violation_set_state(fx->s, id, VIOLATION_ACCEPTED, T0 + 100,
                                                   "张三", "本年度无人事变动"),
                         0);

        /* Seen again: still accepted, but seen. */
        int64_t s2 = complete_scan(fx->s, T0 + DAY, only_a, 1);
        struct store_reconcile_stats st = reconcile(fx->s, s2, T0 + DAY);
        assert_int_equal(st.opened + st.kept + st.reopened + st.fixed, 0);
        seen = list(fx->s, -1, NULL, NULL, 0);
        assert_int_equal(seen.state[0], VIOLATION_ACCEPTED);
        assert_int_equal(seen.times_seen[0], 2);
        assert_int_equal(seen.last_seen[0], T0 + DAY);

        /* Not seen: an accepted violation is not "fixed" either. */
        int64_t s3 = complete_scan(fx->s, T0 + 2 * DAY, NULL, 0);
        st = reconcile(fx->s, s3, T0 + 2 * DAY);
        assert_int_equal(st.fixed, 0);
        assert_int_equal(list(fx->s, VIOLATION_ACCEPTED, NULL, NULL, 0).n, 1);

        /* Reopened by hand, then fixed by the next complete scan. */
        assert_int_equal(store_violation_set_state(fx->s, id, VIOLATION_OPEN, T0 + 3 * DAY,
                                                   "李四", "复核发现仍需更新"),
                         0);
        int64_t s4 = complete_scan(fx->s, T0 + 4 * DAY, NULL, 0);
        st = reconcile(fx->s, s4, T0 + 4 * DAY);
        assert_int_equal(st.fixed, 1);

        struct events ev = history(fx->s, id);
        assert_int_equal(ev.n, 4);
        assert_string_equal(ev.event[0], "opened");
        assert_string_equal(ev.event[1], "accepted");
        assert_int_equal(ev.scan_id[1], 0);
        assert_int_equal(ev.at[1], T0 + 100);
        assert_string_equal(ev.who[1], "张三");
        assert_string_equal(ev.why[1], "本年度无人事变动");
        assert_string_equal(ev.event[2], "reopened");
        assert_string_equal(ev.who[2], "李四");
        assert_int_equal(ev.scan_id[2], 0);
        assert_string_equal(ev.event[3], "fixed");
        assert_int_equal(ev.scan_id[3], s4);
}

static int stop_after_first(const struct store_violation *v, void *userdata)
{
        (*(int *)userdata)++;
        return 42;
}

static void test_filters(void **state)
{
        struct fixture *fx = *state;
        struct store_reconcile_stats st;
        struct seen seen;

        /* Site 1, scan 1: three findings for two units. */
        int64_t s1 = begin_scan(fx->s, SITE, T0);
        add_finding(fx->s, s1, "column_stale", SUBJ_B, "区教育局", "old B");
        add_finding(fx->s, s1, "column_stale", SUBJ_A, "区政府办", "old A");
        add_finding(fx->s, s1, "dead_link", SUBJ_C, "区政府办", "old C");
        finish_scan(fx->s, s1, SCAN_COMPLETE, T0 + 1);
        reconcile(fx->s, s1, T0 + 1);
        /* Site 1, scan 2: A again with a new detail, C gone. */
        int64_t s2 = begin_scan(fx->s, SITE, T0 + DAY);
        add_finding(fx->s, s2, "column_stale", SUBJ_A, "区政府办", "new A");
        add_finding(fx->s, s2, "column_stale", SUBJ_B, "区教育局", "new B");
        finish_scan(fx->s, s2, SCAN_COMPLETE, T0 + DAY);
        st = reconcile(fx->s, s2, T0 + DAY);
        assert_int_equal(st.fixed, 1);
        /* Site 2: one finding. */
        int64_t s3 = begin_scan(fx->s, "aaa.gov.cn", T0);
        struct store_finding f = {.rule = "column_blank", .subject = "https://aaa.gov.cn/x/",
                                  .detail = "空白栏目", .severity = SEVERITY_SERIOUS};
        assert_int_equal(store_finding_add(fx->s, s3, &f), 0);
        finish_scan(fx->s, s3, SCAN_COMPLETE, T0);
        reconcile(fx->s, s3, T0);

        /* All, ordered by site, unit, rule, subject: aaa.gov.cn first, then 区政府办's
         * column_stale A, dead_link C, then 区教育局's B (UTF-8 byte order of the units). */
        seen = list(fx->s, -1, NULL, NULL, 0);
        assert_int_equal(seen.n, 4);
        assert_string_equal(seen.subject[0], "https://aaa.gov.cn/x/");
        assert_int_equal(strcmp("区政府办", "区教育局") < 0, 1);
        assert_string_equal(seen.subject[1], SUBJ_A);
        assert_string_equal(seen.subject[2], SUBJ_C);
        assert_string_equal(seen.subject[3], SUBJ_B);

        assert_int_equal(list(fx->s, VIOLATION_OPEN, NULL, NULL, 0).n, 3);
        seen = list(fx->s, VIOLATION_FIXED, NULL, NULL, 0);
        assert_int_equal(seen.n, 1);
        assert_string_equal(seen.subject[0], SUBJ_C);
        assert_int_equal(list(fx->s, VIOLATION_ACCEPTED, NULL, NULL, 0).n, 0);
        assert_int_equal(list(fx->s, -1, SITE, NULL, 0).n, 3);
        assert_int_equal(list(fx->s, -1, "aaa.gov.cn", NULL, 0).n, 1);
        assert_int_equal(list(fx->s, VIOLATION_OPEN, SITE, "column_stale", 0).n, 2);
        assert_int_equal(list(fx->s, -1, NULL, "dead_link", 0).n, 1);

        /* By scan: scan 1 found A, B and C and shows what it saw then. */
        seen = list(fx->s, -1, NULL, NULL, s1);
        assert_int_equal(seen.n, 3);
        int a = find_subject(&seen, SUBJ_A);
        assert_string_equal(seen.detail[a], "old A");
        assert_string_equal(seen.unit[a], "区政府办");
        assert_int_equal(seen.times_seen[a], 2);
        seen = list(fx->s, -1, NULL, NULL, s2);
        assert_int_equal(seen.n, 2);
        assert_string_equal(seen.detail[find_subject(&seen, SUBJ_A)], "new A");
        assert_int_equal(list(fx->s, VIOLATION_FIXED, NULL, NULL, s1).n, 1);
        assert_int_equal(list(fx->s, VIOLATION_FIXED, NULL, NULL, s2).n, 0);
        assert_int_equal(list(fx->s, -1, "aaa.gov.cn", NULL, s1).n, 0);

        /* A non-zero return stops the walk and is passed back. */
        int calls = 0;
        assert_int_equal(store_violations_foreach(fx->s, NULL, stop_after_first, &calls), 42);
        assert_int_equal(calls, 1);
        struct store_violation_filter bad = {.state = 7};
        assert_int_equal(store_violations_foreach(fx->s, &bad, collect, &seen), -EINVAL);
}

/* ---- processes that die ----------------------------------------------------------------- */

static void test_running_becomes_interrupted(void **state)
{
        struct fixture *fx = *state;
        int64_t scan = begin_scan(fx->s, SITE, T0);

        put_page(fx->s, scan, "https://www.example.gov.cn/", 200);   /* fetched at T0 + 5 */
        store_close(fx->s);
        fx->s = NULL;
        assert_int_equal(store_open(fx->path, &fx->s, NULL), 0);
        struct store_scan got = last_scan(fx->s, SITE);
        assert_int_equal(got.id, scan);
        assert_int_equal(got.state, SCAN_INTERRUPTED);
        assert_int_equal(got.finished_at, T0 + 5);
        /* And it can no longer be finished or reconciled. */
        assert_int_equal(store_scan_finish(fx->s, scan, SCAN_COMPLETE, T0 + 9, NULL), -EINVAL);
}

/* A scan whose process still runs (the daemon's) must survive another process opening the
 * store (the command line). */
static void test_live_scan_left_running(void **state)
{
        struct fixture *fx = *state;
        int to_child[2], from_child[2];
        int64_t scan = 0;
        pid_t pid;
        char c = 0;

        store_close(fx->s);
        fx->s = NULL;
        assert_int_equal(pipe(to_child), 0);
        assert_int_equal(pipe(from_child), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct store *s;
                int64_t id;

                close(to_child[1]);
                close(from_child[0]);
                if (store_open(fx->path, &s, NULL) < 0 ||
                    store_scan_begin(s, SITE, T0, &id) < 0)
                        _exit(1);
                if (write(from_child[1], &id, sizeof(id)) != sizeof(id))
                        _exit(2);
                /* Hold the scan until the parent has looked. */
                if (read(to_child[0], &c, 1) < 0)
                        _exit(3);
                _exit(0);
        }
        close(to_child[0]);
        close(from_child[1]);
        assert_int_equal(read(from_child[0], &scan, sizeof(scan)), sizeof(scan));

        assert_int_equal(store_open(fx->path, &fx->s, NULL), 0);
        assert_int_equal(last_scan(fx->s, SITE).state, SCAN_RUNNING);
        store_close(fx->s);
        fx->s = NULL;

        assert_int_equal(write(to_child[1], "x", 1), 1);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        close(to_child[1]);
        close(from_child[0]);

        /* Its process is gone now, without finishing the scan. */
        assert_int_equal(store_open(fx->path, &fx->s, NULL), 0);
        struct store_scan got = last_scan(fx->s, SITE);
        assert_int_equal(got.id, scan);
        assert_int_equal(got.state, SCAN_INTERRUPTED);
}

#define LINKS_PER_PAGE 17

/* The child of the crash test: writes pages with their links and a finding, one
 * transaction per page, until it is killed. Every few pages a finding is also written in
 * its own implicit transaction, so that the kill can land in either kind. */
static _noreturn_ void crash_writer(const char *path, int fd)
{
        struct store_link links[LINKS_PER_PAGE];
        char urls[LINKS_PER_PAGE][64];
        struct store *s;
        int64_t scan;

        if (store_open(path, &s, NULL) < 0 || store_scan_begin(s, SITE, T0, &scan) < 0)
                _exit(1);
        if (write(fd, &scan, sizeof(scan)) != sizeof(scan))
                _exit(2);
        for (int i = 0;; i++) {
                char url[64], subject[80];
                int64_t page;

                snprintf(url, sizeof(url), "https://www.example.gov.cn/p/%d.html", i);
                for (int k = 0; k < LINKS_PER_PAGE; k++) {
                        snprintf(urls[k], sizeof(urls[k]), "https://www.example.gov.cn/l/%d/%d",
                                 i, k);
                        links[k] = (struct store_link){.url = urls[k], .kind = "a",
                                                       .text = "链接文字", .scope = "site"};
                }
                struct store_page p = {.url = url, .kind = "article", .status = 200,
                                       .fetched_at = T0 + i, .parsed = true};
                struct store_finding f = {.rule = "dead_link", .subject = url,
                                          .detail = "死链"};
                if (store_begin(s) < 0 || store_page_put(s, scan, &p, &page) < 0 ||
                    store_links_put(s, scan, page, links, LINKS_PER_PAGE) < 0 ||
                    store_finding_add(s, scan, &f) < 0 || store_commit(s) < 0)
                        _exit(3);
                if (i % 5 == 0) {
                        snprintf(subject, sizeof(subject), "%s#extra", url);
                        f.subject = subject;
                        f.rule = "typo";
                        if (store_finding_add(s, scan, &f) < 0)
                                _exit(4);
                }
        }
}

static void test_crash_safety(void **state)
{
        struct fixture *fx = *state;

        store_close(fx->s);
        fx->s = NULL;
        /* Several rounds with different delays, so the kill lands at different points. */
        for (int round = 0; round < 3; round++) {
                int fds[2], status;
                int64_t scan = 0;
                pid_t pid;

                assert_int_equal(pipe(fds), 0);
                pid = fork();
                assert_true(pid >= 0);
                if (pid == 0) {
                        close(fds[0]);
                        crash_writer(fx->path, fds[1]);
                }
                close(fds[1]);
                assert_int_equal(read(fds[0], &scan, sizeof(scan)), sizeof(scan));
                close(fds[0]);
                struct timespec delay = {.tv_nsec = (170 + 30 * round) * 1000000L};
                nanosleep(&delay, NULL);
                assert_int_equal(kill(pid, SIGKILL), 0);
                assert_int_equal(waitpid(pid, &status, 0), pid);
                /* Killed, not exited on an error of its own. */
                assert_true(WIFSIGNALED(status));
                assert_int_equal(WTERMSIG(status), SIGKILL);

                assert_int_equal(store_open(fx->path, &fx->s, NULL), 0);
                _cleanup_free_ char *check = raw_text(fx->path, "PRAGMA integrity_check");
                assert_string_equal(check, "ok");
                assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM pragma_foreign_key_check"),
                                 0);
                int64_t pages = raw_int(fx->path, "SELECT count(*) FROM pages WHERE scan_id = %lld",
                                        (long long)scan);
                assert_true(pages > 0);
                /* Every page has all its links, and its finding. */
                assert_int_equal(raw_int(fx->path,
                                         "SELECT count(*) FROM pages p WHERE p.scan_id = %lld AND"
                                         " (SELECT count(*) FROM links l WHERE l.page_id = p.id)"
                                         " != %d",
                                         (long long)scan, LINKS_PER_PAGE),
                                 0);
                assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM links"
                                                   " WHERE scan_id = %lld",
                                         (long long)scan),
                                 pages * LINKS_PER_PAGE);
                assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM findings WHERE"
                                                   " scan_id = %lld AND rule = 'dead_link'",
                                         (long long)scan),
                                 pages);
                struct store_scan got = last_scan(fx->s, SITE);
                assert_int_equal(got.id, scan);
                assert_int_equal(got.state, SCAN_INTERRUPTED);
                assert_true(got.finished_at >= T0 && got.finished_at < T0 + pages);
                struct store_reconcile_stats st;
                assert_int_equal(store_reconcile(fx->s, scan, column_rules, 2, T0, &st), -EINVAL);
                store_close(fx->s);
                fx->s = NULL;
        }
        assert_int_equal(store_open(fx->path, &fx->s, NULL), 0);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM scans WHERE state = 'running'"),
                         0);
        assert_int_equal(raw_int(fx->path, "SELECT count(*) FROM violations"), 0);
}

/* The daily check of the homepage's links looks at one page: its reconcile fixes the dead
 * links found on the homepage that it no longer finds, and nothing found elsewhere. */
static void test_reconcile_page(void **state)
{
        struct fixture *fx = *state;
        static const char *const dead[] = {"dead_link"};
        const char *home = "http://www.example.gov.cn/index.html";
        const char *other = "http://www.example.gov.cn/a/1.html";
        struct store_reconcile_stats st;
        int64_t crawl = begin_scan(fx->s, SITE, T0), links;

        for (int i = 0; i < 2; i++) {
                struct store_finding f = {
                        .site = SITE,
                        .rule = "dead_link",
                        .kind = FINDING_VIOLATION,
                        .severity = SEVERITY_SERIOUS,
                        .subject = i ? "http://gone.example/b" : "http://gone.example/a",
                        .url = i ? other : home,
                        .detail = "404",
                };
                assert_int_equal(store_finding_add(fx->s, crawl, &f), 0);
        }
        finish_scan(fx->s, crawl, SCAN_COMPLETE, T0 + 60);
        assert_int_equal(store_reconcile(fx->s, crawl, dead, 1, T0 + 60, &st), 0);
        assert_int_equal(st.opened, 2);

        /* The homepage check finds neither: only the homepage's dead link is fixed. */
        assert_int_equal(store_scan_begin_kind(fx->s, SITE, "links", T0 + DAY, &links), 0);
        finish_scan(fx->s, links, SCAN_COMPLETE, T0 + DAY + 10);
        assert_int_equal(store_reconcile_page(fx->s, links, dead, 1, home, T0 + DAY + 10, &st), 0);
        assert_int_equal(st.fixed, 1);
        struct seen seen = list(fx->s, VIOLATION_OPEN, SITE, "dead_link", 0);
        assert_int_equal(seen.n, 1);
        assert_string_equal(seen.subject[0], "http://gone.example/b");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_fresh_open, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reopen_idempotent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_a_database, setup, teardown),
                cmocka_unit_test_setup_teardown(test_scan_finish, setup, teardown),
                cmocka_unit_test_setup_teardown(test_page_put_upsert, setup, teardown),
                cmocka_unit_test_setup_teardown(test_links_put, setup, teardown),
                cmocka_unit_test_setup_teardown(test_finding_replace, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_group_transactions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reconcile_lifecycle, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reconcile_rule_not_listed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reconcile_incomplete_refused, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_accepted_stays_accepted, setup, teardown),
                cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
                cmocka_unit_test_setup_teardown(test_running_becomes_interrupted, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(test_live_scan_left_running, setup, teardown),
                cmocka_unit_test_setup_teardown(test_crash_safety, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reconcile_page, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

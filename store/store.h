/* The store: everything xunjian remembers between runs — scans, the pages and links each
 * scan fetched, the findings each scan made, and the violations those findings add up to.
 *
 * One interface, one SQLite implementation (WAL mode). Every write of one page, or one
 * batch, is one transaction, so a process killed at any moment leaves the database
 * consistent; a scan left "running" by such a kill is marked "interrupted" when the store
 * is next opened, and its findings are never reconciled.
 *
 * Errors: 0 on success, negative errno-style codes on failure (-EIO for SQLite errors,
 * -EINVAL for misuse, -ENOENT for missing rows); store_errmsg() has SQLite's message.
 * Strings passed in are borrowed and copied into the database; strings handed to
 * callbacks are valid only during the callback. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/finding.h"

struct store;

/* Opens (creating if needed) the database at path, sets WAL mode, foreign keys and a busy
 * timeout, and migrates the schema to the current version inside one transaction.
 * A database newer than this program is refused with -EPROTO. On failure *ret_error (if
 * non-NULL) receives a message the caller frees.
 * Scans left running by a process that no longer exists (pid and boot id are recorded by
 * store_scan_begin) become SCAN_INTERRUPTED; a scan whose process still runs, e.g. the
 * daemon's while the command line opens the store, is left alone. A scan begun by this same
 * process counts as dead: use one store per process. */
int store_open(const char *path, struct store **ret, char **ret_error);
/* Accepts NULL. */
void store_close(struct store *s);
/* The last SQLite error message of this connection; valid until the next call. */
const char *store_errmsg(struct store *s);
/* The schema version this program writes. */
int store_schema_version(void);

/* Explicit transactions, for callers that batch several writes (the functions below run
 * in their own transaction when none is open, and in a savepoint inside the caller's, so a
 * failed call undoes only its own writes). Nested store_begin() is -EBUSY. A failed
 * store_commit() has rolled the transaction back. */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

enum scan_state {
        SCAN_RUNNING = 0,
        SCAN_COMPLETE = 1,     /* every planned fetch finished: its findings may fix violations */
        SCAN_INTERRUPTED = 2,  /* killed, or stopped by a signal */
        SCAN_FAILED = 3,       /* could not run (e.g. the homepage was unreachable) */
};
const char *scan_state_id(enum scan_state s);

struct store_scan_stats {
        int64_t pages;        /* fetched and parsed */
        int64_t checked;      /* links checked without parsing */
        int64_t errors;       /* fetches that failed */
        int64_t bytes;        /* body bytes received */
        int64_t findings;
};

struct store_scan {
        int64_t id;
        const char *site;
        enum scan_state state;
        int64_t started_at, finished_at;   /* finished_at 0 while running */
        struct store_scan_stats stats;
};

/* Records the start of a scan of site at now. */
int store_scan_begin(struct store *s, const char *site, int64_t now, int64_t *ret_scan_id);
/* Records the end of a scan with its state (not SCAN_RUNNING) and numbers (stats may be
 * NULL). Only a running scan can end: -EINVAL otherwise, -ENOENT for an unknown scan. */
int store_scan_finish(struct store *s, int64_t scan_id, enum scan_state state, int64_t now,
                      const struct store_scan_stats *stats);
/* The most recent scan of site (any state), or -ENOENT. */
typedef int (*store_scan_fn)(const struct store_scan *scan, void *userdata);
int store_scan_last(struct store *s, const char *site, store_scan_fn fn, void *userdata);

/* One URL fetched in a scan: a page that was parsed, or a link that was only checked. */
struct store_page {
        const char *url;
        const char *final_url;     /* after redirects; NULL when the same */
        const char *kind;          /* "homepage", "list", "article", "resource" */
        const char *column;        /* the column it was reached from, or NULL */
        int depth;
        long status;               /* HTTP status, 0 when no response */
        const char *error;         /* transport error text, or NULL */
        const char *content_type;
        const char *charset;       /* charset the body was decoded from, or NULL */
        int64_t bytes;
        int64_t fetched_at;
        double seconds;
        int attempts;
        bool parsed;
        const char *title;
        const char *pubdate;       /* "YYYY-MM-DD" or NULL */
        const char *etag;
        const char *last_modified;
};
/* Inserts, or replaces the row with the same (scan, url). A replaced page keeps its id and
 * loses the links stored for it: they described the earlier fetch. */
int store_page_put(struct store *s, int64_t scan_id, const struct store_page *p,
                   int64_t *ret_page_id);

/* One link found on a page. */
struct store_link {
        const char *url;
        const char *kind;          /* "a", "img", "script", "link", "iframe", ... */
        const char *text;          /* anchor text or alt, may be NULL */
        const char *scope;         /* "site" (站内), "domain" (域内), "external" (域外) */
};
/* Inserts the page's links in one statement loop (inside the caller's transaction, or its
 * own). The page must belong to scan_id (-EINVAL) and exist (-ENOENT). */
int store_links_put(struct store *s, int64_t scan_id, int64_t page_id,
                    const struct store_link *links, size_t n);

/* What a scan saw. (site, rule, subject) identifies the problem across scans: the subject
 * is the column URL for column rules, the link URL for dead links, the page URL plus the
 * word for dictionary hits, and so on. */
struct store_finding {
        const char *site;
        const char *rule;          /* "dead_link", "column_stale", "column_blank", ... */
        enum finding_kind kind;
        enum severity severity;
        const char *subject;
        const char *unit;          /* 责任单位 name, or NULL */
        const char *column;        /* column name, or NULL */
        const char *url;           /* where to look */
        const char *detail;        /* one Chinese sentence with the number that was broken */
        const char *evidence;      /* JSON text, or NULL */
};
/* Adds a finding to a scan. A second finding with the same (rule, subject) in the same
 * scan replaces the first. f->site may be NULL (the scan's site); another site is -EINVAL. */
int store_finding_add(struct store *s, int64_t scan_id, const struct store_finding *f);

struct store_reconcile_stats {
        int opened;     /* new violations */
        int kept;       /* open and seen again */
        int reopened;   /* were fixed, seen again */
        int fixed;      /* open, not seen by this scan: fixed */
        /* Accepted violations seen again are in none of these. */
};
/* Folds a COMPLETE scan's findings into the violations of its site, in one transaction:
 * a finding with no violation opens one; an open one is kept (last_seen, times_seen,
 * detail updated); a fixed one is reopened; an accepted one stays accepted but is marked
 * seen. Open violations of the scan's site whose rule is one of rules[0..n_rules) and that
 * the scan did not find are marked fixed by this scan. Every state change is written to
 * the violation's history. A scan that is not COMPLETE is refused with -EINVAL, so an
 * interrupted scan never marks anything fixed. Reconciling the same scan twice is a no-op
 * the second time (-EALREADY). A scan older than one of the same site already reconciled
 * is refused with -ESTALE: its findings would undo the newer scan's. Times are now. */
int store_reconcile(struct store *s, int64_t scan_id, const char *const *rules, size_t n_rules,
                    int64_t now, struct store_reconcile_stats *ret_stats);

struct store_violation {
        int64_t id;
        const char *site, *rule, *subject;
        enum finding_kind kind;
        enum severity severity;
        enum violation_state state;
        const char *unit, *column, *url, *detail, *evidence;
        int64_t first_seen, last_seen, fixed_at;   /* fixed_at 0 unless fixed */
        int64_t times_seen;
};

struct store_violation_filter {
        int state;              /* an enum violation_state, or -1 for all */
        const char *site;       /* NULL for all */
        const char *rule;       /* NULL for all */
        int64_t scan_id;        /* > 0: only violations the given scan found */
};
typedef int (*store_violation_fn)(const struct store_violation *v, void *userdata);
/* Calls fn for each matching violation ordered by site, unit, rule, subject. A non-zero
 * return from fn stops the walk and is returned. */
int store_violations_foreach(struct store *s, const struct store_violation_filter *filter,
                             store_violation_fn fn, void *userdata);

/* Sets a violation's state by hand (accept an exception, reopen), recording who and why
 * in its history. who is required, and why when accepting. VIOLATION_FIXED is -EINVAL:
 * only a complete re-check closes a problem. Setting the current state again is a no-op. */
int store_violation_set_state(struct store *s, int64_t violation_id, enum violation_state state,
                              int64_t now, const char *who, const char *why);

struct store_violation_event {
        int64_t at;
        int64_t scan_id;        /* 0 when a person made the change */
        const char *event;      /* "opened", "reopened", "fixed", "accepted", ... */
        const char *who, *why;  /* may be NULL */
};
typedef int (*store_event_fn)(const struct store_violation_event *e, void *userdata);
int store_violation_history(struct store *s, int64_t violation_id, store_event_fn fn,
                            void *userdata);

/* ---- the crawl: frontier, resumable scans, page cache (store/store_frontier.c) ---------- */

/* Takes an interrupted scan back into the running state, owned by this process, so that its
 * crawl continues from the stored frontier. Only an interrupted scan that was never
 * reconciled can resume: -EINVAL otherwise, -ENOENT for an unknown scan. */
int store_scan_resume(struct store *s, int64_t scan_id);
/* The fingerprint of what a scan crawls (site, columns, caps): recorded at its start and
 * compared before resuming it, because the frontier refers to columns by position.
 * get: -ENOENT when none was recorded; *ret_fingerprint is a copy the caller frees. */
int store_scan_plan_set(struct store *s, int64_t scan_id, const char *fingerprint);
int store_scan_plan_get(struct store *s, int64_t scan_id, char **ret_fingerprint);

/* The frontier of one scan of one site, and that site's page cache, with their statements
 * prepared once. Opened by the crawl, closed (accepts NULL) before store_close(). The
 * crawler's enumerations (kind, link kind, verdict, failure) are passed as its text ids. */
struct store_frontier;
int store_frontier_open(struct store *s, int64_t scan_id, const char *site,
                        struct store_frontier **ret);
void store_frontier_close(struct store_frontier *f);

struct store_frontier_add {
        const char *url, *kind, *link_kind;
        int prio, column, depth;
        int64_t referrer;               /* frontier id of the linking page, 0: none */
};
/* Adds url as queued when the scan has not met it: *ret_added true. Otherwise nothing
 * changes and *ret_added is false. Either way *ret_id is the URL's row. */
int store_frontier_add(struct store_frontier *f, const struct store_frontier_add *a,
                       int64_t *ret_id, bool *ret_added);
/* 1 and *ret_id when the scan has met url, 0 when not. */
int store_frontier_find(struct store_frontier *f, const char *url, int64_t *ret_id);
/* A column's list claims url: its column becomes `column` if it had none and its kind is
 * "article" or "page" (any kind with any_kind). Returns 1 when claimed, 0 when not
 * (unknown URL, already claimed). */
int store_frontier_claim(struct store_frontier *f, const char *url, int column, bool any_kind);
/* Gives url a referrer when it has none (a planned URL met as a link). 1 when set. */
int store_frontier_set_referrer(struct store_frontier *f, const char *url, int64_t referrer,
                                const char *link_kind);

/* A leased row: owned strings, freed by store_frontier_rows_free(). */
struct store_frontier_row {
        int64_t id;
        char *url, *kind, *link_kind;
        int prio, column, depth, attempts;
        int64_t referrer;
        char *history;                  /* JSON array of the attempts so far, or NULL */
};
/* Leases up to max queued rows due at now_ms (not_before <= now_ms), by priority then
 * discovery order; they become "leased" until requeued or done. */
int store_frontier_lease(struct store_frontier *f, int64_t now_ms, size_t max,
                         struct store_frontier_row **ret_rows, size_t *ret_n);
void store_frontier_rows_free(struct store_frontier_row *rows, size_t n);
/* Puts a leased row back in the queue, due at not_before_ms (a retry, a host in backoff). */
int store_frontier_requeue(struct store_frontier *f, int64_t id, int64_t not_before_ms,
                           int attempts, const char *history);
/* The number of queued rows and the soonest not_before among them (0 when none). */
int store_frontier_queued(struct store_frontier *f, int64_t *ret_count, int64_t *ret_next_ms);
/* Leased rows go back to the queue, due at once: a resumed scan's rows that the killed
 * process had in memory or in flight. Returns the number of rows requeued. */
int store_frontier_reset(struct store_frontier *f);

struct store_frontier_result {
        int64_t id;
        const char *verdict;            /* "ok", "dead", "suspect", "skipped" */
        long status;
        const char *failure, *error, *final_url, *content_type;
        int attempts;
        const char *history;
        bool parsed;
        bool has_pubdate;
        int32_t pubdate;                /* xj_day */
        const char *soft404;            /* why a 200 answer is an error page, or NULL */
};
int store_frontier_done(struct store_frontier *f, const struct store_frontier_result *r);

/* A finished row, with the URL and column of the page that first linked it. */
struct store_frontier_done_row {
        struct store_frontier_result r;
        const char *url, *kind, *link_kind;
        int column, depth;
        const char *referrer_url;       /* NULL: none */
        int referrer_column;
};
typedef int (*store_frontier_fn)(const struct store_frontier_done_row *row, void *userdata);
/* Calls fn for each done row in discovery order; broken_only: those whose verdict is
 * "dead" or "suspect" and that have a referrer, and pages (kind other than "resource")
 * whose body was over the cap (failure "too_large"). fn must not call the frontier
 * functions above. A non-zero return stops the walk and is returned. */
int store_frontier_foreach_done(struct store_frontier *f, bool broken_only,
                                store_frontier_fn fn, void *userdata);
/* The date a done page showed for itself: 1 and *ret_day, or 0 when none is known. */
int store_frontier_pubdate(struct store_frontier *f, const char *url, int32_t *ret_day);
/* Deletes the rows of a scan; called once it has completed. */
int store_frontier_clear(struct store *s, int64_t scan_id);

/* A page's links during a crawl: appended to an unindexed staging table (the indexes of
 * links cost more than everything else a page needs, written page by page), and moved to
 * links when the scan completes, by store_links_publish(), in one statement. Same
 * arguments and checks as store_links_put() except that the page is not looked up. */
int store_links_stage(struct store *s, int64_t scan_id, int64_t page_id,
                      const struct store_link *links, size_t n);
int store_links_publish(struct store *s, int64_t scan_id);

/* The page cache of the frontier's site: what the checks need from a parsed page, with its
 * validators. Strings and the extract are valid only during the callback. */
struct store_cached_page {
        const char *etag, *last_modified, *parse_key, *content_type, *charset;
        const void *extract;
        size_t extract_len;
};
typedef int (*store_cached_page_fn)(const struct store_cached_page *p, void *userdata);
/* Calls fn with the entry for url and returns its result, or -ENOENT. */
int store_page_cache_get(struct store_frontier *f, const char *url, store_cached_page_fn fn,
                         void *userdata);
/* Inserts or replaces the entry for url, as used by the frontier's scan. */
int store_page_cache_put(struct store_frontier *f, const char *url,
                         const struct store_cached_page *p);
/* Marks the entry for url as used by the frontier's scan (a 304 reused it). */
int store_page_cache_touch(struct store_frontier *f, const char *url);
/* Deletes the site's entries no scan since `scan_id` used: pages gone from the site. */
int store_page_cache_prune(struct store *s, const char *site, int64_t scan_id);

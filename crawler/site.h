/* Crawling one site: the homepage, every configured column with its further list pages,
 * the articles those lists link to, and a check of every other link found on the way.
 *
 * The crawl runs on the caller's loop through the HTTP engine. Each URL is fetched once per
 * crawl; fetches are ordered by priority (homepage, then column pages, then articles, then
 * link checks) so that a column claims its articles before anything else does.
 *
 * The frontier lives in the store (store_frontier_*): the crawl keeps only a window of
 * leased URLs in memory, so RAM stays bounded however many URLs a site has, and a crawl
 * killed at any moment resumes from what was committed (site_crawl_resume). Finished
 * fetches are committed in groups (up to 512 fetches or one second): each fetch's frontier
 * row, the URLs it discovered, its page-cache entry and whatever on_fetch writes go into
 * the same transaction, so a kill leaves whole pages behind, and what a kill loses was
 * still leased and is fetched again on resume.
 *
 * Politeness, per origin (scheme, host, port): at most max_host_connections in flight, a
 * minimum delay between request starts, a pause honouring Retry-After on 429 and 503, and
 * robots.txt (RFC 9309) unless the plan ignores it. Pages whose server says 304 Not
 * Modified are rebuilt from the page cache. Soft 404s (error titles, the host's error
 * template learned from a probe of a URL that cannot exist) are dead links. A certificate
 * problem on the site's own host is recorded and that host is then fetched without
 * verification, so the rest of the checks still run.
 *
 * Ownership: site_crawl_new() copies nothing from plan but keeps pointers to it: the plan
 * and the store must outlive the crawl. The results belong to the crawl and are freed by
 * site_crawl_free(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <uv.h>

#include "common/dates.h"
#include "common/util.h"
#include "crawler/html.h"
#include "crawler/http.h"
#include "crawler/url.h"
#include "store/store.h"

struct site_plan_column {
        const char *name;
        const char *url;
        const char *item_selector;      /* may be NULL */
};

struct site_plan {
        const char *site;               /* id, for messages */
        const char *base_url;
        const char *homepage;
        const struct site_plan_column *columns;
        size_t n_columns;

        int max_pages;
        int max_depth;
        int max_list_pages;
        int max_links_per_page;
        int max_url_length;
        int retries;                    /* extra attempts for transient failures */
        long retry_delay_ms;            /* first retry delay; doubles, with jitter */
        size_t max_page_body;           /* bytes kept of a page we parse */
        size_t max_check_body;          /* bytes kept when only checking a link */
        xj_day today;
        int hidden_offset_px;           /* html_options: what counts as hidden */
        int hidden_tiny_px;
        int64_t now;                    /* Unix time of the scan, for the evidence */

        /* Politeness and traps. */
        bool obey_robots;               /* false: the site's ignore_robots */
        const char *robots_token;       /* product token in robots.txt, "xunjian" */
        int max_host_connections;       /* in flight per origin */
        long host_delay_ms;             /* between two request starts on one origin */
        long max_retry_after_ms;        /* longest Retry-After honoured */
        int max_urls_per_path;          /* query-string variants of one path */
        const struct strv *soft404_titles;      /* error-page titles ("页面不存在"), borrowed */
};

enum site_fetch_kind {
        SITE_FETCH_HOMEPAGE = 0,
        SITE_FETCH_COLUMN,              /* the column's own URL */
        SITE_FETCH_LIST,                /* a further page of a column list */
        SITE_FETCH_ARTICLE,             /* an item of a column list */
        SITE_FETCH_PAGE,                /* another page of the site, parsed */
        SITE_FETCH_CHECK,               /* a link that is only checked */
};
const char *site_fetch_kind_id(enum site_fetch_kind k);

/* How a link check or page fetch ended, as the dead-link rule sees it. */
enum site_link_verdict {
        LINK_OK = 0,
        LINK_DEAD,              /* 404, 403, 410: confirmed */
        LINK_SUSPECT,           /* timeouts, 5xx, DNS, connection and TLS errors, after retries */
        LINK_SKIPPED,           /* not fetched: robots.txt forbids it */
};
const char *site_link_verdict_id(enum site_link_verdict v);     /* "ok", "dead", ... */

/* One fetched URL, passed to on_fetch. Valid only during the call. */
struct site_fetch {
        const char *url;
        enum site_fetch_kind kind;
        int column;                     /* index in plan->columns, or -1 */
        int depth;
        const struct http_response *resp;
        int attempts;
        enum site_link_verdict verdict;
        const char *charset;            /* when decoded, else NULL */
        const struct html_page *page;   /* when parsed, else NULL */
        bool has_pubdate;               /* the page shows its own publication date */
        xj_day pubdate;
        bool reused;                    /* 304 Not Modified: page is the stored extraction */
        const char *soft404;            /* why a 200 answer is an error page, or NULL */
};

/* What the crawl learned about a column. */
struct site_column_result {
        bool fetched;                   /* the column page answered 2xx */
        long status;
        char *error;                    /* why it could not be fetched, or NULL */
        struct html_item *items;        /* the list across its pages, deduplicated by URL */
        size_t n_items;
        size_t list_pages;              /* list pages fetched, the first included */
        char *text;                     /* the column page's main text, without the
                                         * site's navigation, header and footer (capped) */
        char *title;
        bool has_pubdate;               /* the column page shows its own date (a single-page
                                         * column's 更新时间, its PubDate meta tag) */
        xj_day pubdate;
};

/* A link that failed (verdict DEAD or SUSPECT), with the first page that linked to it. */
struct site_broken_link {
        char *url;
        enum html_link_kind kind;       /* how the referrer linked it */
        enum url_scope scope;
        char *referrer;                 /* page URL */
        int referrer_column;            /* column of the referrer, or -1 (homepage etc.) */
        enum site_link_verdict verdict;
        long status;
        enum http_failure failure;
        char *error;
        int attempts;
        char *final_url;                /* after redirects, or NULL */
        char *soft404;                  /* why a 200 answer is an error page, or NULL */
        char *history;                  /* JSON array: each attempt's time, status, error */
};

/* A page whose body was over max_page_body (the vendors flag pages over 5 MB). */
struct site_oversized_page {
        char *url;
        int column;                     /* the page's column, or -1 */
        char *referrer;                 /* the page linking it, or NULL */
};

/* A certificate problem on one of the site's own origins. */
struct site_tls_problem {
        char *origin;                   /* "https://www.example.gov.cn" */
        char *url;                      /* the first URL that showed it */
        char *error;                    /* curl's message */
        long verify_result;             /* X509_V_ERR_*, 0 when not the chain */
};

struct site_stats {
        size_t fetched, parsed, checked, failed;
        size_t bytes;
        size_t wire_bytes;              /* headers and bodies as received */
        size_t requests;                /* HTTP requests made, retries and robots.txt included */
        size_t reused;                  /* 304 Not Modified answers reused from the cache */
        size_t skipped_cap;             /* URLs not fetched because max_pages was reached */
        size_t skipped_robots;          /* URLs robots.txt forbids */
        size_t skipped_trap;            /* URLs refused as an endless URL space */
        size_t soft404;
};

struct site_results {
        bool homepage_fetched;
        long homepage_status;
        char *homepage_error;
        struct html_item *homepage_items;   /* the homepage's dated links */
        size_t n_homepage_items;
        struct site_column_result *columns; /* one per plan column */
        struct site_broken_link *broken;
        size_t n_broken;
        struct site_tls_problem *tls;
        size_t n_tls;
        struct site_oversized_page *oversized;
        size_t n_oversized;
        struct strv traps;                  /* the first URLs refused as traps, with why */
        struct site_stats stats;
        bool capped;                        /* max_pages stopped the crawl short */
};

struct site_crawl;

struct site_callbacks {
        /* Called inside the fetch's store transaction: write with the store functions and
         * return 0, or a negative errno to roll the fetch back and stop the crawl. */
        int (*on_fetch)(const struct site_fetch *f, void *userdata);
        void (*on_done)(struct site_crawl *c, void *userdata);
        void *userdata;
        /* May be NULL. When a crawl resumes, called for each page the killed process had
         * parsed, with its extraction from the page cache (f->reused is true, f->resp holds
         * only the URL, status and content type): what the caller collected across pages
         * in memory is rebuilt from it. Nothing of it may be stored again: its fetch, and
         * whatever on_fetch wrote with it, are in the store already. */
        void (*on_replay)(const struct site_fetch *f, void *userdata);
};

/* A crawl of plan as scan scan_id, whose frontier rows it writes to store. */
int site_crawl_new(uv_loop_t *loop, struct http_engine *http, struct store *store,
                   int64_t scan_id, const struct site_plan *plan,
                   const struct site_callbacks *cb, struct site_crawl **ret);
/* Fetches in flight at once for this crawl (default 32); the engine's per-host cap still
 * applies underneath. */
void site_crawl_set_parallelism(struct site_crawl *c, size_t n);
/* Queues the homepage and the columns and starts fetching. Returns 0 or a negative errno
 * (the store's message says why). */
int site_crawl_start(struct site_crawl *c);
/* Continues an interrupted crawl of the same scan: what the killed process had leased goes
 * back to the queue, the results of the finished fetches are rebuilt from the frontier and
 * the page cache (nothing finished is fetched again), and fetching starts. */
int site_crawl_resume(struct site_crawl *c);
/* Stops taking new work; in-flight fetches still complete, then on_done is called with
 * site_crawl_stopped() true. */
void site_crawl_stop(struct site_crawl *c);
bool site_crawl_stopped(const struct site_crawl *c);
/* The store failure that stopped the crawl, or 0. */
int site_crawl_store_error(const struct site_crawl *c);

struct site_progress {
        size_t done;            /* fetches finished, by this process and before a resume */
        size_t done_here;       /* of those, by this process: the rate's numerator */
        size_t queued;          /* URLs waiting, in the store and in memory */
        size_t in_flight;
        size_t failed;
        double seconds;         /* since the crawl started */
};
void site_crawl_progress(const struct site_crawl *c, struct site_progress *ret);
const struct site_results *site_crawl_results(const struct site_crawl *c);
/* Accepts NULL. Must not be called from inside a callback of this crawl. */
void site_crawl_free(struct site_crawl *c);

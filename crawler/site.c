/* Crawling one site: the frontier (in the store, with a window in memory), politeness per
 * origin, robots.txt, retries, soft 404s, incremental fetches and the bookkeeping the
 * checks read; see site.h. */
#include "crawler/site.h"

#include <curl/curl.h>
#include <errno.h>
#include <strings.h>

#include "common/buf.h"
#include "common/json.h"
#include "crawler/charset.h"
#include "crawler/pagecache.h"
#include "crawler/robots.h"
#include "crawler/soft404.h"
#include "crawler/trap.h"

/* Fetch priorities: lower runs first. Column pages go before articles so that a column
 * claims its articles before a homepage link to the same article can attribute it to
 * nobody, and link checks go last because nothing waits on them. */
enum {
        PRIO_STRUCTURE = 0,     /* homepage, column pages, list pages */
        PRIO_ARTICLE = 1,
        PRIO_PAGE = 2,
        PRIO_CHECK = 3,
        PRIO_COUNT
};

/* URLs leased from the store and held in memory at most: enough to keep every connection
 * busy and to find work for a free origin while another one waits. */
#define WINDOW_MAX 512
/* Origins remembered at once; idle ones are forgotten beyond this (their robots.txt is
 * fetched again if they come back). */
#define HOSTS_MAX 4096
/* Recently discovered URLs known to need no store write, checked before the store. */
#define SEEN_MAX 8192
/* A host that must wait longer than this hands its URLs back to the store, so that the
 * window fills with work that can run. */
#define PARK_AFTER_MS 1000
/* Crawl-delay in robots.txt is honoured up to this. */
#define CRAWL_DELAY_MAX_MS 10000
#define ROBOTS_MAX_BYTES (512 * 1024)
#define TRAP_EXAMPLES 20
/* Finished fetches are committed in groups: one SQLite transaction per fetch writes every
 * B-tree page it touches to the WAL again, which cost 3 ms a page; a group shares them. A
 * kill loses at most the group, whose URLs are still leased and so fetched again on
 * resume: whole pages either way. */
#define BATCH_FETCHES 512
#define BATCH_MS 1000
/* Group commits between two checkpoints on the loop thread (see checkpoint_later()). */
#define CHECKPOINT_RESTART_COMMITS 4
#define HISTORY_MAX 8192

/* One URL leased from the store: in the window (queued) or in flight. */
struct node {
        int64_t id;
        char *url;
        char *origin;
        enum site_fetch_kind kind;
        enum html_link_kind link_kind;
        int column;
        int depth;
        int attempts;
        int prio;
        char *history;                  /* JSON array of the attempts so far */
        bool head_failed;               /* HEAD was refused: the next attempt is a GET */
        bool unconditional;             /* a 304 could not be used: ask for the whole page */
        bool conditional;               /* the request in flight carries validators */
        bool in_flight;
        bool robots_skip;               /* robots.txt forbids it: done without a fetch */
        uint64_t started_ms;
        struct node *prev, *next;       /* in its priority list, or in the in-flight list */
        struct node *hnext;             /* in the URL map */
        struct site_crawl *crawl;
};

struct node_list {
        struct node *head, *tail;
        size_t n;
};

enum fetch_state {
        FETCH_UNKNOWN = 0,
        FETCH_RUNNING,
        FETCH_KNOWN,
};

/* What the crawl knows about one origin (scheme, host, port). */
struct host {
        char *origin;
        struct host *hnext;
        size_t in_flight;
        uint64_t next_ms;               /* no request starts before this */
        uint64_t blocked_until_ms;      /* 429/503 backoff */
        enum fetch_state robots_state;
        struct robots *robots;
        long crawl_delay_ms;
        bool site_host;                 /* one of the site's own origins (scope SITE) */
        enum fetch_state probe_state;
        bool probe_template;            /* a missing URL answered 200 with a page */
        uint64_t probe_fingerprint;
        char *probe_url;
        char *probe_final_url;          /* where a missing URL was redirected, or NULL */
        bool insecure;                  /* certificate problem recorded: no verification */
        struct site_crawl *crawl;
};

struct site_crawl {
        uv_loop_t *loop;
        struct http_engine *http;
        struct store *store;
        struct store_frontier *frontier;
        const struct site_plan *plan;
        struct site_callbacks cb;

        /* The window: leased URLs by priority, the ones in flight, and a map by URL. */
        struct node_list queues[PRIO_COUNT];
        struct node_list flying;
        struct node *map[1024];
        size_t in_flight;               /* node fetches plus robots.txt and probes */
        size_t max_in_flight;
        /* Rows queued in the store, due or not: the crawl is over when this, the window
         * and the flights are all empty. */
        int64_t queued_in_store;
        /* Rows this scan has, for max_pages. */
        int64_t known;

        struct host **hosts;            /* open hash by origin */
        size_t hosts_size, n_hosts;

        char **seen;                    /* URLs whose row needs nothing more, by hash */
        size_t n_seen;
        uint64_t *planned;              /* hashes of the homepage and columns, sorted: their
                                         * referrer is set late */
        size_t n_planned;
        struct trap_counter *paths;

        uv_timer_t wake;                /* the soonest time an origin or a retry is due */
        bool wake_armed;
        uv_timer_t commit_timer;        /* ends a group of fetches after BATCH_MS */
        bool in_batch;
        unsigned batch_fetches;
        struct parse_job *jobs;         /* pages in the thread pool */
        size_t parsing;
        /* Checkpoints in the thread pool (store_checkpointer_open()): NULL when the store
         * could not give one, and the store's connection checkpoints as usual. */
        struct store_checkpointer *checkpointer;
        uv_work_t checkpoint_work;
        bool checkpointing;             /* a checkpoint is in the pool */
        unsigned commits_unrestarted;   /* commits since the WAL last started over */
        bool checkpoint_stopped;        /* close the checkpointer when it is back */
        bool checkpoint_orphan;         /* the crawl was freed meanwhile */
        /* The two timers and the parse jobs still running: the crawl's memory is freed
         * when the last of them has ended after site_crawl_free(). */
        int open_handles;
        uint64_t start_ms;
        size_t replayed;                /* fetches a resumed crawl found done */
        uint64_t rng;
        int store_error;

        bool started, stopped, finished;
        struct site_results results;
};

/* ---- names ----------------------------------------------------------------------------- */

const char *site_fetch_kind_id(enum site_fetch_kind k)
{
        static const char *const ids[] = {
                [SITE_FETCH_HOMEPAGE] = "homepage", [SITE_FETCH_COLUMN] = "column",
                [SITE_FETCH_LIST] = "list",         [SITE_FETCH_ARTICLE] = "article",
                [SITE_FETCH_PAGE] = "page",         [SITE_FETCH_CHECK] = "resource",
        };
        return (unsigned)k < ARRAY_SIZE(ids) ? ids[k] : "?";
}

const char *site_link_verdict_id(enum site_link_verdict v)
{
        static const char *const ids[] = {
                [LINK_OK] = "ok",
                [LINK_DEAD] = "dead",
                [LINK_SUSPECT] = "suspect",
                [LINK_SKIPPED] = "skipped",
        };
        return (unsigned)v < ARRAY_SIZE(ids) ? ids[v] : "?";
}

static enum site_fetch_kind kind_from_id(const char *id)
{
        for (int k = SITE_FETCH_HOMEPAGE; k <= SITE_FETCH_CHECK; k++)
                if (id && streq(id, site_fetch_kind_id((enum site_fetch_kind)k)))
                        return (enum site_fetch_kind)k;
        return SITE_FETCH_CHECK;
}

static enum html_link_kind link_kind_from_id(const char *id)
{
        for (int k = HTML_LINK_A; k <= HTML_LINK_META_REFRESH; k++)
                if (id && streq(id, html_link_kind_id((enum html_link_kind)k)))
                        return (enum html_link_kind)k;
        return HTML_LINK_A;
}

static enum site_link_verdict verdict_from_id(const char *id)
{
        for (int v = LINK_OK; v <= LINK_SKIPPED; v++)
                if (id && streq(id, site_link_verdict_id((enum site_link_verdict)v)))
                        return (enum site_link_verdict)v;
        return LINK_SUSPECT;
}

static enum http_failure failure_from_id(const char *id)
{
        for (int f = HTTP_OK; f <= HTTP_FAIL_BLOCKED; f++)
                if (id && streq(id, http_failure_id((enum http_failure)f)))
                        return (enum http_failure)f;
        return HTTP_FAIL_OTHER;
}

static int prio_of(enum site_fetch_kind k)
{
        switch (k) {
        case SITE_FETCH_HOMEPAGE:
        case SITE_FETCH_COLUMN:
        case SITE_FETCH_LIST:
                return PRIO_STRUCTURE;
        case SITE_FETCH_ARTICLE:
                return PRIO_ARTICLE;
        case SITE_FETCH_PAGE:
                return PRIO_PAGE;
        default:
                return PRIO_CHECK;
        }
}

static bool kind_is_parsed(enum site_fetch_kind k)
{
        return k != SITE_FETCH_CHECK;
}

/* Attachments and media: never parsed, checked with HEAD. */
static bool url_looks_binary(const char *url)
{
        static const char *const exts[] = {
                ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps", ".et",
                ".zip", ".rar", ".7z",   ".gz",  ".jpg",  ".jpeg", ".png", ".gif", ".bmp",
                ".webp", ".svg", ".ico", ".mp4", ".mp3",  ".avi",  ".flv", ".wmv", ".swf",
                ".css", ".js",  ".txt", ".ofd", ".xml",  ".apk",  ".exe",
        };
        const char *end = url + strcspn(url, "?#");
        for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
                size_t n = strlen(exts[i]);
                if ((size_t)(end - url) > n && strncasecmp(end - n, exts[i], n) == 0)
                        return true;
        }
        return false;
}

static bool link_kind_is_navigable(enum html_link_kind k)
{
        return k == HTML_LINK_A || k == HTML_LINK_AREA || k == HTML_LINK_IFRAME ||
               k == HTML_LINK_META_REFRESH;
}

/* "https://host:port" of a normalised absolute URL (url_resolve lower-cases scheme and
 * host and drops the default port, so equal origins are equal strings). */
static char *origin_of(const char *url)
{
        const char *p = strstr(url, "://");
        if (!p)
                return xstrdup(url);
        p += 3;
        return xstrndup(url, (size_t)(p + strcspn(p, "/?#") - url));
}

/* The path and query of a URL as sent in the request line. */
static const char *request_path(const char *url)
{
        const char *p = strstr(url, "://");
        if (!p)
                return "/";
        p += 3;
        p += strcspn(p, "/?#");
        return *p == '/' || *p == '?' ? p : "/";
}

static uint64_t now_ms(const struct site_crawl *c)
{
        return uv_now(c->loop);
}

/* ---- lists and maps -------------------------------------------------------------------- */

static void list_append(struct node_list *l, struct node *n)
{
        n->next = NULL;
        n->prev = l->tail;
        if (l->tail)
                l->tail->next = n;
        else
                l->head = n;
        l->tail = n;
        l->n++;
}

static void list_prepend(struct node_list *l, struct node *n)
{
        n->prev = NULL;
        n->next = l->head;
        if (l->head)
                l->head->prev = n;
        else
                l->tail = n;
        l->head = n;
        l->n++;
}

static void list_remove(struct node_list *l, struct node *n)
{
        if (n->prev)
                n->prev->next = n->next;
        else
                l->head = n->next;
        if (n->next)
                n->next->prev = n->prev;
        else
                l->tail = n->prev;
        n->prev = n->next = NULL;
        l->n--;
}

static size_t window_count(const struct site_crawl *c)
{
        size_t n = 0;
        for (int p = 0; p < PRIO_COUNT; p++)
                n += c->queues[p].n;
        return n;
}

static struct node **map_slot(struct site_crawl *c, const char *url)
{
        return &c->map[hash_str(url) % ARRAY_SIZE(c->map)];
}

static struct node *map_find(struct site_crawl *c, const char *url)
{
        for (struct node *n = *map_slot(c, url); n; n = n->hnext)
                if (streq(n->url, url))
                        return n;
        return NULL;
}

static void map_remove(struct site_crawl *c, struct node *node)
{
        for (struct node **p = map_slot(c, node->url); *p; p = &(*p)->hnext)
                if (*p == node) {
                        *p = node->hnext;
                        return;
                }
}

static void node_free(struct node *n)
{
        if (!n)
                return;
        free(n->url);
        free(n->origin);
        free(n->history);
        free(n);
}

/* Forgets a node that has left the window for good (done or handed back to the store). */
static void node_release(struct site_crawl *c, struct node *n)
{
        map_remove(c, n);
        node_free(n);
}

/* The seen set: exact URLs, forgotten all at once when full, so it never grows past
 * SEEN_MAX and a forgotten URL only costs one more store lookup. */
static bool seen_has(const struct site_crawl *c, const char *url)
{
        size_t mask = SEEN_MAX * 2 - 1;
        for (size_t i = hash_str(url) & mask; c->seen[i]; i = (i + 1) & mask)
                if (streq(c->seen[i], url))
                        return true;
        return false;
}

static void seen_add(struct site_crawl *c, const char *url)
{
        size_t mask = SEEN_MAX * 2 - 1;

        if (c->n_seen >= SEEN_MAX) {
                for (size_t i = 0; i <= mask; i++)
                        free_and_null(&c->seen[i]);
                c->n_seen = 0;
        }
        size_t i = hash_str(url) & mask;
        while (c->seen[i]) {
                if (streq(c->seen[i], url))
                        return;
                i = (i + 1) & mask;
        }
        c->seen[i] = xstrdup(url);
        c->n_seen++;
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

/* The planned URLs (homepage, columns) by hash: asked for every new URL, so not a scan of
 * a few hundred strings each time. A hash collision only costs a store update. */
static bool is_planned(const struct site_crawl *c, const char *url)
{
        uint64_t h = hash_str(url);
        return bsearch(&h, c->planned, c->n_planned, sizeof(*c->planned), cmp_u64) != NULL;
}

/* ---- origins --------------------------------------------------------------------------- */

static void host_free(struct host *h)
{
        if (!h)
                return;
        free(h->origin);
        robots_free(h->robots);
        free(h->probe_url);
        free(h->probe_final_url);
        free(h);
}

static bool host_idle(const struct site_crawl *c, const struct host *h)
{
        return h->in_flight == 0 && h->robots_state != FETCH_RUNNING &&
               h->probe_state != FETCH_RUNNING && !h->site_host &&
               h->blocked_until_ms <= now_ms(c);
}

static void hosts_rehash(struct site_crawl *c, size_t size)
{
        struct host **old = c->hosts;
        size_t old_size = c->hosts_size;

        c->hosts = xcalloc(size, sizeof(*c->hosts));
        c->hosts_size = size;
        for (size_t i = 0; i < old_size; i++)
                for (struct host *h = old[i], *next; h; h = next) {
                        next = h->hnext;
                        struct host **slot = &c->hosts[hash_str(h->origin) % size];
                        h->hnext = *slot;
                        *slot = h;
                }
        free(old);
}

/* Forgets idle origins once there are too many: their politeness state is cheap to
 * rebuild, and a crawl that checks links to thousands of hosts must not keep them all. */
static void hosts_trim(struct site_crawl *c)
{
        for (size_t i = 0; i < c->hosts_size && c->n_hosts > HOSTS_MAX / 2; i++)
                for (struct host **p = &c->hosts[i]; *p;) {
                        struct host *h = *p;
                        if (host_idle(c, h)) {
                                *p = h->hnext;
                                host_free(h);
                                c->n_hosts--;
                        } else {
                                p = &h->hnext;
                        }
                }
}

static struct host *host_get(struct site_crawl *c, const char *origin)
{
        struct host **slot = &c->hosts[hash_str(origin) % c->hosts_size];

        for (struct host *h = *slot; h; h = h->hnext)
                if (streq(h->origin, origin))
                        return h;
        if (c->n_hosts >= HOSTS_MAX)
                hosts_trim(c);
        if (c->n_hosts >= c->hosts_size)
                hosts_rehash(c, c->hosts_size * 2);
        slot = &c->hosts[hash_str(origin) % c->hosts_size];
        struct host *h = xcalloc(1, sizeof(*h));
        h->origin = xstrdup(origin);
        h->crawl = c;
        _cleanup_free_ char *root = xasprintf("%s/", origin);
        h->site_host = url_scope_of(root, c->plan->base_url) == URL_SCOPE_SITE ||
                       str_startswith(c->plan->base_url, root);
        h->robots_state = c->plan->obey_robots ? FETCH_UNKNOWN : FETCH_KNOWN;
        h->probe_state = h->site_host ? FETCH_UNKNOWN : FETCH_KNOWN;
        h->hnext = *slot;
        *slot = h;
        c->n_hosts++;
        return h;
}

/* ---- the store ------------------------------------------------------------------------- */

static void store_failed(struct site_crawl *c, int r)
{
        if (!c->store_error)
                c->store_error = r;
        site_crawl_stop(c);
}

static void batch_abort(struct site_crawl *c)
{
        if (!c->in_batch)
                return;
        c->in_batch = false;
        uv_timer_stop(&c->commit_timer);
        store_rollback(c->store);
}

static void checkpoint_in_pool(uv_work_t *w)
{
        struct site_crawl *c = container_of(w, struct site_crawl, checkpoint_work);

        /* A checkpoint that fails leaves the WAL to the next one, or to the store's own
         * connection once the crawl is over: nothing to report. */
        (void)store_checkpointer_run(c->checkpointer);
}

static void checkpoint_done(uv_work_t *w, int status)
{
        struct site_crawl *c = container_of(w, struct site_crawl, checkpoint_work);

        c->checkpointing = false;
        if (c->checkpoint_stopped) {
                store_checkpointer_close(c->checkpointer);
                c->checkpointer = NULL;
        }
        if (c->checkpoint_orphan && --c->open_handles == 0)
                free(c);
}

/* After a commit, the WAL is copied back into the database in the thread pool, so that
 * the loop thread only writes; one checkpoint at a time, each taking all committed. The
 * next group begins while it works, so the WAL would never start over and would grow by
 * everything the crawl writes: every CHECKPOINT_RESTART_COMMITS commits the loop thread
 * copies the last group itself (the pool copied the ones before), between two groups. */
static void checkpoint_later(struct site_crawl *c)
{
        if (!c->checkpointer || c->checkpointing || c->checkpoint_stopped)
                return;
        if (++c->commits_unrestarted >= CHECKPOINT_RESTART_COMMITS) {
                if (store_checkpoint(c->store) == 0)
                        c->commits_unrestarted = 0;
                return;
        }
        if (uv_queue_work(c->loop, &c->checkpoint_work, checkpoint_in_pool, checkpoint_done) == 0)
                c->checkpointing = true;
}

/* The crawl's writes are over: the store's connection checkpoints again after its commits
 * (the scan's last writes are the largest), and the checkpointer closes once it is idle. */
static void checkpoint_stop(struct site_crawl *c)
{
        if (!c->checkpointer || c->checkpoint_stopped)
                return;
        c->checkpoint_stopped = true;
        store_autocheckpoint(c->store, true);
        if (!c->checkpointing) {
                store_checkpointer_close(c->checkpointer);
                c->checkpointer = NULL;
        }
}

static int batch_commit(struct site_crawl *c)
{
        if (!c->in_batch)
                return 0;
        c->in_batch = false;
        uv_timer_stop(&c->commit_timer);
        int r = store_commit(c->store);
        if (r < 0)
                store_failed(c, r);
        else
                checkpoint_later(c);
        return r;
}

static void on_commit_timer(uv_timer_t *t)
{
        struct site_crawl *c = container_of(t, struct site_crawl, commit_timer);
        (void)batch_commit(c);
}

/* The transaction the next finished fetch writes in: the open group, or a new one. A
 * failed write stops the crawl and rolls the group back (store_failed(), batch_abort()),
 * so the store's writes need no savepoint each inside it. */
static int batch_join(struct site_crawl *c)
{
        if (c->in_batch)
                return 0;
        int r = store_begin_group(c->store);
        if (r < 0)
                return r;
        c->in_batch = true;
        c->batch_fetches = 0;
        uv_timer_start(&c->commit_timer, on_commit_timer, BATCH_MS, 0);
        return 0;
}

/* Appends one attempt to a node's evidence (a JSON array, capped in size). */
static void history_add(struct site_crawl *c, struct node *n, const struct http_response *resp)
{
        char at[32];
        struct buf b;

        buf_init(&b, HISTORY_MAX);
        if (n->history && strlen(n->history) > 2) {
                buf_append(&b, n->history, strlen(n->history) - 1);
                buf_appends(&b, ",");
        } else {
                buf_appends(&b, "[");
        }
        int64_t t = c->plan->now + (int64_t)((now_ms(c) - c->start_ms) / 1000);
        size_t mark = b.len;
        int r = buf_appendf(&b, "{\"at\":\"%s\",\"method\":\"%s\",\"status\":%ld,"
                                "\"failure\":\"%s\",\"seconds\":%.3f,\"error\":",
                            time_format_iso8601(t, at), resp->method == HTTP_HEAD ? "HEAD" : "GET",
                            resp->status, http_failure_id(resp->failure), resp->seconds);
        if (r >= 0)
                r = json_append_string(&b, resp->error);
        if (r >= 0)
                r = buf_appends(&b, "}]");
        if (r < 0) {
                /* Over the cap: the earlier attempts are kept, this one is dropped. */
                b.len = mark > 1 ? mark - 1 : mark;
                b.data[b.len] = '\0';
                buf_appends(&b, "]");
        }
        free(n->history);
        n->history = buf_steal(&b);
}

/* ---- discovering URLs ------------------------------------------------------------------ */

static void trap_note(struct site_crawl *c, const char *url, const char *why)
{
        c->results.stats.skipped_trap++;
        if (c->results.traps.n < TRAP_EXAMPLES)
                strv_push_take(&c->results.traps, xasprintf("%s（%s）", url, why));
}

/* Registers a URL met on page `referrer` (a frontier id, 0 when planned). A URL already
 * known is left as it is, except that a column list claims an article nobody had claimed
 * yet and a planned URL gets the referrer it lacked. Returns 0, or a negative errno from
 * the store. */
static int discover(struct site_crawl *c, const char *url_in, enum site_fetch_kind kind,
                    int depth, int column, enum html_link_kind link_kind, int64_t referrer)
{
        const struct site_plan *plan = c->plan;
        _cleanup_free_ char *stripped = trap_strip_session(url_in);
        const char *url = stripped ? stripped : url_in;
        bool claim = column >= 0 && kind == SITE_FETCH_ARTICLE;
        int64_t id = 0;
        bool added = false;
        int r;

        if (!claim && seen_has(c, url))
                return 0;
        /* Only a URL we would parse can lead further; a link we merely check is fetched
         * once, whatever it looks like. */
        if (referrer > 0 && kind_is_parsed(kind)) {
                const char *why = trap_check(url, plan->today);
                if (!why && trap_counter_over(c->paths, url))
                        why = "同一路径的查询参数变体过多";
                if (why) {
                        trap_note(c, url, why);
                        return 0;
                }
        }

        if (plan->max_pages > 0 && c->known >= plan->max_pages) {
                r = store_frontier_find(c->frontier, url, &id);
                if (r < 0)
                        return r;
                if (r == 0) {
                        c->results.stats.skipped_cap++;
                        c->results.capped = true;
                        return 0;
                }
        } else {
                r = store_frontier_add(c->frontier,
                                       &(struct store_frontier_add){
                                               .url = url,
                                               .kind = site_fetch_kind_id(kind),
                                               .link_kind = html_link_kind_id(link_kind),
                                               .prio = prio_of(kind),
                                               .column = column,
                                               .depth = depth,
                                               .referrer = referrer,
                                       },
                                       &id, &added);
                if (r < 0)
                        return r;
                if (added) {
                        c->known++;
                        c->queued_in_store++;
                }
        }
        bool planned = is_planned(c, url);
        if (!added && claim) {
                /* Only a page that is nobody's structure can become a column's article: a
                 * list that links the homepage (a breadcrumb taken for an item) must not
                 * make the homepage part of that column. */
                r = store_frontier_claim(c->frontier, url, column, false);
                if (r < 0)
                        return r;
                struct node *n = r > 0 ? map_find(c, url) : NULL;
                if (n)
                        n->column = column;
        }
        if (!added && referrer > 0 && planned) {
                r = store_frontier_set_referrer(c->frontier, url, referrer,
                                                html_link_kind_id(link_kind));
                if (r < 0)
                        return r;
        }
        if (!claim && (referrer > 0 || !planned))
                seen_add(c, url);
        return 0;
}

/* ---- fetching -------------------------------------------------------------------------- */

static void dispatch(struct site_crawl *c);
static void on_response(const struct http_response *resp, void *userdata);
static void on_robots(const struct http_response *resp, void *userdata);
static void on_probe(const struct http_response *resp, void *userdata);
static void finish(struct site_crawl *c);
static void complete(struct site_crawl *c, struct node *n, const struct http_response *resp);

static long host_delay(const struct site_crawl *c, const struct host *h)
{
        long d = c->plan->host_delay_ms;
        return h->crawl_delay_ms > d ? h->crawl_delay_ms : d;
}

static void host_started(struct site_crawl *c, struct host *h)
{
        /* The loop's clock is cached per iteration, and a store write may have taken a
         * while since: the delay counts from now. */
        uv_update_time(c->loop);
        h->in_flight++;
        h->next_ms = now_ms(c) + (uint64_t)host_delay(c, h);
        c->in_flight++;
        c->results.stats.requests++;
}

static void host_finished(struct site_crawl *c, struct host *h)
{
        h->in_flight--;
        c->in_flight--;
}

static void start_robots(struct site_crawl *c, struct host *h)
{
        _cleanup_free_ char *url = xasprintf("%s/robots.txt", h->origin);
        struct http_request req = {
                .url = url,
                .method = HTTP_GET,
                .max_body = ROBOTS_MAX_BYTES,
                .insecure = h->insecure,
                .done = on_robots,
                .userdata = h,
        };

        h->robots_state = FETCH_RUNNING;
        host_started(c, h);
        if (http_fetch(c->http, &req) < 0) {
                host_finished(c, h);
                h->robots_state = FETCH_KNOWN;
        }
}

/* RFC 9309, 2.3.1: a robots.txt that is there is obeyed; one that is missing (4xx) allows
 * everything; a server error (5xx, 429) forbids everything for this crawl. A host that
 * cannot be reached at all is allowed: its links are then fetched and fail on their own,
 * which is what reports them dead; skipping them would hide the failure. */
static void on_robots(const struct http_response *resp, void *userdata)
{
        struct host *h = userdata;
        struct site_crawl *c = h->crawl;

        host_finished(c, h);
        c->results.stats.wire_bytes += resp->wire_bytes;
        h->robots_state = FETCH_KNOWN;
        robots_free(h->robots);
        h->robots = NULL;
        if (resp->failure == HTTP_OK || resp->failure == HTTP_FAIL_TOO_LARGE) {
                if (resp->status >= 200 && resp->status < 300)
                        h->robots = robots_parse(resp->body, resp->body_len,
                                                 c->plan->robots_token);
                else if (resp->status >= 500 || resp->status == 429)
                        h->robots = robots_new_disallow_all();
        }
        if (h->robots) {
                long d = robots_crawl_delay_ms(h->robots);
                h->crawl_delay_ms = d > CRAWL_DELAY_MAX_MS ? CRAWL_DELAY_MAX_MS : d;
        }
        dispatch(c);
}

static void start_probe(struct site_crawl *c, struct host *h)
{
        c->rng = c->rng * 6364136223846793005ULL + 1442695040888963407ULL;
        free(h->probe_url);
        h->probe_url = xasprintf("%s/xunjian-missing-%016llx.html", h->origin,
                                 (unsigned long long)(c->rng ^ (c->rng >> 29)));
        struct http_request req = {
                .url = h->probe_url,
                .method = HTTP_GET,
                .max_body = c->plan->max_check_body,
                .insecure = h->insecure,
                .done = on_probe,
                .userdata = h,
        };

        h->probe_state = FETCH_RUNNING;
        host_started(c, h);
        if (http_fetch(c->http, &req) < 0) {
                host_finished(c, h);
                h->probe_state = FETCH_KNOWN;
        }
}

static bool looks_like_html(const struct http_response *resp);

/* The answer to a URL that cannot exist: a 404 is an honest server; a page answered with
 * 200 is the host's error template, remembered by its fingerprint and by where the
 * missing URL was redirected. */
static void on_probe(const struct http_response *resp, void *userdata)
{
        struct host *h = userdata;
        struct site_crawl *c = h->crawl;

        host_finished(c, h);
        c->results.stats.wire_bytes += resp->wire_bytes;
        h->probe_state = FETCH_KNOWN;
        if (resp->failure == HTTP_OK && resp->status >= 200 && resp->status < 300 &&
            looks_like_html(resp)) {
                struct charset_result cr = {0};
                struct html_page *page = NULL;
                struct html_options o = {.max_links = 1, .today = c->plan->today};
                if (charset_decode(resp->body, resp->body_len, resp->content_type,
                                   resp->body_len * 4 + 64, &cr) == 0 &&
                    html_parse(cr.utf8, cr.len, resp->final_url, &o, &page, NULL) == 0) {
                        h->probe_template = true;
                        h->probe_fingerprint =
                                soft404_fingerprint(page->title, page->text, resp->url);
                        if (!streq(resp->final_url, resp->url))
                                h->probe_final_url = xstrdup(resp->final_url);
                }
                html_page_free(page);
                charset_result_free(&cr);
        }
        dispatch(c);
}

static char *parse_key(const struct site_crawl *c, const struct node *n)
{
        const char *selector = NULL;
        if (n->column >= 0 && (n->kind == SITE_FETCH_COLUMN || n->kind == SITE_FETCH_LIST))
                selector = c->plan->columns[n->column].item_selector;
        return xasprintf("%s|%d|%d|%s", PAGECACHE_FORMAT, c->plan->max_links_per_page,
                         c->plan->max_url_length, selector ? selector : "");
}

struct validators {
        const char *key;
        char *etag, *last_modified;
};

static int take_validators(const struct store_cached_page *p, void *userdata)
{
        struct validators *v = userdata;
        if (!streq_ptr(p->parse_key, v->key))
                return 0;
        v->etag = p->etag ? xstrdup(p->etag) : NULL;
        v->last_modified = p->last_modified ? xstrdup(p->last_modified) : NULL;
        return 0;
}

static void start_fetch(struct site_crawl *c, struct node *n, struct host *h)
{
        bool head = n->kind == SITE_FETCH_CHECK && !n->head_failed &&
                    (url_looks_binary(n->url) || !link_kind_is_navigable(n->link_kind) ||
                     url_scope_of(n->url, c->plan->base_url) != URL_SCOPE_SITE);
        _cleanup_free_ char *key = NULL;
        struct validators v = {0};

        /* An incremental re-scan asks only for what changed since the page was cached. */
        if (!head && kind_is_parsed(n->kind) && !n->unconditional) {
                key = parse_key(c, n);
                v.key = key;
                int r = store_page_cache_get(c->frontier, n->url, take_validators, &v);
                if (r < 0 && r != -ENOENT) {
                        store_failed(c, r);
                        return;
                }
        }
        struct http_request req = {
                .url = n->url,
                .method = head ? HTTP_HEAD : HTTP_GET,
                .max_body = kind_is_parsed(n->kind) ? c->plan->max_page_body
                                                    : c->plan->max_check_body,
                .if_none_match = v.etag,
                .if_modified_since = v.last_modified,
                .insecure = h->insecure,
                .done = on_response,
                .userdata = n,
        };

        list_remove(&c->queues[n->prio], n);
        list_append(&c->flying, n);
        n->in_flight = true;
        n->conditional = v.etag || v.last_modified;
        n->attempts++;
        n->started_ms = now_ms(c);
        host_started(c, h);
        int r = http_fetch(c->http, &req);
        free(v.etag);
        free(v.last_modified);
        if (r < 0) {
                /* Only a URL curl cannot take gets here: it fails like a link that does. */
                struct http_response resp = {
                        .url = n->url,
                        .final_url = n->url,
                        .method = req.method,
                        .failure = HTTP_FAIL_OTHER,
                        .error = "请求无法发起",
                        .body = "",
                };
                host_finished(c, h);
                complete(c, n, &resp);
        }
}

/* Finishes a node without fetching it (robots.txt forbids it). */
static void skip_robots(struct site_crawl *c, struct node *n)
{
        struct http_response resp = {
                .url = n->url,
                .final_url = n->url,
                .method = HTTP_GET,
                .failure = HTTP_OK,
                .error = "robots.txt 禁止抓取",
                .body = "",
        };

        list_remove(&c->queues[n->prio], n);
        list_append(&c->flying, n);
        n->in_flight = true;
        n->robots_skip = true;
        c->results.stats.skipped_robots++;
        complete(c, n, &resp);
}

/* Hands a node back to the store, due at not_before (ms of this loop's clock). */
static void park(struct site_crawl *c, struct node *n, uint64_t not_before)
{
        int r = store_frontier_requeue(c->frontier, n->id, (int64_t)not_before, n->attempts,
                                       n->history);
        if (r < 0) {
                store_failed(c, r);
                return;
        }
        c->queued_in_store++;
        if (n->in_flight)
                list_remove(&c->flying, n);
        else
                list_remove(&c->queues[n->prio], n);
        node_release(c, n);
}

static void on_wake(uv_timer_t *t)
{
        struct site_crawl *c = container_of(t, struct site_crawl, wake);
        c->wake_armed = false;
        dispatch(c);
}

static void wake_at(struct site_crawl *c, uint64_t at)
{
        uint64_t now = now_ms(c);
        uint64_t delay = at > now ? at - now : 0;

        if (c->wake_armed && uv_timer_get_due_in(&c->wake) <= delay)
                return;
        c->wake_armed = true;
        uv_timer_start(&c->wake, on_wake, delay, 0);
}

static int node_from_row(struct site_crawl *c, struct store_frontier_row *row)
{
        struct node *n = xcalloc(1, sizeof(*n));

        n->id = row->id;
        n->url = row->url;
        row->url = NULL;
        n->origin = origin_of(n->url);
        n->kind = kind_from_id(row->kind);
        n->link_kind = link_kind_from_id(row->link_kind);
        n->column = row->column >= 0 && (size_t)row->column < c->plan->n_columns ? row->column
                                                                                  : -1;
        n->depth = row->depth;
        n->attempts = row->attempts;
        n->prio = prio_of(n->kind);
        n->history = row->history;
        row->history = NULL;
        n->crawl = c;
        list_append(&c->queues[n->prio], n);
        struct node **slot = map_slot(c, n->url);
        n->hnext = *slot;
        *slot = n;
        return 0;
}

/* Leases due rows from the store into the window. */
static void refill(struct site_crawl *c)
{
        size_t have = window_count(c);
        struct store_frontier_row *rows = NULL;
        size_t n = 0;

        if (c->queued_in_store <= 0 || have >= WINDOW_MAX / 2)
                return;
        int r = store_frontier_lease(c->frontier, (int64_t)now_ms(c), WINDOW_MAX - have, &rows,
                                     &n);
        if (r < 0) {
                store_failed(c, r);
                return;
        }
        /* The store returns them in no order; discovery order within a priority is kept by
         * the ids, which only grow. */
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && (rows[j].prio < rows[j - 1].prio ||
                                             (rows[j].prio == rows[j - 1].prio &&
                                              rows[j].id < rows[j - 1].id));
                     j--) {
                        struct store_frontier_row tmp = rows[j];
                        rows[j] = rows[j - 1];
                        rows[j - 1] = tmp;
                }
        for (size_t i = 0; i < n; i++)
                node_from_row(c, &rows[i]);
        c->queued_in_store -= (int64_t)n;
        store_frontier_rows_free(rows, n);
        if (n == 0 && window_count(c) == 0) {
                /* Everything queued waits for a retry time: sleep until the first. */
                int64_t count, next;
                r = store_frontier_queued(c->frontier, &count, &next);
                if (r < 0) {
                        store_failed(c, r);
                        return;
                }
                c->queued_in_store = count;
                if (count > 0)
                        wake_at(c, (uint64_t)next);
        }
}

static void maybe_finish(struct site_crawl *c)
{
        if (c->finished || c->in_flight || c->parsing)
                return;
        if (!c->stopped && (window_count(c) || c->queued_in_store > 0))
                return;
        finish(c);
}

/* Whether node n may start now on host h; otherwise, when it can (0: not by time). */
static bool host_ready(struct site_crawl *c, struct host *h, uint64_t *ret_when)
{
        uint64_t now = now_ms(c);

        *ret_when = 0;
        if (h->in_flight >= (size_t)c->plan->max_host_connections)
                return false;
        if (h->blocked_until_ms > now) {
                *ret_when = h->blocked_until_ms;
                return false;
        }
        if (h->next_ms > now) {
                *ret_when = h->next_ms;
                return false;
        }
        return true;
}

static void dispatch(struct site_crawl *c)
{
        uint64_t soonest = 0;

        if (c->finished)
                return;
        if (!c->stopped)
                refill(c);
        for (int p = 0; p < PRIO_COUNT && !c->stopped; p++) {
                struct node *next;
                for (struct node *n = c->queues[p].head; n && !c->stopped; n = next) {
                        next = n->next;
                        /* Pages waiting for the parser are capped too: without this, a
                         * fast server fills the thread pool's queue with bodies faster
                         * than it parses them, and memory grows with the site. */
                        if (c->in_flight >= c->max_in_flight ||
                            c->parsing >= c->max_in_flight)
                                goto out;
                        struct host *h = host_get(c, n->origin);
                        uint64_t when;
                        if (!host_ready(c, h, &when)) {
                                if (when && when - now_ms(c) > PARK_AFTER_MS &&
                                    h->blocked_until_ms == when)
                                        park(c, n, when);
                                else if (when && (!soonest || when < soonest))
                                        soonest = when;
                                continue;
                        }
                        if (h->robots_state == FETCH_UNKNOWN) {
                                start_robots(c, h);
                                continue;
                        }
                        if (h->robots_state == FETCH_RUNNING)
                                continue;
                        if (h->robots && !robots_allowed(h->robots, request_path(n->url))) {
                                skip_robots(c, n);
                                continue;
                        }
                        if (kind_is_parsed(n->kind) && h->probe_state != FETCH_KNOWN) {
                                if (h->probe_state == FETCH_UNKNOWN)
                                        start_probe(c, h);
                                continue;
                        }
                        start_fetch(c, n, h);
                }
                /* A freed slot may have let more rows in: look again from the top. */
                if (p == PRIO_COUNT - 1 && window_count(c) < WINDOW_MAX / 2 &&
                    c->queued_in_store > 0 && c->in_flight < c->max_in_flight &&
                    c->parsing < c->max_in_flight) {
                        size_t before = window_count(c);
                        refill(c);
                        if (window_count(c) > before)
                                p = -1;
                }
        }
out:
        if (soonest)
                wake_at(c, soonest);
        maybe_finish(c);
}

/* ---- answers --------------------------------------------------------------------------- */

static enum site_link_verdict verdict_of(const struct http_response *resp, bool *ret_transient)
{
        *ret_transient = false;
        if (resp->failure == HTTP_OK || resp->failure == HTTP_FAIL_TOO_LARGE) {
                long s = resp->status;
                if (s == 404 || s == 403 || s == 410)
                        return LINK_DEAD;
                if (s >= 500 || s == 429 || s == 408) {
                        *ret_transient = true;
                        return LINK_SUSPECT;
                }
                if (s >= 400 && s != 401 && s != 407)
                        return LINK_SUSPECT;
                return LINK_OK;
        }
        /* A redirect loop or a refused internal address does not get better by asking
         * again. */
        *ret_transient = resp->failure != HTTP_FAIL_REDIRECTS &&
                         resp->failure != HTTP_FAIL_BLOCKED;
        return LINK_SUSPECT;
}

/* Servers that mishandle HEAD answer it with these; the link deserves a GET. */
static bool head_refused(const struct http_response *resp)
{
        if (resp->method != HTTP_HEAD)
                return false;
        if (resp->failure == HTTP_FAIL_NETWORK || resp->failure == HTTP_FAIL_OTHER ||
            resp->failure == HTTP_FAIL_TIMEOUT)
                return true;
        return resp->status == 400 || resp->status == 403 || resp->status == 405 ||
               resp->status == 501;
}

static bool looks_like_html(const struct http_response *resp)
{
        if (resp->content_type)
                return strcasestr(resp->content_type, "html") != NULL;
        /* No Content-Type: sniff the first bytes as browsers do. */
        const char *p = resp->body;
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
                p++;
        return strncasecmp(p, "<!doctype html", 14) == 0 || strncasecmp(p, "<html", 5) == 0;
}

/* Retry-After (RFC 9110, 10.2.3): seconds, or an HTTP date; in ms from now, 0 if absent. */
static long retry_after_ms(const struct site_crawl *c, const char *v)
{
        if (!v || !*v)
                return 0;
        char *end;
        long secs = strtol(v, &end, 10);
        if (end != v && *end == '\0')
                return secs > 0 ? (secs > 86400 ? 86400000L : secs * 1000) : 0;
        time_t t = curl_getdate(v, NULL);
        if (t < 0)
                return 0;
        /* A date is compared with the real clock: the server's, not --now. */
        int64_t d = (int64_t)t - time_now_wall();
        return d > 0 ? (d > 86400 ? 86400000L : (long)d * 1000) : 0;
}

static void items_append(struct site_column_result *col, const struct html_item *items, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                bool dup = false;
                for (size_t j = 0; j < col->n_items && !dup; j++)
                        dup = streq(col->items[j].url, items[i].url);
                if (dup)
                        continue;
                col->items = xreallocarray(col->items, col->n_items + 1, sizeof(*col->items));
                struct html_item *it = &col->items[col->n_items++];
                *it = items[i];
                it->title = xstrdup(items[i].title ? items[i].title : "");
                it->url = xstrdup(items[i].url);
        }
}

static struct html_item *items_copy(const struct html_item *items, size_t n)
{
        struct html_item *copy = xcalloc(n ? n : 1, sizeof(*copy));
        for (size_t i = 0; i < n; i++) {
                copy[i] = items[i];
                copy[i].title = xstrdup(items[i].title ? items[i].title : "");
                copy[i].url = xstrdup(items[i].url);
        }
        return copy;
}

static void items_free(struct html_item *items, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(items[i].title);
                free(items[i].url);
        }
        free(items);
}

/* The date a page shows for itself: the PubDate meta tag the gov CMSs write,
 * else a date right after a "发布时间"-style label near the top of the text. A bare date
 * elsewhere in the body is not trusted: articles cite other dates all the time. */
static bool page_pubdate(const struct html_page *page, xj_day today, xj_day *ret)
{
        static const char *const metas[] = {"PubDate", "publishdate", "firstpublishedtime",
                                            "pubtime", "ArticleDate"};
        static const char *const labels[] = {"发布时间", "发布日期", "发文日期", "更新时间",
                                             "日期：", "时间："};
        struct text_date d;

        for (size_t i = 0; i < ARRAY_SIZE(metas); i++) {
                const char *v = html_page_meta(page, metas[i]);
                if (v && date_find(v, strlen(v), today, &d) == 0) {
                        *ret = d.day;
                        return true;
                }
        }
        if (!page->text)
                return false;
        size_t window = page->text_len < 4096 ? page->text_len : 4096;
        for (size_t i = 0; i < ARRAY_SIZE(labels); i++) {
                const char *p = memmem(page->text, window, labels[i], strlen(labels[i]));
                if (!p)
                        continue;
                size_t off = (size_t)(p - page->text) + strlen(labels[i]);
                size_t n = page->text_len - off < 48 ? page->text_len - off : 48;
                if (date_find(page->text + off, n, today, &d) == 0) {
                        *ret = d.day;
                        return true;
                }
        }
        return false;
}

/* What a parsed page adds to the results (its column's list, the homepage's items). Run
 * for fresh and reused pages alike, and when a resumed crawl replays finished pages. */
static void page_results(struct site_crawl *c, enum site_fetch_kind kind, int column,
                         const struct html_page *page)
{
        if (kind == SITE_FETCH_HOMEPAGE) {
                items_free(c->results.homepage_items, c->results.n_homepage_items);
                c->results.homepage_items = items_copy(page->dated_links, page->n_dated_links);
                c->results.n_homepage_items = page->n_dated_links;
        }
        if ((kind == SITE_FETCH_COLUMN || kind == SITE_FETCH_LIST) && column >= 0) {
                struct site_column_result *col = &c->results.columns[column];
                items_append(col, page->items, page->n_items);
                col->list_pages++;
                if (kind == SITE_FETCH_COLUMN) {
                        col->fetched = true;
                        str_replace(&col->text, page->main_text ? page->main_text : "");
                        str_replace(&col->title, page->title);
                }
        }
}

/* The URLs a parsed page leads to. */
static int page_discover(struct site_crawl *c, const struct node *n, const struct html_page *page)
{
        const struct site_plan *plan = c->plan;
        int depth = n->depth, column = n->column, r = 0;

        if ((n->kind == SITE_FETCH_COLUMN || n->kind == SITE_FETCH_LIST) && column >= 0) {
                const struct site_column_result *col = &c->results.columns[column];
                /* Further list pages, up to the cap counted over the whole column. */
                for (size_t i = 0; i < page->n_list_pages && r >= 0; i++) {
                        /* list_pages does not count this page yet. */
                        if ((int)(col->list_pages + 1 + i) >= plan->max_list_pages)
                                break;
                        r = discover(c, page->list_pages[i], SITE_FETCH_LIST, depth, column,
                                     HTML_LINK_A, n->id);
                }
                /* Items are articles of this column, one level down. */
                if (depth + 1 <= plan->max_depth)
                        for (size_t i = 0; i < page->n_items && r >= 0; i++) {
                                enum url_scope scope =
                                        url_scope_of(page->items[i].url, plan->base_url);
                                bool parse = scope == URL_SCOPE_SITE &&
                                             !url_looks_binary(page->items[i].url);
                                r = discover(c, page->items[i].url,
                                             parse ? SITE_FETCH_ARTICLE : SITE_FETCH_CHECK,
                                             depth + 1, column, HTML_LINK_A, n->id);
                        }
        }
        for (size_t i = 0; i < page->n_links && r >= 0; i++) {
                const struct html_link *l = &page->links[i];
                if (l->kind == HTML_LINK_FORM)
                        continue;       /* actions want a POST; not links to check */
                enum url_scope scope = url_scope_of(l->url, plan->base_url);
                bool parse = scope == URL_SCOPE_SITE && link_kind_is_navigable(l->kind) &&
                             depth + 1 <= plan->max_depth && !url_looks_binary(l->url);
                r = discover(c, l->url, parse ? SITE_FETCH_PAGE : SITE_FETCH_CHECK, depth + 1,
                             -1, l->kind, n->id);
        }
        return r;
}

struct cached {
        struct html_page *page;
        char *charset, *content_type;
};

static int take_cached(const struct store_cached_page *p, void *userdata)
{
        struct cached *k = userdata;
        if (pagecache_decode(p->extract, p->extract_len, &k->page) < 0)
                return 0;
        k->charset = p->charset ? xstrdup(p->charset) : NULL;
        k->content_type = p->content_type ? xstrdup(p->content_type) : NULL;
        return 0;
}

/* Why a page answered with 200 is really an error page, or NULL. */
static char *soft404_reason(struct site_crawl *c, const struct node *n, const struct host *h,
                            const struct http_response *resp, const struct html_page *page)
{
        const char *title = soft404_title_match(page->title, c->plan->soft404_titles);
        if (title && n->kind != SITE_FETCH_HOMEPAGE)
                return xasprintf("页面标题「%s」表明页面不存在", page->title);
        if (!h || !h->probe_template)
                return NULL;
        if (h->probe_final_url && streq(resp->final_url, h->probe_final_url) &&
            !streq(n->url, resp->final_url))
                return xasprintf("跳转到错误页面 %s（不存在的地址也跳转到这里）",
                                 resp->final_url);
        if (!h->probe_final_url &&
            soft404_fingerprint(page->title, page->text, n->url) == h->probe_fingerprint)
                return xstrdup("返回 200 但内容与网站的“页面不存在”模板相同");
        return NULL;
}

/* A certificate problem on the site's own origin: recorded once, and the origin is then
 * fetched without verification so that the scan still sees the site. */
static bool tls_fallback(struct site_crawl *c, struct node *n, struct host *h,
                         const struct http_response *resp)
{
        if (resp->failure != HTTP_FAIL_TLS || !h || !h->site_host || h->insecure)
                return false;
        h->insecure = true;
        struct site_results *res = &c->results;
        res->tls = xreallocarray(res->tls, res->n_tls + 1, sizeof(*res->tls));
        res->tls[res->n_tls++] = (struct site_tls_problem){
                .origin = xstrdup(h->origin),
                .url = xstrdup(n->url),
                .error = xstrdup(resp->error ? resp->error : "TLS"),
                .verify_result = resp->tls_verify_result,
        };
        return true;
}

/* Back to the front of the window for another attempt at once (not a retry). */
static void again(struct site_crawl *c, struct node *n)
{
        list_remove(&c->flying, n);
        n->in_flight = false;
        n->attempts--;
        list_prepend(&c->queues[n->prio], n);
}

static void schedule_retry(struct site_crawl *c, struct node *n, uint64_t at_least_ms)
{
        uint64_t delay = (uint64_t)c->plan->retry_delay_ms << (n->attempts - 1);

        /* Exponential backoff with jitter: delay * 2^(attempt-1), plus up to half again. */
        c->rng = c->rng * 6364136223846793005ULL + 1442695040888963407ULL;
        delay += delay ? (c->rng >> 33) % (delay / 2 + 1) : 0;
        if (delay < at_least_ms)
                delay = at_least_ms;
        park(c, n, now_ms(c) + delay);
        wake_at(c, now_ms(c) + delay);
}

static void fill_host_backoff(struct site_crawl *c, struct host *h,
                              const struct http_response *resp, uint64_t *ret_wait)
{
        *ret_wait = 0;
        if (!h || (resp->status != 429 && resp->status != 503))
                return;
        long ms = retry_after_ms(c, resp->retry_after);
        if (ms <= 0)
                ms = c->plan->retry_delay_ms;
        if (ms > c->plan->max_retry_after_ms)
                ms = c->plan->max_retry_after_ms;
        uint64_t until = now_ms(c) + (uint64_t)ms;
        if (until > h->blocked_until_ms)
                h->blocked_until_ms = until;
        *ret_wait = (uint64_t)ms;
}

/* What the second half of a fetch's completion works with: the verdict and, for a parsed
 * page, the page (fresh from the parser or rebuilt from the cache) and its encodings. */
struct outcome {
        enum site_link_verdict verdict;
        bool reused;                    /* page comes from the cache (304) */
        struct html_page *page;
        struct charset_result cr;
        struct cached cached;
        struct buf extract;             /* the page-cache entry to store, if any */
        char *key;                      /* its parse key */
        char *selector_error;           /* the column's selector did not compile */
        bool has_pubdate;
        xj_day pubdate;
};

static void outcome_clear(struct outcome *o)
{
        html_page_free(o->page);
        charset_result_free(&o->cr);
        free(o->cached.charset);
        free(o->cached.content_type);
        buf_free(&o->extract);
        free(o->key);
        free(o->selector_error);
}

/* A response that outlives its callback, for a parse in the thread pool. */
struct owned_response {
        struct http_response r;
        char *url, *final_url, *error, *content_type, *etag, *last_modified, *retry_after;
        char *body;
};

static char *dup_or_null(const char *s)
{
        return s ? xstrdup(s) : NULL;
}

static void owned_response_init(struct owned_response *o, const struct http_response *r)
{
        o->r = *r;
        o->r.url = o->url = xstrdup(r->url);
        o->r.final_url = o->final_url = xstrdup(r->final_url);
        o->r.error = o->error = dup_or_null(r->error);
        o->r.content_type = o->content_type = dup_or_null(r->content_type);
        o->r.etag = o->etag = dup_or_null(r->etag);
        o->r.last_modified = o->last_modified = dup_or_null(r->last_modified);
        o->r.retry_after = o->retry_after = dup_or_null(r->retry_after);
        o->r.blocked_address = NULL;
        o->body = xmalloc(r->body_len + 1);
        memcpy(o->body, r->body, r->body_len);
        o->body[r->body_len] = '\0';
        o->r.body = o->body;
}

static void owned_response_clear(struct owned_response *o)
{
        free(o->url);
        free(o->final_url);
        free(o->error);
        free(o->content_type);
        free(o->etag);
        free(o->last_modified);
        free(o->retry_after);
        free(o->body);
}

/* A page being decoded and parsed in libuv's thread pool, so that the loop thread goes on
 * with the store and the network meanwhile (the machine's second core). The job reads
 * only what it owns; its result is taken over on the loop thread. */
struct parse_job {
        uv_work_t work;
        struct site_crawl *crawl;
        struct node *node;
        struct owned_response resp;
        char *selector;
        struct html_options opts;
        bool orphan;                    /* the crawl was freed: only clean up */
        struct outcome out;
        struct parse_job *prev, *next;
};

static void parse_in_pool(uv_work_t *w)
{
        struct parse_job *j = container_of(w, struct parse_job, work);
        const struct http_response *resp = &j->resp.r;
        struct outcome *o = &j->out;

        if (charset_decode(resp->body, resp->body_len, resp->content_type,
                           resp->body_len * 4 + 64, &o->cr) < 0)
                return;
        j->opts.item_selector = j->selector;
        if (html_parse(o->cr.utf8, o->cr.len, resp->final_url, &j->opts, &o->page,
                       &o->selector_error) < 0 && j->selector) {
                /* Only an invalid selector fails; parse without it rather than lose the
                 * page, and say so where the column's error is kept. */
                j->opts.item_selector = NULL;
                (void)html_parse(o->cr.utf8, o->cr.len, resp->final_url, &j->opts, &o->page,
                                 NULL);
        }
        if (!o->page)
                return;
        o->has_pubdate = page_pubdate(o->page, j->opts.today, &o->pubdate);
        buf_init(&o->extract, resp->body_len * 8 + (1u << 20));
        if (pagecache_encode(o->page, &o->extract) < 0)
                buf_free(&o->extract);
}

static void complete_rest(struct site_crawl *c, struct node *n, const struct http_response *resp,
                          struct outcome *o);
static void maybe_finish(struct site_crawl *c);

static void parse_done(uv_work_t *w, int status)
{
        struct parse_job *j = container_of(w, struct parse_job, work);
        struct site_crawl *c = j->crawl;

        if (j->prev)
                j->prev->next = j->next;
        else
                c->jobs = j->next;
        if (j->next)
                j->next->prev = j->prev;
        c->parsing--;
        if (j->orphan) {
                outcome_clear(&j->out);
                owned_response_clear(&j->resp);
                free(j->selector);
                free(j);
                if (--c->open_handles == 0)
                        free(c);
                return;
        }
        if (j->out.selector_error && j->node->column >= 0)
                str_replace(&c->results.columns[j->node->column].error, j->out.selector_error);
        complete_rest(c, j->node, &j->resp.r, &j->out);
        owned_response_clear(&j->resp);
        free(j->selector);
        free(j);
        dispatch(c);
}

static void parse_later(struct site_crawl *c, struct node *n, const struct http_response *resp)
{
        struct parse_job *j = xcalloc(1, sizeof(*j));

        j->crawl = c;
        j->node = n;
        owned_response_init(&j->resp, resp);
        if (n->column >= 0 && (n->kind == SITE_FETCH_COLUMN || n->kind == SITE_FETCH_LIST))
                j->selector = dup_or_null(c->plan->columns[n->column].item_selector);
        j->opts = (struct html_options){
                .max_links = (size_t)c->plan->max_links_per_page,
                .max_url_length = (size_t)c->plan->max_url_length,
                .today = c->plan->today,
                .hidden_offset_px = c->plan->hidden_offset_px,
                .hidden_tiny_px = c->plan->hidden_tiny_px,
        };
        j->out.verdict = LINK_OK;
        j->out.key = parse_key(c, n);
        j->next = c->jobs;
        if (j->next)
                j->next->prev = j;
        c->jobs = j;
        c->parsing++;
        if (uv_queue_work(c->loop, &j->work, parse_in_pool, parse_done) < 0) {
                /* The pool refused (it never does in practice): parse here instead. */
                parse_in_pool(&j->work);
                parse_done(&j->work, 0);
        }
}

/* The first half of a finished fetch, on the loop thread: the evidence, a wrong method,
 * a certificate to fall back from, a 304 to rebuild from the cache, a retry; a page to
 * parse goes to the thread pool, everything else straight to complete_rest(). */
static void complete(struct site_crawl *c, struct node *n, const struct http_response *resp)
{
        struct site_stats *st = &c->results.stats;
        struct host *h = host_get(c, n->origin);
        bool transient;
        struct outcome o = {.verdict = verdict_of(resp, &transient)};
        int r;

        if (n->robots_skip)
                o.verdict = LINK_SKIPPED;
        else
                history_add(c, n, resp);
        st->bytes += resp->body_len;
        st->wire_bytes += resp->wire_bytes;
        if (head_refused(resp) && !n->head_failed) {
                /* Not an attempt against the retry budget: the method was wrong. */
                n->head_failed = true;
                again(c, n);
                return;
        }
        if (tls_fallback(c, n, h, resp)) {
                again(c, n);
                return;
        }
        if (resp->status == 304 && n->conditional && resp->method == HTTP_GET) {
                r = store_page_cache_get(c->frontier, n->url, take_cached, &o.cached);
                if (r < 0 && r != -ENOENT) {
                        store_failed(c, r);
                        return;
                }
                if (!o.cached.page) {
                        /* Nothing usable in the cache: ask again without validators. */
                        n->unconditional = true;
                        again(c, n);
                        return;
                }
                o.verdict = LINK_OK;
                o.reused = true;
                o.page = o.cached.page;
                o.cached.page = NULL;
                o.has_pubdate = page_pubdate(o.page, c->plan->today, &o.pubdate);
                st->reused++;
                complete_rest(c, n, resp, &o);
                return;
        }
        uint64_t wait;
        fill_host_backoff(c, h, resp, &wait);
        if (o.verdict != LINK_OK && transient && !c->stopped &&
            n->attempts <= c->plan->retries) {
                schedule_retry(c, n, wait);
                return;
        }
        if (kind_is_parsed(n->kind) && o.verdict == LINK_OK && resp->method == HTTP_GET &&
            resp->status >= 200 && resp->status < 300 && looks_like_html(resp)) {
                parse_later(c, n, resp);
                return;
        }
        complete_rest(c, n, resp, &o);
}

/* The second half, on the loop thread: soft 404s, then one group transaction for the
 * frontier row, the URLs the page leads to, its cache entry and the caller's writes, then
 * the results the checks read. Consumes o. */
static void complete_rest(struct site_crawl *c, struct node *n, const struct http_response *resp,
                          struct outcome *o)
{
        struct site_stats *st = &c->results.stats;
        struct host *h = host_get(c, n->origin);
        bool reused = o->reused;
        enum site_link_verdict verdict = o->verdict;
        struct html_page *page = o->page;
        _cleanup_free_ char *soft404 = NULL;
        int r;

        if (c->store_error) {
                list_remove(&c->flying, n);
                node_release(c, n);
                outcome_clear(o);
                return;
        }
        if (page) {
                soft404 = soft404_reason(c, n, h, resp, page);
                if (soft404) {
                        verdict = LINK_DEAD;
                        st->soft404++;
                        buf_free(&o->extract);
                }
        }

        struct http_response shown = *resp;
        if (reused) {
                shown.content_type = o->cached.content_type;
                shown.body = "";
                shown.body_len = 0;
        }
        struct site_fetch f = {
                .url = n->url,
                .kind = n->kind,
                .column = n->column,
                .depth = n->depth,
                .resp = &shown,
                .attempts = n->attempts,
                .verdict = verdict,
                .charset = reused ? o->cached.charset : (page ? o->cr.charset : NULL),
                .page = soft404 ? NULL : page,
                .reused = reused,
                .soft404 = soft404,
                .has_pubdate = !soft404 && page && o->has_pubdate,
                .pubdate = o->pubdate,
        };

        /* One group of fetches per transaction: the row, what it discovered, its cache
         * entry, the caller's writes. */
        r = batch_join(c);
        if (r >= 0 && f.page)
                r = page_discover(c, n, page);
        if (r >= 0)
                r = store_frontier_done(c->frontier,
                                        &(struct store_frontier_result){
                                                .id = n->id,
                                                .verdict = site_link_verdict_id(verdict),
                                                .status = resp->status,
                                                .failure = http_failure_id(resp->failure),
                                                .error = resp->error,
                                                .final_url = streq(resp->final_url, n->url)
                                                                     ? NULL
                                                                     : resp->final_url,
                                                .content_type = shown.content_type,
                                                .attempts = n->attempts,
                                                .history = n->history,
                                                .parsed = f.page != NULL,
                                                .has_pubdate = f.has_pubdate,
                                                .pubdate = f.pubdate,
                                                .soft404 = soft404,
                                        });
        if (r >= 0 && reused)
                r = store_page_cache_touch(c->frontier, n->url);
        else if (r >= 0 && f.page && o->extract.data)
                r = store_page_cache_put(c->frontier, n->url,
                                         &(struct store_cached_page){
                                                 .etag = resp->etag,
                                                 .last_modified = resp->last_modified,
                                                 .parse_key = o->key,
                                                 .content_type = resp->content_type,
                                                 .charset = o->cr.charset,
                                                 .extract = o->extract.data,
                                                 .extract_len = o->extract.len,
                                         });
        if (r >= 0 && c->cb.on_fetch)
                r = c->cb.on_fetch(&f, c->cb.userdata);
        if (r >= 0 && ++c->batch_fetches >= BATCH_FETCHES)
                r = batch_commit(c);
        else if (r < 0)
                batch_abort(c);

        if (r < 0) {
                store_failed(c, r);
        } else {
                st->fetched++;
                if (verdict != LINK_OK && verdict != LINK_SKIPPED)
                        st->failed++;
                if (f.page)
                        st->parsed++;
                else
                        st->checked++;
                if (n->kind == SITE_FETCH_HOMEPAGE || n->kind == SITE_FETCH_COLUMN) {
                        /* Kept as the checks read it. */
                        struct site_results *res = &c->results;
                        const char *error = soft404 ? soft404 : resp->error;
                        if (n->kind == SITE_FETCH_HOMEPAGE) {
                                res->homepage_fetched = verdict == LINK_OK && f.page;
                                res->homepage_status = resp->status;
                                if (error) {
                                        str_replace(&res->homepage_error, error);
                                } else if (!res->homepage_fetched) {
                                        _cleanup_free_ char *why =
                                                verdict != LINK_OK
                                                        ? xasprintf("HTTP %ld", resp->status)
                                                        : xstrdup("页面不是 HTML");
                                        str_replace(&res->homepage_error, why);
                                }
                        } else if (n->column >= 0) {
                                struct site_column_result *col = &res->columns[n->column];
                                col->status = resp->status;
                                col->has_pubdate = f.has_pubdate;
                                col->pubdate = f.pubdate;
                                if (verdict != LINK_OK) {
                                        str_replace(&col->error, error ? error : "HTTP 错误");
                                } else if (!f.page) {
                                        /* It answered, but with something we cannot read
                                         * as a column. */
                                        _cleanup_free_ char *why = xasprintf(
                                                "页面不是 HTML（Content-Type: %s）",
                                                shown.content_type ? shown.content_type
                                                                   : "未知");
                                        str_replace(&col->error, why);
                                }
                        }
                }
                if (f.page)
                        page_results(c, n->kind, n->column, page);
        }
        list_remove(&c->flying, n);
        node_release(c, n);
        outcome_clear(o);
}

static void on_response(const struct http_response *resp, void *userdata)
{
        struct node *n = userdata;
        struct site_crawl *c = n->crawl;
        struct host *h = host_get(c, n->origin);

        host_finished(c, h);
        if (c->store_error) {
                /* The store failed: nothing more is recorded; the row stays leased. */
                list_remove(&c->flying, n);
                node_release(c, n);
        } else {
                complete(c, n, resp);
        }
        dispatch(c);
}

/* ---- the end --------------------------------------------------------------------------- */

static int take_broken(const struct store_frontier_done_row *row, void *userdata)
{
        struct site_results *res = userdata;
        const struct store_frontier_result *r = &row->r;

        if (r->failure && streq(r->failure, http_failure_id(HTTP_FAIL_TOO_LARGE)) &&
            kind_is_parsed(kind_from_id(row->kind))) {
                res->oversized = xreallocarray(res->oversized, res->n_oversized + 1,
                                               sizeof(*res->oversized));
                res->oversized[res->n_oversized++] = (struct site_oversized_page){
                        .url = xstrdup(row->url),
                        .column = row->column,
                        .referrer = row->referrer_url ? xstrdup(row->referrer_url) : NULL,
                };
                if (streq_ptr(r->verdict, site_link_verdict_id(LINK_OK)) || !row->referrer_url)
                        return 0;
        }

        res->broken = xreallocarray(res->broken, res->n_broken + 1, sizeof(*res->broken));
        res->broken[res->n_broken++] = (struct site_broken_link){
                .url = xstrdup(row->url),
                .kind = link_kind_from_id(row->link_kind),
                .scope = URL_SCOPE_SITE,
                .referrer = xstrdup(row->referrer_url),
                .referrer_column = row->referrer_column,
                .verdict = verdict_from_id(r->verdict),
                .status = r->status,
                .failure = failure_from_id(r->failure),
                .error = r->error ? xstrdup(r->error) : NULL,
                .attempts = r->attempts,
                .final_url = r->final_url ? xstrdup(r->final_url) : NULL,
                .soft404 = r->soft404 ? xstrdup(r->soft404) : NULL,
                .history = r->history ? xstrdup(r->history) : NULL,
        };
        return 0;
}

/* Fills in what can only be known at the end: article dates for undated list items, and
 * the broken links with the column of the page that linked them. */
static void finish(struct site_crawl *c)
{
        struct site_results *res = &c->results;
        int r = 0;

        c->finished = true;
        if (!c->store_error)
                r = batch_commit(c);
        checkpoint_stop(c);
        if (c->wake_armed) {
                uv_timer_stop(&c->wake);
                c->wake_armed = false;
        }
        for (size_t i = 0; i < c->plan->n_columns && r >= 0 && !c->store_error; i++) {
                struct site_column_result *col = &res->columns[i];
                for (size_t j = 0; j < col->n_items && r >= 0; j++) {
                        struct html_item *it = &col->items[j];
                        int32_t day;
                        if (it->has_date)
                                continue;
                        r = store_frontier_pubdate(c->frontier, it->url, &day);
                        if (r > 0) {
                                it->has_date = true;
                                it->date = (struct text_date){.day = day};
                        }
                }
        }
        if (r >= 0 && !c->store_error)
                r = store_frontier_foreach_done(c->frontier, true, take_broken, res);
        if (r < 0 && !c->store_error)
                c->store_error = r;
        for (size_t i = 0; i < res->n_broken; i++)
                res->broken[i].scope = url_scope_of(res->broken[i].url, c->plan->base_url);
        if (c->cb.on_done)
                c->cb.on_done(c, c->cb.userdata);
}

/* ---- resuming -------------------------------------------------------------------------- */

/* Rebuilds the results of one fetch the killed process had finished. */
static int replay_row(const struct store_frontier_done_row *row, void *userdata)
{
        struct site_crawl *c = userdata;
        struct site_stats *st = &c->results.stats;
        enum site_fetch_kind kind = kind_from_id(row->kind);
        enum site_link_verdict verdict = verdict_from_id(row->r.verdict);
        int column = row->column >= 0 && (size_t)row->column < c->plan->n_columns ? row->column
                                                                                   : -1;
        struct cached cached = {0};

        st->fetched++;
        if (verdict == LINK_SKIPPED)
                st->skipped_robots++;
        else if (verdict != LINK_OK)
                st->failed++;
        if (row->r.parsed) {
                int r = store_page_cache_get(c->frontier, row->url, take_cached, &cached);
                if (r < 0 && r != -ENOENT)
                        return r;
        }
        if (cached.page) {
                st->parsed++;
                page_results(c, kind, column, cached.page);
                if (c->cb.on_replay) {
                        const struct http_response resp = {
                                .url = row->url,
                                .final_url = row->r.final_url ? row->r.final_url : row->url,
                                .status = row->r.status,
                                .content_type = row->r.content_type,
                                .body = "",
                        };
                        c->cb.on_replay(&(const struct site_fetch){
                                                .url = row->url,
                                                .kind = kind,
                                                .column = column,
                                                .depth = row->depth,
                                                .resp = &resp,
                                                .attempts = row->r.attempts,
                                                .verdict = verdict,
                                                .charset = cached.charset,
                                                .page = cached.page,
                                                .has_pubdate = row->r.has_pubdate,
                                                .pubdate = row->r.pubdate,
                                                .reused = true,
                                                .soft404 = row->r.soft404,
                                        },
                                        c->cb.userdata);
                }
        } else {
                st->checked++;
        }
        struct site_results *res = &c->results;
        if (kind == SITE_FETCH_HOMEPAGE) {
                res->homepage_fetched = verdict == LINK_OK && cached.page;
                res->homepage_status = row->r.status;
                if (!res->homepage_fetched)
                        str_replace(&res->homepage_error,
                                    row->r.soft404 ? row->r.soft404
                                    : row->r.error ? row->r.error
                                                   : "HTTP 错误或不是 HTML 页面");
        } else if (kind == SITE_FETCH_COLUMN && column >= 0) {
                struct site_column_result *col = &res->columns[column];
                col->status = row->r.status;
                col->has_pubdate = row->r.has_pubdate;
                col->pubdate = row->r.pubdate;
                if (verdict != LINK_OK)
                        str_replace(&col->error, row->r.soft404 ? row->r.soft404
                                                 : row->r.error ? row->r.error
                                                                : "HTTP 错误");
                else if (!cached.page)
                        str_replace(&col->error, "页面不是 HTML");
        }
        html_page_free(cached.page);
        free(cached.charset);
        free(cached.content_type);
        return 0;
}

/* ---- the crawl's life ------------------------------------------------------------------ */

int site_crawl_new(uv_loop_t *loop, struct http_engine *http, struct store *store,
                   int64_t scan_id, const struct site_plan *plan,
                   const struct site_callbacks *cb, struct site_crawl **ret)
{
        struct site_crawl *c;
        int r;

        if (!plan->homepage || !plan->base_url || !store)
                return -EINVAL;
        c = xcalloc(1, sizeof(*c));
        r = store_frontier_open(store, scan_id, plan->site ? plan->site : plan->base_url,
                                &c->frontier);
        if (r < 0) {
                free(c);
                return r;
        }
        c->loop = loop;
        c->http = http;
        c->store = store;
        c->plan = plan;
        c->cb = *cb;
        c->max_in_flight = 32;
        c->rng = hash_str(plan->homepage) ^ (uint64_t)scan_id;
        c->hosts_size = 64;
        c->hosts = xcalloc(c->hosts_size, sizeof(*c->hosts));
        c->seen = xcalloc(SEEN_MAX * 2, sizeof(*c->seen));
        c->paths = trap_counter_new(plan->max_urls_per_path > 0 ? (unsigned)plan->max_urls_per_path
                                                                : 0);
        c->results.columns = xcalloc(plan->n_columns ? plan->n_columns : 1,
                                     sizeof(*c->results.columns));
        c->planned = xcalloc(plan->n_columns + 1, sizeof(*c->planned));
        c->planned[c->n_planned++] = hash_str(plan->homepage);
        for (size_t i = 0; i < plan->n_columns; i++)
                c->planned[c->n_planned++] = hash_str(plan->columns[i].url);
        qsort(c->planned, c->n_planned, sizeof(*c->planned), cmp_u64);
        uv_timer_init(loop, &c->wake);
        uv_timer_init(loop, &c->commit_timer);
        c->open_handles = 2;
        if (store_checkpointer_open(store, &c->checkpointer) == 0)
                store_autocheckpoint(store, false);
        *ret = c;
        return 0;
}

void site_crawl_set_parallelism(struct site_crawl *c, size_t n)
{
        c->max_in_flight = n ? n : 1;
}

/* Queues the homepage and the columns (the store keeps whatever it had for them). */
static int plan_urls(struct site_crawl *c)
{
        int r = discover(c, c->plan->homepage, SITE_FETCH_HOMEPAGE, 0, -1, HTML_LINK_A, 0);

        for (size_t i = 0; i < c->plan->n_columns && r >= 0; i++) {
                r = discover(c, c->plan->columns[i].url, SITE_FETCH_COLUMN, 1, (int)i,
                             HTML_LINK_A, 0);
                /* A column configured with the homepage's URL stays the homepage fetch,
                 * but its list still belongs to the column. */
                if (r >= 0 && streq(c->plan->columns[i].url, c->plan->homepage))
                        r = store_frontier_claim(c->frontier, c->plan->homepage, (int)i, true);
        }
        return r < 0 ? r : 0;
}

static int begin(struct site_crawl *c)
{
        int64_t count, next;
        int r = store_frontier_queued(c->frontier, &count, &next);

        if (r < 0)
                return r;
        c->queued_in_store = count;
        uv_update_time(c->loop);
        c->start_ms = now_ms(c);
        dispatch(c);
        return c->store_error;
}

int site_crawl_start(struct site_crawl *c)
{
        int r;

        if (c->started)
                return -EALREADY;
        c->started = true;
        r = plan_urls(c);
        if (r < 0)
                return r;
        return begin(c);
}

int site_crawl_resume(struct site_crawl *c)
{
        int r;

        if (c->started)
                return -EALREADY;
        c->started = true;
        r = store_frontier_reset(c->frontier);
        if (r >= 0)
                r = store_frontier_foreach_done(c->frontier, false, replay_row, c);
        if (r < 0)
                return r;
        /* The rows the scan has, for max_pages: what is done and what is queued. */
        c->replayed = c->results.stats.fetched;
        c->known = (int64_t)c->results.stats.fetched;
        int64_t count, next;
        r = store_frontier_queued(c->frontier, &count, &next);
        if (r < 0)
                return r;
        c->known += count;
        /* The homepage may not have been recorded before the kill. */
        r = plan_urls(c);
        if (r < 0)
                return r;
        return begin(c);
}

void site_crawl_stop(struct site_crawl *c)
{
        if (c->stopped)
                return;
        c->stopped = true;
        /* What finished is kept; after a store failure the group is lost anyway. */
        if (c->store_error)
                batch_abort(c);
        else
                (void)batch_commit(c);
        if (c->started && !c->finished) {
                /* What waits in the window goes back to the store untouched: its rows are
                 * leased, which a resumed crawl requeues. */
                maybe_finish(c);
        }
}

bool site_crawl_stopped(const struct site_crawl *c)
{
        return c->stopped;
}

int site_crawl_store_error(const struct site_crawl *c)
{
        return c->store_error;
}

const struct site_results *site_crawl_results(const struct site_crawl *c)
{
        return &c->results;
}

void site_crawl_progress(const struct site_crawl *c, struct site_progress *ret)
{
        *ret = (struct site_progress){
                .done = c->results.stats.fetched,
                .done_here = c->results.stats.fetched - c->replayed,
                .queued = (size_t)(c->queued_in_store > 0 ? c->queued_in_store : 0) +
                          window_count(c),
                .in_flight = c->in_flight,
                .failed = c->results.stats.failed,
                .seconds = c->started ? (double)(uv_now(c->loop) - c->start_ms) / 1000 : 0,
        };
}

static void timer_closed(uv_handle_t *h)
{
        struct site_crawl *c = h->data;
        if (--c->open_handles == 0)
                free(c);
}

void site_crawl_free(struct site_crawl *c)
{
        if (!c)
                return;
        batch_abort(c);
        checkpoint_stop(c);
        if (c->checkpointing) {
                /* It ends on its own and closes its connection; the crawl waits for it. */
                c->checkpoint_orphan = true;
                c->open_handles++;
                uv_cancel((uv_req_t *)&c->checkpoint_work);
        }
        /* Parses still in the pool end on their own; their results are dropped. */
        for (struct parse_job *j = c->jobs; j; j = j->next) {
                j->orphan = true;
                c->open_handles++;
                uv_cancel((uv_req_t *)&j->work);
        }
        for (int p = 0; p < PRIO_COUNT; p++)
                while (c->queues[p].head) {
                        struct node *n = c->queues[p].head;
                        list_remove(&c->queues[p], n);
                        node_free(n);
                }
        while (c->flying.head) {
                struct node *n = c->flying.head;
                list_remove(&c->flying, n);
                node_free(n);
        }
        for (size_t i = 0; i < c->hosts_size; i++)
                for (struct host *h = c->hosts[i], *next; h; h = next) {
                        next = h->hnext;
                        host_free(h);
                }
        free(c->hosts);
        for (size_t i = 0; i < SEEN_MAX * 2; i++)
                free(c->seen[i]);
        free(c->seen);
        free(c->planned);
        trap_counter_free(c->paths);
        store_frontier_close(c->frontier);

        struct site_results *res = &c->results;
        free(res->homepage_error);
        items_free(res->homepage_items, res->n_homepage_items);
        for (size_t i = 0; i < c->plan->n_columns; i++) {
                struct site_column_result *col = &res->columns[i];
                items_free(col->items, col->n_items);
                free(col->error);
                free(col->text);
                free(col->title);
        }
        free(res->columns);
        for (size_t i = 0; i < res->n_broken; i++) {
                free(res->broken[i].url);
                free(res->broken[i].referrer);
                free(res->broken[i].error);
                free(res->broken[i].final_url);
                free(res->broken[i].soft404);
                free(res->broken[i].history);
        }
        free(res->broken);
        for (size_t i = 0; i < res->n_oversized; i++) {
                free(res->oversized[i].url);
                free(res->oversized[i].referrer);
        }
        free(res->oversized);
        for (size_t i = 0; i < res->n_tls; i++) {
                free(res->tls[i].origin);
                free(res->tls[i].url);
                free(res->tls[i].error);
        }
        free(res->tls);
        strv_free(&res->traps);
        /* The timers' memory is the crawl's: freed when libuv has closed both. */
        c->wake.data = c->commit_timer.data = c;
        uv_close((uv_handle_t *)&c->wake, timer_closed);
        uv_close((uv_handle_t *)&c->commit_timer, timer_closed);
}

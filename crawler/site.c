/* Crawling one site: frontier, priorities, retries and the bookkeeping the checks read;
 * see site.h. */
#include "crawler/site.h"

#include <errno.h>
#include <strings.h>

#include "common/util.h"
#include "crawler/charset.h"

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

enum node_state {
        NODE_QUEUED = 0,
        NODE_IN_FLIGHT,
        NODE_RETRY_WAIT,
        NODE_DONE,
};

/* One URL of this crawl. Nodes live in one array and refer to each other by index, so
 * growing the array never leaves a dangling pointer. */
struct node {
        char *url;
        enum site_fetch_kind kind;
        enum node_state state;
        int column;                     /* claimed column, or -1 */
        int depth;
        int attempts;
        bool head_failed;               /* HEAD was refused: the next attempt is a GET */
        enum html_link_kind link_kind;  /* how it was first linked */
        long referrer;                  /* node index of the first page linking it, or -1 */
        /* Results. */
        enum site_link_verdict verdict;
        long status;
        enum http_failure failure;
        char *error;
        bool has_pubdate;               /* the date the page itself shows */
        xj_day pubdate;
};

struct queue {
        size_t *items;
        size_t head, len, cap;
};

struct retry {
        uv_timer_t timer;
        struct site_crawl *crawl;
        size_t node;
        struct retry *prev, *next;
};

struct site_crawl {
        uv_loop_t *loop;
        struct http_engine *http;
        const struct site_plan *plan;
        struct site_callbacks cb;

        struct node *nodes;
        size_t n_nodes, cap_nodes;
        uint32_t *map;                  /* open addressing: node index + 1, 0 = empty */
        size_t map_size;

        struct queue queues[PRIO_COUNT];
        size_t in_flight;
        size_t max_in_flight;
        struct retry *retries;
        uint64_t rng;

        bool started, stopped, finished;
        struct site_results results;
};

const char *site_fetch_kind_id(enum site_fetch_kind k)
{
        static const char *const ids[] = {
                [SITE_FETCH_HOMEPAGE] = "homepage", [SITE_FETCH_COLUMN] = "column",
                [SITE_FETCH_LIST] = "list",         [SITE_FETCH_ARTICLE] = "article",
                [SITE_FETCH_PAGE] = "page",         [SITE_FETCH_CHECK] = "resource",
        };
        return (unsigned)k < ARRAY_SIZE(ids) ? ids[k] : "?";
}

static void queue_push(struct queue *q, size_t v)
{
        if (q->head + q->len == q->cap) {
                if (q->head > q->cap / 2) {
                        memmove(q->items, q->items + q->head, q->len * sizeof(*q->items));
                        q->head = 0;
                } else {
                        q->cap = q->cap ? q->cap * 2 : 64;
                        q->items = xreallocarray(q->items, q->cap, sizeof(*q->items));
                }
        }
        q->items[q->head + q->len++] = v;
}

static bool queue_pop(struct queue *q, size_t *ret)
{
        if (!q->len)
                return false;
        *ret = q->items[q->head++];
        q->len--;
        if (!q->len)
                q->head = 0;
        return true;
}

static void map_insert_slot(struct site_crawl *c, size_t idx)
{
        size_t mask = c->map_size - 1, i = hash_str(c->nodes[idx].url) & mask;
        while (c->map[i])
                i = (i + 1) & mask;
        c->map[i] = (uint32_t)(idx + 1);
}

static long map_find(const struct site_crawl *c, const char *url)
{
        if (!c->map)
                return -1;
        size_t mask = c->map_size - 1, i = hash_str(url) & mask;
        while (c->map[i]) {
                size_t idx = c->map[i] - 1;
                if (streq(c->nodes[idx].url, url))
                        return (long)idx;
                i = (i + 1) & mask;
        }
        return -1;
}

static size_t node_add(struct site_crawl *c, char *url_take, enum site_fetch_kind kind, int depth,
                       int column, enum html_link_kind link_kind, long referrer)
{
        if (c->n_nodes == c->cap_nodes) {
                c->cap_nodes = c->cap_nodes ? c->cap_nodes * 2 : 256;
                c->nodes = xreallocarray(c->nodes, c->cap_nodes, sizeof(*c->nodes));
        }
        size_t idx = c->n_nodes++;
        c->nodes[idx] = (struct node){
                .url = url_take,
                .kind = kind,
                .column = column,
                .depth = depth,
                .link_kind = link_kind,
                .referrer = referrer,
        };
        /* Keep the table at most half full. */
        if (c->n_nodes * 2 > c->map_size) {
                free(c->map);
                c->map_size = c->map_size ? c->map_size * 2 : 1024;
                c->map = xcalloc(c->map_size, sizeof(*c->map));
                for (size_t i = 0; i < c->n_nodes; i++)
                        map_insert_slot(c, i);
        } else {
                map_insert_slot(c, idx);
        }
        return idx;
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

static size_t fetches_total(const struct site_crawl *c)
{
        return c->n_nodes;
}

static void enqueue(struct site_crawl *c, size_t idx)
{
        c->nodes[idx].state = NODE_QUEUED;
        queue_push(&c->queues[prio_of(c->nodes[idx].kind)], idx);
}

/* Registers a URL met on page `referrer` (or planned when referrer is -1). Returns the
 * node index, or -1 when the URL was refused (cap reached). An existing node is returned
 * as it is, except that a column list claims an article nobody had claimed yet. */
static long discover(struct site_crawl *c, const char *url, enum site_fetch_kind kind, int depth,
                     int column, enum html_link_kind link_kind, long referrer)
{
        long idx = map_find(c, url);

        if (idx >= 0) {
                struct node *n = &c->nodes[idx];
                /* Only a page that is nobody's structure can become a column's article:
                 * a list that links the homepage (a breadcrumb taken for an item) must not
                 * make the homepage part of that column. */
                if (column >= 0 && n->column < 0 && kind == SITE_FETCH_ARTICLE &&
                    (n->kind == SITE_FETCH_ARTICLE || n->kind == SITE_FETCH_PAGE))
                        n->column = column;
                if (n->referrer < 0 && referrer >= 0 && (size_t)referrer != (size_t)idx) {
                        n->referrer = referrer;
                        n->link_kind = link_kind;
                }
                return idx;
        }
        if (c->plan->max_pages > 0 && fetches_total(c) >= (size_t)c->plan->max_pages) {
                c->results.stats.skipped_cap++;
                c->results.capped = true;
                return -1;
        }
        idx = (long)node_add(c, xstrdup(url), kind, depth, column, link_kind, referrer);
        enqueue(c, (size_t)idx);
        return idx;
}

static void dispatch(struct site_crawl *c);

static void on_response(const struct http_response *resp, void *userdata);

static int start_fetch(struct site_crawl *c, size_t idx)
{
        struct node *n = &c->nodes[idx];
        bool head = n->kind == SITE_FETCH_CHECK && !n->head_failed &&
                    (url_looks_binary(n->url) || !link_kind_is_navigable(n->link_kind) ||
                     url_scope_of(n->url, c->plan->base_url) != URL_SCOPE_SITE);
        struct http_request req = {
                .url = n->url,
                .method = head ? HTTP_HEAD : HTTP_GET,
                .max_body = kind_is_parsed(n->kind) ? c->plan->max_page_body
                                                    : c->plan->max_check_body,
                .done = on_response,
                /* The response names its URL, which finds the node again; a pointer to the
                 * node would not survive the node array growing meanwhile. */
                .userdata = c,
        };

        n->state = NODE_IN_FLIGHT;
        n->attempts++;
        c->in_flight++;
        int r = http_fetch(c->http, &req);
        if (r < 0) {
                c->in_flight--;
                n->state = NODE_DONE;
                n->verdict = LINK_SUSPECT;
                str_replace(&n->error, "请求无法发起");
                return r;
        }
        return 0;
}

static void finish(struct site_crawl *c);

static void maybe_finish(struct site_crawl *c)
{
        if (c->finished || c->in_flight || c->retries)
                return;
        if (!c->stopped)
                for (int p = 0; p < PRIO_COUNT; p++)
                        if (c->queues[p].len)
                                return;
        finish(c);
}

static void dispatch(struct site_crawl *c)
{
        size_t idx;

        while (!c->stopped && c->in_flight < c->max_in_flight) {
                bool got = false;
                for (int p = 0; p < PRIO_COUNT && !got; p++)
                        got = queue_pop(&c->queues[p], &idx);
                if (!got)
                        break;
                (void)start_fetch(c, idx);
        }
        maybe_finish(c);
}

static void retry_closed(uv_handle_t *h)
{
        free(container_of((uv_timer_t *)h, struct retry, timer));
}

static void retry_unlink(struct site_crawl *c, struct retry *r)
{
        if (r->prev)
                r->prev->next = r->next;
        else
                c->retries = r->next;
        if (r->next)
                r->next->prev = r->prev;
        uv_close((uv_handle_t *)&r->timer, retry_closed);
}

static void on_retry_timer(uv_timer_t *t)
{
        struct retry *r = container_of(t, struct retry, timer);
        struct site_crawl *c = r->crawl;
        size_t idx = r->node;

        retry_unlink(c, r);
        enqueue(c, idx);
        dispatch(c);
}

/* Exponential backoff with jitter: delay * 2^(attempt-1), plus up to half of that again. */
static void schedule_retry(struct site_crawl *c, size_t idx)
{
        struct retry *r = xcalloc(1, sizeof(*r));
        uint64_t delay = (uint64_t)c->plan->retry_delay_ms << (c->nodes[idx].attempts - 1);

        c->rng = c->rng * 6364136223846793005ULL + 1442695040888963407ULL;
        delay += delay ? (c->rng >> 33) % (delay / 2 + 1) : 0;
        r->crawl = c;
        r->node = idx;
        r->next = c->retries;
        if (r->next)
                r->next->prev = r;
        c->retries = r;
        c->nodes[idx].state = NODE_RETRY_WAIT;
        uv_timer_init(c->loop, &r->timer);
        uv_timer_start(&r->timer, on_retry_timer, delay, 0);
}

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
        /* A redirect loop does not get better by asking again. */
        *ret_transient = resp->failure != HTTP_FAIL_REDIRECTS;
        return LINK_SUSPECT;
}

/* Servers that mishandle HEAD answer it with these; the link deserves a GET. */
static bool head_refused(const struct http_response *resp)
{
        if (resp->method != HTTP_HEAD)
                return false;
        if (resp->failure == HTTP_FAIL_NETWORK || resp->failure == HTTP_FAIL_OTHER)
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

static void process_page(struct site_crawl *c, size_t idx, const struct html_page *page)
{
        const struct site_plan *plan = c->plan;
        struct node *n = &c->nodes[idx];
        int depth = n->depth;
        int column = n->column;
        enum site_fetch_kind kind = n->kind;

        if (kind == SITE_FETCH_HOMEPAGE) {
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
                /* Further list pages, up to the cap counted over the whole column. */
                for (size_t i = 0; i < page->n_list_pages; i++) {
                        if ((int)(col->list_pages + i) >= plan->max_list_pages)
                                break;
                        discover(c, page->list_pages[i], SITE_FETCH_LIST, depth, column,
                                 HTML_LINK_A, (long)idx);
                }
                /* Items are articles of this column, one level down. */
                if (depth + 1 <= plan->max_depth)
                        for (size_t i = 0; i < page->n_items; i++) {
                                enum url_scope scope =
                                        url_scope_of(page->items[i].url, plan->base_url);
                                bool parse = scope == URL_SCOPE_SITE &&
                                             !url_looks_binary(page->items[i].url);
                                discover(c, page->items[i].url,
                                         parse ? SITE_FETCH_ARTICLE : SITE_FETCH_CHECK,
                                         depth + 1, column, HTML_LINK_A, (long)idx);
                        }
        }

        for (size_t i = 0; i < page->n_links; i++) {
                const struct html_link *l = &page->links[i];
                if (l->kind == HTML_LINK_FORM)
                        continue;       /* actions want a POST; not links to check */
                enum url_scope scope = url_scope_of(l->url, plan->base_url);
                bool parse = scope == URL_SCOPE_SITE && link_kind_is_navigable(l->kind) &&
                             depth + 1 <= plan->max_depth && !url_looks_binary(l->url);
                discover(c, l->url, parse ? SITE_FETCH_PAGE : SITE_FETCH_CHECK, depth + 1, -1,
                         l->kind, (long)idx);
        }
}

static void parse_response(struct site_crawl *c, size_t idx, const struct http_response *resp,
                           struct site_fetch *f, struct charset_result *cr,
                           struct html_page **ret_page)
{
        const struct node *n = &c->nodes[idx];
        const char *selector = NULL;
        _cleanup_free_ char *error = NULL;

        if (n->column >= 0 && (n->kind == SITE_FETCH_COLUMN || n->kind == SITE_FETCH_LIST))
                selector = c->plan->columns[n->column].item_selector;
        size_t max_out = resp->body_len * 4 + 64;
        if (charset_decode(resp->body, resp->body_len, resp->content_type, max_out, cr) < 0)
                return;
        f->charset = cr->charset;
        struct html_options o = {
                .item_selector = selector,
                .max_links = (size_t)c->plan->max_links_per_page,
                .max_url_length = (size_t)c->plan->max_url_length,
                .today = c->plan->today,
                .hidden_offset_px = c->plan->hidden_offset_px,
                .hidden_tiny_px = c->plan->hidden_tiny_px,
        };
        if (html_parse(cr->utf8, cr->len, resp->final_url, &o, ret_page, &error) < 0)
                /* Only an invalid selector fails; parse without it rather than lose the
                 * page, and say so where the column's error is kept. */
                if (n->column >= 0) {
                        str_replace(&c->results.columns[n->column].error, error);
                        o.item_selector = NULL;
                        (void)html_parse(cr->utf8, cr->len, resp->final_url, &o, ret_page, NULL);
                }
}

static void complete(struct site_crawl *c, size_t idx, const struct http_response *resp)
{
        struct node *n = &c->nodes[idx];
        bool transient;
        enum site_link_verdict verdict = verdict_of(resp, &transient);
        struct site_stats *st = &c->results.stats;

        st->bytes += resp->body_len;
        if (head_refused(resp) && !n->head_failed) {
                /* Not an attempt against the retry budget: the method was wrong. */
                n->head_failed = true;
                n->attempts--;
                enqueue(c, idx);
                return;
        }
        if (verdict != LINK_OK && transient && !c->stopped && n->attempts <= c->plan->retries) {
                schedule_retry(c, idx);
                return;
        }

        n->state = NODE_DONE;
        n->verdict = verdict;
        n->status = resp->status;
        n->failure = resp->failure;
        str_replace(&n->error, resp->error);
        st->fetched++;
        if (verdict != LINK_OK)
                st->failed++;

        struct site_fetch f = {
                .url = n->url,
                .kind = n->kind,
                .column = n->column,
                .depth = n->depth,
                .resp = resp,
                .attempts = n->attempts,
                .verdict = verdict,
        };
        struct charset_result cr = {0};
        struct html_page *page = NULL;
        bool parse = kind_is_parsed(n->kind) && verdict == LINK_OK && resp->method == HTTP_GET &&
                     resp->status >= 200 && resp->status < 300 && looks_like_html(resp);

        if (parse)
                parse_response(c, idx, resp, &f, &cr, &page);
        f.page = page;
        if (page) {
                st->parsed++;
                n->has_pubdate = page_pubdate(page, c->plan->today, &n->pubdate);
                f.has_pubdate = n->has_pubdate;
                f.pubdate = n->pubdate;
        }
        else
                st->checked++;

        if (n->kind == SITE_FETCH_HOMEPAGE) {
                c->results.homepage_fetched = verdict == LINK_OK && page;
                c->results.homepage_status = resp->status;
                if (resp->error) {
                        str_replace(&c->results.homepage_error, resp->error);
                } else if (!c->results.homepage_fetched) {
                        _cleanup_free_ char *why =
                                verdict != LINK_OK ? xasprintf("HTTP %ld", resp->status)
                                                   : xstrdup("页面不是 HTML");
                        str_replace(&c->results.homepage_error, why);
                }
        } else if (n->kind == SITE_FETCH_COLUMN && n->column >= 0) {
                struct site_column_result *col = &c->results.columns[n->column];
                col->status = resp->status;
                col->has_pubdate = f.has_pubdate;
                col->pubdate = f.pubdate;
                if (verdict != LINK_OK) {
                        str_replace(&col->error, resp->error ? resp->error : "HTTP 错误");
                } else if (!page) {
                        /* It answered, but with something we cannot read as a column. */
                        _cleanup_free_ char *why = xasprintf(
                                "页面不是 HTML（Content-Type: %s）",
                                resp->content_type ? resp->content_type : "未知");
                        str_replace(&col->error, why);
                }
        }

        if (page)
                process_page(c, idx, page);
        if (c->cb.on_fetch)
                c->cb.on_fetch(&f, c->cb.userdata);
        html_page_free(page);
        charset_result_free(&cr);
}

static void on_response(const struct http_response *resp, void *userdata)
{
        struct site_crawl *c = userdata;
        long idx = map_find(c, resp->url);

        c->in_flight--;
        if (idx >= 0)
                complete(c, (size_t)idx, resp);
        dispatch(c);
}

/* Fills in what can only be known at the end: article dates for undated list items, and
 * the broken links with the column of the page that linked them. */
static void finish(struct site_crawl *c)
{
        struct site_results *res = &c->results;

        c->finished = true;
        for (size_t i = 0; i < c->plan->n_columns; i++) {
                struct site_column_result *col = &res->columns[i];
                for (size_t j = 0; j < col->n_items; j++) {
                        struct html_item *it = &col->items[j];
                        long k = it->has_date ? -1 : map_find(c, it->url);
                        if (k >= 0 && c->nodes[k].has_pubdate) {
                                it->has_date = true;
                                it->date = (struct text_date){.day = c->nodes[k].pubdate};
                        }
                }
        }
        for (size_t i = 0; i < c->n_nodes; i++) {
                const struct node *n = &c->nodes[i];
                if (n->state != NODE_DONE || n->verdict == LINK_OK || n->referrer < 0)
                        continue;
                res->broken = xreallocarray(res->broken, res->n_broken + 1, sizeof(*res->broken));
                const struct node *from = &c->nodes[n->referrer];
                res->broken[res->n_broken++] = (struct site_broken_link){
                        .url = xstrdup(n->url),
                        .kind = n->link_kind,
                        .scope = url_scope_of(n->url, c->plan->base_url),
                        .referrer = xstrdup(from->url),
                        .referrer_column = from->column,
                        .verdict = n->verdict,
                        .status = n->status,
                        .failure = n->failure,
                        .error = n->error ? xstrdup(n->error) : NULL,
                        .attempts = n->attempts,
                };
        }
        if (c->cb.on_done)
                c->cb.on_done(c, c->cb.userdata);
}

int site_crawl_new(uv_loop_t *loop, struct http_engine *http, const struct site_plan *plan,
                   const struct site_callbacks *cb, struct site_crawl **ret)
{
        struct site_crawl *c;

        if (!plan->homepage || !plan->base_url)
                return -EINVAL;
        c = xcalloc(1, sizeof(*c));
        c->loop = loop;
        c->http = http;
        c->plan = plan;
        c->cb = *cb;
        c->max_in_flight = 32;
        c->rng = hash_str(plan->homepage);
        c->results.columns = xcalloc(plan->n_columns ? plan->n_columns : 1,
                                     sizeof(*c->results.columns));
        *ret = c;
        return 0;
}

void site_crawl_set_parallelism(struct site_crawl *c, size_t n)
{
        c->max_in_flight = n ? n : 1;
}

int site_crawl_start(struct site_crawl *c)
{
        if (c->started)
                return -EALREADY;
        c->started = true;
        discover(c, c->plan->homepage, SITE_FETCH_HOMEPAGE, 0, -1, HTML_LINK_A, -1);
        for (size_t i = 0; i < c->plan->n_columns; i++) {
                long idx = discover(c, c->plan->columns[i].url, SITE_FETCH_COLUMN, 1, (int)i,
                                    HTML_LINK_A, -1);
                /* A column configured with the homepage's URL stays the homepage fetch, but
                 * its list still belongs to the column. */
                if (idx >= 0 && c->nodes[idx].column < 0)
                        c->nodes[idx].column = (int)i;
        }
        dispatch(c);
        return 0;
}

void site_crawl_stop(struct site_crawl *c)
{
        if (c->stopped)
                return;
        c->stopped = true;
        while (c->retries)
                retry_unlink(c, c->retries);
        if (c->started)
                maybe_finish(c);
}

bool site_crawl_stopped(const struct site_crawl *c)
{
        return c->stopped;
}

const struct site_results *site_crawl_results(const struct site_crawl *c)
{
        return &c->results;
}

static void items_free(struct html_item *items, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(items[i].title);
                free(items[i].url);
        }
        free(items);
}

void site_crawl_free(struct site_crawl *c)
{
        if (!c)
                return;
        while (c->retries)
                retry_unlink(c, c->retries);
        for (size_t i = 0; i < c->n_nodes; i++) {
                free(c->nodes[i].url);
                free(c->nodes[i].error);
        }
        free(c->nodes);
        free(c->map);
        for (int p = 0; p < PRIO_COUNT; p++)
                free(c->queues[p].items);

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
        }
        free(res->broken);
        free(c);
}

/* Further pages of a column's list: TRS WCM createPageHTML() scripts, pager links
 * ("下一页", "尾页", page numbers, index_N.html, ?page=N) and Hanweb datastore paging. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "common/buf.h"
#include "common/util.h"
#include "crawler/html.h"
#include "crawler/html_internal.h"
#include "crawler/url.h"

/* Scripts read for createPageHTML(): a pager script is short, a page's scripts together
 * rarely pass a few hundred KiB. */
#define MAX_SCRIPT_TEXT (1024 * 1024)
#define MAX_ARGS 8
/* Pages whose number is not known sort after the numbered ones. */
#define KEY_UNKNOWN LONG_MAX

struct list_page {
        char *url;
        long key;       /* 1-based page number */
        size_t seq;
};

struct pager {
        struct html_ctx *c;
        struct list_page *pages;
        size_t n;
        size_t seq;
        char *page_host;
        char *page_dir; /* the base URL up to the last "/" of its path */
};

/* The URL without a trailing "index.html"-style file name, so that "/col/" and
 * "/col/index.html" compare equal. */
static size_t without_index(const char *url)
{
        static const char *const names[] = {
                "index.html", "index.htm", "index.shtml", "index.jsp", "index.php",
                "default.html", "default.htm", "default.aspx",
        };
        size_t len = strlen(url);

        if (strchr(url, '?'))
                return len;
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                size_t n = strlen(names[i]);
                if (len > n && url[len - n - 1] == '/' && strcmp(url + len - n, names[i]) == 0)
                        return len - n;
        }
        return len;
}

static bool same_page(const char *a, const char *b)
{
        size_t la = without_index(a), lb = without_index(b);

        return la == lb && strncmp(a, b, la) == 0;
}

static void add_page(struct pager *pg, char *url, long key)
{
        struct html_ctx *c = pg->c;

        if (same_page(url, c->page_url)) {
                free(url);
                return;
        }
        for (size_t i = 0; i < pg->n; i++) {
                if (streq(pg->pages[i].url, url)) {
                        if (key < pg->pages[i].key)
                                pg->pages[i].key = key;
                        free(url);
                        return;
                }
        }
        pg->pages = html__grow(pg->pages, pg->n, sizeof(*pg->pages));
        pg->pages[pg->n++] = (struct list_page){ .url = url, .key = key, .seq = pg->seq++ };
}

static void add_ref(struct pager *pg, const char *ref, long key)
{
        char *url = NULL;

        if (html__resolve(pg->c, ref, &url) == 0)
                add_page(pg, url, key);
}

/* ---- TRS WCM: createPageHTML(total, current, "index", "html") ---- */

struct arg {
        bool is_string;
        const char *start;
        size_t len;
};

static bool ident_char(char ch)
{
        return isalnum((unsigned char)ch) || ch == '_' || ch == '$';
}

/* The number assigned to variable name in the scripts ("var countPage = 5;"), or -1. */
static long variable_value(const char *scripts, const char *name, size_t name_len)
{
        for (const char *p = scripts; (p = strstr(p, name)); p += name_len) {
                const char *q = p + name_len;
                if ((p > scripts && ident_char(p[-1])) || ident_char(*q))
                        continue;
                while (*q == ' ' || *q == '\t')
                        q++;
                if (*q != '=' || q[1] == '=')
                        continue;
                q++;
                while (*q == ' ' || *q == '\t' || *q == '"' || *q == '\'')
                        q++;
                if (!isdigit((unsigned char)*q))
                        continue;
                return strtol(q, NULL, 10);
        }
        return -1;
}

static long arg_number(const struct arg *a, const char *scripts)
{
        char name[64];

        if (a->is_string || a->len == 0 || a->len >= sizeof(name))
                return -1;
        memcpy(name, a->start, a->len);
        name[a->len] = '\0';
        if (isdigit((unsigned char)name[0])) {
                char *end = NULL;
                long v = strtol(name, &end, 10);
                return *end == '\0' ? v : -1;
        }
        return variable_value(scripts, name, a->len);
}

/* Splits the argument list that starts after "(" at p; returns the number of arguments. */
static size_t parse_args(const char *p, struct arg *args, size_t max)
{
        size_t n = 0;

        for (;;) {
                while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                        p++;
                if (*p == ')' || *p == '\0' || n == max)
                        return n;
                struct arg *a = &args[n++];
                if (*p == '"' || *p == '\'') {
                        char quote = *p++;
                        a->is_string = true;
                        a->start = p;
                        while (*p && *p != quote)
                                p++;
                        a->len = (size_t)(p - a->start);
                        if (*p)
                                p++;
                } else {
                        a->is_string = false;
                        a->start = p;
                        while (ident_char(*p) || *p == '.')
                                p++;
                        a->len = (size_t)(p - a->start);
                }
                while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                        p++;
                if (*p != ',')
                        return n;
                p++;
        }
}

static bool is_extension(const struct arg *a)
{
        static const char *const exts[] = { "html", "htm", "shtml", "jsp", "php", "asp" };

        for (size_t i = 0; i < ARRAY_SIZE(exts); i++)
                if (a->is_string && a->len == strlen(exts[i]) &&
                    strncasecmp(a->start, exts[i], a->len) == 0)
                        return true;
        return false;
}

/* One call: the versions in use are createPageHTML(total, current, "index", "html") and
 * createPageHTML("page_div", total, current, "index", "html", records); the prefix and
 * extension are the string pair, total and current the two values before it. */
static void trs_call(struct pager *pg, const char *p, const char *scripts)
{
        struct html_ctx *c = pg->c;
        struct arg args[MAX_ARGS];
        size_t n = parse_args(p, args, MAX_ARGS);

        for (size_t e = 3; e < n; e++) {
                if (!is_extension(&args[e]) || !args[e - 1].is_string)
                        continue;
                long total = arg_number(&args[e - 3], scripts);
                long current = arg_number(&args[e - 2], scripts);
                if (total <= 1 || current < 0)
                        return;
                _cleanup_free_ char *prefix = xstrndup(args[e - 1].start, args[e - 1].len);
                _cleanup_free_ char *ext = xstrndup(args[e].start, args[e].len);
                for (long i = 0; i < total; i++) {
                        if (i == current)
                                continue;
                        if (pg->n >= c->max_list_pages) {
                                c->page->list_pages_dropped += (size_t)(total - i);
                                return;
                        }
                        _cleanup_free_ char *ref = i == 0 ? xasprintf("%s.%s", prefix, ext)
                                                          : xasprintf("%s_%ld.%s", prefix, i, ext);
                        add_ref(pg, ref, i + 1);
                }
                return;
        }
}

static void trs_pages(struct pager *pg)
{
        xmlNode *root = xmlDocGetRootElement(pg->c->doc);
        struct buf scripts;

        buf_init(&scripts, MAX_SCRIPT_TEXT);
        for (xmlNode *n = root; n; n = html__next(n, root, false)) {
                if (!html__is(n, "script") || html__attr(n, "src"))
                        continue;
                for (xmlNode *t = n->children; t; t = t->next) {
                        if (t->content && (t->type == XML_TEXT_NODE ||
                                           t->type == XML_CDATA_SECTION_NODE)) {
                                buf_append_some(&scripts, t->content,
                                                strlen((const char *)t->content));
                                buf_append_some(&scripts, "\n", 1);
                        }
                }
        }
        for (const char *p = scripts.data; p && (p = strstr(p, "createPageHTML"));) {
                const char *before = p;
                p += strlen("createPageHTML");
                while (*p == ' ' || *p == '\t')
                        p++;
                if (*p != '(')
                        continue;
                /* Skip the definition "function createPageHTML(_nPageCount, ...)". */
                while (before > scripts.data && (before[-1] == ' ' || before[-1] == '\t'))
                        before--;
                if (before - scripts.data >= 8 && strncmp(before - 8, "function", 8) == 0)
                        continue;
                trs_call(pg, p + 1, scripts.data);
        }
        buf_free(&scripts);
}

/* ---- pager links ---- */

/* The page number in a pager-style URL ("index_3.html", "list_3.html", "?page=3",
 * "pageNum=3"), or -1. The file patterns count from 0 (index.html is the first page). */
static long url_page_number(const char *url)
{
        const char *q = strchr(url, '?');
        const char *file = NULL;
        size_t path_len = q ? (size_t)(q - url) : strlen(url);

        for (size_t i = 0; i < path_len; i++)
                if (url[i] == '/')
                        file = url + i + 1;
        if (file) {
                static const char *const stems[] = { "index_", "list_" };
                for (size_t s = 0; s < ARRAY_SIZE(stems); s++) {
                        size_t n = strlen(stems[s]);
                        if (strncmp(file, stems[s], n) != 0 || !isdigit((unsigned char)file[n]))
                                continue;
                        char *end = NULL;
                        long v = strtol(file + n, &end, 10);
                        if (*end == '.' && end < url + path_len)
                                return v + 1;
                }
        }
        if (q) {
                static const char *const keys[] = { "page=", "pageNum=", "pageno=", "pageIndex=" };
                for (const char *p = q; *p; p++) {
                        if (*p != '?' && *p != '&')
                                continue;
                        for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
                                size_t n = strlen(keys[k]);
                                if (strncasecmp(p + 1, keys[k], n) == 0 &&
                                    isdigit((unsigned char)p[1 + n]))
                                        return strtol(p + 1 + n, NULL, 10);
                        }
                }
        }
        return -1;
}

/* Whether the text of a link is a pager word. */
static bool pager_word(const char *text)
{
        static const char *const words[] = { "下一页", "下页", "尾页", "末页" };

        /* "下一页>", "[尾页]", "下一页 »": short texts holding the word. */
        if (strlen(text) > 16)
                return false;
        for (size_t i = 0; i < ARRAY_SIZE(words); i++)
                if (strstr(text, words[i]))
                        return true;
        return false;
}

/* The page number a link text shows ("3", "[3]"), or -1. */
static long text_page_number(const char *text)
{
        const char *p = text;
        long v = 0;
        int digits = 0;

        if (*p == '[')
                p++;
        for (; isdigit((unsigned char)*p) && digits < 5; p++, digits++)
                v = v * 10 + (*p - '0');
        if (*p == ']' && text[0] == '[')
                p++;
        return digits > 0 && *p == '\0' && v > 0 ? v : -1;
}

static bool in_page_dir(const struct pager *pg, const char *url)
{
        const char *rest;

        if (!pg->page_dir || !str_startswith(url, pg->page_dir))
                return false;
        rest = url + strlen(pg->page_dir);
        return rest[strcspn(rest, "/?")] != '/';
}

struct pager_link {
        char *url;
        long key;
        bool numbered_text;     /* only a number as text: kept when the page has a pager */
};

static void link_pages(struct pager *pg)
{
        struct html_ctx *c = pg->c;
        xmlNode *root = xmlDocGetRootElement(c->doc);
        struct pager_link *found = NULL;
        size_t n_found = 0;
        bool have_pager = false;

        for (xmlNode *n = root; n; n = html__next(n, root, false)) {
                char *url = NULL;
                if (!html__is(n, "a") || html__resolve(c, html__attr(n, "href"), &url) < 0)
                        continue;
                _cleanup_free_ char *host = url_host(url);
                _cleanup_free_ char *text = html__node_text(n, 64, NULL);
                long from_url = url_page_number(url);
                long from_text = text_page_number(text);
                bool word = pager_word(text);
                bool pattern = from_url >= 0 && in_page_dir(pg, url);
                if (!host || !pg->page_host || !streq(host, pg->page_host) ||
                    (!word && !pattern && from_text < 0)) {
                        free(url);
                        continue;
                }
                have_pager |= word || pattern;
                found = html__grow(found, n_found, sizeof(*found));
                found[n_found++] = (struct pager_link){
                        .url = url,
                        .key = from_url >= 0 ? from_url : from_text >= 0 ? from_text
                                                                         : KEY_UNKNOWN,
                        .numbered_text = !word && !pattern,
                };
        }
        /* Page numbers alone are also calendars, footnotes and rankings: they count only
         * next to a real pager. */
        for (size_t i = 0; i < n_found; i++) {
                if (found[i].numbered_text && !have_pager)
                        free(found[i].url);
                else
                        add_page(pg, found[i].url, found[i].key);
        }
        free(found);
}

static int page_cmp(const void *a, const void *b)
{
        const struct list_page *x = a, *y = b;

        if (x->key != y->key)
                return x->key < y->key ? -1 : 1;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void html__extract_list_pages(struct html_ctx *c)
{
        struct html_page *p = c->page;
        /* Pager links are written relative to the effective base, which is where the
         * other pages of the list live. */
        const char *base = p->base_url;
        struct pager pg = { .c = c, .page_host = url_host(base) };
        const char *q = strchr(base, '?');
        const char *slash = q ? q : base + strlen(base);

        while (slash > base && *slash != '/')
                slash--;
        if (*slash == '/')
                pg.page_dir = xstrndup(base, (size_t)(slash - base) + 1);
        if (c->doc && xmlDocGetRootElement(c->doc)) {
                trs_pages(&pg);
                link_pages(&pg);
        }
        for (size_t i = 0; i < c->n_nextgroups; i++)
                add_ref(&pg, c->nextgroups[i], KEY_UNKNOWN);

        if (pg.n > 1)
                qsort(pg.pages, pg.n, sizeof(*pg.pages), page_cmp);
        for (size_t i = 0; i < pg.n; i++) {
                if (p->n_list_pages >= c->max_list_pages) {
                        p->list_pages_dropped++;
                        free(pg.pages[i].url);
                        continue;
                }
                p->list_pages = html__grow(p->list_pages, p->n_list_pages, sizeof(*p->list_pages));
                p->list_pages[p->n_list_pages++] = pg.pages[i].url;
        }
        free(pg.pages);
        free(pg.page_host);
        free(pg.page_dir);
}

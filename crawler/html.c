/* HTML extraction; see html.h. libxml2's HTML parser builds the tree; this file walks it for
 * links, meta tags, the title, the visible text and the dated links, and leaves the list
 * (html_list.c), the pagination (html_pager.c), selectors (html_css.c), what is hidden
 * (html_style.c), links written by scripts (html_script.c) and label/value pairs
 * (html_fields.c) to their files. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <threads.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "common/buf.h"
#include "common/util.h"
#include "crawler/html.h"
#include "crawler/html_internal.h"
#include "crawler/url.h"

#define DEFAULT_MAX_TEXT (1024 * 1024)
#define DEFAULT_MAX_URL 4096
#define DEFAULT_MAX_LIST_PAGES 1000
/* Link texts are evidence in reports, not content: a few hundred bytes say enough. */
#define MAX_LINK_TEXT 512
/* A date in the text of a link's list item or table row belongs to the link only when
 * that element is short; a long paragraph may mention any number of dates. */
#define MAX_CONTAINER_TEXT 200
#define MAX_TITLE 2048

/* RECOVER: pages are rarely valid; NOERROR/NOWARNING: nothing on stderr; NONET: never
 * fetch a DTD; IGNORE_ENC: the text was decoded to UTF-8 already (crawler/charset.c), so
 * the <meta charset="gb2312"> every such page still carries must not switch encodings. */
#define PARSE_FLAGS (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | \
                     HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC)

const char *html_link_kind_id(enum html_link_kind k)
{
        switch (k) {
        case HTML_LINK_A:
                return "a";
        case HTML_LINK_AREA:
                return "area";
        case HTML_LINK_IMG:
                return "img";
        case HTML_LINK_SCRIPT:
                return "script";
        case HTML_LINK_LINK:
                return "link";
        case HTML_LINK_IFRAME:
                return "iframe";
        case HTML_LINK_EMBED:
                return "embed";
        case HTML_LINK_OBJECT:
                return "object";
        case HTML_LINK_FORM:
                return "form";
        case HTML_LINK_META_REFRESH:
                return "meta-refresh";
        }
        return "a";
}

/* ---- libxml2 set-up and error silencing ---- */

static once_flag xml_once = ONCE_FLAG_INIT;

static void xml_init(void)
{
        xmlInitParser();
}

static void silent_generic(void *ctx, const char *msg, ...)
{
}

/* Fatal errors are remembered: in HTML they mean the parser stopped part-way. */
static void silent_structured(void *ctx, xmlErrorPtr error)
{
        bool *fatal = ctx;

        if (fatal && error && error->level == XML_ERR_FATAL)
                *fatal = true;
}

/* libxml2 reports some problems (encoding errors, XPath syntax errors, memory) through
 * its generic handlers even with NOERROR set, and those print to stderr by default. The
 * handlers are per thread; they are replaced for the duration of one html_parse() and
 * put back afterwards, so that other users of libxml2 in the process keep theirs. */
struct saved_handlers {
        xmlGenericErrorFunc generic;
        void *generic_ctx;
        xmlStructuredErrorFunc structured;
        void *structured_ctx;
};

static void handlers_silence(struct saved_handlers *s, bool *fatal)
{
        s->generic = xmlGenericError;
        s->generic_ctx = xmlGenericErrorContext;
        s->structured = xmlStructuredError;
        s->structured_ctx = xmlStructuredErrorContext;
        xmlSetGenericErrorFunc(NULL, silent_generic);
        xmlSetStructuredErrorFunc(fatal, silent_structured);
}

static void handlers_restore(const struct saved_handlers *s)
{
        xmlSetGenericErrorFunc(s->generic_ctx, s->generic);
        xmlSetStructuredErrorFunc(s->structured_ctx, s->structured);
}

/* ---- tree helpers shared with the other html_*.c files ---- */

bool html__is(const xmlNode *n, const char *name)
{
        return n && n->type == XML_ELEMENT_NODE && n->name &&
               strcmp((const char *)n->name, name) == 0;
}

const char *html__attr(const xmlNode *n, const char *name)
{
        if (!n || n->type != XML_ELEMENT_NODE)
                return NULL;
        for (const xmlAttr *a = n->properties; a; a = a->next) {
                if (!a->name || xmlStrcasecmp(a->name, (const xmlChar *)name) != 0)
                        continue;
                if (a->children && a->children->content)
                        return (const char *)a->children->content;
                return "";
        }
        return NULL;
}

xmlNode *html__next(xmlNode *n, const xmlNode *root, bool skip_children)
{
        if (!skip_children && n->children)
                return n->children;
        while (n && n != root) {
                if (n->next)
                        return n->next;
                n = n->parent;
        }
        return NULL;
}

/* What the text walks ask of an element's name, for every node they pass: a block (its
 * text does not run into its neighbours'), or an element whose content is never text on
 * the screen. Comparing the name with each list entry in turn was a fifth of a page's
 * parse; the names are hashed into a small open-addressed table once instead. */
enum {
        TAG_BLOCK = 1 << 0,
        TAG_NEVER_TEXT = 1 << 1,
};

/* Elements a browser lays out as blocks: "<li>a</li><li>b</li>" reads "a b", while inline
 * elements join ("<b>政</b>府"). */
static const char *const block_tags[] = {
        "address", "article", "aside", "blockquote", "br", "caption", "dd",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
        "ol", "option", "p", "pre", "section", "table", "tbody", "td", "tfoot",
        "th", "thead", "title", "tr", "ul",
};
/* Elements whose content is never text on the screen. */
static const char *const never_text_tags[] = { "script", "style", "noscript", "template" };

#define TAG_SLOTS 128                   /* a power of two, over twice the names above */

static struct {
        const char *name;
        unsigned flags;
} tag_table[TAG_SLOTS];
static once_flag tag_once = ONCE_FLAG_INIT;

static size_t tag_hash(const char *s)
{
        uint32_t h = 2166136261u;       /* FNV-1a */

        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 16777619u;
        return h & (TAG_SLOTS - 1);
}

static void tag_add(const char *name, unsigned flags)
{
        size_t i = tag_hash(name);

        while (tag_table[i].name && !streq(tag_table[i].name, name))
                i = (i + 1) & (TAG_SLOTS - 1);
        tag_table[i].name = name;
        tag_table[i].flags |= flags;
}

static void tag_init(void)
{
        for (size_t i = 0; i < ARRAY_SIZE(block_tags); i++)
                tag_add(block_tags[i], TAG_BLOCK);
        for (size_t i = 0; i < ARRAY_SIZE(never_text_tags); i++)
                tag_add(never_text_tags[i], TAG_NEVER_TEXT);
}

/* The TAG_* flags of n: 0 for anything but an element named in the lists above. */
static unsigned tag_flags(const xmlNode *n)
{
        if (!n || n->type != XML_ELEMENT_NODE || !n->name)
                return 0;
        call_once(&tag_once, tag_init);
        const char *name = (const char *)n->name;
        for (size_t i = tag_hash(name); tag_table[i].name; i = (i + 1) & (TAG_SLOTS - 1))
                if (streq(tag_table[i].name, name))
                        return tag_table[i].flags;
        return 0;
}

bool html__node_hidden(const xmlNode *n)
{
        const struct html__hiding *h = html__hiding_of(n);

        return h && !h->own_text_only;
}

static bool never_text(const xmlNode *n);

bool html__node_invisible(const xmlNode *n)
{
        return never_text(n) || html__node_hidden(n);
}

bool html__is_block(const xmlNode *n)
{
        return tag_flags(n) & TAG_BLOCK;
}

/* Text collected with white space collapsed on the fly and a byte cap. */
struct text_acc {
        struct buf b;
        bool space_pending;
        bool full;
};

/* The largest n' <= n such that s[0..n') ends on a character boundary; s[n] exists. */
static size_t utf8_cut(const char *s, size_t n)
{
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
                n--;
        return n;
}

static void text_put(struct text_acc *t, const char *s, size_t n)
{
        if (t->full)
                return;
        if (buf_append(&t->b, s, n) < 0) {
                size_t room = t->b.max - t->b.len;
                buf_append(&t->b, s, utf8_cut(s, room));
                t->full = true;
        }
}

static void text_add(struct text_acc *t, const char *s)
{
        const unsigned char *p = (const unsigned char *)s;

        while (*p && !t->full) {
                size_t sp = utf8_space_len((const char *)p);
                if (sp) {
                        t->space_pending = t->b.len > 0;
                        p += sp;
                        continue;
                }
                const unsigned char *run = p;
                while (*p && !utf8_space_len((const char *)p))
                        p++;
                if (t->space_pending)
                        text_put(t, " ", 1);
                t->space_pending = false;
                text_put(t, (const char *)run, (size_t)(p - run));
        }
}

static void text_break(struct text_acc *t)
{
        if (t->b.len > 0)
                t->space_pending = true;
}

static bool never_text(const xmlNode *n)
{
        return tag_flags(n) & TAG_NEVER_TEXT;
}

/* Collects the visible text of the subtree at root into t. With main_only, the text of
 * links and of the navigation, header, footer and similar template parts is left out:
 * what remains is what the page says of its own. With with_hidden, hidden elements are
 * read too (the text of a hidden link is evidence). */
static void collect_text(const xmlNode *root, struct text_acc *t, bool main_only, bool with_hidden)
{
        xmlNode *n = (xmlNode *)root;

        if (with_hidden ? never_text(root) : html__node_invisible(root))
                return;
        while (n && !t->full) {
                bool skip = false;
                if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
                        if (html__is_block(n->prev))
                                text_break(t);
                        /* Text in the colour of its background (the mark of its parent). */
                        bool unseen = !with_hidden && html__hiding_of(n->parent);
                        if (n->content && !unseen)
                                text_add(t, (const char *)n->content);
                } else if (n->type == XML_ELEMENT_NODE) {
                        if (n != root && ((with_hidden ? never_text(n) : html__node_invisible(n)) ||
                                          (main_only && (html__navlike(n) ||
                                                         html__is(n, "a")))))
                                skip = true;
                        else if (html__is_block(n) || html__is_block(n->prev))
                                text_break(t);
                } else {
                        skip = true;
                }
                n = html__next(n, root, skip);
        }
}

char *html__node_text(const xmlNode *n, size_t cap, bool *ret_truncated)
{
        struct text_acc t = { .space_pending = false };

        buf_init(&t.b, cap);
        if (n)
                collect_text(n, &t, false, false);
        if (ret_truncated)
                *ret_truncated = t.full;
        return buf_steal(&t.b);
}

/* html__node_text with hidden elements read too. */
static char *node_text_with_hidden(const xmlNode *n, size_t cap, bool *ret_truncated)
{
        struct text_acc t = { .space_pending = false };

        buf_init(&t.b, cap);
        collect_text(n, &t, false, true);
        if (ret_truncated)
                *ret_truncated = t.full;
        return buf_steal(&t.b);
}

static bool ends_with_ellipsis(const char *s)
{
        return str_endswith(s, "..") || str_endswith(s, "…") || str_endswith(s, "。。");
}

static char *clean_copy(const char *s, size_t cap)
{
        char *c = xstrndup(s, cap);
        size_t n = strlen(c);

        /* xstrndup may have cut a character in two. */
        if (n == cap && s[n])
                c[utf8_cut(s, n)] = '\0';
        str_collapse_space(c);
        return c;
}

static const struct html__hiding *ancestor_hiding(const xmlNode *n);

char *html__link_title(const xmlNode *a)
{
        bool cut = false;
        /* A hidden link is known by its hidden text (evidence of a 暗链); a visible one by
         * what shows. */
        char *text = ancestor_hiding(a) ? node_text_with_hidden(a, MAX_LINK_TEXT, &cut)
                                        : html__node_text(a, MAX_LINK_TEXT, &cut);
        const char *title = html__attr(a, "title");

        /* Lists print titles cut to fit ("关于做好2023年...") and keep the whole one in
         * the title attribute. */
        if (title && (text[0] == '\0' || cut || ends_with_ellipsis(text))) {
                char *t = clean_copy(title, MAX_LINK_TEXT);
                if (t[0]) {
                        free(text);
                        return t;
                }
                free(t);
        }
        if (text[0] == '\0') {
                /* An image link is known by its alt text. */
                for (xmlNode *n = (xmlNode *)a; n; n = html__next(n, a, false)) {
                        const char *alt = html__is(n, "img") ? html__attr(n, "alt") : NULL;
                        if (alt && alt[0]) {
                                free(text);
                                return clean_copy(alt, MAX_LINK_TEXT);
                        }
                }
        }
        return text;
}

int html__resolve(struct html_ctx *c, const char *ref, char **ret)
{
        const char *p = ref;

        if (!ref)
                return -ENOENT;
        /* A multi-byte space (U+3000 typed into an href) is skipped whole, not byte by
         * byte, which would leave a broken character at the start of the URL. */
        for (size_t sp; (sp = utf8_space_len(p));)
                p += sp;
        if (*p == '\0' || *p == '#')
                return -ENOENT;
        return url_resolve(c->page->base_url, p, c->max_url, ret);
}

void html__item_date(const struct html_ctx *c, const char *text, const char *url,
                    struct html_item *it)
{
        it->has_date = false;
        it->date_from_url = false;
        if (text && date_find_latest(text, strlen(text), c->today, &it->date) == 0) {
                it->has_date = true;
        } else if (url && date_from_url(url, &it->date) == 0) {
                it->has_date = true;
                it->date_from_url = true;
        }
}

xmlNode *html__item_link(struct html_ctx *c, xmlNode *root, size_t max_nodes, char **ret_url,
                        bool *ret_too_big, size_t *ret_n_links)
{
        xmlNode *best = NULL;
        char *best_url = NULL;
        size_t best_len = 0, visited = 0, n_links = 0;
        bool too_big = false;

        for (xmlNode *n = root; n; n = html__next(n, root, false)) {
                if (++visited > max_nodes) {
                        too_big = true;
                        break;
                }
                if (!html__is(n, "a"))
                        continue;
                char *url = NULL;
                if (html__resolve(c, html__attr(n, "href"), &url) < 0)
                        continue;
                n_links++;
                char *title = html__link_title(n);
                size_t len = strlen(title);
                free(title);
                if (!best || len > best_len) {
                        free(best_url);
                        best = n;
                        best_url = url;
                        best_len = len;
                } else {
                        free(url);
                }
        }
        if (ret_too_big)
                *ret_too_big = too_big;
        if (ret_n_links)
                *ret_n_links = n_links;
        if (ret_url)
                *ret_url = best_url;
        else
                free(best_url);
        return best;
}

void html__item_clear(struct html_item *it)
{
        free(it->title);
        free(it->url);
        *it = (struct html_item){ 0 };
}

void *html__grow(void *p, size_t n, size_t size)
{
        /* Capacity doubles at every power of two, so it need not be stored. */
        if (n == 0 || (n & (n - 1)) == 0)
                return xreallocarray(p, n ? n * 2 : 1, size);
        return p;
}

/* ---- links, metas, dated links ---- */

/* The source line of n; for an element of a Hanweb record, line_base is the page line
 * where the record's fragment starts. */
static int line_of(const xmlNode *n, long line_base)
{
        long line = xmlGetLineNo(n);

        if (line_base > 0)
                line = line > 0 ? line_base + line - 1 : line_base;

        return line > 0 && line < INT_MAX ? (int)line : 0;
}

int html__line_of(const xmlNode *n)
{
        return line_of(n, 0);
}

/* What hides n itself or its nearest hidden ancestor, or NULL. An ancestor whose text
 * is in the colour of its background does not hide n: n has its own colour. */
static const struct html__hiding *ancestor_hiding(const xmlNode *n)
{
        for (const xmlNode *x = n; x && x->type == XML_ELEMENT_NODE; x = x->parent) {
                const struct html__hiding *h = html__hiding_of(x);
                if (h && (x == n || !h->own_text_only))
                        return h;
        }
        return NULL;
}

bool html__in_template(const xmlNode *n)
{
        for (; n && n->type == XML_ELEMENT_NODE; n = n->parent)
                if (html__navlike(n))
                        return true;
        return false;
}

void html__add_link_at(struct html_ctx *c, enum html_link_kind kind, const char *ref, char *text,
                       int line, const struct html__hiding *hiding, bool in_template)
{
        struct html_page *p = c->page;
        char *url = NULL;
        int r;

        r = html__resolve(c, ref, &url);
        if (r < 0) {
                if (r == -EINVAL || r == -E2BIG)
                        p->links_invalid++;
                free(text);
                return;
        }
        if (c->max_links && p->n_links >= c->max_links) {
                p->links_dropped++;
                free(url);
                free(text);
                return;
        }
        p->links = html__grow(p->links, p->n_links, sizeof(*p->links));
        p->links[p->n_links++] = (struct html_link){
                .url = url,
                .kind = kind,
                .text = text ? text : xstrdup(""),
                .line = line,
                .hidden = hiding != NULL,
                .hidden_by = hiding ? hiding->by : HTML_SHOWN,
                .hidden_how = hiding ? hiding->how : "",
                .in_template = in_template,
        };
}

static void add_link(struct html_ctx *c, const xmlNode *n, long line_base,
                     enum html_link_kind kind, const char *ref, char *text)
{
        html__add_link_at(c, kind, ref, text, line_of(n, line_base), ancestor_hiding(n),
                          html__in_template(n));
}

static char *attr_text(const xmlNode *n, const char *name)
{
        const char *v = html__attr(n, name);

        return v ? clean_copy(v, MAX_LINK_TEXT) : NULL;
}

/* img srcset: "a.jpg 1x, b.jpg 2x" or "a.jpg 480w, b.jpg 800w". */
static void add_srcset(struct html_ctx *c, const xmlNode *n, long line_base, const char *set)
{
        const char *p = set;

        while (*p) {
                for (size_t sp; *p == ',' || (sp = utf8_space_len(p));)
                        p += *p == ',' ? 1 : sp;
                const char *start = p;
                while (*p && !utf8_space_len(p))
                        p++;
                size_t len = (size_t)(p - start);
                /* A candidate without descriptor ends at the comma. */
                if (len > 0 && start[len - 1] == ',')
                        len--;
                if (len > 0) {
                        _cleanup_free_ char *ref = xstrndup(start, len);
                        add_link(c, n, line_base, HTML_LINK_IMG, ref, attr_text(n, "alt"));
                }
                while (*p && *p != ',')
                        p++;
        }
}

/* The URL of <meta http-equiv="refresh" content="5; url=/new/">, borrowed from content,
 * with its length in *ret_len; NULL when there is none. */
static const char *refresh_url(const char *content, size_t *ret_len)
{
        const char *p = content;

        while (*p && *p != ';' && *p != ',')
                p++;
        if (!*p)
                return NULL;
        p++;
        while (*p == ' ' || *p == '\t')
                p++;
        if (strncasecmp(p, "url", 3) == 0) {
                const char *q = p + 3;
                while (*q == ' ' || *q == '\t')
                        q++;
                if (*q == '=') {
                        p = q + 1;
                        while (*p == ' ' || *p == '\t')
                                p++;
                }
        }
        size_t len = strlen(p);
        if (len > 0 && (*p == '\'' || *p == '"')) {
                const char *close = strchr(p + 1, *p);
                p++;
                len = close ? (size_t)(close - p) : strlen(p);
        }
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
                len--;
        if (len == 0)
                return NULL;
        *ret_len = len;
        return p;
}

static void add_meta(struct html_ctx *c, const xmlNode *n)
{
        struct html_page *p = c->page;
        const char *name = html__attr(n, "name");
        const char *content = html__attr(n, "content");
        const char *equiv = html__attr(n, "http-equiv");

        if (equiv && content && strcasecmp(equiv, "refresh") == 0) {
                size_t len = 0;
                const char *u = refresh_url(content, &len);
                if (u) {
                        _cleanup_free_ char *ref = xstrndup(u, len);
                        add_link(c, n, 0, HTML_LINK_META_REFRESH, ref, xstrdup(""));
                }
        }
        if (!name || !content || !name[0])
                return;
        p->metas = html__grow(p->metas, p->n_metas, sizeof(*p->metas));
        p->metas[p->n_metas++] = (struct html_meta){
                .name = clean_copy(name, 256),
                .content = clean_copy(content, 64 * 1024),
        };
}

static xmlNode *nearest_container(xmlNode *a)
{
        for (xmlNode *n = a->parent; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
                if (html__is(n, "body"))
                        return NULL;
                if (html__is(n, "li") || html__is(n, "tr") || html__is(n, "dd") || html__is(n, "p"))
                        return n;
        }
        return NULL;
}

/* Adds a to the dated links when a date stands in its text, in its short list item or
 * table row, or in its URL. */
static void add_dated_link(struct html_ctx *c, xmlNode *a)
{
        struct html_page *p = c->page;
        struct html_item it = { 0 };
        char *url = NULL;

        if (c->max_links && p->n_dated_links >= c->max_links)
                return;
        if (html__resolve(c, html__attr(a, "href"), &url) < 0)
                return;
        _cleanup_free_ char *own = html__node_text(a, MAX_LINK_TEXT, NULL);
        if (date_find_latest(own, strlen(own), c->today, &it.date) == 0) {
                it.has_date = true;
        } else {
                xmlNode *box = nearest_container(a);
                bool cut = false;
                _cleanup_free_ char *text = box ? html__node_text(box, MAX_CONTAINER_TEXT, &cut)
                                                : NULL;
                html__item_date(c, text && !cut ? text : NULL, url, &it);
        }
        if (!it.has_date) {
                free(url);
                return;
        }
        it.url = url;
        it.title = html__link_title(a);
        p->dated_links = html__grow(p->dated_links, p->n_dated_links, sizeof(*p->dated_links));
        p->dated_links[p->n_dated_links++] = it;
}

/* An image of the content: outside the template, not a link (logos and banners are), and
 * not an icon (an image whose width and height attributes are both given and small is a
 * bullet or a "new" mark). */
static void count_content_image(struct html_ctx *c, const xmlNode *n)
{
        const char *w = html__attr(n, "width"), *h = html__attr(n, "height");

        if (w && h && atoi(w) <= 32 && atoi(h) <= 32)
                return;
        for (const xmlNode *x = n->parent; x && x->type == XML_ELEMENT_NODE; x = x->parent)
                if (html__is(x, "a"))
                        return;
        if (!html__in_template(n) && !html__node_hidden(n))
                c->page->n_content_images++;
}

/* Links of one element. line_base overrides the element's own line for Hanweb records,
 * whose elements live in a separate document. */
static void element_links(struct html_ctx *c, xmlNode *n, long line_base)
{
        const char *name = (const char *)n->name;
        const char *v;

        if (streq(name, "a") || streq(name, "area")) {
                v = html__attr(n, "href");
                if (!v)
                        return;
                add_link(c, n, line_base, streq(name, "a") ? HTML_LINK_A : HTML_LINK_AREA, v,
                         streq(name, "a") ? html__link_title(n) : attr_text(n, "alt"));
                if (streq(name, "a"))
                        add_dated_link(c, n);
        } else if (streq(name, "img")) {
                count_content_image(c, n);
                v = html__attr(n, "src");
                if (v) {
                        char *text = attr_text(n, "alt");
                        if (!text || !text[0]) {
                                free(text);
                                text = attr_text(n, "title");
                        }
                        add_link(c, n, line_base, HTML_LINK_IMG, v, text);
                }
                v = html__attr(n, "srcset");
                if (v)
                        add_srcset(c, n, line_base, v);
        } else if (streq(name, "video")) {
                if (!html__in_template(n))
                        c->page->n_videos++;
                v = html__attr(n, "src");
                if (v)
                        add_link(c, n, line_base, HTML_LINK_EMBED, v, attr_text(n, "title"));
        } else if (streq(name, "script")) {
                v = html__attr(n, "src");
                if (v)
                        add_link(c, n, line_base, HTML_LINK_SCRIPT, v, NULL);
        } else if (streq(name, "link")) {
                v = html__attr(n, "href");
                if (v)
                        add_link(c, n, line_base, HTML_LINK_LINK, v, attr_text(n, "title"));
        } else if (streq(name, "iframe") || streq(name, "embed")) {
                v = html__attr(n, "src");
                if (v)
                        add_link(c, n, line_base,
                                 streq(name, "iframe") ? HTML_LINK_IFRAME : HTML_LINK_EMBED, v,
                                 attr_text(n, "title"));
        } else if (streq(name, "object")) {
                v = html__attr(n, "data");
                if (v)
                        add_link(c, n, line_base, HTML_LINK_OBJECT, v, attr_text(n, "title"));
        } else if (streq(name, "form")) {
                /* An empty action posts back to the page itself: nothing to check. */
                v = html__attr(n, "action");
                if (v)
                        add_link(c, n, line_base, HTML_LINK_FORM, v, NULL);
        } else if (streq(name, "meta") && line_base == 0) {
                add_meta(c, n);
        } else if (streq(name, "title") && line_base == 0 && !c->page->title) {
                c->page->title = html__node_text(n, MAX_TITLE, NULL);
        }
}

static void walk_links(struct html_ctx *c, xmlNode *root, long line_base)
{
        for (xmlNode *n = root; n; n = html__next(n, root, false))
                if (n->type == XML_ELEMENT_NODE && n->name)
                        element_links(c, n, line_base);
}

/* The effective base: the first <base href>, resolved against the page URL. */
static char *find_base(struct html_ctx *c, xmlNode *root)
{
        for (xmlNode *n = root; n; n = html__next(n, root, false)) {
                const char *href = html__is(n, "base") ? html__attr(n, "href") : NULL;
                char *base = NULL;
                if (href && href[0] && url_resolve(c->page_url, href, c->max_url, &base) == 0)
                        return base;
        }
        return xstrdup(c->page_url);
}

/* The <li> that an <li> was wrongly nested in: the nearest enclosing <li> with no list of
 * its own in between (an <li> inside <ul> inside <li> is a real sub-list). */
static xmlNode *enclosing_item(const xmlNode *li)
{
        for (xmlNode *x = li->parent; x && x->type == XML_ELEMENT_NODE; x = x->parent) {
                if (html__is(x, "li"))
                        return x;
                if (html__is(x, "ul") || html__is(x, "ol") || html__is(x, "menu") ||
                    html__is(x, "dl") || html__is(x, "table"))
                        return NULL;
        }
        return NULL;
}

/* libxml2 does not end an <li> at the next <li> while an element such as an unclosed <a>
 * is open in it, and nests the following items inside; a browser ends the item there.
 * The nested item and the nodes after it move back behind the item they were put in. */
static void unnest_list_items(xmlNode *root)
{
        xmlNode *n = root;

        while (n) {
                xmlNode *outer = html__is(n, "li") ? enclosing_item(n) : NULL;
                if (outer) {
                        xmlNode *first = n, *anchor = outer;
                        for (xmlNode *next; n; n = next) {
                                next = n->next;
                                xmlUnlinkNode(n);
                                /* The node now in place is returned: text may merge. */
                                anchor = xmlAddNextSibling(anchor, n);
                        }
                        /* Look at the moved item again: it may be nested twice. */
                        n = first;
                        continue;
                }
                n = html__next(n, root, false);
        }
}

static xmlNode *find_body(xmlNode *root)
{
        for (xmlNode *n = root; n; n = html__next(n, root, false))
                if (html__is(n, "body"))
                        return n;
        return root;
}

static void extract_text(struct html_ctx *c, xmlNode *root)
{
        struct html_page *p = c->page;
        bool cut = false;

        p->text = html__node_text(find_body(root), c->max_text, &cut);
        p->text_len = strlen(p->text);
        p->text_truncated = cut;

        struct text_acc t = {.space_pending = false};
        buf_init(&t.b, c->max_text);
        collect_text(find_body(root), &t, true, false);
        p->main_text = buf_steal(&t.b);
}

/* ---- the entry points ---- */

/* Replaces invalid UTF-8 sequences and NUL bytes by U+FFFD. libxml2 meeting a bad byte in
 * a document declared UTF-8 switches to Latin-1 for the rest of it, which would turn every
 * following Chinese character into mojibake; a NUL may end the parse. The decoder hands
 * us valid UTF-8, so this is a guard, and costs one validity scan. Returns NULL when the
 * input needs no repair, else a new buffer (caller frees) and its length. */
static char *repair_utf8(const char *s, size_t len, size_t *ret_len)
{
        static const char replacement[] = "\xEF\xBF\xBD";
        struct buf b;
        size_t i = 0;

        if (utf8_valid(s, len) && !memchr(s, '\0', len))
                return NULL;
        buf_init(&b, SIZE_MAX / 4);
        while (i < len) {
                unsigned char ch = (unsigned char)s[i];
                size_t n = ch < 0x80 ? 1 : (ch & 0xE0) == 0xC0 ? 2 : (ch & 0xF0) == 0xE0 ? 3
                                         : (ch & 0xF8) == 0xF0 ? 4 : 0;
                if (ch == 0 || n == 0 || n > len - i || !utf8_valid(s + i, n)) {
                        buf_append(&b, replacement, 3);
                        i++;
                        continue;
                }
                buf_append(&b, s + i, n);
                i += n;
        }
        *ret_len = b.len;
        return buf_steal(&b);
}

void html_page_free(struct html_page *p)
{
        if (!p)
                return;
        free(p->title);
        free(p->base_url);
        for (size_t i = 0; i < p->n_links; i++) {
                free(p->links[i].url);
                free(p->links[i].text);
        }
        free(p->links);
        for (size_t i = 0; i < p->n_metas; i++) {
                free(p->metas[i].name);
                free(p->metas[i].content);
        }
        free(p->metas);
        for (size_t i = 0; i < p->n_fields; i++) {
                free(p->fields[i].label);
                free(p->fields[i].value);
        }
        free(p->fields);
        for (size_t i = 0; i < p->n_items; i++)
                html__item_clear(&p->items[i]);
        free(p->items);
        for (size_t i = 0; i < p->n_dated_links; i++)
                html__item_clear(&p->dated_links[i]);
        free(p->dated_links);
        for (size_t i = 0; i < p->n_list_pages; i++)
                free(p->list_pages[i]);
        free(p->list_pages);
        html__rows_free(p);
        free(p->text);
        free(p->main_text);
        free(p);
}

const char *html_page_meta(const struct html_page *p, const char *name)
{
        if (!p || !name)
                return NULL;
        for (size_t i = 0; i < p->n_metas; i++)
                if (strcasecmp(p->metas[i].name, name) == 0)
                        return p->metas[i].content;
        return NULL;
}

int html_parse(const char *utf8, size_t len, const char *page_url, const struct html_options *o,
               struct html_page **ret, char **ret_error)
{
        static const struct html_options no_options = { 0 };
        struct saved_handlers saved;
        struct html_ctx c = { 0 };
        xmlNode *root = NULL;
        char *error = NULL;
        bool fatal = false;
        int r;

        if (ret_error)
                *ret_error = NULL;
        if (!o)
                o = &no_options;
        call_once(&xml_once, xml_init);

        c.o = o;
        c.max_links = o->max_links;
        c.max_text = o->max_text ? o->max_text : DEFAULT_MAX_TEXT;
        c.max_url = o->max_url_length ? o->max_url_length : DEFAULT_MAX_URL;
        c.max_list_pages = o->max_list_pages ? o->max_list_pages : DEFAULT_MAX_LIST_PAGES;
        c.today = o->today;
        c.page = xcalloc(1, sizeof(*c.page));
        if (!page_url || url_normalize(page_url, c.max_url, &c.page_url) < 0)
                c.page_url = xstrdup(page_url ? page_url : "");

        handlers_silence(&saved, &fatal);
        if (utf8 && len > 0) {
                size_t fixed_len = 0;
                _cleanup_free_ char *fixed = repair_utf8(utf8, len, &fixed_len);
                if (fixed) {
                        utf8 = fixed;
                        len = fixed_len;
                }
                c.doc = htmlReadMemory(utf8, len > INT_MAX ? INT_MAX : (int)len, c.page_url,
                                       "UTF-8", PARSE_FLAGS);
        }
        c.page->parse_stopped = fatal;
        if (c.doc)
                root = xmlDocGetRootElement(c.doc);

        c.page->base_url = root ? find_base(&c, root) : xstrdup(c.page_url);
        if (root) {
                unnest_list_items(root);
                /* What is hidden first: every later step reads the marks. */
                html__style_sheet_collect(&c, root);
                html__style_mark(&c, root);
                html__hanweb_parse(&c);
                for (size_t i = 0; i < c.n_records; i++)
                        html__style_mark(&c, c.records[i].body);
                walk_links(&c, root, 0);
                for (size_t i = 0; i < c.n_records; i++)
                        walk_links(&c, c.records[i].body, c.records[i].line);
                html__script_links(&c, root);
                html__extract_fields(&c, find_body(root));
                extract_text(&c, root);
                html__extract_rows(&c, root);
        }
        if (!c.page->title)
                c.page->title = xstrdup("");
        if (!c.page->text)
                c.page->text = xstrdup("");

        r = html__extract_items(&c, &error);
        if (r >= 0)
                html__extract_list_pages(&c);
        handlers_restore(&saved);

        html__hanweb_free(&c);
        html__style_free(&c);
        if (c.doc)
                xmlFreeDoc(c.doc);
        free(c.page_url);
        if (r < 0) {
                html_page_free(c.page);
                if (ret_error)
                        *ret_error = error;
                else
                        free(error);
                return r;
        }
        *ret = c.page;
        return 0;
}

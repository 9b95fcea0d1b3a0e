/* The list of a column page: items matched by the column's selector, the records of Hanweb
 * (大汉 JCMS) datastores, or the list detected among groups of sibling elements. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>

#include "common/util.h"
#include "crawler/html.h"
#include "crawler/html_internal.h"
#include "crawler/url.h"

#define PARSE_FLAGS (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | \
                     HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC)

/* A list item is small: an element with more nodes or more text than this is a wrapper
 * around lists (or an article), not one entry. */
#define MEMBER_MAX_NODES 500
#define MEMBER_MAX_TEXT 2000
/* An entry has a title link and maybe a category or "more" link; more links than this
 * make a menu block or a wrapper, not an entry. */
#define MEMBER_MAX_LINKS 4
/* Text read for the date of an item matched by a selector. */
#define ITEM_MAX_TEXT 4096
#define SELECTOR_MAX_NODES 100000
/* XPath operations allowed per evaluation: plenty for any sane selector, a stop for a
 * pathological one on a big page. */
#define XPATH_OP_LIMIT 50000000UL
/* Hanweb datastores can hold every record of a column (the script pages them in the
 * browser); beyond this many they are not read. */
#define MAX_RECORDS 100000

static xmlNode *find_body(xmlNode *root)
{
        for (xmlNode *n = root; n; n = html__next(n, root, false))
                if (html__is(n, "body"))
                        return n;
        return root;
}

/* ---- Hanweb datastores ---- */

/* Finds the element <tag> ... </tag> in s from *pos on; returns its inner text (CDATA
 * wrapper removed) as start, length and offset in s, and moves *pos past it. */
static bool next_element(const char *s, size_t *pos, const char *tag, const char **ret_start,
                         size_t *ret_len, size_t *ret_offset)
{
        char open[32], close[32];
        const char *p = s + *pos, *start, *end;

        snprintf(open, sizeof(open), "<%s", tag);
        snprintf(close, sizeof(close), "</%s>", tag);
        for (;;) {
                p = strstr(p, open);
                if (!p)
                        return false;
                p += strlen(open);
                /* "<record>" or "<record attr=...>", not "<recordset>". */
                if (*p == '>' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
                        break;
        }
        start = strchr(p, '>');
        if (!start)
                return false;
        start++;
        end = strstr(start, close);
        if (!end)
                return false;
        *pos = (size_t)(end - s) + strlen(close);

        /* Strip white space and the CDATA wrapper around the fragment. */
        while (start < end && (*start == ' ' || *start == '\t' || *start == '\n' ||
                               *start == '\r'))
                start++;
        if ((size_t)(end - start) >= 9 && strncmp(start, "<![CDATA[", 9) == 0) {
                start += 9;
                const char *cend = end;
                while (cend - start >= 3 && strncmp(cend - 3, "]]>", 3) != 0)
                        cend--;
                if (cend - start >= 3)
                        end = cend - 3;
        }
        *ret_start = start;
        *ret_len = (size_t)(end - start);
        *ret_offset = (size_t)(start - s);
        return true;
}

static size_t count_lines(const char *s, size_t n)
{
        size_t lines = 0;

        for (size_t i = 0; i < n; i++)
                lines += s[i] == '\n';
        return lines;
}

static xmlDoc *parse_fragment(struct html_ctx *c, const char *s, size_t len)
{
        if (len == 0 || len > INT_MAX)
                return NULL;
        return htmlReadMemory(s, (int)len, c->page_url, "UTF-8", PARSE_FLAGS);
}

static void hanweb_nextgroup(struct html_ctx *c, const char *s, size_t len)
{
        xmlDoc *doc = parse_fragment(c, s, len);
        xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;

        for (xmlNode *n = root; n; n = html__next(n, root, false)) {
                const char *href = html__is(n, "a") ? html__attr(n, "href") : NULL;
                if (!href || !href[0])
                        continue;
                c->nextgroups = html__grow(c->nextgroups, c->n_nextgroups,
                                          sizeof(*c->nextgroups));
                c->nextgroups[c->n_nextgroups++] = xstrdup(href);
        }
        if (doc)
                xmlFreeDoc(doc);
}

static void hanweb_store(struct html_ctx *c, const char *text, long line)
{
        const char *start;
        size_t pos = 0, len, offset;

        if (next_element(text, &pos, "nextgroup", &start, &len, &offset))
                hanweb_nextgroup(c, start, len);
        pos = 0;
        while (c->n_records < MAX_RECORDS &&
               next_element(text, &pos, "record", &start, &len, &offset)) {
                xmlDoc *doc = parse_fragment(c, start, len);
                xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
                if (!root) {
                        if (doc)
                                xmlFreeDoc(doc);
                        continue;
                }
                c->records = html__grow(c->records, c->n_records, sizeof(*c->records));
                c->records[c->n_records++] = (struct html_record){
                        .doc = doc,
                        .body = find_body(root),
                        .line = line + (long)count_lines(text, offset),
                };
        }
}

void html__hanweb_parse(struct html_ctx *c)
{
        xmlNode *root = xmlDocGetRootElement(c->doc);

        for (xmlNode *n = root; n; n = html__next(n, root, false)) {
                const char *type = html__is(n, "script") ? html__attr(n, "type") : NULL;
                if (!type || !strcasestr(type, "xml"))
                        continue;
                xmlChar *text = xmlNodeGetContent(n);
                if (text && strstr((const char *)text, "<datastore"))
                        hanweb_store(c, (const char *)text, xmlGetLineNo(n));
                xmlFree(text);
        }
}

void html__hanweb_free(struct html_ctx *c)
{
        for (size_t i = 0; i < c->n_records; i++)
                xmlFreeDoc(c->records[i].doc);
        free(c->records);
        c->records = NULL;
        c->n_records = 0;
        for (size_t i = 0; i < c->n_nextgroups; i++)
                free(c->nextgroups[i]);
        free(c->nextgroups);
        c->nextgroups = NULL;
        c->n_nextgroups = 0;
}

/* ---- items ---- */

static void push_item(struct html_ctx *c, struct html_item *it)
{
        struct html_page *p = c->page;

        p->items = html__grow(p->items, p->n_items, sizeof(*p->items));
        p->items[p->n_items++] = *it;
        *it = (struct html_item){ 0 };
}

/* The next element sibling of n, or NULL. */
static xmlNode *next_element_sibling(xmlNode *n)
{
        for (n = n->next; n; n = n->next)
                if (n->type == XML_ELEMENT_NODE)
                        return n;
        return NULL;
}

/* Dates the item of element n with link URL url: the latest date in n's text, for a
 * <dt> the text of its <dd>, else the URL. False when n's text is too long for an item
 * (limit 0: no such test). */
static bool date_element(struct html_ctx *c, xmlNode *n, const char *url, size_t limit,
                         struct html_item *it)
{
        bool cut = false;
        _cleanup_free_ char *text = html__node_text(n, limit ? limit : ITEM_MAX_TEXT, &cut);

        if (limit && cut)
                return false;
        html__item_date(c, text, NULL, it);
        if (!it->has_date && html__is(n, "dt")) {
                xmlNode *dd = next_element_sibling(n);
                if (html__is(dd, "dd")) {
                        _cleanup_free_ char *dd_text = html__node_text(dd, 256, NULL);
                        html__item_date(c, dd_text, NULL, it);
                }
        }
        if (!it->has_date)
                html__item_date(c, NULL, url, it);
        return true;
}

/* Adds the element matched by a selector (or a Hanweb record) as an item. */
static void add_element_item(struct html_ctx *c, xmlNode *n)
{
        struct html_item it = { 0 };
        xmlNode *a = html__item_link(c, n, SELECTOR_MAX_NODES, &it.url, NULL, NULL);

        if (!a)
                return;
        it.title = html__link_title(a);
        date_element(c, n, it.url, 0, &it);
        push_item(c, &it);
}

static int select_in(struct html_ctx *c, xmlDoc *doc, xmlXPathCompExpr *comp, size_t *ret_matched)
{
        xmlXPathContext *xc = xmlXPathNewContext(doc);
        xmlXPathObject *obj;
        int r = 0;

        if (!xc)
                return -ENOMEM;
        xc->opLimit = XPATH_OP_LIMIT;
        obj = xmlXPathCompiledEval(comp, xc);
        if (!obj) {
                r = -EINVAL;
                goto out;
        }
        if (obj->type != XPATH_NODESET) {
                r = -EINVAL;
                goto out;
        }
        for (int i = 0; obj->nodesetval && i < obj->nodesetval->nodeNr; i++) {
                xmlNode *n = obj->nodesetval->nodeTab[i];
                if (n->type != XML_ELEMENT_NODE)
                        continue;
                (*ret_matched)++;
                add_element_item(c, n);
        }
out:
        xmlXPathFreeObject(obj);
        xmlXPathFreeContext(xc);
        return r;
}

static int items_by_selector(struct html_ctx *c, char **ret_error)
{
        const char *sel = c->o->item_selector;
        _cleanup_free_ char *xpath = NULL;
        xmlXPathCompExpr *comp;
        size_t matched = 0;
        int r;

        c->page->items_from_selector = true;
        if (html_css_to_xpath(sel, &xpath) < 0) {
                *ret_error = xasprintf("invalid item selector '%s'", sel);
                return -EINVAL;
        }
        comp = xmlXPathCompile((const xmlChar *)xpath);
        if (!comp) {
                *ret_error = xasprintf("invalid item selector '%s' (XPath '%s')", sel, xpath);
                return -EINVAL;
        }
        r = c->doc ? select_in(c, c->doc, comp, &matched) : 0;
        /* On a Hanweb page the list is in the datastore, not in the tree: a selector
         * that matches nothing in the page is tried on every record. */
        bool try_records = matched == 0;
        for (size_t i = 0; r >= 0 && try_records && i < c->n_records; i++)
                r = select_in(c, c->records[i].doc, comp, &matched);
        xmlXPathFreeCompExpr(comp);
        if (r < 0)
                *ret_error = xasprintf("item selector '%s' does not select elements", sel);
        return r;
}

/* ---- list detection ---- */

struct member {
        xmlNode *node;
        xmlNode *link;
        char *url;
        struct html_item date;  /* only the date fields */
        bool onsite;
};

/* Sibling elements of one tag under one parent, each holding a link. */
struct group {
        xmlNode *parent;
        const char *tag;
        struct member *members;
        size_t n;
        size_t dated;
        size_t onsite;
        bool navlike;
        bool listlike;
        size_t cluster;
};

/* Groups in one container with the same shape: the parents have the same tag and class
 * (several <ul class="list"> of five <li> separated by <hr>, a common CMS layout). */
struct cluster {
        size_t *groups;
        size_t n_groups;
        size_t n;
        size_t dated;
        size_t onsite;
        bool navlike;
        bool listlike;
};

static const char *const item_tags[] = { "li", "tr", "dd", "dt", "p", "div", "article" };

/* True when the lower-cased id or class of n contains one of words. */
static bool id_class_has(const xmlNode *n, const char *const *words, size_t n_words)
{
        const char *attrs[] = { html__attr(n, "id"), html__attr(n, "class") };

        for (size_t a = 0; a < ARRAY_SIZE(attrs); a++) {
                if (!attrs[a] || !attrs[a][0])
                        continue;
                for (size_t w = 0; w < n_words; w++)
                        if (strcasestr(attrs[a], words[w]))
                                return true;
        }
        return false;
}

/* True when a class token or the id of n is exactly one of words. */
static bool id_class_is(const xmlNode *n, const char *const *words, size_t n_words)
{
        const char *id = html__attr(n, "id");
        const char *cls = html__attr(n, "class");

        for (size_t w = 0; w < n_words; w++) {
                size_t len = strlen(words[w]);
                if (id && strcasecmp(id, words[w]) == 0)
                        return true;
                for (const char *p = cls; p && *p;) {
                        while (*p == ' ' || *p == '\t')
                                p++;
                        const char *start = p;
                        while (*p && *p != ' ' && *p != '\t')
                                p++;
                        if ((size_t)(p - start) == len && strncasecmp(start, words[w], len) == 0)
                                return true;
                }
        }
        return false;
}

/* Navigation, menus, headers, footers, breadcrumbs and pagers hold links in lists too, and
 * a page's footer may even carry dates; they are never the column's list while anything
 * else is there. Breadcrumbs on Chinese portals are mostly "location"/"position"/"dqwz"
 * (当前位置), pagers "fenye" (分页). "page" is matched as a whole class or id only:
 * wrappers called "page-content" or "main_page" hold the list itself on many portals. */
bool html__navlike(const xmlNode *n)
{
        static const char *const words[] = {
                "nav", "menu", "footer", "header", "breadcrumb", "crumb", "pager", "paging",
                "pagination", "fenye", "location", "position", "dqwz",
        };
        static const char *const exact[] = { "page", "pages" };

        return html__is(n, "nav") || html__is(n, "header") || html__is(n, "footer") ||
               id_class_has(n, words, ARRAY_SIZE(words)) ||
               id_class_is(n, exact, ARRAY_SIZE(exact));
}

static bool navlike(const xmlNode *n)
{
        for (; n && n->type == XML_ELEMENT_NODE; n = n->parent)
                if (html__navlike(n))
                        return true;
        return false;
}

/* Whether the parent of a group or one of its two ancestors is named like a list. */
static bool listlike(const xmlNode *n)
{
        static const char *const words[] = { "list", "news", "lb", "con", "content", "main" };

        for (int depth = 0; n && n->type == XML_ELEMENT_NODE && depth < 3; n = n->parent, depth++)
                if (id_class_has(n, words, ARRAY_SIZE(words)))
                        return true;
        return false;
}

static void group_free(struct group *g)
{
        for (size_t i = 0; i < g->n; i++)
                free(g->members[i].url);
        free(g->members);
}

struct detection {
        struct group *groups;
        size_t n_groups;
        struct cluster *clusters;
        size_t n_clusters;
        char *page_host;
};

static bool analyse_member(struct html_ctx *c, struct detection *d, xmlNode *n,
                           struct member *ret)
{
        bool too_big = false;
        size_t n_links = 0;
        char *url = NULL;
        xmlNode *a = html__item_link(c, n, MEMBER_MAX_NODES, &url, &too_big, &n_links);

        if (!a || too_big || n_links > MEMBER_MAX_LINKS) {
                free(url);
                return false;
        }
        *ret = (struct member){ .node = n, .link = a, .url = url };
        if (!date_element(c, n, url, MEMBER_MAX_TEXT, &ret->date)) {
                free(url);
                return false;
        }
        _cleanup_free_ char *host = url_host(url);
        ret->onsite = host && d->page_host && streq(host, d->page_host);
        return true;
}

static void collect_groups(struct html_ctx *c, struct detection *d, xmlNode *root)
{
        for (xmlNode *p = root; p; p = html__next(p, root, false)) {
                struct group by_tag[ARRAY_SIZE(item_tags)] = { 0 };

                /* Script and style hold no elements; hidden blocks (tabs shown by a
                 * script) may hold the list. */
                if (p->type != XML_ELEMENT_NODE ||
                    (html__node_invisible(p) && !html__node_hidden(p)))
                        continue;
                for (xmlNode *ch = p->children; ch; ch = ch->next) {
                        size_t t;
                        struct member m;
                        if (ch->type != XML_ELEMENT_NODE)
                                continue;
                        for (t = 0; t < ARRAY_SIZE(item_tags); t++)
                                if (html__is(ch, item_tags[t]))
                                        break;
                        /* A header or footer among a page's blocks is not an entry. */
                        if (t == ARRAY_SIZE(item_tags) || html__navlike(ch) ||
                            !analyse_member(c, d, ch, &m))
                                continue;
                        struct group *g = &by_tag[t];
                        g->members = html__grow(g->members, g->n, sizeof(*g->members));
                        g->members[g->n++] = m;
                        g->dated += m.date.has_date;
                        g->onsite += m.onsite;
                }
                for (size_t t = 0; t < ARRAY_SIZE(item_tags); t++) {
                        struct group *g = &by_tag[t];
                        if (g->n == 0)
                                continue;
                        g->parent = p;
                        g->tag = item_tags[t];
                        g->navlike = navlike(p);
                        g->listlike = listlike(p);
                        d->groups = html__grow(d->groups, d->n_groups, sizeof(*d->groups));
                        d->groups[d->n_groups++] = *g;
                }
        }
}

static bool same_shape(const struct group *a, const struct group *b)
{
        const char *ca = html__attr(a->parent, "class");
        const char *cb = html__attr(b->parent, "class");

        return a->parent->parent == b->parent->parent && streq(a->tag, b->tag) &&
               streq((const char *)a->parent->name, (const char *)b->parent->name) &&
               streq(ca ? ca : "", cb ? cb : "") && a->navlike == b->navlike;
}

static void cluster_groups(struct detection *d)
{
        for (size_t i = 0; i < d->n_groups; i++) {
                struct group *g = &d->groups[i];
                size_t k;
                for (k = 0; k < d->n_clusters; k++)
                        if (same_shape(&d->groups[d->clusters[k].groups[0]], g))
                                break;
                if (k == d->n_clusters) {
                        d->clusters = html__grow(d->clusters, d->n_clusters, sizeof(*d->clusters));
                        d->clusters[d->n_clusters++] = (struct cluster){
                                .navlike = g->navlike,
                        };
                }
                struct cluster *cl = &d->clusters[k];
                cl->groups = html__grow(cl->groups, cl->n_groups, sizeof(*cl->groups));
                cl->groups[cl->n_groups++] = i;
                cl->n += g->n;
                cl->dated += g->dated;
                cl->onsite += g->onsite;
                cl->listlike |= g->listlike;
        }
}

static bool mostly_onsite(const struct cluster *cl)
{
        return cl->onsite * 2 > cl->n;
}

/* Whether a beats b: links on the page's own site first, then more dated members, then
 * more members. Ties keep the earlier one (document order). */
static bool better(const struct cluster *a, const struct cluster *b)
{
        if (!b)
                return true;
        if (mostly_onsite(a) != mostly_onsite(b))
                return mostly_onsite(a);
        if (a->dated != b->dated)
                return a->dated > b->dated;
        return a->n > b->n;
}

/* Picks the list: a cluster with dated members outside navigation; failing that one
 * inside navigation; failing that an undated cluster of at least two members, but only
 * inside an element named like a list (an undated group anywhere else is a menu more
 * often than a list, and a single link is not a list). */
static const struct cluster *choose(const struct detection *d)
{
        const struct cluster *best = NULL;

        for (int pass = 0; pass < 3 && !best; pass++) {
                for (size_t k = 0; k < d->n_clusters; k++) {
                        const struct cluster *cl = &d->clusters[k];
                        bool ok;
                        switch (pass) {
                        case 0:
                                ok = !cl->navlike && cl->dated > 0;
                                break;
                        case 1:
                                ok = cl->navlike && cl->dated > 0;
                                break;
                        default:
                                ok = !cl->navlike && cl->listlike && cl->n >= 2;
                                break;
                        }
                        if (ok && better(cl, best))
                                best = cl;
                }
        }
        return best;
}

static void items_by_detection(struct html_ctx *c, xmlNode *root)
{
        struct detection d = { .page_host = url_host(c->page_url) };
        const struct cluster *best;

        collect_groups(c, &d, root);
        cluster_groups(&d);
        best = choose(&d);
        for (size_t g = 0; best && g < best->n_groups; g++) {
                struct group *gr = &d.groups[best->groups[g]];
                for (size_t i = 0; i < gr->n; i++) {
                        struct member *m = &gr->members[i];
                        struct html_item it = m->date;
                        it.url = m->url;
                        m->url = NULL;
                        it.title = html__link_title(m->link);
                        push_item(c, &it);
                }
        }
        for (size_t i = 0; i < d.n_groups; i++)
                group_free(&d.groups[i]);
        free(d.groups);
        for (size_t k = 0; k < d.n_clusters; k++)
                free(d.clusters[k].groups);
        free(d.clusters);
        free(d.page_host);
}

int html__extract_items(struct html_ctx *c, char **ret_error)
{
        if (c->o->item_selector && c->o->item_selector[0])
                return items_by_selector(c, ret_error);
        if (c->n_records > 0) {
                /* The datastore is the list the CMS renders; whatever else the page holds
                 * in lists is navigation around it. */
                for (size_t i = 0; i < c->n_records; i++)
                        add_element_item(c, c->records[i].body);
                return 0;
        }
        if (c->doc && xmlDocGetRootElement(c->doc))
                items_by_detection(c, xmlDocGetRootElement(c->doc));
        return 0;
}

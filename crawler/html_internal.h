/* Private to the HTML extraction files (html.c, html_list.c, html_pager.c, html_style.c,
 * html_script.c, html_fields.c): the parse context they share and the small tree helpers
 * they all use ("html__" names). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "crawler/html.h"

/* One record of a Hanweb (大汉 JCMS) datastore, parsed as its own small document. */
struct html_record {
        xmlDoc *doc;
        xmlNode *body;          /* where the record's elements are */
        long line;              /* line of the record in the page source */
};

/* Why an element is hidden (html_style.c); static, never freed. */
struct html__hiding {
        enum html_hidden_by by;
        const char *how;        /* for people: "display:none", "文字颜色与背景色相同"... */
        /* Text in the colour of its background hides the element's own text only: a
         * child in another colour (a link, drawn blue) still shows. */
        bool own_text_only;
};

/* by_write's or by_inner's how when it equals how, else NULL (html_script.c). */
const char *html__script_how_lookup(const char *how);

/* The rules of the page's <style> blocks (html_style.c). */
struct html__sheet;

struct html_ctx {
        const struct html_options *o;
        size_t max_links;       /* 0: no limit */
        size_t max_text;
        size_t max_url;
        size_t max_list_pages;
        xj_day today;
        xmlDoc *doc;
        char *page_url;         /* normalised page URL (or as given when it is not one) */
        struct html_page *page;

        struct html_record *records;
        size_t n_records;
        /* Hrefs of Hanweb <nextgroup> elements, raw (resolved by the pager code). */
        char **nextgroups;
        size_t n_nextgroups;

        struct html__sheet *sheet;
        bool sheet_shared;      /* sheet is the thread's cached one (html_style.c) */
};

/* True when n is an element with this (lower-case) name. */
bool html__is(const xmlNode *n, const char *name);
/* The value of attribute name of element n, borrowed from the tree, "" for an attribute
 * without value, NULL when absent. */
const char *html__attr(const xmlNode *n, const char *name);

/* The visible text under n (no script/style/noscript/template, nothing hidden),
 * white space collapsed, at most cap bytes (cut on a character boundary). The caller
 * frees the result; *ret_truncated (may be NULL) says whether text was cut. */
char *html__node_text(const xmlNode *n, size_t cap, bool *ret_truncated);
/* True when n itself must be left out of the visible text. */
bool html__node_invisible(const xmlNode *n);
/* True when n and everything under it is hidden (a mark that is not own_text_only). */
bool html__node_hidden(const xmlNode *n);
/* True when n is laid out as a block (its text does not run into its neighbours'). */
bool html__is_block(const xmlNode *n);
/* True when n or an ancestor is navigation, a menu, header, footer, breadcrumb or pager. */
bool html__in_template(const xmlNode *n);
/* The source line of n in the page, 0 when unknown. */
int html__line_of(const xmlNode *n);

/* Style (html_style.c). collect reads the <style> blocks under root into c->sheet;
 * mark then marks every hidden element under root (root included); free drops the
 * sheet. Marks live in xmlNode._private and die with the tree. */
void html__style_sheet_collect(struct html_ctx *c, xmlNode *root);
void html__style_mark(struct html_ctx *c, xmlNode *root);
void html__style_free(struct html_ctx *c);
/* The reason n itself (or, own_text_only, its own text) is hidden, or NULL. */
const struct html__hiding *html__hiding_of(const xmlNode *n);

/* Adds a link that is not an element of the tree (a link written by a script): ref is
 * resolved against the base; text is taken (may be NULL); hiding may be NULL. */
void html__add_link_at(struct html_ctx *c, enum html_link_kind kind, const char *ref, char *text,
                       int line, const struct html__hiding *hiding, bool in_template);
/* Links written by inline scripts (html_script.c). */
void html__script_links(struct html_ctx *c, xmlNode *root);
/* Label/value pairs into page->fields (html_fields.c). */
void html__extract_fields(struct html_ctx *c, xmlNode *root);

/* True when n itself is navigation, a menu, header, footer, breadcrumb or pager: the
 * site's template rather than the page's content (html_list.c). */
bool html__navlike(const xmlNode *n);

/* Resolves an attribute value against the page's effective base. Returns 0 and a new
 * string; -ENOENT for references that name no resource of their own (empty, "#..."),
 * or url_resolve's error. */
int html__resolve(struct html_ctx *c, const char *ref, char **ret);

/* The text a link is known by: its anchor text, or its title attribute when the text is
 * empty or cut short ("..."), or the alt of an image inside. The caller frees it. */
char *html__link_title(const xmlNode *a);

/* The link of a list item: the <a href> under n (n included) with the longest title (the
 * first of equals), or NULL; *ret_url gets its resolved URL (caller frees). At most
 * max_nodes nodes are visited; *ret_too_big says the limit was reached, *ret_n_links how
 * many usable links were seen (both may be NULL). */
xmlNode *html__item_link(struct html_ctx *c, xmlNode *n, size_t max_nodes, char **ret_url,
                        bool *ret_too_big, size_t *ret_n_links);

/* Fills it->has_date, it->date and it->date_from_url: the latest date in text (may be
 * NULL), else the date in url. */
void html__item_date(const struct html_ctx *c, const char *text, const char *url,
                    struct html_item *it);

/* The pre-order successor of n within the subtree of root, skipping n's children when
 * skip_children is set; NULL at the end. */
xmlNode *html__next(xmlNode *n, const xmlNode *root, bool skip_children);

/* Hanweb datastores: fills c->records and c->nextgroups from <script type="text/xml">. */
void html__hanweb_parse(struct html_ctx *c);
void html__hanweb_free(struct html_ctx *c);

/* Fills page->items (from the selector when one is given, else by detection). Returns 0
 * or -EINVAL with *ret_error for an invalid selector. */
int html__extract_items(struct html_ctx *c, char **ret_error);

/* Fills page->list_pages. */
void html__extract_list_pages(struct html_ctx *c);

/* Grows an array of n elements of size bytes so that element n can be written. */
void *html__grow(void *p, size_t n, size_t size);

/* Frees the strings of one item. */
void html__item_clear(struct html_item *it);

/* Fills page->rows from the tables and lists under root (html_rows.c); frees them. */
void html__extract_rows(struct html_ctx *c, xmlNode *root);
void html__rows_free(struct html_page *p);

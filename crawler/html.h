/* Parsing a decoded page with libxml2's HTML parser and extracting what the checks need:
 * the links, the gov meta tags, the title, the visible text, the list items of a column
 * page with their titles and dates, and the further list pages (pagination). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/dates.h"

enum html_link_kind {
        HTML_LINK_A = 0,
        HTML_LINK_AREA,
        HTML_LINK_IMG,
        HTML_LINK_SCRIPT,
        HTML_LINK_LINK,         /* <link href>: stylesheets, icons */
        HTML_LINK_IFRAME,
        HTML_LINK_EMBED,
        HTML_LINK_OBJECT,
        HTML_LINK_FORM,
        HTML_LINK_META_REFRESH,
};
const char *html_link_kind_id(enum html_link_kind k);   /* "a", "img", ... */

/* Why a reader of the page does not see an element (or a link): what hid it. */
enum html_hidden_by {
        HTML_SHOWN = 0,
        HTML_HIDDEN_ATTRIBUTE,  /* the "hidden" attribute */
        HTML_HIDDEN_INLINE,     /* a style="" attribute */
        HTML_HIDDEN_STYLESHEET, /* a rule of one of the page's <style> blocks */
        HTML_HIDDEN_MARQUEE,    /* a <marquee> no larger than tiny_px */
        HTML_HIDDEN_SCRIPT,     /* not in the markup: written by an inline script
                                 * (document.write, innerHTML...) */
};
/* "shown", "attribute", "inline", "stylesheet", "marquee", "script". */
const char *html_hidden_by_id(enum html_hidden_by h);
/* The static string html_parse gives as html_link.hidden_how that equals how, or NULL when
 * there is none: what lets a page read back from bytes (crawler/pagecache.c) point at the
 * same strings as a parsed one. */
const char *html_hidden_how_lookup(const char *how);

struct html_link {
        char *url;              /* absolute and normalised (url_resolve) */
        enum html_link_kind kind;
        char *text;             /* anchor text, alt or title, trimmed; may be "" (the
                                 * text of a hidden link is read all the same) */
        int line;               /* source line, for evidence */
        bool hidden;            /* hidden_by != HTML_SHOWN */
        enum html_hidden_by hidden_by;
        /* How it was hidden, for people: "display:none", "visibility:hidden",
         * "opacity:0", "zero size", "off-screen", "font-size:0", "same colour as
         * background", "hidden attribute", "tiny marquee", "document.write"...; a static
         * string, "" when shown. */
        const char *hidden_how;
        /* Inside the site's template: navigation, menus, header, footer, breadcrumb or
         * pager (the same test as main_text uses). */
        bool in_template;
};

/* A label and its value as a page lays them out: a table row (th/td or td/td), a dt
 * and its dd, a "标签：值" line, or a heading and the text under it. What the service
 * guide (办事指南) check reads. */
struct html_field {
        char *label;            /* visible text, white space collapsed, trailing "：" cut */
        char *value;            /* visible text, white space collapsed; may be "" */
};

/* An entry of a column's list (or a dated link anywhere on a page). */
struct html_item {
        char *title;            /* link text, or its title attribute when the text is cut */
        char *url;              /* absolute */
        bool has_date;
        struct text_date date;  /* from the item's text, else from its URL */
        bool date_from_url;
};

/* A row of a table (<tr>) or list (<li>), cell by cell (html_rows.c). */
struct html_row {
        char **cells;           /* the non-empty cells' text, trimmed, in order (≥ 2) */
        size_t n_cells;
        char *url;              /* the row's link (absolute), or NULL */
};

struct html_meta {
        char *name;             /* as written: "PubDate", "ColumnName", ... */
        char *content;
};

struct html_page {
        char *title;
        char *base_url;         /* effective base (<base href> or the page URL) */

        struct html_link *links;
        size_t n_links;
        size_t links_dropped;   /* beyond max_links */
        size_t links_invalid;   /* hrefs that are malformed or longer than max_url_length
                                 * (other schemes such as "javascript:" are not counted) */

        struct html_meta *metas;
        size_t n_metas;

        /* Label/value pairs, in page order, at most 256 (html_fields.c). */
        struct html_field *fields;
        size_t n_fields;
        /* Media of the content (outside the template): <video> elements, and images
         * larger than an icon (both width and height attributes, when given, above 32). */
        size_t n_videos;
        size_t n_content_images;
        /* Rules of <style> blocks beyond the cap that were not applied (html_style.c). */
        size_t style_rules_dropped;

        /* The column list: items matched by the column's selector, or the list detected
         * on the page (the largest group of sibling elements that each hold a link, scored
         * by how many carry a date); includes records of Hanweb (大汉) <script
         * type="text/xml"> datastores. */
        struct html_item *items;
        size_t n_items;
        bool items_from_selector;

        /* Every link on the page with a date next to it (in its own element, its parent
         * list item or table row) or in its URL: what the homepage freshness check reads. */
        struct html_item *dated_links;
        size_t n_dated_links;

        /* Further pages of the same list, in order: from "下一页"/numbered pager links,
         * TRS createPageHTML(total, current, "index", "html") and similar scripts, and
         * Hanweb datastore paging. Absolute URLs; the page itself excluded. */
        char **list_pages;
        size_t n_list_pages;
        size_t list_pages_dropped;      /* beyond max_list_pages */

        /* Table and list rows with their cells, for rules that read a list as a table. */
        struct html_row *rows;
        size_t n_rows;
        size_t rows_dropped;    /* beyond the cap of rows per page */

        /* Visible body text, white space collapsed: no script, style, noscript or
         * template, and nothing hidden (see html_hidden_by: the hidden attribute, inline
         * styles, the simple rules of <style> blocks, tiny marquees). */
        char *text;
        /* The same without link text and without the site's template (navigation, menus,
         * header, footer, breadcrumbs, pagers): what tells a blank column from one with
         * content of its own. */
        char *main_text;
        size_t text_len;
        bool text_truncated;
        /* libxml2 gave up part-way (elements nested deeper than its limit of 256, which
         * stays because HUGE is never enabled): whatever followed is missing. */
        bool parse_stopped;
};

struct html_options {
        const char *item_selector;      /* CSS subset or XPath, or NULL */
        size_t max_links;               /* 0: no limit */
        size_t max_text;                /* bytes of text kept, 0: 1 MiB */
        size_t max_url_length;          /* 0: 4096 */
        xj_day today;                   /* context for year-less dates */
        size_t max_list_pages;          /* further list pages kept, 0: 1000 */
        /* Hidden-element thresholds (rules.d settings.hidden_links): an element placed
         * offset_px or more to the left of or above the page is off-screen; a box (with
         * overflow:hidden) or a marquee at most tiny_px wide or high is invisible.
         * 0: 1000 and 2. */
        int hidden_offset_px;
        int hidden_tiny_px;
};

/* Parses len bytes of UTF-8 HTML fetched from page_url. Never fails on malformed HTML
 * (libxml2 recovers; HUGE is never enabled). Returns 0 and *ret (free with
 * html_page_free), or -EINVAL with *ret_error (caller frees) when the selector is
 * invalid. */
int html_parse(const char *utf8, size_t len, const char *page_url, const struct html_options *o,
               struct html_page **ret, char **ret_error);
void html_page_free(struct html_page *p);

/* Value of the meta tag with this name (case-insensitive), or NULL. */
const char *html_page_meta(const struct html_page *p, const char *name);

/* Translates the CSS selector subset we accept (type, .class, #id, [attr], [attr=value],
 * descendant " " and child ">" combinators, "," lists) into XPath; a selector starting
 * with "/" is taken as XPath already. Returns 0 and a new string, or -EINVAL. */
int html_css_to_xpath(const char *css, char **ret);

/* Private to the content checks (check_page_tags.c, check_guides.c,
 * check_interpretation.c, content_scan.c): what they collect across the pages of one scan
 * (see struct content_scan in checks.h) and the small helpers they share. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/util.h"
#include "rules/checks.h"

/* Per-page caps on what is kept: an interpretation links its document in its body, a
 * guide links a few forms; more is a navigation block, not worth keeping. */
#define CONTENT_MAX_LINKS_PER_PAGE 64
/* Distinct SiteIDCode values kept: a site has one; a handful means a template mix-up. */
#define CONTENT_MAX_SITE_IDS 32

/* A SiteIDCode value and the pages that carry it. */
struct content_site_id {
        char *value;
        char *url;              /* the smallest URL carrying it: stable from scan to scan */
        size_t pages;
};

/* A form (表格) linked from a service guide. */
struct content_form {
        char *url;
        char *text;
        char *guide_url;
        char *guide_title;
        int column;             /* of the guide, or -1 */
};

/* A policy document (政策文件): an article of a policy column. */
struct content_doc {
        char *url;
        char *title;
        int column;
        bool paired;            /* links to something called an interpretation */
        struct strv links;      /* its on-site links outside the template */
};

struct content_interp {
        char *url;
        bool multiform;         /* graphic, video or other non-text form */
};

/* 错敏字 found on a page only outside its own text — in the site's template (navigation,
 * header, footer) or in link text — kept once per dictionary word for one site-wide
 * finding at the end of the scan, instead of one finding on every page of the site. */
struct content_template_word {
        uint32_t word;                  /* index in rule_dictionary.words */
        char *first_url;                /* the first page it was seen on */
        char *sentence;                 /* its first sentence there */
        size_t pages;                   /* pages it was seen on */
};

struct content_scan {
        struct content_site_id site_ids[CONTENT_MAX_SITE_IDS];
        size_t n_site_ids;
        size_t site_ids_dropped;
        char *homepage_url;
        char *homepage_site_id;         /* the homepage's SiteIDCode meta tag */
        char *footer_site_id;           /* the 网站标识码 in the homepage's footer */

        struct content_form *forms;
        size_t n_forms;

        struct content_doc *docs;
        size_t n_docs;
        struct content_interp *interps;
        size_t n_interps;
        struct strv interp_links;       /* URLs linked from interpretation pages */

        struct content_template_word *template_words;
        size_t n_template_words;
};

/* Grows an array of n elements of size bytes so that element n can be written. */
void *content_grow(void *p, size_t n, size_t size);

/* Sorts v (byte order) so that content_sorted_has can search it. */
void content_sort(struct strv *v);
bool content_sorted_has(const struct strv *v, const char *s);

/* The title a page is known by: its ArticleTitle meta tag, else its <title>; borrowed. */
const char *content_page_title(const struct html_page *page);

/* The first of words found in s (ASCII letters compared without case), or NULL. */
const char *content_find_word(const char *s, const struct strv *words);

/* True when the column (an index of site->columns, or -1) is of a class named (by id or
 * name) in classes. */
bool content_column_in(const struct rule_site *site, int column, const struct strv *classes);

/* The unit and column name for findings about a page of column (or -1: the site's). */
const char *content_column_name(const struct rule_site *site, int column);

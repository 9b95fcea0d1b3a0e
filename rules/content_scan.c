/* The per-scan collection of the content checks and the helpers they share; see
 * content_scan.h and struct content_scan in checks.h. */
#include <strings.h>

#include "crawler/html.h"
#include "rules/content_scan.h"

struct content_scan *content_scan_new(void)
{
        return xcalloc(1, sizeof(struct content_scan));
}

void content_scan_free(struct content_scan *cs)
{
        if (!cs)
                return;
        for (size_t i = 0; i < cs->n_site_ids; i++) {
                free(cs->site_ids[i].value);
                free(cs->site_ids[i].url);
        }
        for (size_t i = 0; i < cs->n_template_words; i++) {
                free(cs->template_words[i].first_url);
                free(cs->template_words[i].sentence);
        }
        free(cs->template_words);
        free(cs->homepage_url);
        free(cs->homepage_site_id);
        free(cs->footer_site_id);
        for (size_t i = 0; i < cs->n_forms; i++) {
                free(cs->forms[i].url);
                free(cs->forms[i].text);
                free(cs->forms[i].guide_url);
                free(cs->forms[i].guide_title);
        }
        free(cs->forms);
        for (size_t i = 0; i < cs->n_docs; i++) {
                free(cs->docs[i].url);
                free(cs->docs[i].title);
                strv_free(&cs->docs[i].links);
        }
        free(cs->docs);
        for (size_t i = 0; i < cs->n_interps; i++)
                free(cs->interps[i].url);
        free(cs->interps);
        strv_free(&cs->interp_links);
        free(cs);
}

void *content_grow(void *p, size_t n, size_t size)
{
        /* Capacity doubles at every power of two, so it need not be stored. */
        if (n == 0 || (n & (n - 1)) == 0)
                return xreallocarray(p, n ? n * 2 : 1, size);
        return p;
}

static int str_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

void content_sort(struct strv *v)
{
        if (v->n > 1)
                qsort(v->items, v->n, sizeof(char *), str_cmp);
}

bool content_sorted_has(const struct strv *v, const char *s)
{
        return v->n && bsearch(&s, v->items, v->n, sizeof(char *), str_cmp) != NULL;
}

const char *content_page_title(const struct html_page *page)
{
        const char *t = html_page_meta(page, "ArticleTitle");

        return t && t[0] ? t : page->title;
}

const char *content_find_word(const char *s, const struct strv *words)
{
        for (size_t i = 0; s && i < words->n; i++)
                if (strcasestr(s, words->items[i]))
                        return words->items[i];
        return NULL;
}

bool content_column_in(const struct rule_site *site, int column, const struct strv *classes)
{
        const struct rule_class *cls;

        if (column < 0 || (size_t)column >= site->n_columns)
                return false;
        cls = site->columns[column].cls;
        for (size_t i = 0; cls && i < classes->n; i++)
                if (streq_ptr(cls->id, classes->items[i]) ||
                    streq_ptr(cls->name, classes->items[i]))
                        return true;
        return false;
}

const char *content_column_name(const struct rule_site *site, int column)
{
        if (column < 0 || (size_t)column >= site->n_columns)
                return NULL;
        return site->columns[column].name;
}

/* Label/value pairs as pages lay them out, for the service guide (办事指南) check: table
 * rows of two cells (th/td or td/td) or four (two pairs), a dt and its dd, a "标签：值"
 * line, and a short heading (or a paragraph that is only "标签：") followed by the text
 * under it. Only visible text outside the site's template counts: a footer's
 * "联系电话：..." is the site's, not the guide's. */
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "crawler/html_internal.h"

#define MAX_FIELDS 256
/* A label is a few words; a longer "label" is a sentence that happens to hold a colon. */
#define MAX_LABEL_CHARS 16
#define MAX_LABEL_BYTES (MAX_LABEL_CHARS * 4)
#define MAX_VALUE 1024
/* Siblings read for the value under a heading. */
#define MAX_VALUE_SIBLINGS 16

static bool full(const struct html_ctx *c)
{
        return c->page->n_fields >= MAX_FIELDS;
}

/* Cuts trailing white space and colons (full-width or not) off a label, in place. */
static void label_trim(char *s)
{
        str_trim(s);
        for (;;) {
                size_t n = strlen(s);
                if (str_endswith(s, "："))
                        s[n - strlen("：")] = '\0';
                else if (n > 0 && s[n - 1] == ':')
                        s[n - 1] = '\0';
                else
                        break;
                str_trim(s);
        }
}

/* Takes label and value (both freed here when not kept). */
static void add_field(struct html_ctx *c, char *label, char *value)
{
        struct html_page *p = c->page;

        label_trim(label);
        str_trim(value);
        if (full(c) || !label[0] || utf8_length(label) > MAX_LABEL_CHARS ||
            strstr(label, "。") || strstr(label, "，")) {
                free(label);
                free(value);
                return;
        }
        p->fields = html__grow(p->fields, p->n_fields, sizeof(*p->fields));
        p->fields[p->n_fields++] = (struct html_field){.label = label, .value = value};
}

static bool is_cell(const xmlNode *n)
{
        return html__is(n, "td") || html__is(n, "th");
}

static void row_fields(struct html_ctx *c, xmlNode *tr)
{
        xmlNode *cells[5];
        size_t n = 0;

        for (xmlNode *ch = tr->children; ch; ch = ch->next) {
                if (!is_cell(ch) || html__node_invisible(ch))
                        continue;
                if (n == ARRAY_SIZE(cells))
                        return;
                cells[n++] = ch;
        }
        if (n != 2 && n != 4)
                return;
        for (size_t i = 0; i + 1 < n; i += 2)
                add_field(c, html__node_text(cells[i], MAX_LABEL_BYTES + 8, NULL),
                          html__node_text(cells[i + 1], MAX_VALUE, NULL));
}

static void dl_fields(struct html_ctx *c, xmlNode *dl)
{
        for (xmlNode *dt = dl->children; dt; dt = dt->next) {
                if (!html__is(dt, "dt") || html__node_invisible(dt))
                        continue;
                struct buf v;
                buf_init(&v, MAX_VALUE);
                for (xmlNode *dd = dt->next; dd && !html__is(dd, "dt"); dd = dd->next) {
                        if (!html__is(dd, "dd"))
                                continue;
                        _cleanup_free_ char *t = html__node_text(dd, MAX_VALUE, NULL);
                        if (v.len)
                                buf_append_some(&v, " ", 1);
                        buf_append_some(&v, t, strlen(t));
                }
                add_field(c, html__node_text(dt, MAX_LABEL_BYTES + 8, NULL), buf_steal(&v));
        }
}

static bool is_heading(const xmlNode *n)
{
        return html__is(n, "h2") || html__is(n, "h3") || html__is(n, "h4") ||
               html__is(n, "h5") || html__is(n, "h6");
}

/* A block with no block inside: its text is one line of the page. */
static bool leaf_block(const xmlNode *n)
{
        static const char *const names[] = {"p", "li", "div", "dd", "td", "h2", "h3", "h4",
                                            "h5", "h6"};
        bool named = false;

        for (size_t i = 0; i < ARRAY_SIZE(names) && !named; i++)
                named = html__is(n, names[i]);
        if (!named)
                return false;
        for (xmlNode *d = n->children; d; d = html__next(d, n, false))
                if (d->type == XML_ELEMENT_NODE && html__is_block(d))
                        return false;
        return true;
}

/* The length of the label at the start of text ("设定依据：..." gives the bytes of
 * "设定依据"), or 0 when text does not start with one. */
static size_t label_len(const char *text, size_t *ret_colon_len)
{
        const char *colon = strstr(text, "：");
        size_t colon_len = strlen("：");
        const char *ascii = strchr(text, ':');

        if (ascii && (!colon || ascii < colon)) {
                colon = ascii;
                colon_len = 1;
        }
        if (!colon || colon == text)
                return 0;
        /* "http://..." is not a label. */
        if (colon_len == 1 && str_startswith(colon + 1, "//"))
                return 0;
        _cleanup_free_ char *label = xstrndup(text, (size_t)(colon - text));
        if (utf8_length(label) > MAX_LABEL_CHARS || strstr(label, "。") || strstr(label, "，"))
                return 0;
        *ret_colon_len = colon_len;
        return (size_t)(colon - text);
}

/* The text of the siblings after n, up to the next one that is itself a label (a
 * heading, or a line that starts with "标签："). */
static char *text_after(xmlNode *n)
{
        struct buf v;
        int k = 0;

        buf_init(&v, MAX_VALUE);
        for (xmlNode *s = n->next; s && k < MAX_VALUE_SIBLINGS; s = s->next) {
                if (s->type != XML_ELEMENT_NODE || html__node_invisible(s))
                        continue;
                _cleanup_free_ char *t = html__node_text(s, MAX_VALUE, NULL);
                size_t colon_len;
                if (is_heading(s) || label_len(t, &colon_len) > 0)
                        break;
                if (v.len && t[0])
                        buf_append_some(&v, " ", 1);
                buf_append_some(&v, t, strlen(t));
                k++;
        }
        return buf_steal(&v);
}

/* "标签：值" in one line, or "标签：" (or a short heading) with the value below it. */
static void line_fields(struct html_ctx *c, xmlNode *n)
{
        _cleanup_free_ char *text = html__node_text(n, MAX_VALUE, NULL);
        size_t colon_len = 0, len = label_len(text, &colon_len);

        if (len > 0) {
                char *v = xstrdup(text + len + colon_len);
                str_trim(v);
                if (v[0] == '\0') {
                        free(v);
                        v = text_after(n);
                }
                add_field(c, xstrndup(text, len), v);
                return;
        }
        if (is_heading(n) && text[0] && utf8_length(text) <= MAX_LABEL_CHARS)
                add_field(c, xstrdup(text), text_after(n));
}

void html__extract_fields(struct html_ctx *c, xmlNode *root)
{
        xmlNode *n = root;

        while (n && !full(c)) {
                bool skip = false;
                if (n->type == XML_ELEMENT_NODE) {
                        if (n != root && (html__node_invisible(n) || html__navlike(n))) {
                                skip = true;
                        } else if (html__is(n, "tr")) {
                                row_fields(c, n);
                        } else if (html__is(n, "dl")) {
                                dl_fields(c, n);
                                skip = true;
                        } else if (leaf_block(n) && !is_cell(n)) {
                                line_fields(c, n);
                                skip = true;
                        } else if (is_cell(n) && leaf_block(n)) {
                                /* A cell alone in its row ("设定依据：..."); cells of
                                 * label/value rows are read by row_fields. */
                                size_t cells = 0;
                                for (xmlNode *s = n->parent ? n->parent->children : NULL; s;
                                     s = s->next)
                                        cells += is_cell(s);
                                if (cells == 1)
                                        line_fields(c, n);
                                skip = true;
                        }
                } else {
                        skip = true;
                }
                n = html__next(n, root, skip);
        }
}

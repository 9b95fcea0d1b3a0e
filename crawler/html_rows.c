/* The rows of a page's tables and lists, cell by cell: what the rules that read a column's
 * list as a table need (a consultation list's message date, reply date and status, in
 * cells of their own). A row is a <tr> with its <td>/<th> cells, or an <li> with its child
 * elements (and loose text) as cells; rows with fewer than two non-empty cells are left
 * out. Every count is capped: rows per page, cells per row, bytes per cell. */
#include <errno.h>

#include "common/util.h"
#include "crawler/html_internal.h"

#define MAX_ROWS 2000
#define MAX_CELLS 16
#define MAX_CELL_BYTES 512

static void push_cell(struct html_row *row, char *text)
{
        if (!text || !*str_trim(text) || row->n_cells >= MAX_CELLS) {
                free(text);
                return;
        }
        row->cells = xreallocarray(row->cells, row->n_cells + 1, sizeof(*row->cells));
        row->cells[row->n_cells++] = text;
}

static void row_clear(struct html_row *row)
{
        for (size_t i = 0; i < row->n_cells; i++)
                free(row->cells[i]);
        free(row->cells);
        free(row->url);
}

static void add_row(struct html_ctx *c, xmlNode *n)
{
        struct html_page *p = c->page;
        struct html_row row = {0};

        if (html__is(n, "tr")) {
                for (xmlNode *k = n->children; k; k = k->next)
                        if (html__is(k, "td") || html__is(k, "th"))
                                push_cell(&row, html__node_text(k, MAX_CELL_BYTES, NULL));
        } else {
                for (xmlNode *k = n->children; k; k = k->next) {
                        if (k->type == XML_TEXT_NODE && k->content) {
                                char *t = xstrndup((const char *)k->content, MAX_CELL_BYTES);
                                str_collapse_space(t);
                                push_cell(&row, t);
                        }
                        else if (k->type == XML_ELEMENT_NODE && !html__node_invisible(k))
                                push_cell(&row, html__node_text(k, MAX_CELL_BYTES, NULL));
                }
        }
        if (row.n_cells < 2) {
                row_clear(&row);
                return;
        }
        if (p->n_rows >= MAX_ROWS) {
                p->rows_dropped++;
                row_clear(&row);
                return;
        }
        /* The row's link, if any (NULL when there is none). */
        (void)html__item_link(c, n, 256, &row.url, NULL, NULL);
        p->rows = html__grow(p->rows, p->n_rows, sizeof(*p->rows));
        p->rows[p->n_rows++] = row;
}

void html__extract_rows(struct html_ctx *c, xmlNode *root)
{
        for (xmlNode *n = root; n; ) {
                bool row = html__is(n, "tr") || html__is(n, "li");
                if (n->type == XML_ELEMENT_NODE && html__node_invisible(n)) {
                        n = html__next(n, root, true);
                        continue;
                }
                if (row)
                        add_row(c, n);
                /* A row inside a row (a table in a cell) is its own row too. */
                n = html__next(n, root, false);
        }
}

void html__rows_free(struct html_page *p)
{
        for (size_t i = 0; i < p->n_rows; i++)
                row_clear(&p->rows[i]);
        free(p->rows);
}

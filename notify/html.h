/* Writing HTML for the reports, the printable 单 and the big screen: a builder over a capped
 * buffer in which every value from the database or rules.d goes through one escaping
 * function, and only string literals of our own are written raw. Errors are sticky: after
 * the first failed append (the cap) every later call does nothing, and notify_html_finish()
 * reports it, so the page-writing code need not check each call. Internal to notify/. */
#pragma once

#include <stddef.h>

#include "common/buf.h"
#include "common/util.h"

struct notify_html {
        struct buf b;
        int error;              /* the first failure, 0 while none */
};

void notify_html_init(struct notify_html *h, size_t max);
/* Frees what was written; accepts a finished or never-used builder. */
void notify_html_free(struct notify_html *h);

/* Markup of our own: literals, never a value from outside. */
void notify_html_raw(struct notify_html *h, const char *markup);
/* Markup with numbers or other values formatted by us (%d, %.1f, %s of our own literals). */
void notify_html_rawf(struct notify_html *h, const char *fmt, ...) _printf_(2, 3);
/* A value: escaped for text and for a quoted attribute alike (& < > " '); invalid UTF-8
 * becomes U+FFFD and control characters other than tab and newline are dropped. NULL writes
 * nothing. */
void notify_html_text(struct notify_html *h, const char *text);
/* A formatted value, escaped as a whole. */
void notify_html_textf(struct notify_html *h, const char *fmt, ...) _printf_(2, 3);
/* At most max_chars characters of text, escaped, with "…" when cut. */
void notify_html_text_cut(struct notify_html *h, const char *text, size_t max_chars);

/* Appends text escaped into b (the same rules as notify_html_text); 0 or -ENOBUFS. */
int notify_html_escape(struct buf *b, const char *text);

/* Hands the page to the caller (who frees it): 0, or the first error (-ENOBUFS when the
 * page passed the cap), in which case nothing is returned and the builder is freed. */
int notify_html_finish(struct notify_html *h, char **ret, size_t *ret_len);

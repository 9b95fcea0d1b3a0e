/* What an incremental re-scan keeps of a parsed page: struct html_page to bytes and back,
 * so that a page the server answers with 304 Not Modified is handed to the checks as it
 * was parsed last time (links with how they were hidden, list items with dates, metas,
 * label/value fields, table rows, media counts, text), without its body.
 * A field added to struct html_page must be added here too, or the checks see it empty on
 * unchanged pages; PAGECACHE_FORMAT then changes, which turns every stored entry into a
 * miss (the next fetch is unconditional). */
#pragma once

#include <stddef.h>

#include "common/buf.h"
#include "crawler/html.h"

#define PAGECACHE_FORMAT "xjp2"

/* Appends the page to out (created by the caller with a cap); -ENOBUFS past the cap. */
int pagecache_encode(const struct html_page *page, struct buf *out);
/* Rebuilds a page (free with html_page_free) from len bytes written by pagecache_encode.
 * Returns 0, or -EBADMSG for bytes that are not such an encoding (truncated, another
 * format, counts larger than the bytes could hold). */
int pagecache_decode(const void *data, size_t len, struct html_page **ret);

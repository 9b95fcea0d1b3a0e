/* Turning a response body into UTF-8.
 *
 * Chinese government pages are often GBK or GB2312, sometimes mislabelled. The charset is
 * chosen in this order: a byte-order mark; the charset parameter of the HTTP Content-Type;
 * a <meta charset> or <meta http-equiv="Content-Type"> found in the first 4096 bytes; UTF-8
 * if the bytes are valid UTF-8; uchardet when there are at least 256 bytes of non-ASCII
 * evidence; otherwise GB18030. A declared charset that the bytes contradict (declared
 * UTF-8 but invalid, and valid GB18030) is overridden, and the conflict is reported.
 * "gb2312", "gbk", "x-gbk", "cp936", "windows-936" and "euc-cn" are decoded as GB18030,
 * its superset, because pages labelled gb2312 routinely contain GBK-only characters
 * (镕, 堃, 喆) and a strict GB2312 decoder would drop them and the text after them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct charset_result {
        char *utf8;             /* NUL-terminated UTF-8, owned by the caller */
        size_t len;
        char *charset;          /* canonical name used, e.g. "UTF-8", "GB18030", "BIG5" */
        char *declared;         /* what the header or meta said, or NULL */
        const char *source;     /* "bom", "header", "meta", "utf8", "detector", "default" */
        bool conflict;          /* the declaration was wrong and was overridden */
        size_t invalid;         /* byte sequences replaced by U+FFFD */
        bool truncated;         /* output hit max_out */
};

/* Decodes body (len bytes) to UTF-8. content_type is the HTTP header value or NULL. The
 * output is capped at max_out bytes (a decoded page can be up to 4 times its input).
 * Invalid sequences become U+FFFD and are counted; decoding never fails on bad input.
 * Returns 0, or -EINVAL for an empty max_out; -ENOMEM is never returned (abort). */
int charset_decode(const char *body, size_t len, const char *content_type, size_t max_out,
                   struct charset_result *ret);
void charset_result_free(struct charset_result *r);

/* Canonical iconv name for a label ("gb2312" -> "GB18030", "utf8" -> "UTF-8"), or NULL for
 * a label we do not know. Returns a static string. */
const char *charset_canonical(const char *label);

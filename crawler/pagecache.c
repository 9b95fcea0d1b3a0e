/* The page cache's encoding; see pagecache.h. A small self-describing byte format:
 * the format tag, then every field in a fixed order, integers as LEB128 varints (signed
 * ones zigzag-encoded), strings as a varint length + 1 (0 for NULL) and their bytes.
 * Decoding checks every length against the bytes left, so a damaged row is a miss, never
 * a crash or an allocation the bytes could not justify. */
#include "crawler/pagecache.h"

#include <errno.h>

#include "common/util.h"

static int put_uint(struct buf *b, uint64_t v)
{
        unsigned char tmp[10];
        size_t n = 0;

        do {
                tmp[n] = v & 0x7f;
                v >>= 7;
                if (v)
                        tmp[n] |= 0x80;
                n++;
        } while (v);
        return buf_append(b, tmp, n);
}

static int put_int(struct buf *b, int64_t v)
{
        return put_uint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static int put_str(struct buf *b, const char *s)
{
        if (!s)
                return put_uint(b, 0);
        size_t n = strlen(s);
        int r = put_uint(b, (uint64_t)n + 1);
        return r < 0 ? r : buf_append(b, s, n);
}

static int put_item(struct buf *b, const struct html_item *it)
{
        int r = put_str(b, it->title);
        if (r >= 0)
                r = put_str(b, it->url);
        if (r >= 0)
                r = put_uint(b, (uint64_t)it->has_date | (uint64_t)it->date_from_url << 1 |
                                        (uint64_t)it->date.year_inferred << 2 |
                                        (uint64_t)it->date.has_time << 3);
        if (r >= 0)
                r = put_int(b, it->date.day);
        if (r >= 0)
                r = put_uint(b, (uint64_t)(it->date.hour * 3600 + it->date.minute * 60 +
                                           it->date.second));
        return r;
}

int pagecache_encode(const struct html_page *p, struct buf *out)
{
        int r = buf_appends(out, PAGECACHE_FORMAT);

#define PUT(call)                       \
        do {                            \
                if (r >= 0)             \
                        r = (call);     \
        } while (0)

        PUT(put_str(out, p->title));
        PUT(put_str(out, p->base_url));
        PUT(put_uint(out, p->n_links));
        for (size_t i = 0; i < p->n_links && r >= 0; i++) {
                const struct html_link *l = &p->links[i];
                PUT(put_str(out, l->url));
                PUT(put_uint(out, (uint64_t)l->kind));
                PUT(put_str(out, l->text));
                PUT(put_int(out, l->line));
                PUT(put_uint(out, (uint64_t)l->hidden_by));
                PUT(put_str(out, l->hidden_how));
                PUT(put_uint(out, l->in_template));
        }
        PUT(put_uint(out, p->links_dropped));
        PUT(put_uint(out, p->links_invalid));
        PUT(put_uint(out, p->n_metas));
        for (size_t i = 0; i < p->n_metas && r >= 0; i++) {
                PUT(put_str(out, p->metas[i].name));
                PUT(put_str(out, p->metas[i].content));
        }
        PUT(put_uint(out, p->n_fields));
        for (size_t i = 0; i < p->n_fields && r >= 0; i++) {
                PUT(put_str(out, p->fields[i].label));
                PUT(put_str(out, p->fields[i].value));
        }
        PUT(put_uint(out, p->n_videos));
        PUT(put_uint(out, p->n_content_images));
        PUT(put_uint(out, p->style_rules_dropped));
        PUT(put_uint(out, p->n_items));
        for (size_t i = 0; i < p->n_items && r >= 0; i++)
                PUT(put_item(out, &p->items[i]));
        PUT(put_uint(out, p->items_from_selector));
        PUT(put_uint(out, p->n_dated_links));
        for (size_t i = 0; i < p->n_dated_links && r >= 0; i++)
                PUT(put_item(out, &p->dated_links[i]));
        PUT(put_uint(out, p->n_list_pages));
        for (size_t i = 0; i < p->n_list_pages && r >= 0; i++)
                PUT(put_str(out, p->list_pages[i]));
        PUT(put_uint(out, p->list_pages_dropped));
        PUT(put_uint(out, p->n_rows));
        for (size_t i = 0; i < p->n_rows && r >= 0; i++) {
                const struct html_row *row = &p->rows[i];
                PUT(put_uint(out, row->n_cells));
                for (size_t k = 0; k < row->n_cells && r >= 0; k++)
                        PUT(put_str(out, row->cells[k]));
                PUT(put_str(out, row->url));
        }
        PUT(put_uint(out, p->rows_dropped));
        PUT(put_str(out, p->text));
        PUT(put_str(out, p->main_text));
        PUT(put_uint(out, p->text_len));
        PUT(put_uint(out, p->text_truncated));
        PUT(put_uint(out, p->parse_stopped));
#undef PUT
        return r;
}

struct reader {
        const unsigned char *p, *end;
        bool bad;
};

static uint64_t get_uint(struct reader *rd)
{
        uint64_t v = 0;

        for (unsigned shift = 0; !rd->bad; shift += 7) {
                if (rd->p == rd->end || shift > 63) {
                        rd->bad = true;
                        break;
                }
                unsigned char c = *rd->p++;
                v |= (uint64_t)(c & 0x7f) << shift;
                if (!(c & 0x80))
                        return v;
        }
        return 0;
}

static int64_t get_int(struct reader *rd)
{
        uint64_t v = get_uint(rd);
        return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static char *get_str(struct reader *rd)
{
        uint64_t n = get_uint(rd);
        if (rd->bad || n == 0)
                return NULL;
        if (n - 1 > (uint64_t)(rd->end - rd->p)) {
                rd->bad = true;
                return NULL;
        }
        char *s = xstrndup((const char *)rd->p, (size_t)(n - 1));
        rd->p += n - 1;
        return s;
}

/* A count of records that each take at least min_bytes: more than the bytes left can hold
 * is a damaged encoding, refused before anything is allocated for it. */
static size_t get_count(struct reader *rd, size_t min_bytes)
{
        uint64_t n = get_uint(rd);
        if (!rd->bad && n > (uint64_t)(rd->end - rd->p) / min_bytes)
                rd->bad = true;
        return rd->bad ? 0 : (size_t)n;
}

static void get_item(struct reader *rd, struct html_item *it)
{
        it->title = get_str(rd);
        it->url = get_str(rd);
        uint64_t flags = get_uint(rd);
        it->has_date = flags & 1;
        it->date_from_url = flags & 2;
        it->date.year_inferred = flags & 4;
        it->date.has_time = flags & 8;
        it->date.day = (xj_day)get_int(rd);
        uint64_t secs = get_uint(rd) % 86400;
        it->date.hour = (int)(secs / 3600);
        it->date.minute = (int)(secs / 60 % 60);
        it->date.second = (int)(secs % 60);
        /* The item's checks read these; empty rather than NULL, as html_parse gives. */
        if (!it->title)
                it->title = xstrdup("");
        if (!it->url) {
                it->url = xstrdup("");
                rd->bad = true;
        }
}

int pagecache_decode(const void *data, size_t len, struct html_page **ret)
{
        size_t tag = strlen(PAGECACHE_FORMAT);
        struct reader rd = {.p = data, .end = (const unsigned char *)data + len};
        struct html_page *p;

        if (len < tag || memcmp(data, PAGECACHE_FORMAT, tag) != 0)
                return -EBADMSG;
        rd.p += tag;
        p = xcalloc(1, sizeof(*p));
        p->title = get_str(&rd);
        p->base_url = get_str(&rd);
        p->n_links = get_count(&rd, 5);
        p->links = xcalloc(p->n_links ? p->n_links : 1, sizeof(*p->links));
        for (size_t i = 0; i < p->n_links && !rd.bad; i++) {
                struct html_link *l = &p->links[i];
                l->url = get_str(&rd);
                l->kind = (enum html_link_kind)get_uint(&rd);
                l->text = get_str(&rd);
                l->line = (int)get_int(&rd);
                l->hidden_by = (enum html_hidden_by)get_uint(&rd);
                l->hidden = l->hidden_by != HTML_SHOWN;
                _cleanup_free_ char *how = get_str(&rd);
                /* The page points at html_parse's static strings: an unknown one (written
                 * by another version) is a damaged entry. */
                l->hidden_how = html_hidden_how_lookup(how);
                l->in_template = get_uint(&rd) != 0;
                if (!l->url || l->kind > HTML_LINK_META_REFRESH ||
                    l->hidden_by > HTML_HIDDEN_SCRIPT || !l->hidden_how)
                        rd.bad = true;
                if (!l->text)
                        l->text = xstrdup("");
        }
        p->links_dropped = get_uint(&rd);
        p->links_invalid = get_uint(&rd);
        p->n_metas = get_count(&rd, 2);
        p->metas = xcalloc(p->n_metas ? p->n_metas : 1, sizeof(*p->metas));
        for (size_t i = 0; i < p->n_metas && !rd.bad; i++) {
                p->metas[i].name = get_str(&rd);
                p->metas[i].content = get_str(&rd);
                if (!p->metas[i].name || !p->metas[i].content)
                        rd.bad = true;
        }
        p->n_fields = get_count(&rd, 2);
        p->fields = xcalloc(p->n_fields ? p->n_fields : 1, sizeof(*p->fields));
        for (size_t i = 0; i < p->n_fields && !rd.bad; i++) {
                p->fields[i].label = get_str(&rd);
                p->fields[i].value = get_str(&rd);
                if (!p->fields[i].label || !p->fields[i].value)
                        rd.bad = true;
        }
        p->n_videos = get_uint(&rd);
        p->n_content_images = get_uint(&rd);
        p->style_rules_dropped = get_uint(&rd);
        p->n_items = get_count(&rd, 5);
        p->items = xcalloc(p->n_items ? p->n_items : 1, sizeof(*p->items));
        for (size_t i = 0; i < p->n_items && !rd.bad; i++)
                get_item(&rd, &p->items[i]);
        p->items_from_selector = get_uint(&rd) != 0;
        p->n_dated_links = get_count(&rd, 5);
        p->dated_links = xcalloc(p->n_dated_links ? p->n_dated_links : 1,
                                 sizeof(*p->dated_links));
        for (size_t i = 0; i < p->n_dated_links && !rd.bad; i++)
                get_item(&rd, &p->dated_links[i]);
        p->n_list_pages = get_count(&rd, 1);
        p->list_pages = xcalloc(p->n_list_pages ? p->n_list_pages : 1, sizeof(*p->list_pages));
        for (size_t i = 0; i < p->n_list_pages && !rd.bad; i++)
                if (!(p->list_pages[i] = get_str(&rd)))
                        rd.bad = true;
        p->list_pages_dropped = get_uint(&rd);
        p->n_rows = get_count(&rd, 2);
        p->rows = xcalloc(p->n_rows ? p->n_rows : 1, sizeof(*p->rows));
        for (size_t i = 0; i < p->n_rows && !rd.bad; i++) {
                struct html_row *row = &p->rows[i];
                size_t n = get_count(&rd, 1);
                row->cells = xcalloc(n ? n : 1, sizeof(*row->cells));
                for (size_t k = 0; k < n && !rd.bad; k++) {
                        if (!(row->cells[k] = get_str(&rd)))
                                rd.bad = true;
                        else
                                row->n_cells = k + 1;
                }
                row->url = get_str(&rd);
        }
        p->rows_dropped = get_uint(&rd);
        p->text = get_str(&rd);
        p->main_text = get_str(&rd);
        p->text_len = get_uint(&rd);
        p->text_truncated = get_uint(&rd) != 0;
        p->parse_stopped = get_uint(&rd) != 0;
        if (!rd.bad && (rd.p != rd.end || (p->text ? strlen(p->text) : 0) != p->text_len))
                rd.bad = true;
        if (rd.bad) {
                html_page_free(p);
                return -EBADMSG;
        }
        *ret = p;
        return 0;
}

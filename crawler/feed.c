/* Feeds of new-media accounts: RSS 2.0 and Atom with libxml2, JSON Feed with jansson, HTML
 * listings with the page extraction of html.c; see feed.h. */
#include "crawler/feed.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "common/buf.h"
#include "common/dates.h"
#include "common/util.h"
#include "crawler/charset.h"
#include "crawler/html.h"

#define FEED_MAX_ITEMS_DEFAULT 1000
/* A title is shown in one line of a report; a longer one is cut (at a character). */
#define FEED_TITLE_MAX 512
#define DC_NS "http://purl.org/dc/elements/1.1/"

const char *feed_format_id(enum feed_format f)
{
        static const char *const ids[] = {
                [FEED_RSS] = "rss",
                [FEED_ATOM] = "atom",
                [FEED_JSON] = "json",
                [FEED_HTML] = "html",
        };
        return (size_t)f < ARRAY_SIZE(ids) ? ids[f] : "?";
}

int feed_format_from_id(const char *s, enum feed_format *ret)
{
        for (int f = FEED_RSS; f <= FEED_HTML; f++)
                if (streq(s, feed_format_id((enum feed_format)f))) {
                        *ret = (enum feed_format)f;
                        return 0;
                }
        return -EINVAL;
}

void feed_free(struct feed *f)
{
        if (!f)
                return;
        for (size_t i = 0; i < f->n_items; i++) {
                free(f->items[i].title);
                free(f->items[i].url);
        }
        free(f->items);
        free(f->title);
        free(f);
}

bool feed_newest(const struct feed *f, int64_t not_after, int64_t *ret)
{
        bool found = false;
        int64_t newest = 0;

        for (size_t i = 0; i < f->n_items; i++) {
                const struct feed_item *it = &f->items[i];
                if (it->has_date && it->at <= not_after && (!found || it->at > newest)) {
                        newest = it->at;
                        found = true;
                }
        }
        if (found)
                *ret = newest;
        return found;
}

/* ---- dates ---------------------------------------------------------------------------- */

static const char *skip_space(const char *s)
{
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
                s++;
        return s;
}

/* Reads 1..max decimal digits. */
static bool read_num(const char **s, int min_digits, int max_digits, int *ret)
{
        int v = 0, n = 0;

        while (n < max_digits && isdigit((unsigned char)(*s)[n]))
                v = v * 10 + ((*s)[n++] - '0');
        if (n < min_digits)
                return false;
        *s += n;
        *ret = v;
        return true;
}

static int64_t civil_time(int y, int mo, int d, int h, int mi, int sec, int offset_s)
{
        return (int64_t)day_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_s;
}

int feed_parse_rfc822(const char *s, int64_t *ret)
{
        static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                             "jul", "aug", "sep", "oct", "nov", "dec"};
        static const struct {
                const char *name;
                int hours;
        } zones[] = {
                /* RFC 822 section 5, except CST: see feed.h. */
                {"UT", 0}, {"UTC", 0}, {"GMT", 0}, {"Z", 0},   {"EST", -5}, {"EDT", -4},
                {"CDT", -5}, {"MST", -7}, {"MDT", -6}, {"PST", -8}, {"PDT", -7}, {"CST", 8},
        };
        int d, mo = 0, y, h, mi, sec = 0, offset = 0;
        const char *p = skip_space(s);

        /* An optional day name and comma. */
        if (isalpha((unsigned char)*p)) {
                while (isalpha((unsigned char)*p))
                        p++;
                if (*p == ',')
                        p++;
                p = skip_space(p);
        }
        if (!read_num(&p, 1, 2, &d))
                return -EINVAL;
        p = skip_space(p);
        for (size_t i = 0; i < ARRAY_SIZE(months); i++)
                if (strncasecmp(p, months[i], 3) == 0) {
                        mo = (int)i + 1;
                        break;
                }
        if (!mo)
                return -EINVAL;
        p += 3;
        while (isalpha((unsigned char)*p)) /* "April" written out */
                p++;
        p = skip_space(p);
        const char *year_start = p;
        if (!read_num(&p, 2, 4, &y) || p - year_start == 3)
                return -EINVAL;
        if (p - year_start == 2)
                y += y < 50 ? 2000 : 1900; /* RFC 2822 4.3 */
        p = skip_space(p);
        if (!read_num(&p, 1, 2, &h) || *p++ != ':' || !read_num(&p, 2, 2, &mi))
                return -EINVAL;
        if (*p == ':') {
                p++;
                if (!read_num(&p, 2, 2, &sec))
                        return -EINVAL;
        }
        p = skip_space(p);
        if (*p == '+' || *p == '-') {
                int sign = *p++ == '-' ? -1 : 1, hh;
                const char *z = p;
                if (!read_num(&p, 4, 4, &hh) || p - z != 4)
                        return -EINVAL;
                offset = sign * ((hh / 100) * 3600 + (hh % 100) * 60);
        } else if (*p) {
                size_t n = 0;
                bool known = false;
                while (isalpha((unsigned char)p[n]))
                        n++;
                for (size_t i = 0; i < ARRAY_SIZE(zones); i++)
                        if (strlen(zones[i].name) == n && strncasecmp(p, zones[i].name, n) == 0) {
                                offset = zones[i].hours * 3600;
                                known = true;
                        }
                if (!known)
                        return -EINVAL;
                p += n;
        }
        if (*skip_space(p) || !civil_valid(y, mo, d) || h > 23 || mi > 59 || sec > 60)
                return -EINVAL;
        *ret = civil_time(y, mo, d, h, mi, sec > 59 ? 59 : sec, offset);
        return 0;
}

int feed_parse_rfc3339(const char *s, int64_t *ret)
{
        int y, mo, d, h, mi, sec, offset = 0;
        const char *p = skip_space(s);

        if (!read_num(&p, 4, 4, &y) || *p++ != '-' || !read_num(&p, 2, 2, &mo) || *p++ != '-' ||
            !read_num(&p, 2, 2, &d))
                return -EINVAL;
        if (*p != 'T' && *p != 't' && *p != ' ')
                return -EINVAL;
        p++;
        if (!read_num(&p, 2, 2, &h) || *p++ != ':' || !read_num(&p, 2, 2, &mi) || *p++ != ':' ||
            !read_num(&p, 2, 2, &sec))
                return -EINVAL;
        if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p))
                        return -EINVAL;
                while (isdigit((unsigned char)*p))
                        p++;
        }
        if (*p == 'Z' || *p == 'z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                int sign = *p++ == '-' ? -1 : 1, oh, om;
                if (!read_num(&p, 2, 2, &oh) || *p++ != ':' || !read_num(&p, 2, 2, &om) ||
                    oh > 23 || om > 59)
                        return -EINVAL;
                offset = sign * (oh * 3600 + om * 60);
        } else {
                return -EINVAL;
        }
        if (*skip_space(p) || !civil_valid(y, mo, d) || h > 23 || mi > 59 || sec > 60)
                return -EINVAL;
        *ret = civil_time(y, mo, d, h, mi, sec > 59 ? 59 : sec, offset);
        return 0;
}

/* A feed's date as its format says, else in the other feed format, else as a page would
 * print it ("2025-04-07 10:21", "2025年4月7日"), which Chinese CMSs put in pubDate too;
 * those are China Standard Time. */
static bool parse_feed_date(const char *s, bool rfc822_first, xj_day today, int64_t *ret_at,
                            bool *ret_has_time)
{
        struct text_date td;

        if ((rfc822_first ? feed_parse_rfc822(s, ret_at) : feed_parse_rfc3339(s, ret_at)) == 0 ||
            (rfc822_first ? feed_parse_rfc3339(s, ret_at) : feed_parse_rfc822(s, ret_at)) == 0) {
                *ret_has_time = true;
                return true;
        }
        if (date_find(s, strlen(s), today, &td) < 0)
                return false;
        *ret_at = time_of_day(td.day);
        if (td.has_time)
                *ret_at += td.hour * 3600 + td.minute * 60 + td.second;
        *ret_has_time = td.has_time;
        return true;
}

/* ---- building the result ------------------------------------------------------------- */

struct builder {
        struct feed *feed;
        size_t max_items;
        size_t cap;
        xj_day today;
};

/* Cuts s to FEED_TITLE_MAX bytes at a character boundary, in place. */
static char *cut_title(char *s)
{
        size_t n = strlen(s);

        if (n <= FEED_TITLE_MAX)
                return s;
        n = FEED_TITLE_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
                n--;
        s[n] = '\0';
        return s;
}

/* Adds an item, taking title and url (either may be NULL); dropped past the cap. */
static void add_item(struct builder *b, char *title, char *url, const char *date, bool rfc822)
{
        struct feed *f = b->feed;
        struct feed_item it = {0};

        if (f->n_items >= b->max_items) {
                f->items_dropped++;
                free(title);
                free(url);
                return;
        }
        if (title) {
                str_collapse_space(title);
                str_trim(title);
        }
        it.title = title ? cut_title(title) : xstrdup("");
        it.url = url ? url : xstrdup("");
        if (date && *date)
                it.has_date = parse_feed_date(date, rfc822, b->today, &it.at, &it.has_time);
        if (!it.has_date)
                f->undated++;
        if (f->n_items == b->cap) {
                b->cap = b->cap ? 2 * b->cap : 16;
                f->items = xreallocarray(f->items, b->cap, sizeof(*f->items));
        }
        f->items[f->n_items++] = it;
}

/* ---- XML: RSS and Atom ------------------------------------------------------------- */

static bool xml_is(const xmlNode *n, const char *name)
{
        return n->type == XML_ELEMENT_NODE && streq((const char *)n->name, name);
}

static const xmlNode *xml_child(const xmlNode *parent, const char *name)
{
        for (const xmlNode *c = parent->children; c; c = c->next)
                if (xml_is(c, name))
                        return c;
        return NULL;
}

/* The text of an element: its text and CDATA descendants. Entity references are never
 * followed (they cannot be there: documents declaring entities are refused). */
static void xml_collect(const xmlNode *n, struct buf *b)
{
        for (const xmlNode *c = n->children; c; c = c->next) {
                if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
                        buf_appends(b, (const char *)c->content);
                else if (c->type == XML_ELEMENT_NODE)
                        xml_collect(c, b);
        }
}

static char *xml_text(const xmlNode *n)
{
        struct buf b;
        char *s;

        if (!n)
                return NULL;
        buf_init(&b, 1 << 20);
        xml_collect(n, &b);
        s = xstrdup(b.data ? b.data : "");
        buf_free(&b);
        str_collapse_space(s);
        str_trim(s);
        return s;
}

static void parse_rss(struct builder *b, const xmlNode *root)
{
        const xmlNode *channel = xml_child(root, "channel");

        b->feed->title = xml_text(xml_child(channel, "title"));
        for (const xmlNode *it = channel->children; it; it = it->next) {
                _cleanup_free_ char *date = NULL;
                const xmlNode *link;

                if (!xml_is(it, "item"))
                        continue;
                date = xml_text(xml_child(it, "pubDate"));
                if (!date)
                        for (const xmlNode *c = it->children; c; c = c->next)
                                if (xml_is(c, "date") && c->ns &&
                                    streq((const char *)c->ns->href, DC_NS))
                                        date = xml_text(c);
                link = xml_child(it, "link");
                if (!link)
                        link = xml_child(it, "guid");
                add_item(b, xml_text(xml_child(it, "title")), xml_text(link), date, true);
        }
}

static char *atom_link(const xmlNode *entry)
{
        for (const xmlNode *c = entry->children; c; c = c->next) {
                _cleanup_free_ char *rel = NULL;

                if (!xml_is(c, "link"))
                        continue;
                rel = (char *)xmlGetNoNsProp(c, (const xmlChar *)"rel");
                if (!rel || streq(rel, "alternate")) {
                        xmlChar *href = xmlGetNoNsProp(c, (const xmlChar *)"href");
                        char *s = href ? xstrdup((const char *)href) : NULL;
                        xmlFree(href);
                        xmlFree(rel);
                        rel = NULL;
                        return s;
                }
                xmlFree(rel);
                rel = NULL;
        }
        return NULL;
}

static void parse_atom(struct builder *b, const xmlNode *root)
{
        b->feed->title = xml_text(xml_child(root, "title"));
        for (const xmlNode *e = root->children; e; e = e->next) {
                _cleanup_free_ char *date = NULL;

                if (!xml_is(e, "entry"))
                        continue;
                /* The post's date is when it was published; updated stands in for it
                 * (the only date Atom requires). */
                date = xml_text(xml_child(e, "published"));
                if (!date)
                        date = xml_text(xml_child(e, "updated"));
                add_item(b, xml_text(xml_child(e, "title")), atom_link(e), date, false);
        }
}

static int parse_xml(struct builder *b, const char *body, size_t len, const char *url,
                     enum feed_format format, char **ret_error)
{
        xmlParserCtxtPtr ctxt = NULL;
        xmlDocPtr doc = NULL;
        const xmlNode *root;
        int r = -EBADMSG;

        /* The entity check below reads bytes, so it holds for ASCII-compatible encodings
         * (UTF-8, GBK, GB18030) only: a NUL byte means UTF-16 or UTF-32, which no Chinese
         * CMS serves and which must not slip past the check. */
        if (memchr(body, '\0', len)) {
                *ret_error = xasprintf("%s: 订阅源含 NUL 字节（UTF-16/UTF-32 编码或二进制内容），"
                                       "不予解析",
                                       url);
                return -EBADMSG;
        }
        /* A feed has no use for entities; refusing any declaration rules out external
         * entities (XXE) and entity expansion bombs whatever libxml2 version we run on. */
        if (memmem(body, len, "<!ENTITY", 8)) {
                *ret_error = xasprintf("%s: 订阅源声明了 XML 实体（<!ENTITY>），出于安全不予解析",
                                       url);
                return -EBADMSG;
        }
        if (len > INT32_MAX) {
                *ret_error = xasprintf("%s: 订阅源过大", url);
                return -EBADMSG;
        }
        ctxt = xmlNewParserCtxt();
        if (!ctxt)
                abort();
        doc = xmlCtxtReadMemory(ctxt, body, (int)len, url, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                        XML_PARSE_NOCDATA);
        if (!doc) {
                const xmlError *e = xmlCtxtGetLastError(ctxt);
                _cleanup_free_ char *msg = xstrdup(e && e->message ? e->message : "unknown error");
                str_trim(msg);
                *ret_error = xasprintf("%s: 不是格式正确的 XML（第 %d 行：%s）", url,
                                       e ? e->line : 0, msg);
                goto out;
        }
        root = xmlDocGetRootElement(doc);
        if (format == FEED_RSS) {
                if (!root || !xml_is(root, "rss") || !xml_child(root, "channel")) {
                        *ret_error = xasprintf("%s: 不是 RSS 订阅源（根元素应为 <rss>，且含 "
                                               "<channel>）", url);
                        goto out;
                }
                parse_rss(b, root);
        } else {
                if (!root || !xml_is(root, "feed")) {
                        *ret_error = xasprintf("%s: 不是 Atom 订阅源（根元素应为 <feed>）", url);
                        goto out;
                }
                parse_atom(b, root);
        }
        r = 0;
out:
        xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return r;
}

/* ---- JSON Feed ----------------------------------------------------------------------- */

static char *json_str(json_t *obj, const char *key)
{
        const char *s = json_string_value(json_object_get(obj, key));
        return s ? xstrdup(s) : NULL;
}

static int parse_json(struct builder *b, const char *body, size_t len, const char *url,
                      char **ret_error)
{
        json_error_t err;
        json_t *root, *items;
        const char *version;
        int r = -EBADMSG;

        /* jansson rejects invalid UTF-8 and nesting deeper than 2048 levels. */
        root = json_loadb(body, len, 0, &err);
        if (!root) {
                *ret_error = xasprintf("%s: 不是格式正确的 JSON（第 %d 行第 %d 列：%s）", url,
                                       err.line, err.column, err.text);
                return -EBADMSG;
        }
        version = json_string_value(json_object_get(root, "version"));
        items = json_object_get(root, "items");
        if (!json_is_object(root) || !version ||
            !str_startswith(version, "https://jsonfeed.org/version/1") || !json_is_array(items)) {
                *ret_error = xasprintf("%s: 不是 JSON Feed（应有 version "
                                       "\"https://jsonfeed.org/version/1.1\" 和 items 数组）",
                                       url);
                goto out;
        }
        b->feed->title = json_str(root, "title");
        for (size_t i = 0; i < json_array_size(items); i++) {
                json_t *it = json_array_get(items, i);
                _cleanup_free_ char *date = NULL;

                if (!json_is_object(it))
                        continue;
                date = json_str(it, "date_published");
                if (!date)
                        date = json_str(it, "date_modified");
                add_item(b, json_str(it, "title"), json_str(it, "url"), date, false);
        }
        r = 0;
out:
        json_decref(root);
        return r;
}

/* ---- HTML listing ------------------------------------------------------------------ */

static int parse_listing(struct builder *b, const char *body, size_t len, const char *url,
                         const struct feed_options *o, char **ret_error)
{
        struct charset_result cs = {0};
        struct html_page *page = NULL;
        struct html_options ho = {
                .item_selector = o->item_selector,
                .max_url_length = o->max_url_length,
                .today = o->today,
        };
        _cleanup_free_ char *error = NULL;
        const struct html_item *items;
        size_t n;
        int r;

        charset_decode(body, len, o->content_type, len * 4 + 16, &cs);
        r = html_parse(cs.utf8, cs.len, url, &ho, &page, &error);
        charset_result_free(&cs);
        if (r < 0) {
                *ret_error = xasprintf("%s: 条目选择器无效：%s", url, error ? error : "");
                return r;
        }
        b->feed->title = xstrdup(page->title ? page->title : "");
        /* The list the selector names, else the list found on the page, else every dated
         * link (a listing laid out without a repeated element). */
        items = page->items;
        n = page->n_items;
        if (!n && !page->items_from_selector) {
                items = page->dated_links;
                n = page->n_dated_links;
        }
        for (size_t i = 0; i < n; i++) {
                char date[64] = "";
                const struct html_item *it = &items[i];

                if (it->has_date) {
                        int y, mo, d;
                        civil_from_day(it->date.day, &y, &mo, &d);
                        if (it->date.has_time)
                                snprintf(date, sizeof(date), "%04d-%02d-%02d %02d:%02d:%02d", y,
                                         mo, d, it->date.hour, it->date.minute, it->date.second);
                        else
                                snprintf(date, sizeof(date), "%04d-%02d-%02d", y, mo, d);
                }
                add_item(b, xstrdup(it->title ? it->title : ""), xstrdup(it->url ? it->url : ""),
                         date, false);
        }
        if (n == 0) {
                *ret_error = xasprintf("%s: 列表页上没有找到带日期的条目%s", url,
                                       o->item_selector ? "（按所配置的条目选择器）" : "");
                html_page_free(page);
                return -EBADMSG;
        }
        html_page_free(page);
        return 0;
}

int feed_parse(const char *body, size_t len, const char *url, enum feed_format format,
               const struct feed_options *o, struct feed **ret, char **ret_error)
{
        struct builder b = {
                .max_items = o->max_items ? o->max_items : FEED_MAX_ITEMS_DEFAULT,
                .today = o->today,
        };
        char *error = NULL;
        int r;

        b.feed = xcalloc(1, sizeof(*b.feed));
        b.feed->format = format;
        switch (format) {
        case FEED_RSS:
        case FEED_ATOM:
                r = parse_xml(&b, body, len, url, format, &error);
                break;
        case FEED_JSON:
                r = parse_json(&b, body, len, url, &error);
                break;
        case FEED_HTML:
                r = parse_listing(&b, body, len, url, o, &error);
                break;
        default:
                error = xasprintf("%s: 未知的订阅源格式", url);
                r = -EINVAL;
        }
        if (r == 0 && b.feed->n_items > 0 && b.feed->undated == b.feed->n_items) {
                error = xasprintf("%s: 订阅源的 %zu 条内容均无可识别的发布日期", url,
                                  b.feed->n_items);
                r = -EBADMSG;
        }
        if (r < 0) {
                feed_free(b.feed);
                *ret_error = error;
                return r;
        }
        if (!b.feed->title)
                b.feed->title = xstrdup("");
        *ret = b.feed;
        return 0;
}

/* Tests for the HTML extraction (crawler/html*.c): a data-driven loop over the pages in
 * tests/fixtures/html/ and their .expected files, plus unit cases for the selector
 * translation, caps, error handling and libxml2's silence.
 *
 * A <name>.expected file is a list of tab-separated lines ("#" starts a comment):
 *   html F, url U, today YYYY-MM-DD, selector S, max_links N, max_text N   parse options
 *                                          (html defaults to <name>.html)
 *   error                                  html_parse must refuse the selector
 *   DATE <tab> URL <tab> TITLE             the items, all of them, in order; DATE is
 *                                          YYYY-MM-DD (from the text), YYYY-MM-DD@url
 *                                          (from the URL) or "-" (none)
 *   items N, from_selector yes|no
 *   list_page URL (all of them, in order), list_pages N
 *   links N, links_dropped N, links_invalid N, link KIND URL, no_link URL,
 *   link_text URL TEXT, hidden_link URL, visible_link URL, line URL N,
 *   hidden_by URL BY HOW (html_hidden_by_id and hidden_how), template_link URL,
 *   field LABEL VALUE, fields N, videos N, content_images N
 *   meta NAME CONTENT, metas N, title T, base URL
 *   text_contains S, text_lacks S, dated_links N, dated_link DATE URL */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/globals.h>
#include <libxml/xmlerror.h>

#include "common/buf.h"
#include "common/util.h"
#include "common/xtime.h"
#include "crawler/html.h"
#include "tests/unit/fixture_util.h"

#define FIXTURE_DIR XJ_FIXTURES "/html"

static bool parse_day(const char *s, xj_day *ret)
{
        int y, m, d;

        if (sscanf(s, "%d-%d-%d", &y, &m, &d) != 3 || !civil_valid(y, m, d))
                return false;
        *ret = day_from_civil(y, m, d);
        return true;
}

/* One .expected file being checked. */
struct check {
        const char *name;
        int line;
        int failures;
};

static void _printf_(2, 3) mismatch(struct check *ck, const char *fmt, ...)
{
        va_list ap;
        char msg[2048];

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        print_error("%s.expected:%d: %s\n", ck->name, ck->line, msg);
        ck->failures++;
}

static void expect_count(struct check *ck, const char *what, size_t got, const char *want)
{
        if (got != strtoul(want, NULL, 10))
                mismatch(ck, "%s: got %zu, want %s", what, got, want);
}

static const struct html_link *find_link(const struct html_page *p, const char *url)
{
        for (size_t i = 0; i < p->n_links; i++)
                if (streq(p->links[i].url, url))
                        return &p->links[i];
        return NULL;
}

/* "2023-04-07", "2023-04-07@url" or "-" against an item. */
static bool date_matches(const char *want, const struct html_item *it)
{
        char buf[16];

        if (streq(want, "-"))
                return !it->has_date;
        if (!it->has_date)
                return false;
        bool url = strstr(want, "@url") != NULL;
        return strncmp(day_format(it->date.day, buf), want, 10) == 0 &&
               it->date_from_url == url;
}

static const char *item_date_str(const struct html_item *it, char *buf)
{
        if (!it->has_date)
                return "-";
        day_format(it->date.day, buf);
        if (it->date_from_url)
                strcat(buf, "@url");
        return buf;
}

static void dump_page(const struct html_page *p)
{
        char buf[32];

        print_message("  items (%zu):\n", p->n_items);
        for (size_t i = 0; i < p->n_items; i++)
                print_message("    %s\t%s\t%s\n", item_date_str(&p->items[i], buf),
                              p->items[i].url, p->items[i].title);
        print_message("  list pages (%zu):\n", p->n_list_pages);
        for (size_t i = 0; i < p->n_list_pages; i++)
                print_message("    %s\n", p->list_pages[i]);
        print_message("  links %zu, dated links %zu\n", p->n_links, p->n_dated_links);
        for (size_t i = 0; i < p->n_links; i++)
                print_message("    %s %s [%s %s]%s\n", html_link_kind_id(p->links[i].kind),
                              p->links[i].url, html_hidden_by_id(p->links[i].hidden_by),
                              p->links[i].hidden_how, p->links[i].in_template ? " template" : "");
        print_message("  fields (%zu):\n", p->n_fields);
        for (size_t i = 0; i < p->n_fields; i++)
                print_message("    %s = %s\n", p->fields[i].label, p->fields[i].value);
}

static void check_line(struct check *ck, const struct html_page *p, char **f, size_t n,
                       size_t *item_idx, size_t *page_idx, bool *items_listed,
                       bool *pages_listed)
{
        const char *key = f[0];
        const struct html_link *l;
        xj_day day;

        if (parse_day(key, &day) || streq(key, "-")) {
                *items_listed = true;
                size_t i = (*item_idx)++;
                if (n < 3) {
                        mismatch(ck, "item line needs DATE URL TITLE");
                } else if (i >= p->n_items) {
                        mismatch(ck, "item %zu missing: %s", i, f[1]);
                } else {
                        const struct html_item *it = &p->items[i];
                        char buf[32];
                        if (!date_matches(key, it) || !streq(it->url, f[1]) ||
                            !streq(it->title, f[2]))
                                mismatch(ck, "item %zu: got %s | %s | %s", i,
                                         item_date_str(it, buf), it->url, it->title);
                }
        } else if (streq(key, "items")) {
                expect_count(ck, "items", p->n_items, f[1]);
        } else if (streq(key, "from_selector")) {
                if (p->items_from_selector != streq(f[1], "yes"))
                        mismatch(ck, "items_from_selector is %d", p->items_from_selector);
        } else if (streq(key, "list_page")) {
                *pages_listed = true;
                size_t i = (*page_idx)++;
                if (i >= p->n_list_pages || !streq(p->list_pages[i], f[1]))
                        mismatch(ck, "list page %zu: got %s, want %s", i,
                             i < p->n_list_pages ? p->list_pages[i] : "(none)", f[1]);
        } else if (streq(key, "list_pages")) {
                expect_count(ck, "list_pages", p->n_list_pages, f[1]);
        } else if (streq(key, "links")) {
                expect_count(ck, "links", p->n_links, f[1]);
        } else if (streq(key, "links_dropped")) {
                expect_count(ck, "links_dropped", p->links_dropped, f[1]);
        } else if (streq(key, "links_invalid")) {
                expect_count(ck, "links_invalid", p->links_invalid, f[1]);
        } else if (streq(key, "link")) {
                bool found = false;
                for (size_t i = 0; i < p->n_links; i++)
                        found |= streq(p->links[i].url, f[2]) &&
                                 streq(html_link_kind_id(p->links[i].kind), f[1]);
                if (!found)
                        mismatch(ck, "no %s link %s", f[1], f[2]);
        } else if (streq(key, "no_link")) {
                if (find_link(p, f[1]))
                        mismatch(ck, "unexpected link %s", f[1]);
        } else if (streq(key, "link_text")) {
                l = find_link(p, f[1]);
                if (!l || !streq(l->text, f[2]))
                        mismatch(ck, "link %s text: got '%s'", f[1], l ? l->text : "(no link)");
        } else if (streq(key, "hidden_link") || streq(key, "visible_link")) {
                l = find_link(p, f[1]);
                if (!l || l->hidden != streq(key, "hidden_link"))
                        mismatch(ck, "link %s: hidden is %d", f[1], l ? l->hidden : -1);
        } else if (streq(key, "hidden_by")) {
                l = find_link(p, f[1]);
                if (n < 4 || !l || !streq(html_hidden_by_id(l->hidden_by), f[2]) ||
                    !streq(l->hidden_how, f[3]) || !l->hidden)
                        mismatch(ck, "link %s: hidden by %s (%s)", f[1],
                                 l ? html_hidden_by_id(l->hidden_by) : "(no link)",
                                 l ? l->hidden_how : "");
        } else if (streq(key, "template_link")) {
                l = find_link(p, f[1]);
                if (!l || !l->in_template)
                        mismatch(ck, "link %s: in_template is %d", f[1], l ? l->in_template : -1);
        } else if (streq(key, "field")) {
                bool found = false;
                for (size_t i = 0; i < p->n_fields && !found; i++)
                        found = streq(p->fields[i].label, f[1]) &&
                                streq(p->fields[i].value, n > 2 ? f[2] : "");
                if (!found)
                        mismatch(ck, "no field '%s' = '%s'", f[1], n > 2 ? f[2] : "");
        } else if (streq(key, "fields")) {
                expect_count(ck, "fields", p->n_fields, f[1]);
        } else if (streq(key, "videos")) {
                expect_count(ck, "videos", p->n_videos, f[1]);
        } else if (streq(key, "content_images")) {
                expect_count(ck, "content_images", p->n_content_images, f[1]);
        } else if (streq(key, "line")) {
                l = find_link(p, f[1]);
                if (!l || l->line != atoi(f[2]))
                        mismatch(ck, "link %s line: got %d", f[1], l ? l->line : -1);
        } else if (streq(key, "meta")) {
                const char *v = html_page_meta(p, f[1]);
                if (!v || !streq(v, f[2]))
                        mismatch(ck, "meta %s: got '%s'", f[1], v ? v : "(none)");
        } else if (streq(key, "metas")) {
                expect_count(ck, "metas", p->n_metas, f[1]);
        } else if (streq(key, "title")) {
                if (!streq(p->title, f[1]))
                        mismatch(ck, "title: got '%s'", p->title);
        } else if (streq(key, "base")) {
                if (!streq(p->base_url, f[1]))
                        mismatch(ck, "base: got '%s'", p->base_url);
        } else if (streq(key, "text_contains")) {
                if (!strstr(p->text, f[1]))
                        mismatch(ck, "text lacks '%s'; text: %.600s", f[1], p->text);
        } else if (streq(key, "text_lacks")) {
                if (strstr(p->text, f[1]))
                        mismatch(ck, "text has '%s'", f[1]);
        } else if (streq(key, "dated_links")) {
                expect_count(ck, "dated_links", p->n_dated_links, f[1]);
        } else if (streq(key, "dated_link")) {
                bool found = false;
                for (size_t i = 0; i < p->n_dated_links; i++)
                        found |= streq(p->dated_links[i].url, f[2]) &&
                                 date_matches(f[1], &p->dated_links[i]);
                if (!found)
                        mismatch(ck, "no dated link %s %s", f[1], f[2]);
        } else if (!streq(key, "html") && !streq(key, "url") && !streq(key, "today") &&
                   !streq(key, "selector") && !streq(key, "max_links") &&
                   !streq(key, "max_text") && !streq(key, "error")) {
                mismatch(ck, "unknown key '%s'", key);
        }
}

static void run_fixture(void **state)
{
        const char *name = *state;
        struct check ck = { .name = name };
        _cleanup_free_ char *exp_path = xasprintf("%s/%s.expected", FIXTURE_DIR, name);
        _cleanup_free_ char *expected = fixture_read(exp_path, NULL);
        _cleanup_free_ char *html_name = xasprintf("%s.html", name);
        _cleanup_free_ char *page_url = NULL;
        _cleanup_free_ char *selector = NULL;
        struct html_options o = { 0 };
        bool want_error = false;
        char *f[4];
        size_t n;

        assert_non_null(expected);
        /* First pass: the options. */
        _cleanup_free_ char *copy = xstrdup(expected);
        for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
                if (line[0] == '#')
                        continue;
                n = fixture_split_tabs(line, f, 4);
                if (streq(f[0], "html") && n > 1)
                        str_replace(&html_name, f[1]);
                else if (streq(f[0], "url") && n > 1)
                        str_replace(&page_url, f[1]);
                else if (streq(f[0], "today") && n > 1)
                        assert_true(parse_day(f[1], &o.today));
                else if (streq(f[0], "selector") && n > 1)
                        str_replace(&selector, f[1]);
                else if (streq(f[0], "max_links") && n > 1)
                        o.max_links = strtoul(f[1], NULL, 10);
                else if (streq(f[0], "max_text") && n > 1)
                        o.max_text = strtoul(f[1], NULL, 10);
                else if (streq(f[0], "error"))
                        want_error = true;
        }
        assert_non_null(page_url);
        o.item_selector = selector;

        _cleanup_free_ char *html_path = xasprintf("%s/%s", FIXTURE_DIR, html_name);
        size_t len = 0;
        _cleanup_free_ char *html = fixture_read(html_path, &len);
        assert_non_null(html);

        struct html_page *p = NULL;
        char *error = NULL;
        int r = html_parse(html, len, page_url, &o, &p, &error);
        if (want_error) {
                assert_int_equal(r, -EINVAL);
                assert_non_null(error);
                assert_null(p);
                assert_non_null(strstr(error, selector));
                free(error);
                return;
        }
        assert_int_equal(r, 0);
        assert_null(error);
        assert_non_null(p);

        /* Second pass: the expectations. */
        size_t item_idx = 0, page_idx = 0;
        bool items_listed = false, pages_listed = false;
        ck.line = 0;
        for (char *line = expected, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                ck.line++;
                if (line[0] == '#' || line[0] == '\0')
                        continue;
                n = fixture_split_tabs(line, f, 4);
                if (n < 2 && !streq(f[0], "error")) {
                        mismatch(&ck, "line needs a value");
                        continue;
                }
                check_line(&ck, p, f, n, &item_idx, &page_idx, &items_listed, &pages_listed);
        }
        if (items_listed && item_idx != p->n_items)
                mismatch(&ck, "%zu items listed, %zu found", item_idx, p->n_items);
        if (pages_listed && page_idx != p->n_list_pages)
                mismatch(&ck, "%zu list pages listed, %zu found", page_idx, p->n_list_pages);
        if (ck.failures)
                dump_page(p);
        html_page_free(p);
        assert_int_equal(ck.failures, 0);
}

/* ---- unit cases ---- */

#define HAS_CLASS(c) "[contains(concat(' ',normalize-space(@class),' '),' " c " ')]"

static void test_css_to_xpath(void **state)
{
        static const struct {
                const char *css;
                const char *xpath;
        } cases[] = {
                { "li", "//li" },
                { "UL > LI", "//ul/li" },
                { "ul.list > li", "//ul" HAS_CLASS("list") "/li" },
                { "#content tr", "//*[@id='content']//tr" },
                { "div#main.news  a", "//div[@id='main']" HAS_CLASS("news") "//a" },
                { "a[href]", "//a[@href]" },
                { "a[target=_blank]", "//a[@target='_blank']" },
                { "td[ class = \"bt\" ]", "//td[@class='bt']" },
                { "span[title='it''s']", NULL },
                { "span[title=\"it's\"]", "//span[@title=\"it's\"]" },
                { "*>li", "//*/li" },
                { "ul.list li, table.wjk tr",
                  "//ul" HAS_CLASS("list") "//li | //table" HAS_CLASS("wjk") "//tr" },
                { ".新闻列表 li", "//*" HAS_CLASS("新闻列表") "//li" },
                { "//div[@id='x']//li", "//div[@id='x']//li" },
                { "  li  ", "//li" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                char *x = NULL;
                int r = html_css_to_xpath(cases[i].css, &x);
                if (!cases[i].xpath) {
                        assert_int_equal(r, -EINVAL);
                        continue;
                }
                if (r != 0 || !streq(x, cases[i].xpath))
                        print_error("case %zu '%s': r=%d, got %s\n", i, cases[i].css, r,
                                    x ? x : "(null)");
                assert_int_equal(r, 0);
                assert_string_equal(x, cases[i].xpath);
                free(x);
        }
}

static void test_css_invalid(void **state)
{
        static const char *const bad[] = {
                "", "   ", "> li", "ul >", "ul > > li", "li,", ",li", "li,,a", "a:hover",
                "li:nth-child(2)", "ul + li", "ul ~ li", "a[href", "a[=x]", "a[href=]", ".",
                "#", "ul.", "a[href='x]", "li::before", "@media",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                char *x = NULL;
                int r = html_css_to_xpath(bad[i], &x);
                if (r != -EINVAL)
                        print_error("'%s' accepted as %s\n", bad[i], x ? x : "(null)");
                assert_int_equal(r, -EINVAL);
                assert_null(x);
        }
        assert_int_equal(html_css_to_xpath(NULL, &(char *){ NULL }), -EINVAL);
}

static const char simple_page[] =
        "<html><head><title> 测试 页面 </title>"
        "<meta name=\"PubDate\" content=\"2023-04-07\"></head><body>"
        "<ul><li><a href=\"a.html\">甲</a> 2023-04-01</li><li><a href=\"b.html\">乙</a></li></ul>"
        "</body></html>";

static void test_selector_errors(void **state)
{
        static const char *const bad[] = {
                "li:first-child", "//li[", "count(//li)", "//li[foo()]", "string(//a/@href)",
        };
        struct html_options o = { 0 };

        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                struct html_page *p = NULL;
                char *error = NULL;
                o.item_selector = bad[i];
                assert_int_equal(html_parse(simple_page, sizeof(simple_page) - 1,
                                            "http://h/c/", &o, &p, &error),
                                 -EINVAL);
                assert_null(p);
                assert_non_null(error);
                assert_non_null(strstr(error, bad[i]));
                free(error);
                /* The crawler retries without an error pointer. */
                assert_int_equal(html_parse(simple_page, sizeof(simple_page) - 1,
                                            "http://h/c/", &o, &p, NULL),
                                 -EINVAL);
        }
}

static void test_basics(void **state)
{
        struct html_page *p = NULL;

        assert_int_equal(html_parse(simple_page, sizeof(simple_page) - 1, "HTTP://H/c/", NULL,
                                    &p, NULL),
                         0);
        assert_string_equal(p->title, "测试 页面");
        assert_string_equal(p->base_url, "http://h/c/");
        assert_string_equal(html_page_meta(p, "pubdate"), "2023-04-07");
        assert_string_equal(html_page_meta(p, "PUBDATE"), "2023-04-07");
        assert_null(html_page_meta(p, "ColumnName"));
        assert_int_equal(p->n_links, 2);
        assert_string_equal(p->links[0].url, "http://h/c/a.html");
        assert_string_equal(p->links[0].text, "甲");
        assert_int_equal(p->links[0].line, 1);
        assert_false(p->links[0].hidden);
        assert_string_equal(p->text, "甲 2023-04-01 乙");
        assert_false(p->text_truncated);
        assert_int_equal(p->text_len, strlen(p->text));
        assert_int_equal(p->n_dated_links, 1);
        html_page_free(p);

        /* Blocks and <br> separate words, inline elements join them, and white space
         * (including U+3000 and &nbsp;) collapses. */
        static const char blocks[] = "<body><div>甲</div>乙<br>丙<b>丁</b>戊"
                                     "<p>\xE3\x80\x80 己 &nbsp;\n\t庚 </p><td>辛</td>"
                                     "<span style=\"display:none\">藏</span>"
                                     "<template>模</template></body>";
        p = NULL;
        assert_int_equal(html_parse(blocks, sizeof(blocks) - 1, "http://h/", NULL, &p, NULL), 0);
        assert_string_equal(p->text, "甲 乙 丙丁戊 己 庚 辛");
        html_page_free(p);

        /* Empty input is a page with nothing on it. */
        p = NULL;
        assert_int_equal(html_parse("", 0, "http://h/", NULL, &p, NULL), 0);
        assert_string_equal(p->title, "");
        assert_string_equal(p->text, "");
        assert_string_equal(p->base_url, "http://h/");
        assert_int_equal(p->n_links + p->n_items + p->n_list_pages + p->n_metas, 0);
        html_page_free(p);
        html_page_free(NULL);

        assert_string_equal(html_link_kind_id(HTML_LINK_A), "a");
        assert_string_equal(html_link_kind_id(HTML_LINK_IMG), "img");
        assert_string_equal(html_link_kind_id(HTML_LINK_META_REFRESH), "meta-refresh");
}

static void test_caps(void **state)
{
        char html[4096] = "<body><p>";
        struct html_options o = { .max_links = 3, .max_text = 10 };
        struct html_page *p = NULL;

        for (int i = 0; i < 10; i++) {
                char a[64];
                snprintf(a, sizeof(a), "<a href=\"/%d.html\">链接</a>", i);
                strcat(html, a);
        }
        strcat(html, "</p></body>");
        assert_int_equal(html_parse(html, strlen(html), "http://h/", &o, &p, NULL), 0);
        assert_int_equal(p->n_links, 3);
        assert_int_equal(p->links_dropped, 7);
        /* 10 bytes hold three Chinese characters; the cut never splits one. */
        assert_true(p->text_truncated);
        assert_int_equal(p->text_len, 9);
        assert_string_equal(p->text, "链接链");
        html_page_free(p);

        /* Over-long URLs are counted, not kept. */
        o = (struct html_options){ .max_url_length = 30 };
        const char *long_links = "<a href=\"/short\">a</a>"
                                 "<a href=\"/a-very-long-path-name/x.html\">b</a>";
        assert_int_equal(html_parse(long_links, strlen(long_links), "http://h/", &o, &p, NULL), 0);
        assert_int_equal(p->n_links, 1);
        assert_int_equal(p->links_invalid, 1);
        html_page_free(p);
}

static void test_meta_refresh(void **state)
{
        static const struct {
                const char *content;
                const char *url;
        } cases[] = {
                { "0;url=/new/", "http://h/new/" },
                { "5; URL = 'b.html'", "http://h/d/b.html" },
                { "3,url=&quot;c.html&quot;", "http://h/d/c.html" },
                { "0; /plain/", "http://h/plain/" },
                { "10", NULL },
                { "0;url=javascript:alert(1)", NULL },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_free_ char *html = xasprintf(
                        "<head><meta http-equiv=\"Refresh\" content=\"%s\"></head>",
                        cases[i].content);
                struct html_page *p = NULL;
                assert_int_equal(html_parse(html, strlen(html), "http://h/d/", NULL, &p, NULL), 0);
                if (cases[i].url) {
                        assert_int_equal(p->n_links, 1);
                        assert_int_equal(p->links[0].kind, HTML_LINK_META_REFRESH);
                        assert_string_equal(p->links[0].url, cases[i].url);
                } else {
                        assert_int_equal(p->n_links, 0);
                }
                html_page_free(p);
        }
}

static struct html_page *parse_str(const char *html, const char *url)
{
        struct html_options o = { .today = day_from_civil(2023, 5, 1) };
        struct html_page *p = NULL;

        assert_int_equal(html_parse(html, strlen(html), url, &o, &p, NULL), 0);
        return p;
}

static void test_pager_forms(void **state)
{
        /* The newer TRS call with a div id first and the record count last; the
         * definition of the function in the page is not a call. */
        struct html_page *p = parse_str(
                "<script>function createPageHTML(_nPageCount, _nCurrIndex, _sPageName) {}"
                "</script><div id=\"page_div\"></div><script>"
                "createPageHTML('page_div',5, 2,'index','shtml',95);</script>",
                "http://h/col/index_2.shtml");
        assert_int_equal(p->n_list_pages, 4);
        assert_string_equal(p->list_pages[0], "http://h/col/index.shtml");
        assert_string_equal(p->list_pages[1], "http://h/col/index_1.shtml");
        assert_string_equal(p->list_pages[2], "http://h/col/index_3.shtml");
        assert_string_equal(p->list_pages[3], "http://h/col/index_4.shtml");
        html_page_free(p);

        /* Numbers alone (a calendar) are not a pager... */
        p = parse_str("<table><tr><td><a href=\"/cal?d=1\">1</a></td>"
                      "<td><a href=\"/cal?d=2\">2</a></td></tr></table>",
                      "http://h/col/");
        assert_int_equal(p->n_list_pages, 0);
        html_page_free(p);
        /* ...but next to "下一页" they are, sorted by number, the page itself left out,
         * links to other hosts ignored. */
        p = parse_str("<div><a href=\"list.jsp?pageNum=3\">3</a>"
                      " <a href=\"list.jsp?pageNum=1\">1</a>"
                      " <a href=\"list.jsp?pageNum=2\">2</a> <a href=\"go.jsp?n=4\">4</a>"
                      " <a href=\"http://other.cn/list.jsp?pageNum=5\">5</a>"
                      " <a href=\"list.jsp?pageNum=2\">下一页 &gt;</a></div>",
                      "http://h/col/list.jsp?pageNum=1");
        assert_int_equal(p->n_list_pages, 3);
        assert_string_equal(p->list_pages[0], "http://h/col/list.jsp?pageNum=2");
        assert_string_equal(p->list_pages[1], "http://h/col/list.jsp?pageNum=3");
        assert_string_equal(p->list_pages[2], "http://h/col/go.jsp?n=4");
        html_page_free(p);
}

static void test_item_link_choice(void **state)
{
        /* The title link is the one with the longest text, not a category tag or "more";
         * a title cut with "..." is completed from the title attribute. */
        struct html_page *p = parse_str(
                "<ul class=\"list\"><li><a href=\"/tzgg/\">[通知公告]</a>"
                "<a href=\"/a/1.html\" title=\"关于做好2023年防汛工作的通知\">关于做好2023年...</a>"
                "<span>2023-04-20</span><a href=\"/a/1.html\">详细</a></li>"
                "<li><a href=\"/tzgg/\">[通知公告]</a><a href=\"/a/2.html\">关于停水的通知</a>"
                "<span>2023-04-19</span></li></ul>",
                "http://h/");
        assert_int_equal(p->n_items, 2);
        assert_string_equal(p->items[0].url, "http://h/a/1.html");
        assert_string_equal(p->items[0].title, "关于做好2023年防汛工作的通知");
        assert_string_equal(p->items[1].url, "http://h/a/2.html");
        assert_true(p->items[1].has_date);
        assert_false(p->items[1].date_from_url);
        assert_int_equal(p->items[1].date.day, day_from_civil(2023, 4, 19));
        html_page_free(p);
}

/* libxml2 must print nothing, even for broken markup, bad bytes and bad XPath, and
 * must get its error handlers back afterwards. */
static void test_silent(void **state)
{
        static const char junk[] = "<html><body><div><p>坏\xff\xfe字节</span></b></div></div>"
                                   "<a href=\"x\" href=\"y\">重复</a>"
                                   "<script>if (a < b) document.write('</div>')</script>"
                                   "&bogus; &#xFFFFFFF; <![CDATA[x]]> <?php echo 1 ?>"
                                   "\0<p>after NUL</p><!-- unterminated";
        xmlGenericErrorFunc generic = xmlGenericError;
        xmlStructuredErrorFunc structured = xmlStructuredError;
        char path[] = "/tmp/xj-test-html-XXXXXX";
        int fd = mkstemp(path);
        int saved = dup(STDERR_FILENO);
        struct html_options o = { .item_selector = "//li[" };
        struct html_page *p = NULL;
        struct stat st;

        assert_true(fd >= 0 && saved >= 0);
        fflush(stderr);
        dup2(fd, STDERR_FILENO);
        int r1 = html_parse(junk, sizeof(junk) - 1, "http://h/", NULL, &p, NULL);
        int r2 = html_parse(junk, sizeof(junk) - 1, "http://h/", &o, &(struct html_page *){ NULL },
                            NULL);
        fflush(stderr);
        dup2(saved, STDERR_FILENO);
        close(saved);
        assert_int_equal(fstat(fd, &st), 0);
        close(fd);
        unlink(path);

        assert_int_equal(r1, 0);
        assert_int_equal(r2, -EINVAL);
        assert_int_equal(st.st_size, 0);
        assert_true(xmlGenericError == generic);
        assert_true(xmlStructuredError == structured);
        /* Bad bytes become U+FFFD instead of derailing the decoding of what follows. */
        assert_true(utf8_valid(p->text, p->text_len));
        assert_non_null(strstr(p->text, "字节"));
        assert_non_null(strstr(p->text, "after NUL"));
        assert_non_null(strstr(p->text, "重复"));
        html_page_free(p);
}

/* libxml2 without HUGE stops at 256 levels of nesting; the page says so instead of
 * silently missing what followed. */
/* main_text leaves out the site's template, so that a column page with nothing of its
 * own reads as empty however rich its navigation and footer are. */
static void test_main_text(void **state)
{
        struct html_page *p = parse_str(
                "<html><body><div class=\"header\"><a href=\"/\">首页</a>"
                "<ul id=\"nav\"><li><a href=\"/a/\">政务公开</a></li>"
                "<li><a href=\"/b/\">政务服务</a></li></ul></div>"
                "<div class=\"location\">当前位置：首页 &gt; 机构职能</div>"
                "<div class=\"side\"><h3><a href=\"/sfj/\">区司法局</a></h3></div>"
                "<div class=\"content\"><h1>机构职能</h1></div>"
                "<footer>网站标识码：6101140001 陕ICP备05001234号 主办：演示区人民政府</footer>"
                "</body></html>",
                "http://127.0.0.1/jgzn/");

        assert_non_null(strstr(p->text, "政务公开"));
        assert_non_null(strstr(p->text, "网站标识码"));
        assert_string_equal(p->main_text, "机构职能");
        html_page_free(p);
}

/* An href typed with a leading full-width space (U+3000) still points at its page: the
 * space is skipped as one character, not byte by byte. */
static void test_href_fullwidth_space(void **state)
{
        struct html_page *p = parse_str("<html><body><a href=\"\u3000/x.html\">x</a>"
                                        "<img srcset=\"\u3000/a.png 1x,\u3000/b.png 2x\">"
                                        "</body></html>",
                                        "http://127.0.0.1/dir/");

        assert_true(p->n_links >= 3);
        assert_string_equal(p->links[0].url, "http://127.0.0.1/x.html");
        for (size_t i = 1; i < p->n_links; i++)
                assert_null(strstr(p->links[i].url, "%80"));
        html_page_free(p);
}

static void test_deep_nesting(void **state)
{
        static const size_t depths[] = { 200, 20000 };

        for (size_t d = 0; d < ARRAY_SIZE(depths); d++) {
                char *html = xmalloc(depths[d] * 6 + 64);
                struct html_page *p = NULL;
                char *w = html;
                for (size_t i = 0; i < depths[d]; i++)
                        w += sprintf(w, "<div>");
                strcpy(w, "<a href=\"/x\">深</a>");
                assert_int_equal(html_parse(html, strlen(html), "http://h/", NULL, &p, NULL), 0);
                assert_int_equal(p->n_links, depths[d] < 256 ? 1 : 0);
                assert_int_equal(p->parse_stopped, depths[d] >= 256);
                html_page_free(p);
                free(html);
        }
}

/* Hostile stylesheets: a selector of many descendant parts over a deep tree must not
 * backtrack without end, and rules past the cap are counted, not applied. */
static void test_style_hostile(void **state)
{
        struct buf b;

        buf_init(&b, 4 << 20);
        buf_appends(&b, "<style>div div div div div div.x{display:none}");
        for (int i = 0; i < 3000; i++)
                buf_appendf(&b, ".r%d{color:#fff}", i);
        buf_appends(&b, "</style><body>");
        for (int i = 0; i < 200; i++)
                buf_appends(&b, "<div>");
        buf_appends(&b, "<a href=\"/deep\">深</a>");
        buf_appends(&b, "<div class=\"x\"><a href=\"/x\">藏</a></div>");
        struct html_page *p = NULL;
        assert_int_equal(html_parse(b.data, b.len, "http://h/", NULL, &p, NULL), 0);
        assert_int_equal(p->style_rules_dropped, 1001);
        assert_int_equal(p->n_links, 2);
        assert_false(p->links[0].hidden);
        assert_true(p->links[1].hidden);
        assert_string_equal(p->text, "深");
        html_page_free(p);
        buf_free(&b);

        /* Unterminated blocks, stray braces and at-rules without end. */
        static const char *const broken[] = {
                "<style>.a{display:none</style><p class=a>甲</p>",
                "<style>}}}{{{.a{display:none}</style><p class=a>甲</p>",
                "<style>@media screen {.a{display:none}</style><p class=a>甲</p>",
                "<style>.a{color:rgb(1,2}.b{background:url(</style><p class=a>甲</p>",
                "<style>/* never closed .a{display:none}</style><p class=a>甲</p>",
        };
        for (size_t i = 0; i < ARRAY_SIZE(broken); i++) {
                assert_int_equal(html_parse(broken[i], strlen(broken[i]), "http://h/", NULL, &p,
                                            NULL),
                                 0);
                html_page_free(p);
        }
}

/* Each thread keeps the last sheet it parsed for the next page with the same <style>
 * texts: a page with other texts, or the same text cut differently into blocks, must not
 * get it, and a page with more blocks than the cache keeps is still read whole. */
static void test_style_cache(void **state)
{
        static const char *const pages[][2] = {
                { "<style>.x{display:none}</style><p class=x>甲</p><p>乙</p>", "乙" },
                { "<style>.y{display:none}</style><p class=x>甲</p><p class=y>乙</p>", "甲" },
                { "<style>.x{display:none}</style><p class=x>甲</p><p>乙</p>", "乙" },
                { "<style>.x{disp</style><style>lay:none}</style><p class=x>甲</p><p>乙</p>",
                  "甲 乙" },
                { "<p class=x>甲</p><p>乙</p>", "甲 乙" },
                { "<style>.x{display:none}</style><p class=x>甲</p><p>乙</p>", "乙" },
        };
        struct html_page *p = NULL;

        for (int round = 0; round < 2; round++)
                for (size_t i = 0; i < ARRAY_SIZE(pages); i++) {
                        assert_int_equal(html_parse(pages[i][0], strlen(pages[i][0]), "http://h/",
                                                    NULL, &p, NULL),
                                         0);
                        assert_string_equal(p->text, pages[i][1]);
                        assert_int_equal(p->style_rules_dropped, 0);
                        html_page_free(p);
                }

        struct buf b;
        buf_init(&b, 1 << 20);
        for (int i = 0; i < 70; i++)
                buf_appendf(&b, "<style>.c%d{color:red}</style>", i);
        buf_appends(&b, "<style>.x{display:none}</style><p class=x>甲</p><p>乙</p>");
        for (int round = 0; round < 2; round++) {
                assert_int_equal(html_parse(b.data, b.len, "http://h/", NULL, &p, NULL), 0);
                assert_string_equal(p->text, "乙");
                html_page_free(p);
        }
        buf_free(&b);
}

static int name_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_fixtures(struct CMUnitTest **ret, char ***ret_names)
{
        DIR *d = opendir(FIXTURE_DIR);
        struct strv names = { 0 };
        struct dirent *e;

        assert_non_null(d);
        while ((e = readdir(d))) {
                if (str_endswith(e->d_name, ".expected"))
                        strv_push_take(&names, xstrndup(e->d_name,
                                                        strlen(e->d_name) - strlen(".expected")));
        }
        closedir(d);
        qsort(names.items, names.n, sizeof(char *), name_cmp);
        *ret = xcalloc(names.n, sizeof(**ret));
        for (size_t i = 0; i < names.n; i++)
                (*ret)[i] = (struct CMUnitTest){
                        .name = names.items[i],
                        .test_func = run_fixture,
                        .initial_state = names.items[i],
                };
        *ret_names = names.items;
        return (int)names.n;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_css_to_xpath),
                cmocka_unit_test(test_css_invalid),
                cmocka_unit_test(test_selector_errors),
                cmocka_unit_test(test_basics),
                cmocka_unit_test(test_caps),
                cmocka_unit_test(test_meta_refresh),
                cmocka_unit_test(test_pager_forms),
                cmocka_unit_test(test_item_link_choice),
                cmocka_unit_test(test_silent),
                cmocka_unit_test(test_deep_nesting),
                cmocka_unit_test(test_main_text),
                cmocka_unit_test(test_href_fullwidth_space),
                cmocka_unit_test(test_style_hostile),
                cmocka_unit_test(test_style_cache),
        };
        struct CMUnitTest *fixtures = NULL;
        char **names = NULL;
        int n = list_fixtures(&fixtures, &names);
        int failed;

        failed = cmocka_run_group_tests_name("html unit", tests, NULL, NULL);
        failed += _cmocka_run_group_tests("html fixtures", fixtures, (size_t)n, NULL, NULL);
        for (int i = 0; i < n; i++)
                free(names[i]);
        free(names);
        free(fixtures);
        return failed;
}

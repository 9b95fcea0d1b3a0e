/* Parse-and-check time per page: every *.html under a directory (the generated test portal,
 * tests/portal/gen_portal.py) is decoded, parsed and run through the page checks (错敏字
 * dictionary and patterns, personal data), as the scan does for each fetched page. Run by
 * hand through bench/run_dict_bench.sh; docs/benchmarks.md has the numbers.
 *
 * Usage: page_bench RULES_DIR SITE_DIR */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "crawler/charset.h"
#include "crawler/html.h"
#include "rules/checks.h"
#include "rules/dict.h"

struct totals {
        size_t pages, bytes, text_bytes, findings;
        double decode_parse, checks;
};

static double seconds(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count(const struct store_finding *f, void *userdata)
{
        struct totals *t = userdata;
        t->findings++;
}

static char *slurp(const char *path, size_t *ret_len)
{
        FILE *f = fopen(path, "rb");
        struct buf b;
        char chunk[65536];
        size_t n;

        if (!f)
                return NULL;
        buf_init(&b, 64 * 1024 * 1024);
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
                if (buf_append(&b, chunk, n) < 0)
                        break;
        fclose(f);
        *ret_len = b.len;
        return b.data ? buf_steal(&b) : xstrdup("");
}

static void one_page(const struct rule_config *c, const char *path, struct totals *t)
{
        size_t len = 0;
        _cleanup_free_ char *body = slurp(path, &len);
        struct charset_result cr = {0};
        struct html_page *page = NULL;
        struct html_options o = {
                .max_links = (size_t)c->settings.max_links_per_page,
                .max_url_length = (size_t)c->settings.max_url_length,
                .today = day_from_civil(2026, 11, 23),
        };
        struct http_response resp = {.status = 200};
        double t0, t1, t2;

        if (!body)
                return;
        t0 = seconds();
        if (charset_decode(body, len, "text/html", 4 * len + 1024, &cr) < 0 ||
            html_parse(cr.utf8, cr.len, "http://127.0.0.1/page.html", &o, &page, NULL) < 0) {
                charset_result_free(&cr);
                return;
        }
        t1 = seconds();
        struct site_fetch f = {
                .url = "http://127.0.0.1/page.html",
                .kind = SITE_FETCH_PAGE,
                .column = -1,
                .resp = &resp,
                .page = page,
        };
        struct page_check_context ctx = {
                .config = c,
                .site = &c->sites[0],
                .fetch = &f,
                .now = time_of_day(o.today),
                .today = o.today,
                .emit = count,
                .userdata = t,
        };
        rule_page_checks_run(&ctx);
        t2 = seconds();
        t->pages++;
        t->bytes += len;
        t->text_bytes += page->text_len;
        t->decode_parse += t1 - t0;
        t->checks += t2 - t1;
        html_page_free(page);
        charset_result_free(&cr);
}

static void walk(const struct rule_config *c, const char *dir, struct totals *t)
{
        DIR *d = opendir(dir);
        struct dirent *de;

        if (!d)
                return;
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL;
                struct stat st;

                if (de->d_name[0] == '.')
                        continue;
                path = xasprintf("%s/%s", dir, de->d_name);
                if (stat(path, &st) < 0)
                        continue;
                if (S_ISDIR(st.st_mode))
                        walk(c, path, t);
                else if (str_endswith(de->d_name, ".html"))
                        one_page(c, path, t);
        }
        closedir(d);
}

int main(int argc, char **argv)
{
        struct rule_config *c = NULL;
        struct strv errors = {0};
        struct totals t = {0};

        if (argc < 3) {
                fprintf(stderr, "usage: %s RULES_DIR SITE_DIR\n", argv[0]);
                return 2;
        }
        if (rule_config_load(argv[1], &c, &errors) < 0) {
                for (size_t i = 0; i < errors.n; i++)
                        fprintf(stderr, "%s\n", errors.items[i]);
                return 2;
        }
        if (c->n_sites == 0) {
                fprintf(stderr, "%s: no site\n", argv[1]);
                return 2;
        }
        walk(c, argv[2], &t);
        if (!t.pages) {
                fprintf(stderr, "%s: no pages\n", argv[2]);
                return 1;
        }
        printf("pages              %zu (%.1f MB of HTML, %.1f MB of visible text)\n", t.pages,
               (double)t.bytes / 1e6, (double)t.text_bytes / 1e6);
        printf("dictionary         %zu entries, %zu patterns, matcher %zu bytes\n",
               c->dictionary.n_words, c->dictionary.n_patterns,
               dict_memory(c->dictionary.matcher));
        printf("decode + parse     %.3f s = %.1f us/page\n", t.decode_parse,
               t.decode_parse * 1e6 / (double)t.pages);
        printf("page checks        %.3f s = %.1f us/page\n", t.checks,
               t.checks * 1e6 / (double)t.pages);
        printf("findings           %zu\n", t.findings);
        rule_config_free(c);
        strv_free(&errors);
        return 0;
}

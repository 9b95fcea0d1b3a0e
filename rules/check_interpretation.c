/* 政策解读 (policy interpretation). A policy document — an article of a column whose
 * class is named in settings.interpretation.policy_classes — must be published with its
 * interpretation and linked with it (seeds 000, 001, 002: "只上传政策文件、不上传相关解读"
 * is a finding). An interpretation is an article whose title holds one of title_words
 * (解读) or multiform_words (图解, 一图读懂...), or any article of a column whose name
 * holds one of title_words (政策解读); a page that is not a column's article must also
 * look like an article (an ArticleTitle or PubDate tag, or a date of its own), so that an
 * index page called 政策解读 is not one.
 *
 * A document is paired when (a) it links, outside the template, to a page whose link text
 * holds one of those words (and that is not a column's own page: a menu item 政策解读 is
 * not an interpretation of this document), or (b) it links to a page the scan found to be
 * an interpretation, or (c) an interpretation links to it. Unpaired documents are
 * interpretation_missing, one finding each.
 *
 * Multi-form (多元化) interpretations: the title holds one of multiform_words, or the
 * page shows a <video>, embeds a player of one of video_hosts or a video file (.mp4,
 * .flv, .m3u8...), or shows at least graphic_min_images images in its content (an 图解 is
 * mostly pictures). Seed 001 asks that at least multiform_min_percent of them be so; a
 * lower share is interpretation_form, one finding for the site (0 switches it off). */
#include <stdio.h>
#include <strings.h>

#include "common/json.h"
#include "rules/checks.h"
#include "rules/content_scan.h"

/* Links kept per document and per interpretation: the other side of the pair is linked
 * from the body, among a few dozen links at most. */
#define MAX_DOC_LINKS 32

static bool has_word(const struct rule_settings *set, const char *s)
{
        return content_find_word(s, &set->interpretation_words) ||
               content_find_word(s, &set->multiform_words);
}

static bool is_interpretation(const struct page_check_context *ctx, const char *title)
{
        const struct rule_settings *set = &ctx->config->settings;
        const struct site_fetch *f = ctx->fetch;
        const char *column = content_column_name(ctx->site, f->column);

        if (f->kind == SITE_FETCH_PAGE && f->column < 0 &&
            !html_page_meta(f->page, "ArticleTitle") && !html_page_meta(f->page, "PubDate") &&
            !f->has_pubdate)
                return false;
        return has_word(set, title) ||
               (column && content_find_word(column, &set->interpretation_words));
}

static bool video_link(const struct rule_settings *set, const struct html_link *l)
{
        static const char *const exts[] = {".mp4", ".flv", ".m3u8", ".webm", ".mov", ".avi",
                                           ".wmv", ".mpg", ".mpeg", ".f4v"};
        _cleanup_free_ char *host = url_host(l->url);
        _cleanup_free_ char *path = xstrdup(l->url);
        char *q = strpbrk(path, "?#");

        if (l->kind != HTML_LINK_IFRAME && l->kind != HTML_LINK_EMBED &&
            l->kind != HTML_LINK_OBJECT && l->kind != HTML_LINK_A)
                return false;
        if (q)
                *q = '\0';
        for (size_t i = 0; i < ARRAY_SIZE(exts); i++)
                if (strlen(path) > strlen(exts[i]) &&
                    strcasecmp(path + strlen(path) - strlen(exts[i]), exts[i]) == 0)
                        return l->kind != HTML_LINK_A || !l->in_template;
        return l->kind != HTML_LINK_A && host && strv_contains(&set->video_hosts, host);
}

static bool is_multiform(const struct rule_settings *set, const struct html_page *page,
                         const char *title)
{
        if (content_find_word(title, &set->multiform_words) || page->n_videos > 0 ||
            page->n_content_images >= (size_t)set->graphic_min_images)
                return true;
        for (size_t i = 0; i < page->n_links; i++)
                if (!page->links[i].hidden && video_link(set, &page->links[i]))
                        return true;
        return false;
}

static bool is_column_url(const struct rule_site *site, const char *url)
{
        for (size_t i = 0; i < site->n_columns; i++)
                if (streq_ptr(site->columns[i].url, url))
                        return true;
        return false;
}

/* The page's on-site links of the body (not the template, not hidden), at most max. */
static void body_links(const struct page_check_context *ctx, struct strv *out, size_t max)
{
        const struct html_page *page = ctx->fetch->page;

        for (size_t i = 0; i < page->n_links && out->n < max; i++) {
                const struct html_link *l = &page->links[i];
                if (l->kind != HTML_LINK_A || l->in_template || l->hidden ||
                    url_scope_of(l->url, ctx->site->base_url) != URL_SCOPE_SITE)
                        continue;
                strv_push(out, l->url);
        }
}

void check_interpretation(const struct page_check_context *ctx)
{
        const struct rule_settings *set = &ctx->config->settings;
        const struct site_fetch *f = ctx->fetch;
        const struct html_page *page = f->page;
        struct content_scan *cs = ctx->content;

        if (!cs || (f->kind != SITE_FETCH_ARTICLE && f->kind != SITE_FETCH_PAGE))
                return;
        const char *title = content_page_title(page);
        if (is_interpretation(ctx, title)) {
                cs->interps = content_grow(cs->interps, cs->n_interps, sizeof(*cs->interps));
                cs->interps[cs->n_interps++] = (struct content_interp){
                        .url = xstrdup(f->url),
                        .multiform = is_multiform(set, page, title),
                };
                body_links(ctx, &cs->interp_links, cs->interp_links.n + CONTENT_MAX_LINKS_PER_PAGE);
                return;
        }
        if (!content_column_in(ctx->site, f->column, &set->policy_classes))
                return;
        struct content_doc doc = {
                .url = xstrdup(f->url),
                .title = xstrdup(title),
                .column = f->column,
        };
        for (size_t i = 0; i < page->n_links && !doc.paired; i++) {
                const struct html_link *l = &page->links[i];
                doc.paired = l->kind == HTML_LINK_A && !l->in_template && !l->hidden &&
                             has_word(set, l->text) && !is_column_url(ctx->site, l->url);
        }
        if (!doc.paired)
                body_links(ctx, &doc.links, MAX_DOC_LINKS);
        cs->docs = content_grow(cs->docs, cs->n_docs, sizeof(*cs->docs));
        cs->docs[cs->n_docs++] = doc;
}

void check_interpretation_end(const struct check_context *ctx)
{
        const struct rule_settings *set = &ctx->config->settings;
        const struct content_scan *cs = ctx->content;
        struct strv interp_urls = {0}, linked = {0};
        size_t multiform = 0;

        if (!cs)
                return;
        for (size_t i = 0; i < cs->n_interps; i++) {
                strv_push(&interp_urls, cs->interps[i].url);
                multiform += cs->interps[i].multiform;
        }
        for (size_t i = 0; i < cs->interp_links.n; i++)
                strv_push(&linked, cs->interp_links.items[i]);
        content_sort(&interp_urls);
        content_sort(&linked);

        for (size_t i = 0; i < cs->n_docs; i++) {
                const struct content_doc *d = &cs->docs[i];
                bool paired = d->paired || content_sorted_has(&linked, d->url);
                for (size_t k = 0; k < d->links.n && !paired; k++)
                        paired = content_sorted_has(&interp_urls, d->links.items[k]);
                if (paired)
                        continue;
                _cleanup_free_ char *detail = xasprintf(
                        "政策文件「%s」未关联政策解读（要求：政策文件与解读同步发布、相互链接）",
                        d->title);
                ctx->emit(&(struct store_finding){
                                  .site = ctx->site->id,
                                  .rule = "interpretation_missing",
                                  .kind = FINDING_VIOLATION,
                                  .severity = SEVERITY_NORMAL,
                                  .subject = d->url,
                                  .unit = rule_unit_name(ctx->site, d->column),
                                  .column = content_column_name(ctx->site, d->column),
                                  .url = d->url,
                                  .detail = detail,
                          },
                          ctx->userdata);
        }

        size_t n = cs->n_interps;
        if (n > 0 && set->multiform_min_percent > 0 &&
            multiform * 100 < (size_t)set->multiform_min_percent * n) {
                _cleanup_free_ char *detail = xasprintf(
                        "政策解读 %zu 篇，其中图解、视频等多元化解读 %zu 篇（占 %zu%%，要求：不低于 %d%%）",
                        n, multiform, multiform * 100 / n, set->multiform_min_percent);
                _cleanup_free_ char *ev = xasprintf(
                        "{\"interpretations\":%zu,\"multiform\":%zu,\"documents\":%zu}", n,
                        multiform, cs->n_docs);
                ctx->emit(&(struct store_finding){
                                  .site = ctx->site->id,
                                  .rule = "interpretation_form",
                                  .kind = FINDING_VIOLATION,
                                  .severity = SEVERITY_NORMAL,
                                  .subject = ctx->site->homepage,
                                  .unit = rule_unit_name(ctx->site, -1),
                                  .url = ctx->site->homepage,
                                  .detail = detail,
                                  .evidence = ev,
                          },
                          ctx->userdata);
        }
        strv_free(&interp_urls);
        strv_free(&linked);
}

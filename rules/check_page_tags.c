/* 网页标签 (page tags) and the homepage footer. Every page of the site must carry the meta
 * tags of settings.page_tags.site_metas (SiteName, SiteDomain, SiteIDCode by default) and
 * every article page those of article_metas as well (ColumnName, ArticleTitle, PubDate,
 * ContentSource; ColumnType is optional in the specification and not required). A tag
 * that is there but empty counts as missing. Values are checked too: a SiteIDCode that is
 * not a 网站标识码 (site_id_code), a PubDate that is no date or lies after today. The
 * homepage's visible text must show the 网站标识码, the ICP备案号 and the 公安备案号
 * (footer_site_id, footer_icp, footer_police).
 *
 * Across pages (check_page_tags_end): the SiteIDCode that most pages carry is the site's;
 * each other value is reported once, at the smallest URL that carries it, and so is a
 * footer 网站标识码 that differs from it. Only pages under the site's base URL are judged:
 * a column on another host belongs to another site's template. */
#include <stdio.h>

#include "common/json.h"
#include "rules/checks.h"
#include "rules/content_scan.h"

/* Appends "、name" (or "name" first) to b. */
static void list_add(struct buf *b, const char *name)
{
        if (b->len)
                buf_appends(b, "、");
        buf_appends(b, name);
}

static bool meta_present(const struct html_page *page, const char *name)
{
        const char *v = html_page_meta(page, name);

        for (; v && *v; v++)
                if (*v != ' ' && *v != '\t')
                        return true;
        return false;
}

static void emit_page(const struct page_check_context *ctx, const char *rule, const char *detail,
                      const char *evidence)
{
        int column = ctx->fetch->column;

        ctx->emit(&(struct store_finding){
                          .site = ctx->site->id,
                          .rule = rule,
                          .kind = FINDING_VIOLATION,
                          .severity = SEVERITY_NORMAL,
                          .subject = ctx->fetch->url,
                          .unit = rule_unit_name(ctx->site, column),
                          .column = content_column_name(ctx->site, column),
                          .url = ctx->fetch->url,
                          .detail = detail,
                          .evidence = evidence,
                  },
                  ctx->userdata);
}

static void check_missing(const struct page_check_context *ctx, bool article)
{
        const struct rule_settings *set = &ctx->config->settings;
        const struct html_page *page = ctx->fetch->page;
        struct buf missing, required, ev;

        buf_init(&missing, 4096);
        buf_init(&required, 4096);
        for (int pass = 0; pass < 2; pass++) {
                const struct strv *names = pass == 0 ? &set->site_metas : &set->article_metas;
                if (pass == 1 && !article)
                        break;
                for (size_t i = 0; i < names->n; i++) {
                        list_add(&required, names->items[i]);
                        if (!meta_present(page, names->items[i]))
                                list_add(&missing, names->items[i]);
                }
        }
        if (missing.len) {
                _cleanup_free_ char *detail = xasprintf("%s缺少网页标签 %s（要求：%s）",
                                                        article ? "文章页" : "页面", missing.data,
                                                        required.data);
                buf_init(&ev, 4096);
                buf_appends(&ev, "{\"missing\":");
                json_append_string(&ev, missing.data);
                buf_appends(&ev, "}");
                emit_page(ctx, "page_tag_missing", detail, ev.data);
                buf_free(&ev);
        }
        buf_free(&missing);
        buf_free(&required);
}

static void check_values(const struct page_check_context *ctx)
{
        const struct rule_settings *set = &ctx->config->settings;
        const struct html_page *page = ctx->fetch->page;
        const char *code = html_page_meta(page, "SiteIDCode");
        const char *pubdate = html_page_meta(page, "PubDate");
        struct buf problems;
        struct text_date d;
        char day[16], today[16];

        buf_init(&problems, 4096);
        if (code && code[0] && rule_regex_search(set->site_id_code, code, strlen(code), NULL,
                                                 NULL) == 0)
                buf_appendf(&problems, "SiteIDCode「%s」不是有效的网站标识码", code);
        if (pubdate && pubdate[0]) {
                if (date_find(pubdate, strlen(pubdate), ctx->today, &d) < 0)
                        buf_appendf(&problems, "%sPubDate「%s」不是日期", problems.len ? "；" : "",
                                    pubdate);
                else if (d.day > ctx->today)
                        buf_appendf(&problems, "%sPubDate %s 晚于检查日 %s",
                                    problems.len ? "；" : "", day_format(d.day, day),
                                    day_format(ctx->today, today));
        }
        if (problems.len) {
                _cleanup_free_ char *detail = xasprintf("网页标签有误：%s", problems.data);
                emit_page(ctx, "page_tag_invalid", detail, NULL);
        }
        buf_free(&problems);
}

/* Remembers the page's SiteIDCode for the end of the scan. */
static void note_site_id(struct content_scan *cs, const char *code, const char *url)
{
        for (size_t i = 0; i < cs->n_site_ids; i++) {
                struct content_site_id *v = &cs->site_ids[i];
                if (!streq(v->value, code))
                        continue;
                v->pages++;
                if (strcmp(url, v->url) < 0)
                        str_replace(&v->url, url);
                return;
        }
        if (cs->n_site_ids == CONTENT_MAX_SITE_IDS) {
                cs->site_ids_dropped++;
                return;
        }
        cs->site_ids[cs->n_site_ids++] = (struct content_site_id){
                .value = xstrdup(code),
                .url = xstrdup(url),
                .pages = 1,
        };
}

/* The 网站标识码, ICP备案号 and 公安备案号 in the homepage's visible text. */
static void check_footer(const struct page_check_context *ctx)
{
        const struct rule_settings *set = &ctx->config->settings;
        const struct html_page *page = ctx->fetch->page;
        const struct {
                const struct rule_regex *re;
                const char *name;
        } marks[] = {
                {set->footer_site_id, "网站标识码"},
                {set->footer_icp, "ICP备案号"},
                {set->footer_police, "公安备案号"},
        };
        struct buf missing;

        buf_init(&missing, 1024);
        for (size_t i = 0; i < ARRAY_SIZE(marks); i++) {
                size_t start = 0, end = 0;
                /* A search the limits stopped is no proof of absence: not reported. */
                int r = rule_regex_search(marks[i].re, page->text, page->text_len, &start, &end);
                if (r == 0)
                        list_add(&missing, marks[i].name);
                if (r == 1 && i == 0 && ctx->content) {
                        /* The code itself: the last run of digits or letters matched. */
                        size_t k = end;
                        while (k > start && ((page->text[k - 1] >= '0' && page->text[k - 1] <= '9') ||
                                             (page->text[k - 1] >= 'a' && page->text[k - 1] <= 'z')))
                                k--;
                        free(ctx->content->footer_site_id);
                        ctx->content->footer_site_id = xstrndup(page->text + k, end - k);
                }
        }
        if (missing.len) {
                _cleanup_free_ char *detail = xasprintf(
                        "首页底部缺少%s（要求：首页底部展示网站标识码、ICP备案号和公安备案号）",
                        missing.data);
                emit_page(ctx, "footer_id_missing", detail, NULL);
        }
        buf_free(&missing);
}

void check_page_tags(const struct page_check_context *ctx)
{
        const struct site_fetch *f = ctx->fetch;
        const char *code;

        if (url_scope_of(f->url, ctx->site->base_url) != URL_SCOPE_SITE)
                return;
        check_missing(ctx, f->kind == SITE_FETCH_ARTICLE);
        check_values(ctx);
        code = html_page_meta(f->page, "SiteIDCode");
        /* An invalid code is page_tag_invalid already; it takes no part in the vote. */
        if (ctx->content && code && code[0] &&
            rule_regex_search(ctx->config->settings.site_id_code, code, strlen(code), NULL,
                              NULL) != 0)
                note_site_id(ctx->content, code, f->url);
        if (f->kind == SITE_FETCH_HOMEPAGE) {
                check_footer(ctx);
                if (ctx->content) {
                        str_replace(&ctx->content->homepage_url, f->url);
                        str_replace(&ctx->content->homepage_site_id, code);
                }
        }
}

void check_page_tags_end(const struct check_context *ctx)
{
        const struct content_scan *cs = ctx->content;
        const struct content_site_id *major = NULL;
        bool homepage_reported = false;

        if (!cs || cs->n_site_ids == 0)
                return;
        /* The site's own value: the most pages; on a tie, the homepage's. */
        for (size_t i = 0; i < cs->n_site_ids; i++) {
                const struct content_site_id *v = &cs->site_ids[i];
                if (!major || v->pages > major->pages ||
                    (v->pages == major->pages && streq_ptr(v->value, cs->homepage_site_id)))
                        major = v;
        }
        for (size_t i = 0; i < cs->n_site_ids; i++) {
                const struct content_site_id *v = &cs->site_ids[i];
                if (v == major)
                        continue;
                _cleanup_free_ char *detail = xasprintf(
                        "%zu 个页面的网页标签 SiteIDCode 为 %s，与本站其他 %zu 个页面的 %s 不一致"
                        "（例：%s）",
                        v->pages, v->value, major->pages, major->value, v->url);
                homepage_reported |= streq_ptr(v->url, cs->homepage_url);
                ctx->emit(&(struct store_finding){
                                  .site = ctx->site->id,
                                  .rule = "page_tag_inconsistent",
                                  .kind = FINDING_VIOLATION,
                                  .severity = SEVERITY_NORMAL,
                                  .subject = v->url,
                                  .unit = rule_unit_name(ctx->site, -1),
                                  .url = v->url,
                                  .detail = detail,
                          },
                          ctx->userdata);
        }
        if (cs->footer_site_id && cs->homepage_url && !homepage_reported &&
            !streq(cs->footer_site_id, major->value)) {
                _cleanup_free_ char *detail = xasprintf(
                        "首页底部的网站标识码 %s 与网页标签 SiteIDCode %s 不一致",
                        cs->footer_site_id, major->value);
                ctx->emit(&(struct store_finding){
                                  .site = ctx->site->id,
                                  .rule = "page_tag_inconsistent",
                                  .kind = FINDING_VIOLATION,
                                  .severity = SEVERITY_NORMAL,
                                  .subject = cs->homepage_url,
                                  .unit = rule_unit_name(ctx->site, -1),
                                  .url = cs->homepage_url,
                                  .detail = detail,
                          },
                          ctx->userdata);
        }
}

/* 暗链 (hidden links): links a reader of the page does not see but a search engine does —
 * hidden by a style (inline or a rule of a <style> block), the hidden attribute, a tiny
 * <marquee>, or written by an inline script (crawler/html_style.c, html_script.c say
 * what counts). They are how hacked government pages carry gambling and adult links.
 *
 * Pages hide links for honest reasons too: tabs and drop-down menus wait behind
 * display:none or visibility:hidden (or the hidden attribute, or opacity:0) until a
 * click; a logo pushes its text off-screen; a "skip to content" link is 1px wide. So the
 * grading weighs where the link goes, what it says and how it is hidden:
 *
 *   - to another site (域外: neither the site, nor its registrable domain, nor a host
 *     under settings.hidden_links.trusted_hosts such as gov.cn), with a word of
 *     settings.hidden_links.words in its text or address: serious (严重), however hidden;
 *   - to another site without such a word, hidden by stealth (off-screen, zero size,
 *     tiny font, text in the background's colour, a tiny marquee, a script): suspected
 *     (疑似); behind display:none or the like it is taken for a tab;
 *   - to the site itself (or a trusted host) with such a word, hidden by stealth: normal
 *     (一般) — a hacked CMS can host the spam page itself;
 *   - anything else is not reported.
 *
 * The subject is the link's target, so an injected footer that repeats on every page is
 * one problem, not thousands. */
#include <stdio.h>

#include "common/json.h"
#include "rules/checks.h"
#include "rules/content_scan.h"

static const char *hidden_by_label(enum html_hidden_by h)
{
        switch (h) {
        case HTML_HIDDEN_ATTRIBUTE:
                return "hidden 属性";
        case HTML_HIDDEN_INLINE:
                return "行内样式";
        case HTML_HIDDEN_STYLESHEET:
                return "页面 <style> 样式规则";
        case HTML_HIDDEN_MARQUEE:
                return "marquee 滚动区";
        case HTML_HIDDEN_SCRIPT:
                return "页面内联脚本";
        default:
                return "";
        }
}

/* Hidden the way tabs and menus are not: off-screen, tiny, invisible ink, a marquee or a
 * script. (html_style.c's texts for display, visibility and opacity name those.) */
static bool stealth(const struct html_link *l)
{
        if (l->hidden_by == HTML_HIDDEN_ATTRIBUTE)
                return false;
        if (l->hidden_by == HTML_HIDDEN_INLINE || l->hidden_by == HTML_HIDDEN_STYLESHEET)
                return !streq(l->hidden_how, "display:none") &&
                       !streq(l->hidden_how, "visibility:hidden") &&
                       !streq(l->hidden_how, "opacity:0");
        return true;
}

/* The host is one of trusted_hosts or under one ("www.gov.cn" under "gov.cn"). */
static bool trusted(const struct rule_settings *set, const char *url)
{
        _cleanup_free_ char *host = url_host(url);
        size_t n = host ? strlen(host) : 0;

        for (size_t i = 0; n && i < set->trusted_hosts.n; i++) {
                const char *t = set->trusted_hosts.items[i];
                size_t k = strlen(t);
                if (streq(host, t) || (n > k && host[n - k - 1] == '.' && streq(host + n - k, t)))
                        return true;
        }
        return false;
}

void check_hidden_links(const struct page_check_context *ctx)
{
        const struct html_page *page = ctx->fetch->page;
        const struct rule_settings *set = &ctx->config->settings;
        int column = ctx->fetch->column;

        for (size_t i = 0; i < page->n_links; i++) {
                const struct html_link *l = &page->links[i];
                char detail[2048];
                struct buf ev;

                if (!l->hidden || (l->kind != HTML_LINK_A && l->kind != HTML_LINK_AREA))
                        continue;
                enum url_scope scope = url_scope_of(l->url, ctx->site->base_url);
                bool offsite = scope == URL_SCOPE_EXTERNAL && !trusted(set, l->url);
                const char *word = content_find_word(l->text, &set->hidden_link_words);
                if (!word)
                        word = content_find_word(l->url, &set->hidden_link_words);
                if (!(offsite && word) && !((offsite || word) && stealth(l)))
                        continue;

                snprintf(detail, sizeof(detail),
                         "页面中有暗链「%s」指向 %s（隐藏方式：%s，%s%s%s%s%s）",
                         l->text[0] ? l->text : "无文字", l->url, l->hidden_how,
                         hidden_by_label(l->hidden_by), offsite ? "；链向域外网站" : "",
                         word ? "；含敏感词「" : "", word ? word : "", word ? "」" : "");

                buf_init(&ev, 8192);
                buf_appends(&ev, "{\"page\":");
                json_append_string(&ev, ctx->fetch->url);
                buf_appendf(&ev, ",\"line\":%d,\"text\":", l->line);
                json_append_string(&ev, l->text);
                buf_appendf(&ev, ",\"hidden_by\":\"%s\",\"how\":", html_hidden_by_id(l->hidden_by));
                json_append_string(&ev, l->hidden_how);
                buf_appendf(&ev, ",\"scope\":\"%s\",\"word\":", url_scope_id(scope));
                json_append_string(&ev, word);
                buf_appends(&ev, "}");

                ctx->emit(&(struct store_finding){
                                  .site = ctx->site->id,
                                  .rule = "hidden_link",
                                  .kind = FINDING_VIOLATION,
                                  .severity = offsite && word ? SEVERITY_SERIOUS
                                              : word          ? SEVERITY_NORMAL
                                                              : SEVERITY_SUSPECT,
                                  .subject = l->url,
                                  .unit = rule_unit_name(ctx->site, column),
                                  .column = content_column_name(ctx->site, column),
                                  .url = ctx->fetch->url,
                                  .detail = detail,
                                  .evidence = ev.data,
                          },
                          ctx->userdata);
                buf_free(&ev);
        }
}

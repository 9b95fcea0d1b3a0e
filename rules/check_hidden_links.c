/* 暗链 (hidden links): links a reader of the page does not see but a search engine does —
 * hidden by a style (inline or a rule of a <style> block), the hidden attribute, a tiny
 * <marquee>, or written by an inline script (crawler/html_style.c, html_script.c say
 * what counts). They are how hacked government pages carry gambling and adult links.
 *
 * Grading: a hidden link to another site (域外) whose text or address holds a word of
 * settings.hidden_links.words is serious (严重); one of the two is normal (一般) when it
 * is the word, suspected (疑似) when it is only the other site (a hidden tab of friendly
 * links also points elsewhere). A hidden link to the site itself or to its own domain
 * without such a word is not reported: hidden tabs, drop-down menus and "skip to
 * content" links are everyday page furniture. The subject is the link's target, so an
 * injected footer that repeats on every page is one problem, not thousands. */
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
                bool offsite = scope == URL_SCOPE_EXTERNAL;
                const char *word = content_find_word(l->text, &set->hidden_link_words);
                if (!word)
                        word = content_find_word(l->url, &set->hidden_link_words);
                if (!offsite && !word)
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

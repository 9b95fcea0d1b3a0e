/* 空白栏目: a column that shows no content at all — an empty list, a list page that only
 * says "暂无信息" (the placeholders are a setting), or a single-page column without body
 * text. The column page's text here is its main content, without navigation, header and
 * footer, so the site's template does not make every column look full. */
#include "rules/checks.h"

#include <stdio.h>

/* Below this many characters of main content a page without a list says nothing. */
#define BLANK_TEXT_CHARS 20
/* A placeholder inside a longer text is a sentence, not the page's whole message. */
#define PLACEHOLDER_PAGE_CHARS 120

static const char *placeholder_in(const struct rule_settings *set, const char *text)
{
        for (size_t i = 0; i < set->blank_placeholders.n; i++)
                if (strstr(text, set->blank_placeholders.items[i]))
                        return set->blank_placeholders.items[i];
        return NULL;
}

bool rule_column_is_blank(const struct rule_settings *set, const struct site_column_result *res,
                          const char **ret_placeholder)
{
        const char *text = res->text ? res->text : "";
        size_t chars = utf8_length(text);
        const char *placeholder = placeholder_in(set, text);

        if (!res->fetched || res->n_items > 0)
                return false;
        if (placeholder && chars <= PLACEHOLDER_PAGE_CHARS) {
                if (ret_placeholder)
                        *ret_placeholder = placeholder;
                return true;
        }
        if (ret_placeholder)
                *ret_placeholder = NULL;
        return chars < BLANK_TEXT_CHARS;
}

void check_blank(const struct check_context *ctx)
{
        const struct rule_site *site = ctx->site;

        for (size_t i = 0; i < site->n_columns; i++) {
                const struct rule_column *col = &site->columns[i];
                const struct site_column_result *res = &ctx->results->columns[i];
                const char *placeholder = NULL;
                char detail[512], evidence[512];

                if (!rule_column_is_blank(&ctx->config->settings, res, &placeholder))
                        continue;
                if (placeholder)
                        snprintf(detail, sizeof(detail), "栏目「%s」为空白栏目（页面仅显示“%s”）",
                                 col->name, placeholder);
                else
                        snprintf(detail, sizeof(detail),
                                 "栏目「%s」为空白栏目（没有任何信息条目或正文内容）", col->name);
                snprintf(evidence, sizeof(evidence), "{\"items\":0,\"text_chars\":%zu}",
                         utf8_length(res->text ? res->text : ""));
                ctx->emit(&(struct store_finding){
                                  .site = site->id,
                                  .rule = "column_blank",
                                  .kind = FINDING_VIOLATION,
                                  .severity = SEVERITY_NORMAL,
                                  .subject = col->url,
                                  .unit = rule_unit_name(site, (int)i),
                                  .column = col->name,
                                  .url = col->url,
                                  .detail = detail,
                                  .evidence = evidence,
                          },
                          ctx->userdata);
        }
}

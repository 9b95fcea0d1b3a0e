/* rules.d regular expressions on PCRE2; see regex.h. PCRE2's error codes are turned into
 * errno values here and nowhere else. */
#include <errno.h>
#include <stdio.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "common/util.h"
#include "rules/regex.h"

/* Backtracking steps and nesting allowed for one search: ample for the short patterns of
 * rules.d on a page's text, far too few for catastrophic backtracking to cost more than
 * milliseconds. */
#define MATCH_LIMIT 200000
#define DEPTH_LIMIT 5000
/* A rules.d pattern is a line or two. */
#define MAX_PATTERN 4096

struct rule_regex {
        pcre2_code *code;
        pcre2_match_context *mctx;
        char *pattern;
};

int rule_regex_compile(const char *pattern, struct rule_regex **ret, char **ret_error)
{
        struct rule_regex *re;
        PCRE2_SIZE offset = 0;
        int code = 0;

        if (strlen(pattern) > MAX_PATTERN) {
                *ret_error = xasprintf("longer than %d bytes", MAX_PATTERN);
                return -EINVAL;
        }
        re = xcalloc(1, sizeof(*re));
        re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                 PCRE2_UTF | PCRE2_UCP | PCRE2_NEVER_BACKSLASH_C, &code, &offset,
                                 NULL);
        if (!re->code) {
                PCRE2_UCHAR msg[256];
                if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
                        snprintf((char *)msg, sizeof(msg), "error %d", code);
                *ret_error = xasprintf("invalid regular expression at byte %zu: %s",
                                       (size_t)offset, (const char *)msg);
                free(re);
                return -EINVAL;
        }
        re->mctx = pcre2_match_context_create(NULL);
        if (!re->mctx)
                abort();
        pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
        pcre2_set_depth_limit(re->mctx, DEPTH_LIMIT);
        re->pattern = xstrdup(pattern);
        *ret = re;
        return 0;
}

void rule_regex_free(struct rule_regex *re)
{
        if (!re)
                return;
        pcre2_match_context_free(re->mctx);
        pcre2_code_free(re->code);
        free(re->pattern);
        free(re);
}

const char *rule_regex_pattern(const struct rule_regex *re)
{
        return re->pattern;
}

int rule_regex_search(const struct rule_regex *re, const char *s, size_t len, size_t *ret_start,
                      size_t *ret_end)
{
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
        int r;

        if (!md)
                abort();
        r = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, re->mctx);
        if (r >= 0) {
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
                if (ret_start)
                        *ret_start = ov[0];
                if (ret_end)
                        *ret_end = ov[1];
                r = 1;
        } else if (r == PCRE2_ERROR_NOMATCH) {
                r = 0;
        } else if (r == PCRE2_ERROR_MATCHLIMIT || r == PCRE2_ERROR_DEPTHLIMIT ||
                   r == PCRE2_ERROR_HEAPLIMIT) {
                r = -E2BIG;
        } else {
                r = -EINVAL;
        }
        pcre2_match_data_free(md);
        return r;
}

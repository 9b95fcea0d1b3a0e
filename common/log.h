/* Logging for the program's edges (cli, daemon). Libraries return errors; only the code
 * that decides what to do with an error logs it. Lines go to stderr, prefixed with the
 * syslog priority ("<3>") when stderr is the journal, so journald keeps the level. */
#pragma once

#include "common/util.h"

enum log_level {
        LOG_LEVEL_ERROR = 3,
        LOG_LEVEL_WARNING = 4,
        LOG_LEVEL_NOTICE = 5,
        LOG_LEVEL_INFO = 6,
        LOG_LEVEL_DEBUG = 7,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Detects JOURNAL_STREAM and switches to "<N>message" lines when it matches stderr. */
void log_setup(void);
void log_msg(enum log_level level, const char *fmt, ...) _printf_(2, 3);
/* A message about a site, a rule or a URL (each may be NULL). When stderr is the journal,
 * it is sent with sd_journal_send() as MESSAGE and PRIORITY with the fields XJ_SITE,
 * XJ_RULE and XJ_URL, so `journalctl XJ_SITE=demo` finds it; otherwise (or when the journal
 * refuses it) it is the same line log_msg() writes. */
void log_struct(enum log_level level, const char *site, const char *rule, const char *url,
                const char *fmt, ...) _printf_(5, 6);
/* True when log_setup() found stderr to be the journal. */
bool log_to_journal(void);

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

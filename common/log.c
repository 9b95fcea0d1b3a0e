/* stderr / journald logging; see log.h. */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

static enum log_level max_level = LOG_LEVEL_NOTICE;
static bool journal_prefix;

void log_set_level(enum log_level level)
{
        max_level = level;
}

enum log_level log_get_level(void)
{
        return max_level;
}

void log_setup(void)
{
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return;
        if (fstat(STDERR_FILENO, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
                journal_prefix = true;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
        va_list ap;

        if (level > max_level)
                return;
        if (journal_prefix)
                fprintf(stderr, "<%d>", (int)level);
        else
                fputs("xunjian: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

bool log_to_journal(void)
{
        return journal_prefix;
}

void log_struct(enum log_level level, const char *site, const char *rule, const char *url,
                const char *fmt, ...)
{
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        int r;

        if (level > max_level)
                return;
        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0) {
                msg = NULL;
                return;
        }
        if (journal_prefix) {
                /* Absent fields are left out rather than sent empty. */
                const char *f[3][2] = {{"XJ_SITE=%s", site}, {"XJ_RULE=%s", rule},
                                       {"XJ_URL=%s", url}};
                const char *fmts[3];
                const char *vals[3];
                size_t n = 0;

                for (size_t i = 0; i < 3; i++)
                        if (f[i][1]) {
                                fmts[n] = f[i][0];
                                vals[n++] = f[i][1];
                        }
                /* sd_journal_send() takes a NULL-terminated list; unused slots end it. */
                if (sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", (int)level,
                                    "SYSLOG_IDENTIFIER=xunjian", n > 0 ? fmts[0] : NULL,
                                    n > 0 ? vals[0] : NULL, n > 1 ? fmts[1] : NULL,
                                    n > 1 ? vals[1] : NULL, n > 2 ? fmts[2] : NULL,
                                    n > 2 ? vals[2] : NULL, NULL) >= 0)
                        return;
                fprintf(stderr, "<%d>%s\n", (int)level, msg);
                return;
        }
        fprintf(stderr, "xunjian: %s\n", msg);
}

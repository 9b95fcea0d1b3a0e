/* stderr / journald logging; see log.h. */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Benchmark of the dictionary matcher (rules/dict.c): compiles the entries of a file (one a
 * line), scans a text file with it and reports the throughput, the compiled size and the
 * match counts. Run by hand through bench/run_dict_bench.sh; docs/benchmarks.md has the
 * numbers.
 *
 * Usage: dict_bench ENTRIES TEXT [ROUNDS]
 *
 * Two counts are printed: every occurrence (overlapping ones included), and the count
 * `grep -o -F -f ENTRIES TEXT | wc -l` gives: leftmost-longest, non-overlapping matches
 * (at each position the longest entry that starts there; the next search starts where it
 * ended). */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "rules/dict.h"

struct counts {
        uint64_t all;
        uint64_t longest;       /* leftmost-longest, non-overlapping */
        size_t cand_start, cand_len;
        bool have_cand;
        size_t next_free;       /* where the last counted match ended */
};

static int on_match(uint32_t id, size_t start, size_t len, void *userdata)
{
        struct counts *c = userdata;

        c->all++;
        /* Matches come by start, then by length: the last one at a start is its longest. */
        if (c->have_cand && start == c->cand_start) {
                c->cand_len = len;
                return 0;
        }
        if (c->have_cand) {
                c->longest++;
                c->next_free = c->cand_start + c->cand_len;
                c->have_cand = false;
        }
        if (start >= c->next_free) {
                c->cand_start = start;
                c->cand_len = len;
                c->have_cand = true;
        }
        return 0;
}

static char *read_all(const char *path, size_t *ret_len)
{
        struct stat st;
        char *buf;
        size_t len = 0;
        int fd = open(path, O_RDONLY);

        if (fd < 0 || fstat(fd, &st) < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                exit(1);
        }
        buf = xmalloc((size_t)st.st_size + 1);
        while (len < (size_t)st.st_size) {
                ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);
                if (n <= 0) {
                        fprintf(stderr, "%s: read failed\n", path);
                        exit(1);
                }
                len += (size_t)n;
        }
        close(fd);
        buf[len] = '\0';
        *ret_len = len;
        return buf;
}

/* CPU time of this process: the machine is shared, and time spent waiting for a core is
 * not time the matcher needs. The wall time is printed too. */
static double seconds(clockid_t clock)
{
        struct timespec ts;

        clock_gettime(clock, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
        size_t entries_len, text_len, n_entries = 0;
        char *entries, *text, *line;
        struct dict *d;
        struct counts c = {0};
        double t0, w0, best = 1e9, best_wall = 1e9, compile_s;
        int rounds = argc > 3 ? atoi(argv[3]) : 3;
        int r;

        if (argc < 3) {
                fprintf(stderr, "usage: %s ENTRIES TEXT [ROUNDS]\n", argv[0]);
                return 2;
        }
        entries = read_all(argv[1], &entries_len);
        text = read_all(argv[2], &text_len);

        t0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
        d = dict_new();
        line = entries;
        while (line < entries + entries_len) {
                char *nl = memchr(line, '\n', (size_t)(entries + entries_len - line));
                size_t n = nl ? (size_t)(nl - line) : strlen(line);
                if (n > 0) {
                        r = dict_add(d, line, n, (uint32_t)n_entries);
                        if (r < 0) {
                                fprintf(stderr, "entry %zu: %s\n", n_entries + 1, strerror(-r));
                                return 1;
                        }
                        n_entries++;
                }
                line += n + 1;
        }
        r = dict_compile(d);
        if (r < 0) {
                fprintf(stderr, "compile: %s\n", strerror(-r));
                return 1;
        }
        compile_s = seconds(CLOCK_PROCESS_CPUTIME_ID) - t0;

        for (int i = 0; i < rounds; i++) {
                double dt;
                c = (struct counts){0};
                w0 = seconds(CLOCK_MONOTONIC);
                t0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
                dict_scan(d, text, text_len, on_match, &c);
                dt = seconds(CLOCK_PROCESS_CPUTIME_ID) - t0;
                if (dt < best)
                        best = dt;
                dt = seconds(CLOCK_MONOTONIC) - w0;
                if (dt < best_wall)
                        best_wall = dt;
        }
        if (c.have_cand)
                c.longest++;

        printf("entries            %zu (%zu distinct, %zu trie nodes)\n", n_entries,
               dict_words(d), dict_nodes(d));
        printf("compile            %.3f s\n", compile_s);
        printf("compiled memory    %zu bytes (%.2f MiB)\n", dict_memory(d),
               (double)dict_memory(d) / (1024.0 * 1024.0));
        printf("text               %zu bytes\n", text_len);
        printf("scan, CPU time (best of %d)   %.3f s = %.0f MB/s\n", rounds, best,
               (double)text_len / best / 1e6);
        printf("scan, wall time (best of %d)  %.3f s = %.0f MB/s\n", rounds, best_wall,
               (double)text_len / best_wall / 1e6);
        printf("matches, all       %llu\n", (unsigned long long)c.all);
        printf("matches, leftmost-longest non-overlapping (= grep -o -F -f | wc -l)  %llu\n",
               (unsigned long long)c.longest);
        dict_free(d);
        free(entries);
        free(text);
        return 0;
}

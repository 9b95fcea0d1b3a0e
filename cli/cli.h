/* The command line: global options, subcommands, output formats. Only main() lives
 * outside the library; everything here can be driven by tests in-process. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <uv.h>

#include "rules/checks.h"
#include "rules/config.h"
#include "store/store.h"

/* Exit codes (DESIGN.md): 0 success, 1 violations found, 2 bad usage or bad configuration,
 * 3 a runtime failure (the database or the event loop failed). */
enum {
        EXIT_CLEAN = 0,
        EXIT_FOUND = 1,
        EXIT_USAGE = 2,
        EXIT_RUNTIME = 3,
};

enum output_format {
        OUTPUT_TEXT = 0,
        OUTPUT_JSON,
        OUTPUT_CSV,
        OUTPUT_HTML,    /* reports and documents only */
};

struct cli {
        const char *config_dir;
        const char *db_path;
        int64_t now;
        enum output_format format;
        const char *site;               /* --site */
        int state;                      /* --state: enum violation_state, or -1 for all */
        bool quiet;
        bool no_resume;                 /* --no-resume: never continue an interrupted scan */
        FILE *out;                      /* stdout */
        /* tickets, ticket, notify (cli/tickets.c) */
        const char *state_arg;          /* --state as written ("closed" is a ticket state) */
        const char *dry_run;            /* --dry-run DIR */
        const char *reason;             /* --reason */
        const char *who;                /* --who */
        /* report, document, screen (cli/report.c) */
        const char *period;             /* --period */
        const char *out_path;           /* --out FILE|DIR */
        const char *kind;               /* --kind: quarterly|roll, or a ticket kind */
        /* ticket list, notify, document */
        const char *unit;               /* --unit */
        /* daemon, reload (daemon/daemon.c) */
        const char *runtime_dir;        /* --runtime-dir: where the control socket is */
        double clock_speed;             /* --clock-speed N: simulated seconds per second */
        bool warp;                      /* --warp: jump to the next due job when idle */
        int64_t until;                  /* --until: stop once the clock passes it; 0: never */
};

int cli_main(int argc, char **argv);

/* Loads cli->config_dir, printing every error to stderr; opens cli->db_path, logging the
 * error. Shared by the subcommands. */
int cli_load_config(struct cli *cli, struct rule_config **ret);
int cli_open_store(struct cli *cli, struct store **ret);

/* The loop of one command run in the foreground (scan, probe, media), on which SIGINT and
 * SIGTERM call on_signal(signum, userdata). cli_loop_close() closes the signal handles,
 * runs the loop until every handle has closed and closes it, warning (with what) when a
 * handle is left. */
struct cli_loop {
        uv_loop_t loop;
        uv_signal_t sigint, sigterm;
        void (*on_signal)(int signum, void *userdata);
        void *userdata;
};
void cli_loop_init(struct cli_loop *l, void (*on_signal)(int signum, void *userdata),
                   void *userdata);
void cli_loop_close(struct cli_loop *l, const char *what);

/* Subcommands. Each returns an exit code. */
int cli_scan(struct cli *cli, const struct rule_config *config, struct store *store);

/* One full scan of a site on the caller's loop (the daemon's, or the loop `xunjian scan`
 * makes per site): pages stored as they come, then the checks, the findings, the
 * reconciliation and the verdict; done(run, 0 or a negative errno, userdata) is called on
 * the loop once the scan has been recorded — -EINTR when scan_run_stop() cut it short (the
 * scan is then stored as interrupted, every page fetched so far kept). With print, the
 * scan's violations are written to cli->out. A failure to start is also reported through
 * done. The configuration, store, cli and site are borrowed and must outlive the run;
 * scan_run_free() (not from inside done) releases it: run the loop once more afterwards,
 * as handles close there. */
struct scan_run;
struct site_stats;
typedef void (*scan_done_fn)(struct scan_run *run, int result, void *userdata);
int scan_run_start(uv_loop_t *loop, struct cli *cli, const struct rule_config *config,
                   struct store *store, const struct rule_site *site, bool print,
                   scan_done_fn done, void *userdata, struct scan_run **ret);
/* The daily check of a site's homepage links (DOMAIN.md 链接不可用: every link, image and
 * attachment on the homepage daily, the whole site once per cycle), for a site whose full
 * scan is weekly: a scan of kind "links" that fetches the homepage, checks each of its links
 * and reports dead_link only; it fixes only dead links found on the homepage. The same
 * lifetime as scan_run_start(), without print. */
int scan_run_start_homepage(uv_loop_t *loop, struct cli *cli, const struct rule_config *config,
                            struct store *store, const struct rule_site *site,
                            scan_done_fn done, void *userdata, struct scan_run **ret);
/* Stops taking new pages; the fetches in flight finish (each within the HTTP timeout) and
 * done follows. Accepts NULL. */
void scan_run_stop(struct scan_run *run);
void scan_run_free(struct scan_run *run);
/* Open violations the concluded scan found; the crawl's numbers (NULL before the crawl
 * began); the scan's id. */
size_t scan_run_found(const struct scan_run *run);
const struct site_stats *scan_run_stats(const struct scan_run *run);
int64_t scan_run_id(const struct scan_run *run);
/* The 三单 chain and the nightly email (cli/tickets.c): `tickets`, `ticket list|show|accept|
 * reopen` (args are what follows "ticket") and `notify`. */
int cli_tickets(struct cli *cli);
int cli_ticket(struct cli *cli, int argc, char **argv);
int cli_notify(struct cli *cli);

/* ---- availability probes (probe.c) and site verdicts (verdict.c) --------------------- */

int cli_probe(struct cli *cli, const struct rule_config *config, struct store *store);

/* One probe of a site's homepage and the judgement of its window. */
struct probe_result {
        bool ok;
        long status;
        const char *failure;            /* NULL when ok */
        const char *error;
        double seconds;
        struct rule_availability window;        /* the stored probes of the window */
        enum rule_availability_state state;
};

/* One probe of each site's homepage on the caller's loop (the daemon calls it from a
 * timer). Each site gets a probe scan; each answer is stored as it comes; once all have
 * answered, each site's window is judged, its finding stored and the probe scan
 * reconciled, and done(run, 0 or a negative errno, userdata) is called on the loop. The
 * configuration, store, cli and sites are borrowed and must outlive the run; free it with
 * probe_run_free() (not from inside done), which marks unfinished probe scans interrupted
 * and cancels what is in flight — then run the loop once more to release the engine. */
struct probe_run;
typedef void (*probe_done_fn)(struct probe_run *run, int result, void *userdata);
int probe_run_start(uv_loop_t *loop, struct cli *cli, const struct rule_config *config,
                    struct store *store, const struct rule_site *const *sites, size_t n,
                    probe_done_fn done, void *userdata, struct probe_run **ret);
void probe_run_free(struct probe_run *run);
size_t probe_run_count(const struct probe_run *run);
/* The result for the i-th site (NULL when it has none yet); *ret_site is the site. */
const struct probe_result *probe_run_result(const struct probe_run *run, size_t i,
                                            const struct rule_site **ret_site);

int cli_verdict(struct cli *cli, const struct rule_config *config, struct store *store);
/* Makes, stores and returns the verdict of one crawl scan of site, judged at time at (the
 * probe window ends there). The store's error is logged. Returns 0 or a negative errno;
 * *ret (may be NULL) receives whether the site qualified. */
int cli_verdict_make(struct cli *cli, const struct rule_config *config, struct store *store,
                     const struct rule_site *site, int64_t scan_id, int64_t at, bool *ret);

/* Reports and documents (cli/report.c): the 通报 or the key-column roll of a period, a
 * printable 单, the big-screen page. args are the words after the subcommand. */
int cli_report(struct cli *cli, int argc, char **argv);
int cli_document(struct cli *cli, int argc, char **argv);
int cli_screen(struct cli *cli, int argc, char **argv);

/* Writes violations in the chosen format. output_begin writes the CSV header. */
void output_begin(const struct cli *cli);
void output_violation(const struct cli *cli, const struct store_violation *v);

/* The new-media check (政务新媒体): fetch each ledger account's feed and each site's
 * new-media page (政务新媒体矩阵) on one libuv loop and judge them (rules/check_accounts.c).
 * The core (media_check_*) knows nothing of the store, so the daemon can run it on its own
 * loop for one account at a time; cli_media() is `xunjian media`, which records the results
 * as a scan of the scope "media".
 *
 * Lifetime: media_check_new() on a loop and an HTTP engine the caller owns;
 * media_check_free() cancels pending retries and closes the retry timers, whose memory is
 * released in their close callbacks, so the caller runs the loop once more before
 * uv_loop_close(). Transfers in flight point into the check: free the HTTP engine (which
 * cancels them without calling back) before the loop runs again. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "cli/cli.h"
#include "crawler/http.h"
#include "rules/checks.h"

struct media_check;

struct media_plan {
        const struct rule_config *config;       /* borrowed; outlives the check */
        int64_t now;
        const char *site;       /* only this site's new-media page (id or name); NULL: all */
        const char *account;    /* only this account (id); NULL: every ledger account */
        int retry_delay_ms;     /* before the first retry; doubled for each further one */
};

/* Called on the loop thread; strings and observations are valid during the call only. */
struct media_callbacks {
        /* A finding (of any account or page). */
        void (*on_finding)(const struct store_finding *f, void *userdata);
        /* An account judged: status "ok" or the rule id, and the sentence for the ledger. */
        void (*on_account)(const struct account_observation *o, const char *status,
                           const char *detail, void *userdata);
        /* An account that could not be judged this time: no feed in the ledger (error
         * NULL), or a transient failure on every attempt (timeouts, refused, 5xx). */
        void (*on_unchecked)(const struct rule_account *a, const char *error, void *userdata);
        /* A site's new-media page that could not be read (error names the URL). */
        void (*on_page_failed)(const struct rule_site *site, const char *error, void *userdata);
        /* Everything has been judged or given up on. */
        void (*on_done)(void *userdata);
        void *userdata;
};

/* Plans the check. Returns 0, or -ENOENT when plan->site or plan->account names nothing. */
int media_check_new(uv_loop_t *loop, struct http_engine *http, const struct media_plan *plan,
                    const struct media_callbacks *cb, struct media_check **ret);
/* Starts every fetch. on_done is called (from the loop) even when there is nothing to do. */
int media_check_start(struct media_check *m);
/* Accepts NULL. See the lifetime note above. */
void media_check_free(struct media_check *m);

/* The check as a run of the scope "media" on the caller's loop (the daemon's job, and
 * `xunjian media`): it records the accounts' checks and findings, reconciles a complete
 * run, and calls done from the loop once recorded — -EINTR when media_run_stop() cut it
 * short. print writes its violations to cli->out. media_run_free() (not from inside done)
 * releases it; run the loop once more afterwards. -errno when it could not start. */
struct media_run;
typedef void (*media_done_fn)(struct media_run *run, int result, void *userdata);
int media_run_start(uv_loop_t *loop, struct cli *cli, const struct rule_config *config,
                    struct store *store, bool print, media_done_fn done, void *userdata,
                    struct media_run **ret);
/* Asks the run to stop: what is in flight finishes, nothing is reconciled. */
void media_run_stop(struct media_run *run);
void media_run_free(struct media_run *run);

/* `xunjian media [--site ID]`: returns an exit code. */
int cli_media(struct cli *cli, const struct rule_config *config, struct store *store);

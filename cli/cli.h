/* The command line: global options, subcommands, output formats. Only main() lives
 * outside the library; everything here can be driven by tests in-process. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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
};

struct cli {
        const char *config_dir;
        const char *db_path;
        int64_t now;
        enum output_format format;
        const char *site;               /* --site */
        int state;                      /* --state: enum violation_state, or -1 for all */
        bool quiet;
        FILE *out;                      /* stdout */
        /* tickets, ticket, notify (cli/tickets.c) */
        const char *state_arg;          /* --state as written ("closed" is a ticket state) */
        const char *unit;               /* --unit */
        const char *dry_run;            /* --dry-run DIR */
        const char *reason;             /* --reason */
        const char *who;                /* --who */
};

int cli_main(int argc, char **argv);

/* Subcommands. Each returns an exit code. */
int cli_scan(struct cli *cli, const struct rule_config *config, struct store *store);
/* Loads rules.d (printing its errors) and opens the database (logging why it could not),
 * as every subcommand does; negative errno on failure. */
int cli_load_config(struct cli *cli, struct rule_config **ret);
int cli_open_store(struct cli *cli, struct store **ret);
/* The 三单 chain and the nightly email (cli/tickets.c): `tickets`, `ticket list|show|accept|
 * reopen` (args are what follows "ticket") and `notify`. */
int cli_tickets(struct cli *cli);
int cli_ticket(struct cli *cli, int argc, char **argv);
int cli_notify(struct cli *cli);

/* Writes violations in the chosen format. output_begin writes the CSV header. */
void output_begin(const struct cli *cli);
void output_violation(const struct cli *cli, const struct store_violation *v);

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
        FILE *out;                      /* stdout */
        /* report, document, screen (cli/report.c) */
        const char *period;             /* --period */
        const char *out_path;           /* --out FILE|DIR */
        const char *kind;               /* --kind: quarterly|roll, or a ticket kind */
        const char *unit;               /* --unit */
};

int cli_main(int argc, char **argv);

/* Loads cli->config_dir, printing every error to stderr; opens cli->db_path, logging the
 * error. Shared by the subcommands. */
int cli_load_config(struct cli *cli, struct rule_config **ret);
int cli_open_store(struct cli *cli, struct store **ret);

/* Subcommands. Each returns an exit code. */
int cli_scan(struct cli *cli, const struct rule_config *config, struct store *store);

/* Reports and documents (cli/report.c): the 通报 or the key-column roll of a period, a
 * printable 单, the big-screen page. args are the words after the subcommand. */
int cli_report(struct cli *cli, int argc, char **argv);
int cli_document(struct cli *cli, int argc, char **argv);
int cli_screen(struct cli *cli, int argc, char **argv);

/* Writes violations in the chosen format. output_begin writes the CSV header. */
void output_begin(const struct cli *cli);
void output_violation(const struct cli *cli, const struct store_violation *v);

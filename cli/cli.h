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
        bool no_resume;                 /* --no-resume: never continue an interrupted scan */
        FILE *out;                      /* stdout */
};

int cli_main(int argc, char **argv);

/* Subcommands. Each returns an exit code. */
int cli_scan(struct cli *cli, const struct rule_config *config, struct store *store);

/* Writes violations in the chosen format. output_begin writes the CSV header. */
void output_begin(const struct cli *cli);
void output_violation(const struct cli *cli, const struct store_violation *v);

/* Writing JSON and CSV values into a buffer: the findings leave the program in both. */
#pragma once

#include "common/buf.h"

/* Appends s as a JSON string literal (quotes included); NULL becomes null. Control
 * characters are escaped; UTF-8 passes through. */
int json_append_string(struct buf *b, const char *s);

/* Appends s as one CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF,
 * with quotes doubled. A field that a spreadsheet would take as a formula (=, +, -, @)
 * is prefixed with a quote character, so opening the report cannot run anything. */
int csv_append_field(struct buf *b, const char *s);

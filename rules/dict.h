/* The 错敏字 matcher: finds every occurrence of a set of literal words (UTF-8 byte strings)
 * in a text in one pass. Independent of rules.d, so that it can be tested and benchmarked
 * alone; the dictionary check (check_dictionary.c) feeds it the configured entries.
 *
 * How it works (docs/architecture.md): the words form a byte trie whose children are
 * stored contiguously and sorted. A word of six bytes or more (every word of two or more
 * Chinese characters) is found through its first six bytes: a bitmap filter small enough
 * to stay in the CPU cache, then a hash table from the six bytes to the trie node at depth
 * six, from which the trie is walked along the text. Shorter words are walked from the
 * root, only at positions whose first byte starts one. A position inside a multi-byte
 * character is never the start of a match.
 *
 * Ownership: dict_new() returns a builder; dict_add() copies the word; dict_compile()
 * builds the automaton once; dict_free() frees everything. A compiled dict is read-only
 * and may be scanned from several threads at once. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Longest word, in bytes: an entry is a term or a phrase, not a paragraph, and the cap
 * bounds the work done at each position of a hostile text. */
#define DICT_WORD_MAX 255
/* Words that may be added to one dict. */
#define DICT_WORDS_MAX (1u << 22)

struct dict;

/* Returns a new, empty builder (never NULL: allocation failure aborts). */
struct dict *dict_new(void);

/* Adds a word (len bytes, valid UTF-8 without NUL, 1 to DICT_WORD_MAX bytes) reported with
 * id. The same word may be added more than once with different ids (up to 255 times): each
 * id is reported. Returns 0, -EINVAL (empty, too long, invalid UTF-8, NUL), -E2BIG (too
 * many words) or -EBUSY (already compiled). */
int dict_add(struct dict *d, const char *word, size_t len, uint32_t id);

/* Builds the automaton from the words added. Returns 0, -EBUSY when already compiled, or
 * -E2BIG when a word was added more than 255 times. */
int dict_compile(struct dict *d);

/* Called for every occurrence, in order of start offset and, at one start, of length;
 * start and len are byte offsets into the text. A non-zero return stops the scan, and
 * dict_scan() returns that value. */
typedef int (*dict_match_fn)(uint32_t id, size_t start, size_t len, void *userdata);

/* Finds every occurrence (overlapping ones included) of every word in text[0..len). The
 * text need not be NUL-terminated nor valid UTF-8: an invalid byte never starts a match
 * but does not stop the scan. Returns 0, the callback's non-zero value, or -EINVAL when
 * the dict is not compiled. */
int dict_scan(const struct dict *d, const char *text, size_t len, dict_match_fn fn,
              void *userdata);

/* Bytes of memory held by the compiled automaton (the builder's copies of the words are
 * released by dict_compile()). */
size_t dict_memory(const struct dict *d);

/* Number of distinct words and of trie nodes, for the benchmark and the tests. */
size_t dict_words(const struct dict *d);
size_t dict_nodes(const struct dict *d);

/* Accepts NULL. */
void dict_free(struct dict *d);

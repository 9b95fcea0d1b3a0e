/* The literal matcher of the dictionary check: a sorted byte trie entered through a
 * six-byte prefix filter; see dict.h for the design and docs/benchmarks.md for its speed. */
#include "rules/dict.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "common/util.h"

/* Every word of at least KEY_LEN bytes is entered through its first KEY_LEN bytes: six
 * bytes are two Chinese characters, the shortest entry that makes sense in a dictionary
 * of wrong words, and a pair of characters is selective enough that ordinary prose rarely
 * gets past the filter. */
#define KEY_LEN 6
/* The filter in front of the hash table is keyed on the whole word for words of two and
 * three Chinese characters (6 to 11 bytes) and on the first four characters (12 bytes) of
 * longer words. Many wrong words are a right word with one character changed, so their
 * first two characters are common in prose: on government text a filter on two characters
 * lets one position in three through, this one about one in a hundred. */
#define MID_LEN 9
#define LONG_LEN 12
/* The main loop reads this many bytes at each position. */
#define LOAD_LEN LONG_LEN
#define NO_OUTPUT UINT32_MAX
#define HASH_MUL 0x9e3779b97f4a7c15ull

struct dict_node {
        uint32_t first;         /* index of the first child; children are contiguous */
        uint32_t out;           /* index of the first id in outputs, or NO_OUTPUT */
        uint16_t n_children;    /* sorted by the byte on their edge */
        uint8_t n_out;          /* ids of the word that ends here */
};

struct word {
        char *s;
        uint32_t len;
        uint32_t id;
};

struct slot {
        uint64_t key;           /* 0: empty (a word holds no NUL, so no key is 0) */
        uint32_t node;
};

struct dict {
        bool compiled;
        /* builder */
        struct word *words;
        size_t n_words, cap_words;
        /* automaton */
        struct dict_node *nodes;
        /* The byte on the edge into each node, apart from the nodes so that the edges out
         * of a node are contiguous bytes: finding a child is one memchr(). */
        uint8_t *labels;
        size_t n_nodes, cap_nodes;
        uint32_t *outputs;
        size_t n_outputs;
        size_t n_distinct;
        struct slot *slots;
        uint64_t slot_mask;
        int slot_shift;
        /* Bitmaps of hashes: filter[0] of the words of KEY_LEN to MID_LEN - 1 bytes,
         * filter[1] of those of MID_LEN to LONG_LEN - 1 bytes, filter[2] of the first
         * LONG_LEN bytes of longer words. */
        uint64_t *filter[3];
        int filter_shift[3];
        size_t filter_words[3];
        /* In front of them, a smaller one of the first KEY_LEN bytes of every word of at
         * least KEY_LEN bytes, sized to stay in the first-level cache: two thirds of the
         * positions of ordinary prose stop at it. */
        uint64_t *gate;
        int gate_shift;
        size_t gate_words;
        bool short_first[256];  /* a word shorter than KEY_LEN starts with this byte */
        bool has_short;
};

static inline uint64_t key_load(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        uint64_t v;
        memcpy(&v, p, sizeof(v));
        return v & 0xffffffffffffull;
#else
        uint64_t v = 0;
        for (int i = 0; i < KEY_LEN; i++)
                v |= (uint64_t)p[i] << (8 * i);
        return v;
#endif
}

static inline uint64_t key_hash(uint64_t key)
{
        return key * HASH_MUL;
}

static inline uint64_t load64(const unsigned char *p)
{
        uint64_t v;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(&v, p, sizeof(v));
#else
        v = 0;
        for (int i = 0; i < 8; i++)
                v |= (uint64_t)p[i] << (8 * i);
#endif
        return v;
}

/* The hashes of the first MID_LEN and LONG_LEN bytes at p, from the hash of its first
 * eight bytes. */
static inline uint64_t mid_hash(const unsigned char *p, uint64_t h8)
{
        return h8 ^ (((uint64_t)p[8] + 1) * 0xc2b2ae3d27d4eb4full);
}

static inline uint64_t long_hash(const unsigned char *p, uint64_t h8)
{
        uint64_t tail = (uint64_t)p[8] | (uint64_t)p[9] << 8 | (uint64_t)p[10] << 16 |
                        (uint64_t)p[11] << 24;
        return h8 ^ ((tail + 0x100000000ull) * 0xc2b2ae3d27d4eb4full);
}

/* Which filter a word of len bytes (at least KEY_LEN) is in, and its hash there. */
static inline int filter_of(size_t len)
{
        return len < MID_LEN ? 0 : len < LONG_LEN ? 1 : 2;
}

static inline uint64_t filter_hash(const unsigned char *p, int which)
{
        uint64_t h8 = load64(p) * HASH_MUL;

        if (which == 0)
                return key_hash(key_load(p));
        return which == 1 ? mid_hash(p, h8) : long_hash(p, h8);
}

/* Each filter is a blocked Bloom filter: the top bits of the hash choose a 64-bit word,
 * and two bits of it, taken from the middle of the hash, must both be set. One memory read
 * per filter, and about a tenth of the false positives of a single bit. */
static inline uint64_t filter_mask(uint64_t h)
{
        return (uint64_t)1 << ((h >> 20) & 63) | (uint64_t)1 << ((h >> 26) & 63);
}

static inline void filter_set(uint64_t *filter, int shift, uint64_t h)
{
        filter[h >> shift] |= filter_mask(h);
}

static inline bool filter_has(const uint64_t *filter, int shift, uint64_t h)
{
        uint64_t m = filter_mask(h);

        return (filter[h >> shift] & m) == m;
}

struct dict *dict_new(void)
{
        return xcalloc(1, sizeof(struct dict));
}

int dict_add(struct dict *d, const char *word, size_t len, uint32_t id)
{
        char *copy;

        if (d->compiled)
                return -EBUSY;
        if (len == 0 || len > DICT_WORD_MAX || memchr(word, '\0', len) || !utf8_valid(word, len))
                return -EINVAL;
        if (d->n_words >= DICT_WORDS_MAX)
                return -E2BIG;
        if (d->n_words == d->cap_words) {
                d->cap_words = d->cap_words ? d->cap_words * 2 : 64;
                d->words = xreallocarray(d->words, d->cap_words, sizeof(*d->words));
        }
        /* Padded with zeros, so that hashing a prefix may read LOAD_LEN bytes. */
        copy = xcalloc(1, len + LOAD_LEN + 1);
        memcpy(copy, word, len);
        d->words[d->n_words++] = (struct word){copy, (uint32_t)len, id};
        return 0;
}

static int cmp_words(const void *a, const void *b)
{
        const struct word *x = a, *y = b;
        size_t n = x->len < y->len ? x->len : y->len;
        int c = memcmp(x->s, y->s, n);

        if (c)
                return c;
        if (x->len != y->len)
                return x->len < y->len ? -1 : 1;
        /* Equal words keep the order of their ids, so that scans report them stably. */
        return x->id < y->id ? -1 : x->id > y->id;
}

static uint32_t node_alloc(struct dict *d, size_t n)
{
        size_t first = d->n_nodes;

        if (d->n_nodes + n > d->cap_nodes) {
                while (d->n_nodes + n > d->cap_nodes)
                        d->cap_nodes = d->cap_nodes ? d->cap_nodes * 2 : 1024;
                d->nodes = xreallocarray(d->nodes, d->cap_nodes, sizeof(*d->nodes));
                d->labels = xrealloc(d->labels, d->cap_nodes);
        }
        memset(&d->nodes[first], 0, n * sizeof(*d->nodes));
        memset(&d->labels[first], 0, n);
        for (size_t i = first; i < first + n; i++)
                d->nodes[i].out = NO_OUTPUT;
        d->n_nodes += n;
        return (uint32_t)first;
}

static void slot_put(struct dict *d, uint64_t key, uint32_t node)
{
        uint64_t i = key_hash(key) >> d->slot_shift;

        while (d->slots[i].key)
                i = (i + 1) & d->slot_mask;
        d->slots[i] = (struct slot){key, node};
}

/* Builds the subtree of node, which words[lo..hi) all reach: they share their first depth
 * bytes and are sorted, so the words ending here come first and each child's words are a
 * contiguous run. Recursion is at most DICT_WORD_MAX deep. */
static int build(struct dict *d, size_t lo, size_t hi, uint32_t depth, uint32_t node)
{
        size_t i = lo, n_groups = 0;
        uint32_t first;
        int r;

        if (i < hi && d->words[i].len == depth) {
                size_t n = 0;
                d->nodes[node].out = (uint32_t)d->n_outputs;
                while (i < hi && d->words[i].len == depth) {
                        if (++n > UINT8_MAX)
                                return -E2BIG;
                        d->outputs[d->n_outputs++] = d->words[i].id;
                        i++;
                }
                d->nodes[node].n_out = (uint8_t)n;
                d->n_distinct++;
                if (depth >= KEY_LEN && depth < LONG_LEN) {
                        int f = filter_of(depth);
                        filter_set(d->filter[f], d->filter_shift[f],
                                   filter_hash((const unsigned char *)d->words[lo].s, f));
                }
                if (depth < KEY_LEN) {
                        d->short_first[(unsigned char)d->words[lo].s[0]] = true;
                        d->has_short = true;
                }
        }
        if (depth == KEY_LEN) {
                uint64_t key = key_load((const unsigned char *)d->words[lo].s);
                slot_put(d, key, node);
                filter_set(d->gate, d->gate_shift, key_hash(key));
        }
        if (depth == LONG_LEN)
                filter_set(d->filter[2], d->filter_shift[2],
                           filter_hash((const unsigned char *)d->words[lo].s, 2));
        if (i == hi)
                return 0;

        for (size_t j = i; j < hi; n_groups++) {
                unsigned char b = (unsigned char)d->words[j].s[depth];
                while (j < hi && (unsigned char)d->words[j].s[depth] == b)
                        j++;
        }
        first = node_alloc(d, n_groups);
        d->nodes[node].first = first;
        d->nodes[node].n_children = (uint16_t)n_groups;
        for (size_t g = 0, j = i; g < n_groups; g++) {
                unsigned char b = (unsigned char)d->words[j].s[depth];
                size_t start = j;
                while (j < hi && (unsigned char)d->words[j].s[depth] == b)
                        j++;
                d->labels[first + g] = b;
                r = build(d, start, j, depth + 1, first + (uint32_t)g);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int ceil_log2(size_t n)
{
        int b = 0;

        while (((size_t)1 << b) < n)
                b++;
        return b;
}

int dict_compile(struct dict *d)
{
        size_t n_keys = 0, n_sorted, n_filter[3] = {0};
        int bits, r;

        if (d->compiled)
                return -EBUSY;
        if (d->n_words)
                qsort(d->words, d->n_words, sizeof(*d->words), cmp_words);

        /* Distinct six-byte prefixes, counted on the sorted words: the size of the hash. */
        for (size_t i = 0; i < d->n_words; i++)
                if (d->words[i].len >= KEY_LEN &&
                    (n_keys == 0 || d->words[i - 1].len < KEY_LEN ||
                     memcmp(d->words[i - 1].s, d->words[i].s, KEY_LEN) != 0))
                        n_keys++;
        /* Duplicate (word, id) pairs add nothing. */
        n_sorted = 0;
        for (size_t i = 0; i < d->n_words; i++) {
                if (n_sorted && cmp_words(&d->words[n_sorted - 1], &d->words[i]) == 0) {
                        free(d->words[i].s);
                        continue;
                }
                d->words[n_sorted++] = d->words[i];
        }
        d->n_words = n_sorted;

        bits = ceil_log2(n_keys * 2 + 2);
        if (bits < 4)
                bits = 4;
        d->slot_shift = 64 - bits;
        d->slot_mask = ((uint64_t)1 << bits) - 1;
        d->slots = xcalloc((size_t)1 << bits, sizeof(*d->slots));
        /* About 32 bits per word keeps each filter's false positives below 1 %, while
         * 20,000 words still fit in 128 KiB. */
        for (size_t i = 0; i < d->n_words; i++)
                if (d->words[i].len >= KEY_LEN)
                        n_filter[filter_of(d->words[i].len)]++;
        for (int f = 0; f < 3; f++) {
                /* bits counts 64-bit words here: two to the bits of them. */
                bits = ceil_log2((n_filter[f] * 32 + 63) / 64 + 1);
                if (bits < 6)
                        bits = 6;
                if (bits > 20)
                        bits = 20;
                d->filter_shift[f] = 64 - bits;
                d->filter_words[f] = (size_t)1 << bits;
                d->filter[f] = xcalloc(d->filter_words[f], sizeof(*d->filter[f]));
        }

        /* 16 bits per prefix: 20,000 words still fit the gate in 32 KiB. */
        bits = ceil_log2((n_keys * 16 + 63) / 64 + 1);
        if (bits < 6)
                bits = 6;
        if (bits > 20)
                bits = 20;
        d->gate_shift = 64 - bits;
        d->gate_words = (size_t)1 << bits;
        d->gate = xcalloc(d->gate_words, sizeof(*d->gate));

        d->outputs = xcalloc(d->n_words ? d->n_words : 1, sizeof(*d->outputs));
        node_alloc(d, 1);
        r = build(d, 0, d->n_words, 0, 0);
        if (r < 0)
                return r;

        for (size_t i = 0; i < d->n_words; i++)
                free(d->words[i].s);
        free(d->words);
        d->words = NULL;
        d->n_words = d->cap_words = 0;
        d->nodes = xreallocarray(d->nodes, d->n_nodes, sizeof(*d->nodes));
        d->labels = xrealloc(d->labels, d->n_nodes);
        d->cap_nodes = d->n_nodes;
        d->compiled = true;
        return 0;
}

static inline uint32_t child(const struct dict *d, const struct dict_node *n, unsigned char b)
{
        const uint8_t *at = memchr(d->labels + n->first, b, n->n_children);

        /* 0 is the root, nobody's child. */
        return at ? (uint32_t)(at - d->labels) : 0;
}

static inline int emit(const struct dict *d, const struct dict_node *n, size_t start,
                       size_t len, dict_match_fn fn, void *userdata)
{
        for (uint32_t k = 0; k < n->n_out; k++) {
                int r = fn(d->outputs[n->out + k], start, len, userdata);
                if (r)
                        return r;
        }
        return 0;
}

/* Walks the trie from node (at depth) along text[start + depth..end), reporting the words
 * that end on the way whose length is between min_len and max_len. */
static int walk(const struct dict *d, uint32_t node, size_t depth, const unsigned char *text,
                size_t start, size_t end, size_t min_len, size_t max_len, dict_match_fn fn,
                void *userdata)
{
        int r;

        for (;;) {
                const struct dict_node *n = &d->nodes[node];
                if (n->n_out && depth >= min_len) {
                        r = emit(d, n, start, depth, fn, userdata);
                        if (r)
                                return r;
                }
                if (depth >= max_len || start + depth >= end || !n->n_children)
                        return 0;
                node = child(d, n, text[start + depth]);
                if (!node)
                        return 0;
                depth++;
        }
}

int dict_scan(const struct dict *d, const char *text, size_t len, dict_match_fn fn,
              void *userdata)
{
        const unsigned char *p = (const unsigned char *)text;
        size_t i = 0;
        int r;

        if (!d->compiled)
                return -EINVAL;
        if (d->n_nodes <= 1)
                return 0;

        /* The hot fields in locals: the callback may write any memory, so the compiler
         * would otherwise reload them at every position. */
        const uint64_t *gate = d->gate;
        const int gate_shift = d->gate_shift;
        const bool has_short = d->has_short;

        while (i + LOAD_LEN <= len) {
                unsigned char c = p[i];
                size_t step = 1;
                uint64_t key, h, h8;

                /* Step over a whole character when its continuation bytes are there: no
                 * word starts inside one. Anything else moves one byte, so that invalid
                 * UTF-8 cannot hide the start of a word. */
                if (c >= 0xe0 && c < 0xf0 && (p[i + 1] & 0xc0) == 0x80 &&
                    (p[i + 2] & 0xc0) == 0x80)
                        step = 3;
                else if ((c & 0xc0) == 0x80) {
                        i++;
                        continue;
                }
                if (has_short && d->short_first[c]) {
                        r = walk(d, 0, 0, p, i, len, 1, KEY_LEN - 1, fn, userdata);
                        if (r)
                                return r;
                }
                key = key_load(p + i);
                h = key_hash(key);
                if (!filter_has(gate, gate_shift, h)) {
                        i += step;
                        continue;
                }
                h8 = load64(p + i) * HASH_MUL;
                /* All three bits are read, without branches between them. */
                if (filter_has(d->filter[0], d->filter_shift[0], h) |
                    filter_has(d->filter[1], d->filter_shift[1], mid_hash(p + i, h8)) |
                    filter_has(d->filter[2], d->filter_shift[2], long_hash(p + i, h8))) {
                        for (uint64_t s = h >> d->slot_shift; d->slots[s].key;
                             s = (s + 1) & d->slot_mask)
                                if (d->slots[s].key == key) {
                                        r = walk(d, d->slots[s].node, KEY_LEN, p, i, len,
                                                 KEY_LEN, DICT_WORD_MAX, fn, userdata);
                                        if (r)
                                                return r;
                                        break;
                                }
                }
                i += step;
        }
        /* The last few positions cannot load eight bytes: walk the trie from the root. */
        for (; i < len; i++) {
                if ((p[i] & 0xc0) == 0x80)
                        continue;
                r = walk(d, 0, 0, p, i, len, 1, DICT_WORD_MAX, fn, userdata);
                if (r)
                        return r;
        }
        return 0;
}

size_t dict_memory(const struct dict *d)
{
        return sizeof(*d) + d->n_nodes * (sizeof(*d->nodes) + sizeof(*d->labels)) + d->n_outputs * sizeof(*d->outputs) +
               (d->slot_mask + 1) * sizeof(*d->slots) * (d->slots != NULL) +
               (d->filter_words[0] + d->filter_words[1] + d->filter_words[2] + d->gate_words) *
                   sizeof(uint64_t);
}

size_t dict_words(const struct dict *d)
{
        return d->compiled ? d->n_distinct : d->n_words;
}

size_t dict_nodes(const struct dict *d)
{
        return d->n_nodes;
}

void dict_free(struct dict *d)
{
        if (!d)
                return;
        for (size_t i = 0; i < d->n_words; i++)
                free(d->words[i].s);
        free(d->words);
        free(d->nodes);
        free(d->labels);
        free(d->outputs);
        free(d->slots);
        for (int f = 0; f < 3; f++)
                free(d->filter[f]);
        free(d->gate);
        free(d);
}

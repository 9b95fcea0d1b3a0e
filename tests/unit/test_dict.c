/* Tests for the dictionary matcher (rules/dict.c): positions, overlapping and duplicate
 * words, words of every length around the filter's key lengths, the end of the text,
 * UTF-8 boundaries and invalid bytes, and a large random text checked against a naive
 * search. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "rules/dict.h"

struct hit {
        uint32_t id;
        size_t start, len;
};

struct hits {
        struct hit *v;
        size_t n, cap;
        size_t stop_after;      /* 0: never stop */
};

static int collect(uint32_t id, size_t start, size_t len, void *userdata)
{
        struct hits *h = userdata;

        if (h->n == h->cap) {
                h->cap = h->cap ? h->cap * 2 : 64;
                h->v = xreallocarray(h->v, h->cap, sizeof(*h->v));
        }
        h->v[h->n++] = (struct hit){id, start, len};
        if (h->stop_after && h->n == h->stop_after)
                return 42;
        return 0;
}

static struct dict *make(const char *const *words, size_t n)
{
        struct dict *d = dict_new();

        for (size_t i = 0; i < n; i++)
                assert_int_equal(dict_add(d, words[i], strlen(words[i]), (uint32_t)i), 0);
        assert_int_equal(dict_compile(d), 0);
        return d;
}

static void scan(const struct dict *d, const char *text, struct hits *h)
{
        h->n = 0;
        assert_int_equal(dict_scan(d, text, strlen(text), collect, h), 0);
}

static void test_positions(void **state)
{
        static const char *const words[] = {"整治站位", "攻府", "领导小姐", "abc"};
        const char *text = "要提高整治站位，市攻府领导小姐。abc";
        struct dict *d = make(words, ARRAY_SIZE(words));
        struct hits h = {0};

        scan(d, text, &h);
        assert_int_equal(h.n, 4);
        assert_int_equal(h.v[0].id, 0);
        assert_int_equal(h.v[0].start, strlen("要提高"));
        assert_int_equal(h.v[0].len, strlen("整治站位"));
        assert_int_equal(h.v[1].id, 1);
        assert_int_equal(h.v[1].start, strlen("要提高整治站位，市"));
        assert_int_equal(h.v[2].id, 2);
        assert_int_equal(h.v[3].id, 3);
        assert_int_equal(h.v[3].start, strlen(text) - 3);

        /* Nothing in a text without the words, or in an empty one. */
        scan(d, "要提高政治站位，市政府领导小组。ab", &h);
        assert_int_equal(h.n, 0);
        scan(d, "", &h);
        assert_int_equal(h.n, 0);
        free(h.v);
        dict_free(d);
}

static void test_overlapping(void **state)
{
        static const char *const words[] = {"中华人民共合国", "人民", "共合国", "中华", "华人"};
        struct dict *d = make(words, ARRAY_SIZE(words));
        struct hits h = {0};

        scan(d, "中华人民共合国", &h);
        /* By start, then by length. */
        assert_int_equal(h.n, 5);
        assert_int_equal(h.v[0].id, 3); /* 中华 at 0 */
        assert_int_equal(h.v[1].id, 0); /* 中华人民共合国 at 0 */
        assert_int_equal(h.v[2].id, 4); /* 华人 at 3 */
        assert_int_equal(h.v[2].start, 3);
        assert_int_equal(h.v[3].id, 1); /* 人民 at 6 */
        assert_int_equal(h.v[4].id, 2); /* 共合国 at 12 */
        assert_int_equal(h.v[4].start, 12);

        /* Repeated words are each found. */
        scan(d, "人民人民人民", &h);
        assert_int_equal(h.n, 3);
        assert_int_equal(h.v[2].start, 12);
        free(h.v);
        dict_free(d);
}

static void test_duplicates(void **state)
{
        struct dict *d = dict_new();
        struct hits h = {0};

        /* The same text as a dictionary entry and as a pattern's prefilter. */
        assert_int_equal(dict_add(d, "政治站位", strlen("政治站位"), 7), 0);
        assert_int_equal(dict_add(d, "政治站位", strlen("政治站位"), 3), 0);
        assert_int_equal(dict_add(d, "政治站位", strlen("政治站位"), 3), 0);
        assert_int_equal(dict_compile(d), 0);
        assert_int_equal(dict_words(d), 1);
        scan(d, "提高政治站位", &h);
        assert_int_equal(h.n, 2);
        assert_int_equal(h.v[0].id, 3);
        assert_int_equal(h.v[1].id, 7);
        free(h.v);
        dict_free(d);
}

static void test_rejects(void **state)
{
        struct dict *d = dict_new();
        char longword[DICT_WORD_MAX + 2];
        struct hits h = {0};

        assert_int_equal(dict_add(d, "", 0, 0), -EINVAL);
        assert_int_equal(dict_add(d, "a\0b", 3, 0), -EINVAL);
        assert_int_equal(dict_add(d, "\xe6\x94\xbf\xe6", 4, 0), -EINVAL); /* cut 治 */
        assert_int_equal(dict_add(d, "\xc0\xaf", 2, 0), -EINVAL);         /* overlong */
        memset(longword, 'a', sizeof(longword));
        assert_int_equal(dict_add(d, longword, DICT_WORD_MAX + 1, 0), -EINVAL);
        assert_int_equal(dict_add(d, longword, DICT_WORD_MAX, 0), 0);
        assert_int_equal(dict_scan(d, "x", 1, collect, &h), -EINVAL);
        assert_int_equal(dict_compile(d), 0);
        assert_int_equal(dict_compile(d), -EBUSY);
        assert_int_equal(dict_add(d, "b", 1, 0), -EBUSY);
        free(h.v);
        dict_free(d);

        /* A word added more than 255 times is refused at compile time. */
        d = dict_new();
        for (uint32_t i = 0; i < 256; i++)
                assert_int_equal(dict_add(d, "词语", strlen("词语"), i), 0);
        assert_int_equal(dict_compile(d), -E2BIG);
        dict_free(d);

        /* An empty dict finds nothing. */
        d = dict_new();
        assert_int_equal(dict_compile(d), 0);
        assert_int_equal(dict_scan(d, "任何文字", strlen("任何文字"), collect, &h), 0);
        assert_int_equal(h.n, 0);
        dict_free(d);
        free(h.v);
}

/* Every length from one byte to well past the filter's (6, 9, 12 bytes), each at every
 * distance from the end of the text, so the main loop and the tail both see them. */
static void test_lengths_and_tail(void **state)
{
        const char *alphabet = "abcdefghijklmnopqrstuvwxyz";
        char word[32], text[80];
        struct hits h = {0};

        for (size_t len = 1; len <= 20; len++) {
                struct dict *d = dict_new();
                memcpy(word, alphabet, len);
                assert_int_equal(dict_add(d, word, len, 9), 0);
                assert_int_equal(dict_compile(d), 0);
                for (size_t tail = 0; tail <= 14; tail++) {
                        size_t n = 0;
                        memset(text, '.', sizeof(text));
                        n = 17;
                        memcpy(text + n, word, len);
                        n += len + tail;
                        h.n = 0;
                        assert_int_equal(dict_scan(d, text, n, collect, &h), 0);
                        assert_int_equal(h.n, 1);
                        assert_int_equal(h.v[0].start, 17);
                        assert_int_equal(h.v[0].len, len);
                        /* Cut one byte short, it is not there. */
                        h.n = 0;
                        assert_int_equal(dict_scan(d, text, 17 + len - 1, collect, &h), 0);
                        assert_int_equal(h.n, 0);
                }
                dict_free(d);
        }
        free(h.v);
}

static void test_utf8_boundaries(void **state)
{
        /* 政 is e6 94 bf. "\x94\xbf" and "\xbf" are not valid words, so no word can start
         * inside it; a Latin-1 word whose bytes occur inside Chinese characters must not
         * match across them either. */
        static const char *const words[] = {"政治", "¿", "治站位"};
        struct dict *d = make(words, ARRAY_SIZE(words));
        struct hits h = {0};

        /* ¿ is c2 bf: its second byte is the last byte of 政, which is no match. */
        scan(d, "政治站位", &h);
        assert_int_equal(h.n, 2);
        assert_int_equal(h.v[0].id, 0);
        assert_int_equal(h.v[1].id, 2);
        assert_int_equal(h.v[1].start, 3);

        /* Invalid bytes before a word (a stray lead byte, a lone continuation byte) do not
         * hide it. */
        scan(d, "\xe6" "政治\x80\x80" "治站位\xff", &h);
        assert_int_equal(h.n, 2);
        assert_int_equal(h.v[0].start, 1);
        assert_int_equal(h.v[1].start, 1 + 6 + 2);
        scan(d, "\xe6\x94" "治站位aaaaaaaaaaaa", &h);
        assert_int_equal(h.n, 1);
        assert_int_equal(h.v[0].start, 2);
        free(h.v);
        dict_free(d);
}

static void test_stop(void **state)
{
        static const char *const words[] = {"人民"};
        struct dict *d = make(words, ARRAY_SIZE(words));
        struct hits h = {.stop_after = 2};
        const char *text = "人民人民人民人民人民人民人民";

        assert_int_equal(dict_scan(d, text, strlen(text), collect, &h), 42);
        assert_int_equal(h.n, 2);
        free(h.v);
        dict_free(d);
}

/* A random dictionary over a small alphabet (so that words overlap and share prefixes)
 * against a naive search of every word at every character start. */
static void test_random_against_naive(void **state)
{
        static const char *const alphabet[] = {"政", "治", "站", "位", "人", "民", "a", "b", "·"};
        enum { N_WORDS = 400, TEXT_CHARS = 30000 };
        char *words[N_WORDS];
        size_t lens[N_WORDS], n_words = 0;
        struct buf text;
        struct hits got = {0}, want = {0};
        struct dict *d = dict_new();
        unsigned seed = 12345;

        for (size_t i = 0; i < N_WORDS; i++) {
                char w[64] = "";
                size_t nc = 1 + (size_t)(rand_r(&seed) % 7), wl;
                for (size_t k = 0; k < nc; k++)
                        strcat(w, alphabet[rand_r(&seed) % ARRAY_SIZE(alphabet)]);
                wl = strlen(w);
                words[n_words] = xstrdup(w);
                lens[n_words] = wl;
                assert_int_equal(dict_add(d, w, wl, (uint32_t)n_words), 0);
                n_words++;
        }
        assert_int_equal(dict_compile(d), 0);

        buf_init(&text, 16 * 1024 * 1024);
        for (size_t i = 0; i < TEXT_CHARS; i++)
                assert_int_equal(buf_appends(&text, alphabet[rand_r(&seed) % ARRAY_SIZE(alphabet)]),
                                 0);

        assert_int_equal(dict_scan(d, text.data, text.len, collect, &got), 0);

        for (size_t i = 0; i < text.len; i++) {
                if (((unsigned char)text.data[i] & 0xc0) == 0x80)
                        continue;
                /* By length, then id, as the matcher reports them. */
                size_t first = want.n;
                for (size_t w = 0; w < n_words; w++)
                        if (i + lens[w] <= text.len && memcmp(text.data + i, words[w], lens[w]) == 0)
                                collect((uint32_t)w, i, lens[w], &want);
                for (size_t a = first + 1; a < want.n; a++)
                        for (size_t b = a; b > first && (want.v[b - 1].len > want.v[b].len ||
                                                         (want.v[b - 1].len == want.v[b].len &&
                                                          want.v[b - 1].id > want.v[b].id));
                             b--) {
                                struct hit t = want.v[b];
                                want.v[b] = want.v[b - 1];
                                want.v[b - 1] = t;
                        }
        }
        /* Equal words reported with their ids in ascending order by both. */
        assert_true(want.n > 5000);
        assert_int_equal(got.n, want.n);
        for (size_t i = 0; i < got.n; i++) {
                assert_int_equal(got.v[i].start, want.v[i].start);
                assert_int_equal(got.v[i].len, want.v[i].len);
                assert_int_equal(got.v[i].id, want.v[i].id);
        }

        for (size_t i = 0; i < n_words; i++)
                free(words[i]);
        buf_free(&text);
        free(got.v);
        free(want.v);
        dict_free(d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_positions),
                cmocka_unit_test(test_overlapping),
                cmocka_unit_test(test_duplicates),
                cmocka_unit_test(test_rejects),
                cmocka_unit_test(test_lengths_and_tail),
                cmocka_unit_test(test_utf8_boundaries),
                cmocka_unit_test(test_stop),
                cmocka_unit_test(test_random_against_naive),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

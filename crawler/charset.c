/* Charset decoding; see charset.h. */

/* URL helpers; see url.h. */

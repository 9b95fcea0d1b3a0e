/* rules.d loader; see config.h. */

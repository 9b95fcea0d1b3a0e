/* HTML extraction; see html.h. */

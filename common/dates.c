/* Date extraction; see dates.h. */

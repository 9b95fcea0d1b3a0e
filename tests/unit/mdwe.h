/* XJ_TEST_MDWE=1 runs a test executable as xunjian.service runs the program, under
 * MemoryDenyWriteExecute=: here with prctl(PR_SET_MDWE) (Linux 6.3 and later), set at the
 * top of main() before PCRE2 has compiled anything, so that pcre2_jit_compile() fails as it
 * does in the service and the interpreter's path is what the tests exercise. */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

/* Returns 1 when the restriction is on, 0 when it was not asked for, and -1 when the kernel
 * cannot set it (the caller exits 77, skipped). */
static inline int test_mdwe_from_env(void)
{
        const char *e = getenv("XJ_TEST_MDWE");

        if (!e || strcmp(e, "1") != 0)
                return 0;
        if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0L, 0L, 0L) < 0) {
                printf("prctl(PR_SET_MDWE): %s: skipped\n", strerror(errno));
                return -1;
        }
        return 1;
}

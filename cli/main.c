/* The xunjian executable: everything else is in the library. */
#include <locale.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli/cli.h"

/* glibc gives the top of the heap back to the kernel whenever more than 128 KiB are free
 * there. SQLite allocates and frees a statement journal of that order for every page row
 * a scan writes, so each page cost a brk() pair and freshly zeroed memory: a tenth of the
 * crawl's loop thread. Keeping a few MiB of slack at the top ends that churn; the memory
 * stays bounded, by at most this much more. */
#define HEAP_TOP_PAD (4 * 1024 * 1024)

int main(int argc, char **argv)
{
#ifdef __GLIBC__
        mallopt(M_TOP_PAD, HEAP_TOP_PAD);
#endif
        setlocale(LC_CTYPE, "C.UTF-8");
        return cli_main(argc, argv);
}

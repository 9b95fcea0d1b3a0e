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
 * stays bounded, by at most this much more. Setting it turns off glibc's sliding mmap
 * threshold, which would otherwise rise to the size of the largest buffer freed (a
 * page's body and decoded text, a few MiB at most) so that such buffers stop costing an
 * mmap() each: the threshold is set where it would have slid to. */
#define HEAP_TOP_PAD (4 * 1024 * 1024)
#define MMAP_THRESHOLD (16 * 1024 * 1024)

int main(int argc, char **argv)
{
#ifdef __GLIBC__
        mallopt(M_TOP_PAD, HEAP_TOP_PAD);
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
#endif
        setlocale(LC_CTYPE, "C.UTF-8");
        return cli_main(argc, argv);
}

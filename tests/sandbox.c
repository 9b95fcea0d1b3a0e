/* xj-sandbox: runs a command under the restrictions of xunjian.service that a process can
 * put on itself without systemd as PID 1, for tests/integration/test_sandbox.py:
 * NoNewPrivileges=, MemoryDenyWriteExecute= (prctl PR_SET_MDWE), SystemCallArchitectures=
 * native, SystemCallFilter= with SystemCallErrorNumber=EPERM (an allow-list of system-call
 * numbers, read from a file) and RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6, the
 * last two as one seccomp filter like the one systemd builds.
 *
 *     xj-sandbox ALLOW-FILE COMMAND [ARG...]
 *
 * ALLOW-FILE holds one system-call number per line. x86-64 only; elsewhere it exits 77. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

#define MAX_ALLOWED 1024
#define X32_SYSCALL_BIT 0x40000000u

#if defined(__x86_64__)

static struct sock_filter prog[4 * MAX_ALLOWED + 32];
static size_t n_prog;

static void emit(struct sock_filter f)
{
        if (n_prog == sizeof(prog) / sizeof(prog[0])) {
                fprintf(stderr, "xj-sandbox: filter too long\n");
                exit(2);
        }
        prog[n_prog++] = f;
}

static int read_allowed(const char *path, unsigned *nr, size_t *n)
{
        FILE *f = fopen(path, "re");
        unsigned v;

        if (!f)
                return -errno;
        *n = 0;
        while (fscanf(f, "%u", &v) == 1) {
                if (*n == MAX_ALLOWED) {
                        fclose(f);
                        return -E2BIG;
                }
                nr[(*n)++] = v;
        }
        fclose(f);
        return 0;
}

int main(int argc, char **argv)
{
        static unsigned allowed[MAX_ALLOWED];
        size_t n = 0;
        int r;

        if (argc < 3) {
                fprintf(stderr, "usage: xj-sandbox ALLOW-FILE COMMAND [ARG...]\n");
                return 2;
        }
        r = read_allowed(argv[1], allowed, &n);
        if (r < 0) {
                fprintf(stderr, "xj-sandbox: %s: %s\n", argv[1], strerror(-r));
                return 2;
        }

        /* Another architecture's calls are killed (SystemCallArchitectures=native), and so
         * are x32 calls, which share the x86-64 audit architecture. */
        emit((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                          offsetof(struct seccomp_data, arch)));
        emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
        emit((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
        emit((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                          offsetof(struct seccomp_data, nr)));
        emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1));
        emit((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));

        /* socket(2): only the families the unit allows; others fail as systemd makes them
         * fail, with EAFNOSUPPORT. */
        emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 6));
        emit((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                          offsetof(struct seccomp_data, args[0])));
        emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 3, 0));
        emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 2, 0));
        emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 1, 0));
        emit((struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
                                          SECCOMP_RET_ERRNO | (EAFNOSUPPORT & SECCOMP_RET_DATA)));
        emit((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                                          offsetof(struct seccomp_data, nr)));

        /* The allow-list; everything else fails with EPERM (SystemCallErrorNumber=EPERM). */
        for (size_t i = 0; i < n; i++) {
                emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, allowed[i], 0, 1));
                emit((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
        }
        emit((struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
                                          SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)));

        if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0) {
                perror("xj-sandbox: PR_SET_NO_NEW_PRIVS");
                return 2;
        }
        if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0L, 0L, 0L) < 0)
                fprintf(stderr, "xj-sandbox: PR_SET_MDWE: %s (kernel before 6.3?); "
                                "running without it\n", strerror(errno));
        struct sock_fprog fprog = {.len = (unsigned short)n_prog, .filter = prog};
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0L, 0L) < 0) {
                perror("xj-sandbox: PR_SET_SECCOMP");
                return 77;
        }
        execv(argv[2], argv + 2);
        fprintf(stderr, "xj-sandbox: %s: %s\n", argv[2], strerror(errno));
        return 127;
}

#else

int main(void)
{
        fprintf(stderr, "xj-sandbox: x86-64 only\n");
        return 77;
}

#endif

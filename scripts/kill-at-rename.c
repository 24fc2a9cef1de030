/* LD_PRELOAD fault injection for scripts/kill-test: the process kills itself with SIGKILL just
 * before its Nth rename (rename(2) or renameat2(2), counted across all threads; N from
 * KILL_AT_RENAME). strace's inject counts per thread, and roma renames from several threads, so
 * it cannot aim at "the Nth rename of the run"; this can. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

static atomic_int renames;

static void die_if_due(void) {
    const char *due = getenv("KILL_AT_RENAME");
    if (due && atomic_fetch_add(&renames, 1) + 1 == atoi(due)) raise(SIGKILL);
}

int rename(const char *from, const char *to) {
    die_if_due();
    int (*real)(const char *, const char *) = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    return real(from, to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned int flags) {
    die_if_due();
    int (*real)(int, const char *, int, const char *, unsigned int) =
        (int (*)(int, const char *, int, const char *, unsigned int))dlsym(RTLD_NEXT, "renameat2");
    return real(fromfd, from, tofd, to, flags);
}

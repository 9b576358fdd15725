/*
 * team.c - how many threads the library's next parallel region gets.
 *
 * OpenMP gives a parallel region omp_get_max_threads() threads whether or
 * not the processors are free.  On a machine where other processes keep
 * the cores busy, every region then waits at its barriers for a thread
 * that the scheduler has put aside for a time slice: measured here with a
 * load average of 7 on 2 cores, bfv_mul at n = 8192 took 1.6 ms with one
 * thread and 8.9 ms with two (doc/benchmarks.md, "Threads").  veil_team()
 * sizes the team to the processors that are free now: the number of
 * runnable tasks on the machine is the fourth field of /proc/loadavg
 * ("R/T"; R counts the caller itself), so the machine's online processors
 * less R - 1 is what a new team can count on.  (Online processors, not
 * the ones this process may run on: in a container /proc/loadavg counts
 * the whole host's tasks, and the host's processors with them.)  The answer is
 * cached until the coarse monotonic clock ticks (a few milliseconds), so
 * the file is read at most a few hundred times a second.  Where
 * /proc/loadavg cannot be read, or VEIL_TEAM=fixed is set in the
 * environment, or inside a parallel region, nothing is taken away.
 */
#include "config.h"
#include "veil/veil.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static pthread_once_t team_once = PTHREAD_ONCE_INIT;
static int loadavg_fd = -1; /* -1: adapt nothing */
static int cpus = 1;        /* online processors */
static _Atomic long cached_tick = -1;
static _Atomic int cached_free = 1;

static void team_init(void)
{
    const char *env = getenv("VEIL_TEAM");
    cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1)
        cpus = 1;
    if (env != NULL && strcmp(env, "fixed") == 0)
        return;
    loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
}

/* Free processors by the text of /proc/loadavg, or -1 if it does not
 * parse. */
static int free_of(const char *loadavg)
{
    const char *p = loadavg;
    long running;
    char *end;
    for (int field = 0; field < 3; field++) {
        p = strchr(p, ' ');
        if (p == NULL)
            return -1;
        p++;
    }
    running = strtol(p, &end, 10);
    if (end == p || *end != '/' || running < 1)
        return -1;
    return running - 1 >= cpus ? 0 : cpus - (int)(running - 1);
}

/* Free processors now, or -1 if that cannot be read. */
static int free_now(void)
{
    char buf[128];
    ssize_t len = pread(loadavg_fd, buf, sizeof(buf) - 1, 0);
    if (len <= 0)
        return -1;
    buf[len] = '\0';
    return free_of(buf);
}

int veil_team(void)
{
#ifdef _OPENMP
    const int want = omp_get_max_threads();
    struct timespec ts;
    long tick;
    int fr;
    if (want <= 1 || omp_in_parallel())
        return want;
    pthread_once(&team_once, team_init);
    if (loadavg_fd < 0 || clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) != 0)
        return want;
    tick = (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    if (atomic_load_explicit(&cached_tick, memory_order_relaxed) == tick) {
        fr = atomic_load_explicit(&cached_free, memory_order_relaxed);
    } else {
        fr = free_now();
        if (fr < 0)
            return want;
        atomic_store_explicit(&cached_free, fr, memory_order_relaxed);
        atomic_store_explicit(&cached_tick, tick, memory_order_relaxed);
    }
    return fr < 1 ? 1 : (fr < want ? fr : want);
#else
    return 1;
#endif
}

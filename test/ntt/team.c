/*
 * Tests of veil_team (ntt/team.c): the team stays within [1, the OpenMP
 * maximum]; while as many processes as the machine has processors spin,
 * it is one thread (the check fails if the team is not sized to the free
 * processors); VEIL_TEAM=fixed keeps the OpenMP maximum.
 */
#include "veil/veil.h"
#include <criterion/criterion.h>
#include <omp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SPIN 256

/* Start `n` child processes that spin until killed. */
static void spin_start(pid_t *pid, int n)
{
    for (int i = 0; i < n; i++) {
        pid[i] = fork();
        cr_assert_geq(pid[i], 0, "fork");
        if (pid[i] == 0)
            for (volatile unsigned long x = 0;; x++)
                ;
    }
}

static void spin_stop(pid_t *pid, int n)
{
    for (int i = 0; i < n; i++) {
        kill(pid[i], SIGKILL);
        waitpid(pid[i], NULL, 0);
    }
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* veil_team() while every processor is kept busy by a spinning process,
 * with an OpenMP maximum of 2 (the smallest of several readings, each
 * after the cache's tick has passed). */
static int team_when_busy(void)
{
    pid_t pid[MAX_SPIN];
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    int team = 1 << 30;
    cr_assert(n >= 1);
    if (n > MAX_SPIN)
        n = MAX_SPIN;
    omp_set_num_threads(2);
    spin_start(pid, (int)n);
    for (int i = 0; i < 5; i++) {
        int t;
        sleep_ms(20);
        t = veil_team();
        team = t < team ? t : team;
    }
    spin_stop(pid, (int)n);
    return team;
}

Test(team, within_one_and_the_openmp_maximum)
{
    for (int want = 1; want <= 4; want++) {
        omp_set_num_threads(want);
        for (int i = 0; i < 10; i++) {
            int t = veil_team();
            cr_assert(t >= 1 && t <= want, "veil_team() = %d, maximum %d", t,
                      want);
        }
    }
    int inner[2] = {0, 0}, max[2] = {0, 0};
#pragma omp parallel num_threads(2)
    {
        /* inside a region: nothing is taken away (nested teams are
         * OpenMP's business) */
        int me = omp_get_thread_num();
        inner[me] = veil_team();
        max[me] = omp_get_max_threads();
    }
    for (int i = 0; i < 2; i++)
        cr_assert_eq(inner[i], max[i], "thread %d", i);
}

Test(team, one_thread_when_every_processor_is_busy, .timeout = 30)
{
    int team = team_when_busy();
    cr_assert_eq(team, 1, "with every processor busy, veil_team() = %d, not 1",
                 team);
}

Test(team, fixed_keeps_the_openmp_maximum, .timeout = 30)
{
    /* criterion runs each test in its own process: the environment is
     * read at this process's first call */
    cr_assert_eq(setenv("VEIL_TEAM", "fixed", 1), 0);
    cr_assert_eq(team_when_busy(), 2);
}

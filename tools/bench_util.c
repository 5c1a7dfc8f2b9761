/*
** bench_util.c: what both benchmarks need (tools/bench.c, tools/bench_epoch.c): a clock, and
** another user's CPU-bound job to measure threads on a busy machine.
*/
#define _GNU_SOURCE /* sched_setaffinity, prctl: the busy process's core and lifetime */
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/*
** Start a CPU-bound process on the last CPU, as another user's job would be: in its own
** session (so that the scheduler's autogroups treat it as another job, not as part of the
** bench) and killed with the bench if the bench dies first. Its pid, or -1 if fork failed.
*/
pid_t busy_start(void)
{
    pid_t parent = getpid(), pid = fork();
    if (pid != 0)
        return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(0);
    setsid();
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(ncpu > 1 ? (int)ncpu - 1 : 0, &set);
    sched_setaffinity(0, sizeof set, &set);
    volatile unsigned long spin = 0;
    for (;;)
        spin++;
}

void busy_stop(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

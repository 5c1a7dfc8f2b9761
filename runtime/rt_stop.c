/*
** rt_stop.c: the stop request (a sig_atomic_t) and the registry of temporary files.
*/
#include <string.h>
#include <unistd.h>

#include "rt_stop.h"

static volatile sig_atomic_t requested;

int rt_stop_requested(void)
{
    return requested;
}

void rt_stop_request(int sig)
{
    requested = sig;
}

void rt_stop_clear(void)
{
    requested = 0;
}

/*
** A slot is filled first and marked used last, and marked unused before it is reused, so a
** handler that interrupts either step sees a whole name or none.
*/
static char temp[RT_STOP_MAX_TEMPS][RT_STOP_PATH];
static volatile sig_atomic_t used[RT_STOP_MAX_TEMPS];

void rt_stop_track(const char *path)
{
    size_t n = strlen(path);
    if (n >= RT_STOP_PATH)
        return;
    for (int k = 0; k < RT_STOP_MAX_TEMPS; k++)
        if (!used[k]) {
            memcpy(temp[k], path, n + 1);
            used[k] = 1;
            return;
        }
}

void rt_stop_untrack(const char *path)
{
    for (int k = 0; k < RT_STOP_MAX_TEMPS; k++)
        if (used[k] && strcmp(temp[k], path) == 0) {
            used[k] = 0;
            return;
        }
}

void rt_stop_remove_temps(void)
{
    for (int k = 0; k < RT_STOP_MAX_TEMPS; k++)
        if (used[k])
            unlink(temp[k]);
}

/*
** eval_files.c: what every kind of run (eval.c's train and measure, eval_experiment.c's
** experiment) checks of its output files before it starts. Kept apart so that eval.c,
** which dispatches to eval_experiment.c, is not called back by it.
*/
#include "eval.h"
#include "rt_file.h"

#define ERRLEN 512

int ev_check_outputs(Diag *d, SrcLoc at, const char *const *paths, size_t n)
{
    int rc = 0;
    for (size_t k = 0; k < n; k++) {
        char err[ERRLEN];
        if (paths[k] && rt_file_check(paths[k], err, sizeof err) != 0) {
            diag_error(d, at, "%s (nothing was run)", err);
            rc = 1;
        }
    }
    return rc;
}

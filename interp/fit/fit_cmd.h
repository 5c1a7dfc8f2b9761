/*
** fit_cmd.h: `fit NAME : FAMILY from "measured.csv"`: read measured data (measured.h), fit a
** device family to it (rt_fit.h) and write the resulting `device` declaration and a report.
** Used by the REPL and by `aimci --fit FAMILY FILE [--name NAME]`.
*/
#ifndef AIMCI_FIT_CMD_H
#define AIMCI_FIT_CMD_H

#include "diag.h"
#include "text.h"

/*
** Fit FAMILY (a device family name; `piecewise` is piecewise_step) to the data at path.
** On success returns 0 and appends to decl_out a valid `device NAME : FAMILY { ... }`
** declaration (the fitted mean device: device-to-device and cycle-to-cycle spreads 0,
** each fitted parameter followed by its standard error as a comment) and to report_out the
** report ("# " lines: the data, each parameter with its standard error, the residual).
** Otherwise prints a diagnostic to stderr, at file:line:col (the command's position; line
** 0: no position) or inside the data file, and returns 1.
*/
int fit_command(const char *name, const char *family, const char *path, const char *file,
                int line, int col, Buf *decl_out, Buf *report_out);

/* The same, reporting through d at `at` (the REPL's own sink). */
int fit_run(Diag *d, SrcLoc at, const char *name, const char *family, const char *path,
            Buf *decl_out, Buf *report_out);

/* A declaration name from a file name ("data/rram-3.csv" -> "rram_3"), into out. */
void fit_default_name(char out[64], const char *path);

#endif

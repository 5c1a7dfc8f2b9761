/*
** measured.h: reading measured pulse-response data (CSV) for `fit`.
**
** Accepted shapes (docs/fitting.md):
**   - any lines before the header (metadata: "Device: HfO2", "# comment", ...); the header
**     is the first line of names that has a value column and is followed by a data row with
**     as many fields; fields separated by ',', ';', tabs, or else spaces;
**   - a value column: conductance (G, conductance, or a unit S, mS, uS, µS, nS, pS),
**     resistance (R, resistance, or a unit Ohm, kOhm, MOhm, Ω, ...; converted to 1/R) or a
**     weight (w, weight: taken as is). The unit goes in parentheses or brackets ("G (uS)",
**     "R [kOhm]") or after an underscore or space ("G_uS");
**   - either one value column and a direction column (up/down, pot/dep, set/reset, +/-,
**     1/-1, ...; 0, start or read marks a reading with no pulse before it), or two value
**     columns, one per branch (names with pot/ltp/up/set and dep/ltd/down/reset);
**   - optional: a pulse number (readings may skip pulses: the difference counts; a number
**     that restarts begins a new branch or cycle) and a cycle column; other columns
**     (time, voltage, ...) are ignored. Empty or NaN values are skipped.
** Segments (rt_fit.h): with a direction column, a run of one direction starts at the reading
** before it (its anchor) and a new cycle at its first reading; with branch columns, each
** branch of each cycle starts at its own first reading.
** Conductances map linearly onto weights: the smallest observed to -1, the largest to +1.
*/
#ifndef AIMCI_MEASURED_H
#define AIMCI_MEASURED_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "diag.h"
#include "rt_fit.h"

typedef enum MsQuantity { MS_WEIGHT, MS_CONDUCTANCE, MS_RESISTANCE } MsQuantity;

typedef struct Measured {
    RtFitData data;     /* the readings in weight units; arrays owned here */
    MsQuantity quantity;
    char unit[16];      /* as written in the header ("uS"), or "" */
    double g_lo, g_hi;  /* conductance (in the header's unit; 1/R for resistance) mapped to
                           -1 and +1; NaN for weights */
    size_t rows;        /* data rows read */
    size_t cycles;      /* cycles seen (1 without a cycle column or restarts) */
    bool branches;      /* two branch columns (else a direction column) */
    Arena *ar;          /* owns the file text (registered with the Diag) */
} Measured;

/*
** Read path into *m. Problems are reported through d: at `at` when the file cannot be read,
** else at the line and column of the file itself (registered with d as included from `at`,
** so its text must live as long as d reports: measured_free after the last report).
** Returns 0, or 1 after reporting.
*/
int measured_read(Measured *m, const char *path, Diag *d, SrcLoc at);
void measured_free(Measured *m);

/* "conductance in uS", "resistance in kOhm", "weights" (for reports). */
const char *measured_quantity_name(const Measured *m);

#endif

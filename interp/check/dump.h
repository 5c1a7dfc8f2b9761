/*
** dump.h: the resolved program as a script (`aimci --dump`). Every parameter appears with
** its final value and, in a comment, where the value came from. The text is itself a valid
** script that reproduces the run: it is also written next to every output.
*/
#ifndef AIMCI_DUMP_H
#define AIMCI_DUMP_H

#include "ir.h"
#include "text.h"

void dump_program(Buf *out, const IrProgram *p, const char *source);

/*
** The resolved script of one train alone: the devices, I/O settings, data, model, optimizers,
** schedule and hardware model it uses, then the train (its seed, log and plot as they are in
** t). What an experiment's job hashes to recognise its saved result (interp/run/eval_jobs.c).
*/
void dump_train_closure(Buf *out, const IrTrain *t);

/* One device declaration as --dump prints it: parameters, their origins, the device notes. */
void dump_device(Buf *out, const IrDevice *d);

/*
** Comment lines about device d for --dump, computed by the runtime (rt_device_info): its
** weight granularity, number of states and the symmetric point of its mean device (closed
** form or numerical, said which). Appended to b, each line "    # ...".
*/
void dump_device_notes(Buf *b, const IrDevice *d);

#endif

/*
** algo_fixtures.h: optimizers built by hand for the tests of the training algorithms
** (runtime/rt_algo.h). fx_optimizer has the schema's defaults, family defaults included
** (interp/schema.c; tests/test_algo_lang.c checks that they agree).
*/
#ifndef AIMCI_ALGO_FIXTURES_H
#define AIMCI_ALGO_FIXTURES_H

#include <string.h>

#include "ir.h"
#include "rt_fixtures.h"

/* An optimizer of kind k with learning rate lr and every other parameter at its default. */
static inline IrOptimizer fx_optimizer(IrOptKind k, double lr)
{
    IrOptimizer o;
    memset(&o, 0, sizeof o);
    o.name = "opt";
    o.kind = k;
    o.lr = lr;
    o.update = fx_update();
    bool rl = k == IR_OPT_RESIDUAL || k == IR_OPT_RESIDUAL_V2 || k == IR_OPT_MULTI_TILE;
    bool rider = k == IR_OPT_RIDER || k == IR_OPT_E_RIDER;
    o.gamma = rl ? 0.4 : rider ? 0.1 : 0.0;
    o.transfer_every = 1;
    o.n_reads_per_transfer = 1;
    o.transfer_lr = 1.0;
    o.scale_transfer_lr = true;
    bool single = k == IR_OPT_TTV2 || k == IR_OPT_C_TTV2 || k == IR_OPT_AGAD ||
                  k == IR_OPT_RESIDUAL_V2;
    o.transfer_bl = single ? 1 : 31;
    o.thres_scale = 1.0;
    o.momentum = 0.0;
    o.forget_buffer = true;
    o.beta = 0.1;
    o.eta = 0.1;
    o.in_chop_prob = k == IR_OPT_E_RIDER ? 0.05 : 0.1;
    o.in_chop_random = k != IR_OPT_AGAD;
    o.out_chop_prob = 0.0;
    o.tail_weightening = 5.0;
    o.n_tiles = 3;
    o.transfer_growth = 0.0;
    o.zero_shift = false;
    o.zero_shift_pulses = 10000;
    return o;
}

/* The perfect I/O: y = W x exactly. */
static inline IrIO fx_perfect_io(void)
{
    IrIO io;
    memset(&io, 0, sizeof io);
    io.name = "exact";
    io.family = IR_IO_PERFECT;
    io.out_scale = 1.0;
    return io;
}

#endif

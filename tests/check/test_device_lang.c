/*
** test_device_lang.c: the device families and presets through the language: the checker
** (new families, list parameters, cross-checks), stdlib/devices.aimc (docs/theory.md §3.3) and the
** device notes of --dump. The real standard library is used (AIMCI_STDLIB, as the CLI).
*/
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "check.h"
#include "diag.h"
#include "dump.h"
#include "rt_device.h"
#include "rt_fixtures.h"
#include "rt_tile.h"

#ifndef AIMCI_STDLIB
#define AIMCI_STDLIB "stdlib"
#endif

/* One checked script: its arena, diagnostics text and program (NULL on errors). */
typedef struct Lang {
    Arena *ar;
    Diag *d;
    FILE *out;
    char *buf;
    size_t len;
    const IrProgram *p;
    int nerr;
} Lang;

/* Check src into *l (the memory stream keeps l's address: l must stay put until done). */
static void check(Lang *l, const char *src)
{
    memset(l, 0, sizeof *l);
    l->ar = arena_new();
    l->out = open_memstream(&l->buf, &l->len);
    l->d = diag_new(l->out);
    Checker *c = chk_new(l->ar, l->d, AIMCI_STDLIB);
    char *text = arena_alloc(l->ar, strlen(src) + 1);
    memcpy(text, src, strlen(src) + 1);
    l->nerr = chk_source(c, "t.aimc", text, strlen(text));
    l->p = l->nerr ? NULL : chk_program(c);
    fflush(l->out);
}

static void done(Lang *l)
{
    diag_free(l->d);
    fclose(l->out);
    free(l->buf);
    arena_free(l->ar);
}

static const IrDevice *device(const Lang *l, const char *name)
{
    for (size_t k = 0; l->p && k < l->p->ndevices; k++)
        if (strcmp(l->p->devices[k]->name, name) == 0)
            return l->p->devices[k];
    cr_assert_fail("no device %s", name);
    return NULL;
}

/* src has an error whose text contains msg. */
static void assert_error(const char *src, const char *msg)
{
    Lang l;
    check(&l, src);
    cr_assert_gt(l.nerr, 0, "no error for:\n%s", src);
    cr_assert_not_null(strstr(l.buf, msg), "expected '%s' in:\n%s", msg, l.buf);
    done(&l);
}

Test(device_lang, preset_inherits_and_overrides)
{
    Lang l;
    check(&l, "use \"devices\"\ndevice d : reram_es {\n    dw_min = 2e-3\n}\n");
    cr_assert_eq(l.nerr, 0, "%s", l.buf);
    const IrDevice *d = device(&l, "d");
    cr_assert_eq(d->family, IR_DEV_EXP_STEP);
    cr_assert_float_eq(d->dw_min, 2e-3, 0.0);
    cr_assert_float_eq(d->A_up, -1.18445, 0.0);
    cr_assert_float_eq(d->up_down, 0.259359, 0.0);
    cr_assert_float_eq(d->write_noise_std, 75.0, 0.0);
    done(&l);
}

/* docs/theory.md §3.3: the implied number of states of every preset. */
Test(device_lang, presets_have_their_numbers_of_states)
{
    static const struct {
        char name[20];
        double states, tol;
    } want[] = {{"reram_es", 1004, 1},   {"reram_sb", 1000, 1e-9},  {"capacitor", 400, 1e-9},
                {"ecram", 1000, 1e-9},   {"ecram_mo", 7089, 1},     {"idealized", 10000, 1e-9},
                {"gokmen_vlasov", 1250, 1e-9}, {"pcm", 62, 0.5}};
    Lang l;
    check(&l, "use \"devices\"\n");
    cr_assert_eq(l.nerr, 0, "%s", l.buf);
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        RtDeviceInfo in;
        rt_device_info(&in, device(&l, want[k].name));
        cr_assert_float_eq(in.states, want[k].states, want[k].tol, "%s: %g states",
                           want[k].name, in.states);
    }
    RtDeviceInfo in;
    rt_device_info(&in, device(&l, "reram_es"));
    cr_assert_float_eq(in.sym, -0.217, 5e-4);
    cr_assert(in.sym_numeric);
    done(&l);
}

/*
** docs/cost.md §2: the presets' cost parameters. Only `ecram` has a cited pulse energy (Tang
** et al., IEDM 2018, its source: about 1 fJ); the others price a pulse at the hardware
** model's energy (0 here), and no preset has a cited endurance.
*/
Test(device_lang, presets_cost_only_what_a_source_gives)
{
    static const char *const names[] = {"reram_es", "reram_sb",      "capacitor", "ecram",
                                         "ecram_mo", "idealized",     "gokmen_vlasov",
                                         "pcm",      "reram_array_om", "reram_array_hfo2"};
    Lang l;
    check(&l, "use \"devices\"\n");
    cr_assert_eq(l.nerr, 0, "%s", l.buf);
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        const IrDevice *d = device(&l, names[k]);
        double want = strcmp(names[k], "ecram") == 0 ? 1e-3 : 0.0;
        cr_assert_eq(d->pulse_energy, want, "%s: pulse_energy %g", names[k], d->pulse_energy);
        cr_assert_eq(d->endurance, 0.0, "%s: endurance %g", names[k], d->endurance);
    }
    done(&l);
}

Test(device_lang, new_families_check)
{
    Lang l;
    check(&l, "device a : linear {\n    tau = 3.5\n    c_lin = 0.1\n}\n"
                   "device b : power {\n    gamma_res = 0.5\n    sigma_c = 0.2\n}\n"
                   "device c : exponential {\n    gamma_res = 4\n    tau = 0.1\n}\n"
                   "device e : pow_step_reference {\n    subtract_symmetry_point = true\n"
                   "    n_estimation_steps = 100\n}\n"
                   "device f : soft_bounds_reference {\n    reference_std = 0.05\n}\n"
                   "device g : linear_step {\n    gamma_up = 0.2\n    lifetime = 100\n"
                   "    diffusion = 0.01\n    write_noise_std = 1\n    construction_seed = 7\n}\n"
                   "optimizer o : analog_sgd {\n    pulse_type = deterministic_implicit\n"
                   "    x_res_implicit = 0.1\n}\n");
    cr_assert_eq(l.nerr, 0, "%s", l.buf);
    cr_assert_float_eq(device(&l, "a")->tau, 3.5, 0.0);
    cr_assert_float_eq(device(&l, "b")->dw_min_dtod, 0.0, 0.0); /* exact by default */
    cr_assert_eq(device(&l, "f")->mult_noise, false);           /* aihwkit: additive */
    cr_assert_eq(device(&l, "g")->construction_seed, 7);
    cr_assert_eq(l.p->optimizers[0]->update.pulse_type, IR_PULSE_DETERMINISTIC_IMPLICIT);
    cr_assert_float_eq(l.p->optimizers[0]->update.x_res_implicit, 0.1, 0.0);
    done(&l);
}

/* exp_step's family defaults for the shared names gamma_up/gamma_down. */
Test(device_lang, exp_step_defaults)
{
    Lang l;
    check(&l, "device e : exp_step {\n}\ndevice l : linear_step {\n}\n");
    cr_assert_eq(l.nerr, 0, "%s", l.buf);
    cr_assert_float_eq(device(&l, "e")->gamma_up, 12.44625, 0.0);
    cr_assert_float_eq(device(&l, "e")->gamma_down, 12.78785, 0.0);
    cr_assert_float_eq(device(&l, "l")->gamma_up, 0.0, 0.0);
    cr_assert_float_eq(device(&l, "l")->gamma_up_dtod, 0.05, 0.0);
    done(&l);
}

Test(device_lang, piecewise_lists)
{
    Lang l;
    check(&l, "device p : piecewise_step {\n    piecewise_up = [1.2, 1, 0.8]\n"
                   "    piecewise_down = [0.8, 1, 1.2]\n}\ndevice q : piecewise_step {\n}\n");
    cr_assert_eq(l.nerr, 0, "%s", l.buf);
    const IrDevice *p = device(&l, "p"), *q = device(&l, "q");
    cr_assert_eq(p->npiecewise_up, 3);
    cr_assert_float_eq(p->piecewise_up[0], 1.2, 0.0);
    cr_assert_float_eq(p->piecewise_down[2], 1.2, 0.0);
    cr_assert_eq(q->npiecewise_up, 1); /* default [1] */
    cr_assert_float_eq(q->piecewise_up[0], 1.0, 0.0);
    Buf b = {0};
    dump_program(&b, l.p, "t.aimc");
    cr_assert_not_null(strstr(b.s, "= [1.2, 1, 0.8]  # set"), "%s", b.s);
    cr_assert_not_null(strstr(b.s, "= [1]           # default"), "%s", b.s);
    buf_free(&b);
    done(&l);
}

Test(device_lang, piecewise_errors)
{
    assert_error("device p : piecewise_step {\n    piecewise_up = [1, 2]\n}\n",
                 "piecewise_up has 2 nodes but piecewise_down has 1");
    assert_error("device p : piecewise_step {\n    piecewise_up = [1, -2]\n"
                 "    piecewise_down = [1, 1]\n}\n",
                 "piecewise_up is out of range: -2");
    assert_error("device p : piecewise_step {\n    piecewise_up = 1\n}\n",
                 "piecewise_up expects a list of numbers, got a number");
    assert_error("device p : piecewise_step {\n    piecewise_up = []\n}\n",
                 "piecewise_up expects a list of numbers");
}

Test(device_lang, cross_checks_and_ranges)
{
    assert_error("device l : linear_step {\n    reverse_up = true\n    mult_noise = false\n}\n",
                 "reverse_up and reverse_down need mult_noise = true");
    assert_error("device l : linear {\n    c_lin = 1\n}\n", "c_lin is out of range: 1");
    assert_error("device l : linear {\n    w_max = 1\n}\n",
                 "device family linear has no parameter 'w_max'");
    assert_error("device c : constant_step {\n    write_noise_std = 1\n}\n",
                 "device family constant_step has no parameter 'write_noise_std'");
    assert_error("optimizer o : analog_sgd {\n    x_res_implicit = 2\n}\n",
                 "x_res_implicit is out of range: 2");
}

/* --dump: granularity, states and symmetric point as comment lines in each device block. */
Test(device_lang, dump_shows_the_device_notes)
{
    Lang l;
    check(&l, "device sb : soft_bounds {\n    up_down = 0.2\n    w_max = 1\n"
                   "    w_min = -1\n}\ndevice e : exp_step {\n}\ndevice i : ideal {\n}\n");
    cr_assert_eq(l.nerr, 0, "%s", l.buf);
    Buf b = {0};
    dump_program(&b, l.p, "t.aimc");
    cr_assert_not_null(strstr(b.s, "    # granularity: 0.001 "), "%s", b.s);
    cr_assert_not_null(strstr(b.s, "    # states: 2000 "), "%s", b.s);
    cr_assert_not_null(strstr(b.s, "    # symmetric point: 0.111111 (mean device; closed form"),
                       "%s", b.s);
    cr_assert_not_null(strstr(b.s, "(mean device; numerical"), "%s", b.s);
    cr_assert_not_null(strstr(b.s, "# granularity: none (floating point)"), "%s", b.s);
    buf_free(&b);
    done(&l);
}

/*
** Every preset instantiates as a tile, takes weights and pulsed updates (docs/theory.md §6.7:
** aihwkit's test that every preset works), and its weights stay inside their bounds.
*/
Test(device_lang, every_preset_trains)
{
    Lang l;
    check(&l, "use \"devices\"\n");
    cr_assert_eq(l.nerr, 0, "%s", l.buf);
    IrUpdate u = fx_update();
    float x[8] = {0.5f, -1.0f, 0.25f, 0.0f, 0.8f, -0.3f, 0.1f, 1.0f}, d[6];
    float w[48];
    for (size_t k = 0; k < 48; k++)
        w[k] = (float)(0.1 * ((double)k - 24) / 24);
    for (size_t k = 0; k < l.p->ndevices; k++) {
        RtRng d2d, r;
        rt_rng_seed(&d2d, 1, 0);
        rt_rng_seed(&r, 2, 0);
        RtTile *t = rt_tile_new(6, 8, l.p->devices[k], &d2d, false);
        cr_assert_not_null(t);
        rt_tile_set_weights(t, w);
        for (int s = 0; s < 50; s++) {
            for (size_t i = 0; i < 6; i++)
                d[i] = (float)((int)((i + s) % 5) - 2) * 0.1f;
            rt_tile_update(t, x, d, 0.1, &u, &r);
            rt_tile_post_update(t, &r);
        }
        float *wp = rt_tile_persistent(t);
        for (size_t q = 0; q < 48; q++) { /* reference devices: set clips w, pulses w + ref */
            const RtCell *c = &t->cell[q];
            float lo = fminf(c->bmin, c->bmin - c->ref), hi = fmaxf(c->bmax, c->bmax - c->ref);
            cr_assert(isfinite(t->w[q]), "%s", l.p->devices[k]->name);
            cr_assert(wp[q] >= lo - 1e-6f && wp[q] <= hi + 1e-6f, "%s: %g outside [%g, %g]",
                      l.p->devices[k]->name, (double)wp[q], (double)lo, (double)hi);
        }
        rt_tile_free(t);
    }
    done(&l);
}


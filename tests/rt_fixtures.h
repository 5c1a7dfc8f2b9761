/*
** rt_fixtures.h: IR values built by hand for the runtime tests (no front end involved).
*/
#ifndef AIMCI_RT_FIXTURES_H
#define AIMCI_RT_FIXTURES_H

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ir.h"

/*
** A device of family fam with aihwkit's Python defaults (DOMAIN.md 3.2.1, 3.2.3) and the
** schema's family defaults (interp/schema.c): soft_bounds_reference adds its noise, exp_step's
** gammas are its exponents. The seed-paper families get tau 0.6, gamma_res 1 and, like the
** checker's family defaults, no variation.
*/
static inline IrDevice fx_device(IrDevFamily fam)
{
    IrDevice d;
    memset(&d, 0, sizeof d);
    d.name = "dev";
    d.family = fam;
    d.dw_min = 0.001;
    d.dw_min_dtod = 0.3;
    d.dw_min_std = 0.3;
    d.w_max = 0.6;
    d.w_min = -0.6;
    d.w_max_dtod = 0.3;
    d.w_min_dtod = 0.3;
    d.up_down = 0.0;
    d.up_down_dtod = 0.01;
    d.enforce_consistency = true;
    d.mult_noise = fam != IR_DEV_SOFT_BOUNDS_REFERENCE;
    d.apply_write_noise_on_set = true;
    d.reset_std = 0.01;
    d.corrupt_devices_range = 0.1;
    d.gamma_up_dtod = d.gamma_down_dtod = 0.05;
    d.mean_bound_reference = true;
    d.reverse_offset = 0.01;
    d.n_estimation_steps = -1;
    d.A_up = 0.00081, d.A_down = 0.36833, d.a = 0.244, d.b = 0.2425;
    if (fam == IR_DEV_EXP_STEP)
        d.gamma_up = 12.44625, d.gamma_down = 12.78785;
    d.pow_gamma = 1.0, d.pow_gamma_dtod = 0.1;
    static const double one[1] = {1.0};
    d.piecewise_up = d.piecewise_down = one;
    d.npiecewise_up = d.npiecewise_down = 1;
    d.tau = 0.6, d.gamma_res = 1.0;
    if (fam == IR_DEV_LINEAR || fam == IR_DEV_POWER || fam == IR_DEV_EXPONENTIAL)
        d.dw_min_dtod = d.dw_min_std = d.w_max_dtod = d.w_min_dtod = d.up_down_dtod = 0.0;
    return d;
}

/*
** A noise-free device without device-to-device variation: step dw, bounds [-bound, bound]
** (tau = bound for the seed-paper families); every spread and c2c noise is 0.
*/
static inline IrDevice fx_quiet(IrDevFamily fam, double dw, double bound)
{
    IrDevice d = fx_device(fam);
    d.dw_min = dw;
    d.dw_min_dtod = d.dw_min_std = d.w_max_dtod = d.w_min_dtod = d.up_down_dtod = 0.0;
    d.gamma_up_dtod = d.gamma_down_dtod = d.pow_gamma_dtod = 0.0;
    d.reset_std = 0.0;
    d.w_max = bound;
    d.w_min = -bound;
    d.tau = bound;
    return d;
}

/* aihwkit's default update: BL 31, UM and UBLM on, um_grad_scale 1, stochastic trains. */
static inline IrUpdate fx_update(void)
{
    IrUpdate u = {31, true, true, 1.0, IR_PULSE_STOCHASTIC_COMPRESSED, 0.0, 0.0};
    return u;
}

/* Sample mean of v[0..n). */
static inline double fx_mean(const double *v, size_t n)
{
    double s = 0.0;
    for (size_t k = 0; k < n; k++)
        s += v[k];
    return s / (double)n;
}

/* Unbiased sample variance of v[0..n). */
static inline double fx_var(const double *v, size_t n)
{
    double m = fx_mean(v, n), s = 0.0;
    for (size_t k = 0; k < n; k++)
        s += (v[k] - m) * (v[k] - m);
    return s / (double)(n - 1);
}

/* rm -rf path (test scratch directories only). */
static inline void fx_rm_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        for (struct dirent *e; d && (e = readdir(d));) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            size_t n = strlen(path) + strlen(e->d_name) + 2;
            char *sub = malloc(n);
            snprintf(sub, n, "%s/%s", path, e->d_name);
            fx_rm_tree(sub);
            free(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* A fresh scratch directory under /tmp, its path written into buf (at least 32 bytes). */
static inline bool fx_temp_dir(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/aimci_test_XXXXXX");
    return mkdtemp(buf) != NULL;
}

/* The whole content of a file (NUL-terminated, malloc'd), or NULL. */
static inline char *fx_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (size_t got; (got = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
        n += got;
        if (cap - n - 1 == 0)
            buf = realloc(buf, cap *= 2);
    }
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = n;
    return buf;
}

#endif

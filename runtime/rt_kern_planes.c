/*
** rt_kern_planes.c: what the fast update kernels (rt_kern.h) read: the per-cell constants of
** each family's vector rule (RtPlanes), the choice of kernel build for this CPU, and the
** naive twin of the kernels' row loop.
*/
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "rt_kern_impl.h"
#include "rt_mem.h"

#define LOG2E 1.4426950408889634

/*
** ====================================================================================
** Planes
** ====================================================================================
*/

/* The vector rule of a family; GENERIC for families without one. */
static RtKFam kernel_family(const RtDevice *dv)
{
    switch (dv->family) {
    case IR_DEV_CONSTANT_STEP:
    case IR_DEV_SOFT_BOUNDS:
    case IR_DEV_LINEAR_STEP:
    case IR_DEV_SOFT_BOUNDS_REFERENCE: return RT_KF_LINEAR;
    case IR_DEV_POW_STEP:
    case IR_DEV_POW_STEP_REFERENCE: return RT_KF_POW;
    case IR_DEV_EXP_STEP: return RT_KF_EXP;
    case IR_DEV_LINEAR: return RT_KF_PAPER_LIN;
    case IR_DEV_POWER: return RT_KF_PAPER_POW;
    case IR_DEV_EXPONENTIAL:
        return dv->exp_norm != 0.0 && isfinite(1.0 / dv->exp_norm) ? RT_KF_PAPER_EXP
                                                                   : RT_KF_GENERIC;
    default: return RT_KF_GENERIC;
    }
}

/* How the c2c noise enters the vector rule (rt_device.c's rules, written as RtKNoise). */
static RtKNoise kernel_noise(const RtDevice *dv, RtKFam fam)
{
    bool on = dv->dw_std > 0.0;
    switch (fam) {
    case RT_KF_LINEAR:
        if (!on)
            return RT_KN_NONE;
        return dv->family == IR_DEV_CONSTANT_STEP || dv->mult_noise ? RT_KN_MULT : RT_KN_ADD;
    case RT_KF_POW: return on ? RT_KN_MULT : RT_KN_NONE;
    case RT_KF_EXP:
        if (dv->std_add != 0.0 || dv->std_slope != 0.0)
            return RT_KN_COMPLEX;
        return on ? RT_KN_MULT : RT_KN_NONE;
    case RT_KF_PAPER_LIN:
    case RT_KF_PAPER_POW:
    case RT_KF_PAPER_EXP: return RT_KN_PAPER;
    case RT_KF_GENERIC: break;
    }
    return RT_KN_NONE;
}

/* -s/b, the slope of a soft-bounds step s(1 - v/b); 0 for b = 0 (aihwkit: no slope). */
static float slope(double s, double b)
{
    return b != 0.0 ? (float)(-s / b) : 0.0f;
}

/* LINEAR: m = a + c v per direction (rt_device.c: soft_bounds_step, linear_step_step, ...). */
static void fill_linear(RtPlanes *p, const RtDevice *dv, const RtCell *c, size_t k)
{
    double su = c->s_up, sd = c->s_down;
    p->a[0][k] = c->s_up;
    p->a[1][k] = -c->s_down;
    switch (dv->family) {
    case IR_DEV_SOFT_BOUNDS:
        p->c[0][k] = slope(su, c->p_up);
        p->c[1][k] = -slope(sd, c->p_down);
        break;
    case IR_DEV_LINEAR_STEP:
        p->c[0][k] = c->p_up;
        p->c[1][k] = -c->p_down;
        break;
    case IR_DEV_SOFT_BOUNDS_REFERENCE:
        p->c[0][k] = c->bmax > 0.0f ? slope(su, c->bmax) : 0.0f;
        p->c[1][k] = c->bmin < 0.0f ? -slope(sd, c->bmin) : 0.0f;
        p->ref[k] = c->ref;
        break;
    default: p->c[0][k] = p->c[1][k] = 0.0f; break;
    }
}

/* POW: u = (v - e) f, e the bound approached, f = -+1/R; a cell with R = 0 is inert. */
static void fill_pow(RtPlanes *p, const RtCell *c, size_t k, bool ref)
{
    double r = (double)c->bmax - (double)c->bmin;
    p->a[0][k] = c->s_up;
    p->a[1][k] = -c->s_down;
    p->e[0][k] = c->bmax;
    p->e[1][k] = c->bmin;
    p->f[0][k] = r != 0.0 ? (float)(-1.0 / r) : 0.0f;
    p->f[1][k] = r != 0.0 ? (float)(1.0 / r) : 0.0f;
    p->g[0][k] = c->p_up;
    p->g[1][k] = c->p_down;
    if (ref)
        p->ref[k] = c->ref;
    if (r == 0.0)
        p->special[k] = 1;
}

/* EXP: 2^(k + c v) = exp(+-gamma z), z = 2 a v/R + b; no bounds range: inert (special). */
static void fill_exp(RtPlanes *p, const RtDevice *dv, const RtCell *c, size_t k)
{
    double r = (double)c->bmax - (double)c->bmin;
    p->a[0][k] = c->s_up;
    p->a[1][k] = -c->s_down;
    p->c[0][k] = r > 0.0 ? (float)(LOG2E * dv->g_up * 2.0 * dv->a / r) : 0.0f;
    p->c[1][k] = r > 0.0 ? (float)(-LOG2E * dv->g_down * 2.0 * dv->a / r) : 0.0f;
    if (!(r > 0.0))
        p->special[k] = 1;
}

/* PAPER: the saturation max(1 + e v, 0), e = -1/b (0 for b = 0). */
static void fill_paper(RtPlanes *p, const RtCell *c, size_t k)
{
    p->a[0][k] = c->s_up;
    p->a[1][k] = -c->s_down;
    p->e[0][k] = c->bmax != 0.0f ? (float)(-1.0 / c->bmax) : 0.0f;
    p->e[1][k] = c->bmin != 0.0f ? (float)(-1.0 / c->bmin) : 0.0f;
}

/* Which planes a rule reads: bit 0 a, 1 c, 2 e, 3 f, 4 g, 5 ref, 6 special. */
static unsigned planes_used(const RtDevice *dv, RtKFam fam)
{
    bool ref = dv->family == IR_DEV_SOFT_BOUNDS_REFERENCE ||
               dv->family == IR_DEV_POW_STEP_REFERENCE;
    switch (fam) {
    case RT_KF_LINEAR: return 0x3u | (ref ? 0x20u : 0u);
    case RT_KF_POW: return 0x1du | 0x40u | (ref ? 0x20u : 0u);
    case RT_KF_EXP: return 0x3u | 0x40u;
    case RT_KF_PAPER_LIN:
    case RT_KF_PAPER_POW:
    case RT_KF_PAPER_EXP: return 0x5u;
    case RT_KF_GENERIC: break;
    }
    return 0;
}

/* Device-wide constants of the rule. */
static void set_constants(RtPlanes *p, const RtDevice *dv)
{
    p->s1 = (float)dv->dw_std;
    p->s2 = (float)dv->sigma_c;
    p->add = (float)dv->std_add;
    p->slope = (float)dv->std_slope;
    if (p->fam == RT_KF_EXP) {
        p->k[0] = (float)(LOG2E * dv->g_up * dv->b);
        p->k[1] = (float)(-LOG2E * dv->g_down * dv->b);
        p->A[0] = (float)dv->A_up;
        p->A[1] = (float)dv->A_down;
    } else if (p->fam == RT_KF_PAPER_LIN) {
        p->k[0] = (float)(1.0 + dv->c_lin);
        p->k[1] = (float)(1.0 - dv->c_lin);
    }
    p->gamma = (float)dv->gamma_res;
    p->gscale = (float)(dv->gamma_res * LOG2E);
    p->inv_norm = dv->exp_norm != 0.0 ? (float)(1.0 / dv->exp_norm) : 0.0f;
}

/*
** Point the used planes into one block of floats (special bytes at its end); nonzero when out
** of memory.
*/
static int alloc_planes(RtPlanes *p, unsigned used)
{
    size_t nf = 0;
    for (int b = 0; b < 5; b++)
        nf += used >> b & 1 ? 2 : 0;
    nf += 2 + (used & 0x20u ? 1 : 0);
    float *mem = calloc(nf * p->n + (used & 0x40u ? p->n : 0) + 1, sizeof(float));
    if (!mem)
        return -1;
    float **pair[5] = {p->a, p->c, p->e, p->f, p->g};
    for (int b = 0; b < 5; b++)
        if (used >> b & 1)
            for (int d = 0; d < 2; d++, mem += p->n)
                pair[b][d] = mem;
    p->lo = mem, mem += p->n;
    p->hi = mem, mem += p->n;
    if (used & 0x20u)
        p->ref = mem, mem += p->n;
    if (used & 0x40u)
        p->special = (uint8_t *)mem;
    return 0;
}

/* The block's start: the first plane allocated (a, or lo for GENERIC). */
static void *block(const RtPlanes *p)
{
    return p->a[0] ? (void *)p->a[0] : (void *)p->lo;
}

/* Whether the n values of v are one value (bit for bit); NULL planes are. */
static bool uniform(const float *v, size_t n)
{
    for (size_t k = 1; v && k < n; k++)
        if (memcmp(&v[k], &v[0], sizeof *v) != 0)
            return false;
    return true;
}

/* RtPlanes.at: 0 for the planes that hold one value. */
static void mark_uniform(RtPlanes *p)
{
    float *const *pair[5] = {p->a, p->c, p->e, p->f, p->g};
    for (int b = 0; b < 5; b++)
        p->at[b] = uniform(pair[b][0], p->n) && uniform(pair[b][1], p->n) ? 0 : SIZE_MAX;
    p->at[RT_PL_REF] = uniform(p->ref, p->n) ? 0 : SIZE_MAX;
    p->at[RT_PL_LO] = uniform(p->lo, p->n) ? 0 : SIZE_MAX;
    p->at[RT_PL_HI] = uniform(p->hi, p->n) ? 0 : SIZE_MAX;
}

RtPlanes *rt_planes_new(const RtDevice *dv, const RtCell *cell, size_t n)
{
    RtPlanes *p = rt_xcalloc(1, sizeof *p);
    p->fam = kernel_family(dv);
    p->noise = kernel_noise(dv, p->fam);
    p->nxi = rt_device_normals(dv);
    p->n = n;
    p->dv = dv;
    p->cell = cell;
    set_constants(p, dv);
    unsigned used = planes_used(dv, p->fam);
    if (alloc_planes(p, used)) {
        free(p);
        return NULL;
    }
    bool any = false;
    for (size_t k = 0; k < n; k++) {
        const RtCell *c = &cell[k];
        p->lo[k] = c->bmin;
        p->hi[k] = c->bmax;
        switch (p->fam) {
        case RT_KF_LINEAR: fill_linear(p, dv, c, k); break;
        case RT_KF_POW: fill_pow(p, c, k, p->ref != NULL); break;
        case RT_KF_EXP: fill_exp(p, dv, c, k); break;
        case RT_KF_PAPER_LIN:
        case RT_KF_PAPER_POW:
        case RT_KF_PAPER_EXP: fill_paper(p, c, k); break;
        case RT_KF_GENERIC: break;
        }
        any |= p->special && p->special[k];
    }
    if (!any)
        p->special = NULL; /* nothing special: the kernels skip the test */
    mark_uniform(p);
    if (p->fam == RT_KF_PAPER_POW)
        p->root = p->gamma == 0.5f;
    if (p->fam == RT_KF_POW)
        p->root = p->at[RT_PL_G] == 0 && p->g[0][0] == 0.5f && p->g[1][0] == 0.5f;
    return p;
}

void rt_planes_free(RtPlanes *p)
{
    if (!p)
        return;
    free(block(p));
    free(p);
}

void rt_kern_chunk_masks(uint64_t *cmask, const uint32_t *lo, const uint32_t *hi, size_t X,
                         int bl)
{
    size_t cw = rt_kern_chunk_words(X);
    memset(cmask, 0, (size_t)bl * cw * sizeof *cmask);
    for (size_t j0 = 0, c = 0; j0 < X; j0 += 8, c++) {
        uint64_t any = 0; /* the slots at which a column of the chunk fires */
        for (size_t j = j0; j < X && j < j0 + 8; j++)
            any |= lo[j] | (hi ? (uint64_t)hi[j] << 32 : 0);
        if (bl < 64)
            any &= ((uint64_t)1 << bl) - 1;
        for (; any; any &= any - 1)
            cmask[(size_t)__builtin_ctzll(any) * cw + c / 64] |= (uint64_t)1 << (c % 64);
    }
}

/*
** ====================================================================================
** Build choice
** ====================================================================================
*/

/*
** AIMCI_KERNEL=baseline or avx2 forces that build where the CPU has it (the results are the
** same); otherwise the widest the CPU has. The choice is made once: rt_kern() is called for
** every update, and reading the environment each time cost 0.5-1.5% of a training (getenv
** scans it). Any thread may make it; they agree.
*/
static _Atomic(const RtKern *) chosen;

RtFloatStep rt_kern_float_step(double step, double bound)
{
    float hi = (float)step, fb = (float)bound, lo = (float)(step - (double)hi);
    if (!(step > 0.0) || !(bound > 0.0) || (double)fb != bound || !(hi > 0.0f) ||
        !isfinite(hi) || !isfinite(fb))
        return RT_NO_FLOAT_STEP;
    for (int k = -1024; k <= 1024; k++) {
        for (int z = 0; z < (k == 0 ? 2 : 1); z++) { /* n = +0 and -0 */
            float n = z ? -0.0f : (float)k;
            double p = (double)n * step; /* the double finish: n step, clip4, to float */
            double c = bound < p ? bound : p;
            c = -bound > c ? -bound : c;
            float want = (float)c, got = fmaf(n, hi, n * lo);
            uint32_t gb, nb;
            memcpy(&gb, &got, sizeof gb), memcpy(&nb, &n, sizeof nb);
            gb |= nb & 0x80000000u; /* n's sign, as finish_fv: -0 stays -0 */
            memcpy(&got, &gb, sizeof got);
            bool over = got > fb, under = got < -fb;
            float clipped = fb < got ? fb : got;
            clipped = -fb > clipped ? -fb : clipped;
            if (memcmp(&want, &clipped, sizeof want) != 0 || over != (p > bound) ||
                under != (p < -bound))
                return RT_NO_FLOAT_STEP;
        }
    }
    return (RtFloatStep){hi, lo};
}

void rt_kern_choose(void)
{
    const RtKern *k = &rt_kern_base;
    const char *env = getenv("AIMCI_KERNEL");
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    bool base = env && strcmp(env, "baseline") == 0, avx2 = env && strcmp(env, "avx2") == 0;
    if (!base && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("popcnt"))
        k = &rt_kern_avx2;
    if (!base && !avx2 && k == &rt_kern_avx2 && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq"))
        k = &rt_kern_avx512;
#else
    (void)env;
#endif
    atomic_store(&chosen, k);
}

const RtKern *rt_kern(void)
{
    if (!atomic_load_explicit(&chosen, memory_order_relaxed))
        rt_kern_choose();
    return atomic_load_explicit(&chosen, memory_order_relaxed);
}

/*
** ====================================================================================
** Naive twin
** ====================================================================================
*/

/* The normals of a row stream, read one by one in the kernels' order. */
typedef struct Queue {
    RtRng8 *g;
    float buf[16];
    int pos;
} Queue;

static float next(Queue *q)
{
    if (q->pos == 16) {
        rt_kern_base.normals(q->g, q->buf, 16);
        q->pos = 0;
    }
    return q->buf[q->pos++];
}

/* Up to 4 chunks with pulses, as the kernels group them (rt_kern.c Block). */
typedef struct RefBlock {
    int nk;
    size_t off[4], len[4];
    int n[4][8];
    bool up[4][8];
} RefBlock;

/* The block's pulses level by level, chunk by chunk, lane by lane; then write noise. */
static void block_ref(const RtUpd *u, const RefBlock *bk, Queue *q)
{
    const RtPlanes *pl = u->pl;
    int nmax = 0;
    for (int k = 0; k < bk->nk; k++)
        for (size_t l = 0; l < bk->len[k]; l++)
            nmax = bk->n[k][l] > nmax ? bk->n[k][l] : nmax;
    for (int lv = 0; lv < nmax; lv++)
        for (int k = 0; k < bk->nk; k++) {
            float xi[8][2];
            for (int x = 0; x < pl->nxi; x++)
                for (size_t l = 0; l < bk->len[k]; l++)
                    if (bk->n[k][l] > lv)
                        xi[l][x] = next(q);
            for (size_t l = 0; l < bk->len[k]; l++) {
                size_t c = bk->off[k] + l;
                if (bk->n[k][l] > lv)
                    u->w[c] = rt_device_pulse_xi(pl->dv, &pl->cell[c], u->w[c], bk->up[k][l],
                                                 pl->nxi ? xi[l] : NULL);
            }
        }
    for (int k = 0; k < bk->nk; k++)
        for (size_t l = 0; l < bk->len[k]; l++) {
            size_t c = bk->off[k] + l;
            if (u->wv && bk->n[k][l] > 0)
                u->wv[c] = u->w[c] + u->wn * next(q);
            if (u->cnt)
                u->cnt[c] = (uint16_t)(u->cnt[c] + bk->n[k][l]);
        }
}

/* Gather the chunk at column j0 into bk if it has pulses; false if it has none. */
static bool chunk_ref(const RtUpd *u, size_t i, size_t b, size_t j0, uint64_t bits, bool sdneg,
                      RefBlock *bk)
{
    size_t len = u->X - j0 < 8 ? u->X - j0 : 8;
    int k = bk->nk;
    bool any = false;
    for (size_t l = 0; l < len; l++) {
        size_t j = b * u->X + j0 + l;
        uint64_t xt = u->xlo[j] | (u->xhi ? (uint64_t)u->xhi[j] << 32 : 0);
        bk->n[k][l] = __builtin_popcountll(xt & bits);
        bk->up[k][l] = (bool)signbit(u->x[j]) != sdneg;
        any |= bk->n[k][l] > 0;
    }
    if (!any)
        return false;
    bk->off[k] = i * u->X + j0;
    bk->len[k] = len;
    bk->nk++;
    return true;
}

/*
** A row that fires at slot k only (rt_kern.c row_single): one pulse on each column that fires
** at k, in groups of 8 in column order; per group the pulses, then the write noise.
*/
static void single_ref(const RtUpd *u, size_t i, size_t b, int k, bool sdneg, Queue *q)
{
    const RtPlanes *pl = u->pl;
    size_t cols[8];
    int n = 0;
    for (size_t j = 0; j <= u->X; j++) {
        if (j < u->X) {
            size_t at = b * u->X + j;
            uint64_t xt = u->xlo[at] | (u->xhi ? (uint64_t)u->xhi[at] << 32 : 0);
            if (xt >> k & 1)
                cols[n++] = j;
        }
        if (n == 0 || (n < 8 && j < u->X))
            continue;
        float xi[8][2];
        for (int x = 0; x < pl->nxi; x++)
            for (int l = 0; l < n; l++)
                xi[l][x] = next(q);
        for (int l = 0; l < n; l++) {
            size_t c = i * u->X + cols[l];
            bool up = (bool)signbit(u->x[b * u->X + cols[l]]) != sdneg;
            u->w[c] = rt_device_pulse_xi(pl->dv, &pl->cell[c], u->w[c], up,
                                         pl->nxi ? xi[l] : NULL);
        }
        for (int l = 0; l < n; l++) {
            size_t c = i * u->X + cols[l];
            if (u->wv)
                u->wv[c] = u->w[c] + u->wn * next(q);
            if (u->cnt)
                u->cnt[c]++;
        }
        n = 0;
    }
}

/* The same streams as RtKern.rows, the double rule per pulse. */
void rt_kern_rows_ref(const RtUpd *u, size_t i0, size_t i1)
{
    for (size_t i = i0; i < i1; i++)
        for (size_t b = 0; b < u->B; b++) {
            float di = u->d[b * u->D + i];
            int k = rt_kern_train_count(u->ru[b * u->rs + i], u->pa[b] * fabs((double)di),
                                        u->bl[b]);
            if (!k)
                continue;
            RtRng8 g;
            rt_rng8_seed(&g, u->key[b], i);
            uint64_t bits = rt_kern_base.row_slots(&g, k, u->bl[b]);
            Queue q = {&g, {0}, 16};
            bool sdneg = (di < 0.0f) != u->lr_neg;
            if (k == 1 && u->pl->fam != RT_KF_GENERIC && !u->pl->special) {
                single_ref(u, i, b, __builtin_ctzll(bits), sdneg, &q);
                continue;
            }
            RefBlock bk = {0};
            for (size_t j0 = 0; j0 < u->X; j0 += 8)
                if (chunk_ref(u, i, b, j0, bits, sdneg, &bk) && bk.nk == 4) {
                    block_ref(u, &bk, &q);
                    bk.nk = 0;
                }
            if (bk.nk > 0)
                block_ref(u, &bk, &q);
        }
}

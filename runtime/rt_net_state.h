/*
** rt_net_state.h: a net's weights and device state as named arrays (rt_npz.h), saved after a
** run and loaded into a new one (a train's `save` and `load`).
**
** Names: every weight layer L is `dense<n>` or `conv<n>` (n counting layers of that kind
** from 1, so the third layer of dense(784, 256), sigmoid, dense(256, 10) is dense2), then a
** role:
**   L.weight        what the layer computes with: out_scale * visible weights, (out, in) for
**                   dense, PyTorch's (out, in, kernel, kernel) for conv; float32
**   L.bias          (out), when the layer has a bias
** and for an analog layer of an analog run (each physical array as the crossbar holds it,
** (out, in * kernel * kernel) for conv):
**   L.out_scale     (1) or (out): the digital output scales, when the layer has them
**   L.visible       (out, in * kernel * kernel): the visible weights the tile computes with
**                   (weight = out_scale * visible): W, or the algorithm's combination of its
**                   arrays (rt_algo.h)
**   L.A             the stored weights of array A: W (the weight array), P (the gradient
**                   array of two-array algorithms) or P1, P2, ... (multi_tile, P1 next to W)
**   L.A.persistent  its persistent weights, when the device has write noise
**   L.A.pulses      uint64: pulses each device has received
**   L.A.w_min, L.A.w_max, L.A.dw_min_up, L.A.dw_min_down, L.A.reference, L.A.reset,
**   L.A.decay, L.A.diffusion
**                   the per-device parameters its device-to-device variation drew (RtCell:
**                   bounds, step sizes, reference conductance, reset value, decay scale per
**                   step, diffusion std), and two more by family: L.A.slope_up/slope_down
**                   (linear_step), L.A.bound_up/bound_down (soft_bounds: the bound each
**                   direction's step shrinks towards), L.A.gamma_up/gamma_down (pow_step*)
**   L.A.next_column, L.A.transfers   the algorithm's transfer counters of the array
**   L.R, L.R1, ...  the zero-shift reference of P, P1, ... with the same per-device arrays
**   L.H / L.chi / L.Q   the digital buffer (ttv2, c_ttv2, agad, residual_v2 / mixed
**                   precision / rider, e_rider); L.mu, L.mu_past (agad); L.in_chop,
**                   L.out_chop, L.chop_sign, L.switched (choppers); L.steps, L.sweeps
**   L.io.forward_out_noise, L.io.backward_out_noise, L.io.forward_abs_max,
**   L.io.backward_abs_max, and L.transfer_io.* likewise: the I/O's per-output noise stds
**                   drawn once and its running average_abs_max values
** A digital run (or a digital layer) has only weight and bias.
**
** Loading into a new run: the weights replace the drawn initial weights before the algorithm
** is attached (rt_net_load_weights: mapped by weight_scaling_omega and clipped to the cells,
** exactly as drawn weights are), then every array of the run that the file holds is
** restored with its per-device parameters, buffers and counters (rt_net_load_state), and the
** visible weights are computed again from them. What a file does not hold keeps what the new
** run drew (a file of a digital run programs its weights onto fresh devices); arrays of the
** file that the run has no place for are not used. The random streams are not part of the
** file: the new run draws from its own seed.
*/
#ifndef AIMCI_RT_NET_STATE_H
#define AIMCI_RT_NET_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "ir.h"
#include "rt_net.h"
#include "rt_npz.h"

/* Append the state of net n (built from m) to z as described above; 0, or -1 with err set. */
int rt_net_state_save(RtNpz *z, RtNet *n, const IrModel *m, char *err, size_t errlen);

/*
** Set every weight layer's weights and bias from z (read from path, named in errors) before
** an algorithm is attached. The shapes must be the model's; a missing array, another shape
** or a weight layer of the file that the model does not have is an error naming the file,
** the array and the layer. 0, or -1 with err set.
*/
int rt_net_load_weights(RtNet *n, const IrModel *m, const RtNpz *z, const char *path, char *err,
                        size_t errlen);

/*
** After rt_algo_attach: restore the analog arrays, per-device parameters, output scales,
** buffers, counters and I/O state that z holds (see above); an array the file holds with the
** wrong shape, or a group (one array and its parameters) it holds only in part, is an error.
** 0, or -1 with err set.
*/
int rt_net_load_state(RtNet *n, const IrModel *m, const RtNpz *z, const char *path, char *err,
                      size_t errlen);

/*
** Both, for a net without an algorithm (an evaluation, built analog when the file is an
** analog run's: rt_net_state_analog): the weights are then each tile's L.visible with its
** L.out_scale, exactly what the saved run computed with. A tile of n has output scales
** exactly when the file holds them for its layer, else it is an error. 0, or -1 with err set.
*/
int rt_net_load_file(RtNet *n, const IrModel *m, const char *path, char *err, size_t errlen);

/* Whether z is the state of an analog run: it holds a weight array W of some layer. */
bool rt_net_state_analog(const RtNpz *z);

#endif

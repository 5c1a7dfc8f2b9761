/*
** rt_kern_impl.h: what the files of the kernels share (rt_kern.c, built three times, and
** rt_kern_planes.c); not part of rt_kern.h's interface (the module convention:
** rt_algo_impl.h).
*/
#ifndef AIMCI_RT_KERN_IMPL_H
#define AIMCI_RT_KERN_IMPL_H

#include "rt_kern.h"

/* The three builds of rt_kern.c; rt_kern() picks one (tests compare them). */
extern const RtKern rt_kern_base, rt_kern_avx2, rt_kern_avx512;

/* Choose the build again from AIMCI_KERNEL and the CPU (rt_kern() chooses once). */
void rt_kern_choose(void);

#endif

/*
** kern_stub.c: empty tables in place of the update kernels (runtime/rt_kern.c, written with
** GCC's vector builtins, which clang does not build). The front end and the checker never
** update a tile, so the fuzz target links the rest of the runtime with these.
*/
#include "rt_kern.h"

const RtKern rt_kern_base = {0}, rt_kern_avx2 = {0}, rt_kern_avx512 = {0};

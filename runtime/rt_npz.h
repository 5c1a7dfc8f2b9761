/*
** rt_npz.h: NumPy's .npz archives, written and read: a ZIP file of .npy arrays, one member
** NAME.npy per array, as numpy.savez (stored) and numpy.savez_compressed (deflate) write
** them; numpy.load reads what rt_npz_encode writes, and rt_npz_read reads what numpy writes.
**
** The .npy format (NumPy's NEP 1): the magic "\x93NUMPY", a version (1.0 written; 1.0, 2.0
** and 3.0 read), the length of a header, and the header, a Python dict literal
** {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } padded with spaces to a
** multiple of 64 bytes and ended by a newline; then the elements. aimci writes
** little-endian C-order arrays. It reads the types below in either byte order and in C or
** Fortran order, and hands back native C-order arrays.
**
** The ZIP container (PKWARE's APPNOTE): local headers, the members' data, a central
** directory and its end record. Written members are deflated (zlib, raw deflate) with their
** CRC-32 and a fixed time stamp (1980-01-01 00:00), so the same arrays give the same bytes;
** no ZIP64 is written, so an archive over 4 GiB is an error. Read: stored or deflated
** members, ZIP64 sizes and offsets included (numpy writes its members with ZIP64 extra
** fields); the CRC-32 of every member is checked. Every error names the file.
**
** Runtime API for others (weights of a net: rt_net_state.h): build an RtNpz with
** rt_npz_add, turn it into bytes with rt_npz_encode (for rt_file_write_set) or write it
** atomically with rt_npz_write; read a file with rt_npz_read and look arrays up with
** rt_npz_find.
*/
#ifndef AIMCI_RT_NPZ_H
#define AIMCI_RT_NPZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RT_NPZ_MAX_DIM 8
#define RT_NPZ_MAX_NAME 200

/* Element types: NumPy's descr without the byte order ('<f4' is RT_NPZ_F4). */
typedef enum RtNpzType {
    RT_NPZ_F4, RT_NPZ_F8, RT_NPZ_I1, RT_NPZ_I2, RT_NPZ_I4, RT_NPZ_I8,
    RT_NPZ_U1, RT_NPZ_U2, RT_NPZ_U4, RT_NPZ_U8, RT_NPZ_B1, RT_NPZ__COUNT
} RtNpzType;

typedef struct RtNpzArray {
    char *name;                    /* the key (member name without .npy) */
    RtNpzType type;
    size_t ndim, shape[RT_NPZ_MAX_DIM];
    size_t n;                      /* elements: the product of the shape (1 when ndim is 0) */
    void *data;                    /* n elements, C order, native byte order (owned) */
} RtNpzArray;

/* An archive's arrays in order; zero-initialised is empty. */
typedef struct RtNpz {
    RtNpzArray *a;
    size_t n, cap;
} RtNpz;

/* Bytes per element of t; NumPy's type name ("float32"). */
size_t rt_npz_size(RtNpzType t);
const char *rt_npz_type_name(RtNpzType t);

/*
** Append a copy of data (the product of shape elements of type t, C order) as array name
** (at most RT_NPZ_MAX_NAME bytes, no '/'); returns 0, or -1 with a message (a name given
** twice, a bad name, out of memory).
*/
int rt_npz_add(RtNpz *z, const char *name, RtNpzType t, size_t ndim, const size_t *shape,
               const void *data, char *err, size_t errlen);

/* The array named name, or NULL. */
const RtNpzArray *rt_npz_find(const RtNpz *z, const char *name);

void rt_npz_free(RtNpz *z);

/* The archive's bytes (malloc'd, *len of them); 0, or -1 with a message. */
int rt_npz_encode(const RtNpz *z, unsigned char **out, size_t *len, char *err, size_t errlen);

/* Encode and write to path atomically (rt_file_write); 0, or -1 with a message. */
int rt_npz_write(const char *path, const RtNpz *z, char *err, size_t errlen);

/*
** Read the arrays of an archive in memory (path only names it in errors) or of a file into
** z (emptied first); 0, or -1 with a message naming path, and z empty.
*/
int rt_npz_decode(RtNpz *z, const unsigned char *data, size_t len, const char *path, char *err,
                  size_t errlen);
int rt_npz_read(RtNpz *z, const char *path, char *err, size_t errlen);

#endif

/*
** load.h: reading script files, and finding what `use "NAME"` refers to.
*/
#ifndef AIMCI_LOAD_H
#define AIMCI_LOAD_H

#include <stddef.h>

#include "arena.h"

#define LD_MAX_FILE (16u << 20) /* scripts larger than this are refused */

/*
** Read a whole file into the arena, NUL-terminated. Returns NULL and a message in *err
** (an arena string) if it cannot be read or is too large.
*/
char *ld_read(Arena *ar, const char *path, size_t *len, const char **err);

/*
** Resolve `use "name"` from a file at `from_path`. A name ending in ".aimc" or holding a
** '/' is a path relative to the including file's folder; any other name is a library
** NAME.aimc searched in $AIMCI_PATH (':'-separated) and then in `stdlib`.
** Returns an arena path, or NULL if nothing was found.
*/
const char *ld_resolve(Arena *ar, const char *from_path, const char *name, const char *stdlib);

/* The library names (without .aimc) found where ld_resolve looks, for suggestions. */
size_t ld_libraries(Arena *ar, const char *stdlib, const char ***names);

/* The canonical path of a file (realpath), or the path itself if that fails. */
const char *ld_canonical(Arena *ar, const char *path);

#endif

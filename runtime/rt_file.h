/*
** rt_file.h: atomic whole-file output. Errors come back as text, never as an abort.
*/
#ifndef AIMCI_RT_FILE_H
#define AIMCI_RT_FILE_H

#include <stddef.h>

/*
** Write data (len bytes) to path atomically: missing parent directories are created, the
** bytes go to a temporary file in the same directory, which is flushed (fsync) and renamed
** over path. Readers see the old content or the new one, never a mix. Returns 0, or -1 with
** a message naming the path in err (no temporary file is left behind).
*/
int rt_file_write(const char *path, const void *data, size_t len, char *err, size_t errlen);

/*
** Whether rt_file_write(path) can succeed, checked before a long run rather than after it:
** creates the missing parent directories and a temporary file beside path (removed at once).
** Returns 0, or -1 with rt_file_write's message in err.
*/
int rt_file_check(const char *path, char *err, size_t errlen);

/* Create every missing directory above path's last component (mkdir -p of its dirname). */
int rt_file_mkparents(const char *path, char *err, size_t errlen);

/*
** A new string: path with the extension of its last component (from its last '.', not a
** leading one) replaced by ext (e.g. ".resolved.aimc"); appended if it has none.
*/
char *rt_path_swap_ext(const char *path, const char *ext);

#endif

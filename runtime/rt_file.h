/*
** rt_file.h: atomic whole-file output. Errors come back as text, never as an abort.
**
** Generic primitives only: which paths a run must not write (its inputs) is decided by the
** interpreter (interp/run/eval_files.c); this file knows how to write regular files safely.
** Every write lands on a regular file: a path that is a symbolic link is written through
** (its final target is replaced, the link stays), and a path that is (or whose link target
** is) a directory, device, FIFO, socket or any other non-regular file is refused.
*/
#ifndef AIMCI_RT_FILE_H
#define AIMCI_RT_FILE_H

#include <stdbool.h>
#include <stddef.h>

/*
** Write data (len bytes) to path atomically: missing parent directories are created, the
** bytes go to a temporary file in the same directory, which is flushed (fsync) and renamed
** over path. Readers see the old content or the new one, never a mix. Returns 0, or -1 with
** a message naming the path in err (no temporary file is left behind).
*/
int rt_file_write(const char *path, const void *data, size_t len, char *err, size_t errlen);

/* One file of a set written together (rt_file_write_set). */
typedef struct RtFileOut {
    const char *path;
    const void *data;
    size_t len;
    const char *from; /* non-NULL: an existing file to move to path instead of data (e.g. an
                      ** image a helper program wrote); on the same file system as path */
} RtFileOut;

/*
** Write n files as one unit: every file goes to a temporary file beside its target first
** (where a full disk or a write error shows: then nothing is replaced), then, with signals
** blocked and the target folders locked (flock, so that concurrent aimci processes commit
** whole sets one after the other), the temporaries are renamed over their targets. If a
** rename fails half way, the files already replaced are put back from hard links taken
** just before (files that were new are removed), so the set is all new or all old. Only a
** crash of the machine or SIGKILL between two renames can leave a mix; the old files then
** remain beside the targets as ".NAME.oldXXXXXX". Returns 0, or -1 with a message in err.
*/
int rt_file_write_set(const RtFileOut *files, size_t n, char *err, size_t errlen);

/* For tests only: when k > 0, the rename of the k-th file of the next sets fails (EIO). */
extern int rt_file_fault_rename;

/*
** For tests only: when > 0, every set waits this long between writing its temporary files
** and renaming them (a window in which a test kills the process; interp/main.c sets it from
** AIMCI_TEST_WRITE_DELAY_MS). A temporary file is registered with rt_stop_track meanwhile.
*/
extern unsigned rt_file_test_delay_ms;

/*
** Where a write to path lands: path itself, or the final target of a chain of symbolic
** links (a new string in *target, freed by the caller, also on failure: NULL then). Refuses
** (-1 with a message) a target that exists and is not a regular file, and a link loop.
*/
int rt_file_target(const char *path, char **target, char *err, size_t errlen);

/* The identity (device, inode) of an existing file, links followed; false if none. */
typedef struct RtFileId {
    unsigned long long dev, ino;
} RtFileId;
bool rt_file_id(const char *path, RtFileId *id);

/*
** A name for the file path will be (links resolved, its folder made absolute and canonical
** as far as it exists), so that two spellings of one file compare equal; a new string.
*/
char *rt_file_key(const char *path);

/* What kind of non-regular file mode is ("a directory", "a character device", ...). */
const char *rt_file_kind(unsigned mode);

/*
** Whether rt_file_write(path) can succeed, checked before a long run rather than after it:
** refuses what rt_file_target refuses, creates the missing parent directories and a
** temporary file beside the target (removed at once).
** Returns 0, or -1 with rt_file_write's message in err.
*/
int rt_file_check(const char *path, char *err, size_t errlen);

/*
** Whether path's folder exists or can be made, checked without creating anything (`aimci
** --check`): the nearest ancestor of path that exists must be a folder that this process may
** write into (access W_OK and X_OK; a root process passes unless the file system is
** read-only). Returns 0, or -1 with a message naming that ancestor.
*/
int rt_file_folder_check(const char *path, char *err, size_t errlen);

/* Create every missing directory above path's last component (mkdir -p of its dirname). */
int rt_file_mkparents(const char *path, char *err, size_t errlen);

/*
** A new string: path with the extension of its last component (from its last '.', not a
** leading one) replaced by ext (e.g. ".resolved.aimc"); appended if it has none.
*/
char *rt_path_swap_ext(const char *path, const char *ext);

/*
** A new string: path with ".tag" before the extension of its last component (as
** rt_path_swap_ext finds it), or appended if it has none: "out/fcn.npz", "rl" gives
** "out/fcn.rl.npz" (a train's save and load of one optimizer among several).
*/
char *rt_path_tagged(const char *path, const char *tag);

#endif

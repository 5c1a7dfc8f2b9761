/*
** rt_file.c: mkdir -p, atomic writes of one file or a set of files (temp files, fsync,
** renames under a folder lock, rolled back on failure), symlink targets, extension swapping.
*/
#define _DEFAULT_SOURCE /* realpath, flock */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_file.h"
#include "rt_mem.h"
#include "rt_stop.h"

/* mkdir dir unless it already exists as a directory; -1 with err (about path) otherwise. */
static int make_dir(const char *dir, const char *path, char *err, size_t errlen)
{
    if (mkdir(dir, 0777) == 0)
        return 0;
    int e = errno;
    struct stat st;
    if (e == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    if (e == EEXIST)
        snprintf(err, errlen, "cannot write '%s': '%s' is not a directory", path, dir);
    else
        snprintf(err, errlen, "cannot write '%s': cannot create directory '%s': %s", path, dir,
                 strerror(e));
    return -1;
}

int rt_file_mkparents(const char *path, char *err, size_t errlen)
{
    char *p = rt_xstrdup(path);
    int rc = 0;
    for (char *s = strchr(p + 1, '/'); s && rc == 0; s = strchr(s + 1, '/')) {
        if (s[-1] == '/')
            continue; /* "a//b" */
        *s = '\0';
        rc = make_dir(p, path, err, errlen);
        *s = '/';
    }
    free(p);
    return rc;
}

char *rt_path_swap_ext(const char *path, const char *ext)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t keep = dot && dot != base ? (size_t)(dot - path) : strlen(path);
    size_t el = strlen(ext);
    char *out = rt_xmalloc(keep + el + 1);
    memcpy(out, path, keep);
    memcpy(out + keep, ext, el + 1);
    return out;
}

char *rt_path_tagged(const char *path, const char *tag)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t keep = dot && dot != base ? (size_t)(dot - path) : strlen(path);
    size_t len = strlen(path) + strlen(tag) + 2;
    char *out = rt_xmalloc(len);
    snprintf(out, len, "%.*s.%s%s", (int)keep, path, tag, path + keep);
    return out;
}

/* The folder part of path with its '/' ("" for a bare name); a new string. */
static char *dir_part(const char *path)
{
    const char *slash = strrchr(path, '/');
    return rt_xstrndup(path, slash ? (size_t)(slash - path) + 1 : 0);
}

/* "dir/.base.tmpXXXXXX" for path "dir/base". */
static char *temp_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
    size_t n = strlen(path) + 16;
    char *t = rt_xmalloc(n);
    snprintf(t, n, "%.*s.%s.tmpXXXXXX", (int)dl, path, path + dl);
    return t;
}

/* All of data to fd, retrying short writes and EINTR. */
static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Permissions of a fresh file: 0666 less the umask (mkstemp creates 0600). */
static mode_t file_mode(void)
{
    mode_t mask = umask(022);
    umask(mask);
    return 0666 & ~mask;
}

/* Write, flush and close the temporary file; -1 with errno set. */
static int fill_temp(int fd, const void *data, size_t len)
{
    int rc = write_all(fd, data, len);
    if (rc == 0)
        rc = fchmod(fd, file_mode());
    if (rc == 0)
        rc = fsync(fd);
    int e = errno;
    if (close(fd) != 0 && rc == 0)
        return -1;
    errno = e;
    return rc;
}

/* Best effort: make the rename durable by syncing the directory. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = rt_xstrdup(slash ? path : ".");
    if (slash)
        dir[slash - path + 1] = '\0';
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dir);
}

/*
** A new temporary file beside path (its missing parent directories created first): the file
** descriptor, its name in *tmp (the caller frees it); -1 with rt_file_write's message in err.
*/
static int open_temp(const char *path, char **tmp, char *err, size_t errlen)
{
    *tmp = NULL;
    if (rt_file_mkparents(path, err, errlen) != 0)
        return -1;
    *tmp = temp_name(path);
    int fd = mkstemp(*tmp);
    if (fd >= 0)
        rt_stop_track(*tmp); /* removed by a handler that must end the process at once */
    if (fd < 0) { /* e.g. /proc/version: the file is there, its folder takes no new file */
        int e = errno;
        char *dir = dir_part(path);
        snprintf(err, errlen, "cannot write '%s': cannot create a file in '%s' (%s)", path,
                 dir[0] ? dir : "./", strerror(e));
        free(dir);
    }
    return fd;
}

const char *rt_file_kind(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFDIR: return "a directory";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFIFO: return "a FIFO";
    case S_IFSOCK: return "a socket";
    case S_IFREG: return "a regular file";
    default: return "not a regular file";
    }
}

#define MAX_LINKS 40

int rt_file_target(const char *path, char **target, char *err, size_t errlen)
{
    char *cur = rt_xstrdup(path);
    *target = NULL;
    for (int hops = 0;; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0) {
            if (errno == ENOENT || errno == ENOTDIR) {
                *target = cur; /* a new file (or a folder to create: mkparents reports) */
                return 0;
            }
            snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
            break;
        }
        if (S_ISREG(st.st_mode)) {
            *target = cur;
            return 0;
        }
        if (!S_ISLNK(st.st_mode)) {
            if (strcmp(cur, path) == 0)
                snprintf(err, errlen, "cannot write '%s': it is %s, not a regular file", path,
                         rt_file_kind(st.st_mode));
            else
                snprintf(err, errlen, "cannot write '%s': it links to '%s', which is %s, not a "
                         "regular file", path, cur, rt_file_kind(st.st_mode));
            break;
        }
        if (hops >= MAX_LINKS) {
            snprintf(err, errlen, "cannot write '%s': too many levels of symbolic links", path);
            break;
        }
        char buf[4096];
        ssize_t n = readlink(cur, buf, sizeof buf - 1);
        if (n < 0) {
            snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
            break;
        }
        buf[n] = '\0';
        char *next;
        if (buf[0] == '/') {
            next = rt_xstrdup(buf);
        } else { /* relative to the link's folder */
            char *dir = dir_part(cur);
            size_t len = strlen(dir) + (size_t)n + 1;
            next = rt_xmalloc(len);
            snprintf(next, len, "%s%s", dir, buf);
            free(dir);
        }
        free(cur);
        cur = next;
    }
    free(cur);
    return -1;
}

bool rt_file_id(const char *path, RtFileId *id)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    *id = (RtFileId){(unsigned long long)st.st_dev, (unsigned long long)st.st_ino};
    return true;
}

/* Append component c (of n bytes) to the absolute path in *b, resolving "." and ".."
** lexically and, while the path exists, its links (realpath). */
static void key_step(char **b, const char *c, size_t n)
{
    if (n == 0 || (n == 1 && c[0] == '.'))
        return;
    if (n == 2 && c[0] == '.' && c[1] == '.') {
        char *slash = strrchr(*b, '/');
        if (slash)
            slash[slash == *b] = '\0'; /* "/a/b" -> "/a", "/a" -> "/" */
        return;
    }
    size_t len = strlen(*b);
    char *next = rt_xmalloc(len + n + 2);
    snprintf(next, len + n + 2, "%s%s%.*s", *b, len && (*b)[len - 1] == '/' ? "" : "/", (int)n,
             c);
    free(*b);
    char *real = realpath(next, NULL);
    if (real) {
        free(next);
        next = real;
    }
    *b = next;
}

char *rt_file_key(const char *path)
{
    char *target = NULL, err[8];
    if (rt_file_target(path, &target, err, sizeof err) != 0) {
        free(target);
        target = rt_xstrdup(path);
    }
    char *b = target[0] == '/' ? rt_xstrdup("/") : realpath(".", NULL);
    if (!b)
        b = rt_xstrdup("/");
    for (const char *c = target; *c;) {
        size_t n = strcspn(c, "/");
        key_step(&b, c, n);
        c += n + (c[n] == '/');
    }
    free(target);
    return b;
}

/*
** {======================================================================
** Writing a set of files as one unit
** =======================================================================
*/

typedef struct Pending {
    char *target; /* where the file lands (links resolved) */
    char *tmp;    /* the new content, beside target */
    char *old;    /* a hard link to the old content, or NULL (new file, or no hard links) */
    bool moved;   /* tmp has been renamed over target */
    int dirfd;    /* the locked folder, or -1 (another entry holds its lock) */
} Pending;

/* Stage file f: its target resolved and its content in a temporary file beside it. */
static int stage(const RtFileOut *f, Pending *p, char *err, size_t errlen)
{
    if (rt_file_target(f->path, &p->target, err, errlen) != 0)
        return -1;
    if (f->from) { /* move the file given, from the same folder */
        if (rt_file_mkparents(p->target, err, errlen) != 0)
            return -1;
        p->tmp = rt_xstrdup(f->from);
        return 0;
    }
    int fd = open_temp(p->target, &p->tmp, err, errlen);
    if (fd < 0)
        return -1;
    if (fill_temp(fd, f->data, f->len) != 0) {
        snprintf(err, errlen, "cannot write '%s': %s", f->path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Lock the folder of each target (once per folder) against other aimci processes. */
static void lock_dirs(Pending *p, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        p[k].dirfd = -1;
        char *dir = dir_part(p[k].target);
        bool again = false;
        for (size_t j = 0; j < k && !again; j++) {
            char *other = dir_part(p[j].target);
            again = strcmp(dir, other) == 0;
            free(other);
        }
        if (!again) {
            p[k].dirfd = open(dir[0] ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (p[k].dirfd >= 0)
                while (flock(p[k].dirfd, LOCK_EX) != 0 && errno == EINTR)
                    ;
        }
        free(dir);
    }
}

/* A hard link to target's current content under a fresh name, or NULL. */
static char *keep_old(const char *target)
{
    struct stat st;
    if (lstat(target, &st) != 0 || !S_ISREG(st.st_mode))
        return NULL;
    char *name = temp_name(target);
    size_t n = strlen(name);
    memcpy(name + n - 9, "oldXXXXXX", 9); /* ".base.tmpXXXXXX" -> ".base.oldXXXXXX" */
    for (int tries = 0; tries < 16; tries++) {
        int fd = mkstemp(name);
        if (fd < 0)
            break;
        close(fd);
        unlink(name); /* the name is free: now the link (under the folder's lock) */
        if (link(target, name) == 0)
            return name;
        if (errno != EEXIST)
            break;
        memcpy(name + n - 6, "XXXXXX", 6);
    }
    free(name);
    return NULL;
}

/* Undo the renames done so far: old contents back, new files removed. */
static void roll_back(Pending *p, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (!p[k].moved)
            continue;
        if (p[k].old) {
            if (rename(p[k].old, p[k].target) == 0) {
                free(p[k].old);
                p[k].old = NULL;
            }
        } else {
            unlink(p[k].target);
        }
    }
}

int rt_file_fault_rename;
unsigned rt_file_test_delay_ms;

/* Rename every staged file over its target (all or none); -1 with err set. */
static int commit(Pending *p, size_t n, const RtFileOut *files, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++) { /* what changed since the staging */
        char *again = NULL;
        rc = rt_file_target(files[k].path, &again, err, errlen);
        if (rc == 0 && strcmp(again, p[k].target) != 0) {
            snprintf(err, errlen, "cannot write '%s': it changed while being written",
                     files[k].path);
            rc = -1;
        }
        free(again);
    }
    for (size_t k = 0; k < n && rc == 0 && n > 1; k++)
        p[k].old = keep_old(p[k].target);
    for (size_t k = 0; k < n && rc == 0; k++) {
        bool fault = rt_file_fault_rename > 0 && (size_t)rt_file_fault_rename == k + 1;
        if (fault)
            errno = EIO;
        if (!fault && rename(p[k].tmp, p[k].target) == 0) {
            p[k].moved = true;
        } else {
            snprintf(err, errlen, "cannot write '%s': %s", files[k].path, strerror(errno));
            rc = -1;
        }
    }
    if (rc != 0)
        roll_back(p, n);
    return rc;
}

int rt_file_write_set(const RtFileOut *files, size_t n, char *err, size_t errlen)
{
    Pending *p = rt_xcalloc(n ? n : 1, sizeof *p);
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++)
        rc = stage(&files[k], &p[k], err, errlen);
    if (rc == 0 && rt_file_test_delay_ms)
        usleep(1000u * rt_file_test_delay_ms); /* tests: a window to kill the process in */
    if (rc == 0) {
        sigset_t all, saved;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &saved);
        lock_dirs(p, n);
        rc = commit(p, n, files, err, errlen);
        for (size_t k = 0; k < n; k++) {
            if (rc == 0)
                sync_dir(p[k].target);
            if (p[k].old)
                unlink(p[k].old);
            if (p[k].dirfd >= 0)
                close(p[k].dirfd); /* releases the lock */
        }
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
    }
    for (size_t k = 0; k < n; k++) {
        if (p[k].tmp && !p[k].moved && (rc != 0 || !files[k].from))
            unlink(p[k].tmp);
        if (p[k].tmp)
            rt_stop_untrack(p[k].tmp);
        free(p[k].target);
        free(p[k].tmp);
        free(p[k].old);
    }
    free(p);
    return rc;
}

/* }====================================================================== */

int rt_file_write(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    RtFileOut f = {path, data, len, NULL};
    return rt_file_write_set(&f, 1, err, errlen);
}

int rt_file_check(const char *path, char *err, size_t errlen)
{
    char *target;
    if (rt_file_target(path, &target, err, errlen) != 0) {
        free(target);
        return -1;
    }
    char *tmp;
    int fd = open_temp(target, &tmp, err, errlen);
    if (fd >= 0)
        close(fd), unlink(tmp), rt_stop_untrack(tmp);
    free(tmp);
    free(target);
    return fd < 0 ? -1 : 0;
}

int rt_file_folder_check(const char *path, char *err, size_t errlen)
{
    char *dir = rt_xstrdup(path);
    struct stat st;
    for (;;) { /* from the path's folder up to the first one that exists */
        char *slash = strrchr(dir, '/');
        if (!slash) {
            strcpy(dir, ".");
            break;
        }
        if (slash == dir)
            slash[1] = '\0'; /* "/" */
        else
            *slash = '\0';
        if (stat(dir, &st) == 0 || errno != ENOENT || strcmp(dir, "/") == 0)
            break;
    }
    int rc = 0;
    if (stat(dir, &st) != 0) {
        snprintf(err, errlen, "cannot write '%s': '%s': %s", path, dir, strerror(errno));
        rc = -1;
    } else if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot write '%s': '%s' is %s, not a folder", path, dir,
                 rt_file_kind(st.st_mode));
        rc = -1;
    } else if (access(dir, W_OK | X_OK) != 0) {
        snprintf(err, errlen, "cannot write '%s': folder '%s': %s", path, dir, strerror(errno));
        rc = -1;
    }
    free(dir);
    return rc;
}

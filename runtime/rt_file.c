/*
** rt_file.c: mkdir -p, atomic write (temp file, fsync, rename), extension swapping.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_file.h"
#include "rt_mem.h"

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
    if (fd < 0)
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
    return fd;
}

int rt_file_write(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    char *tmp;
    int fd = open_temp(path, &tmp, err, errlen);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    int rc = fill_temp(fd, data, len);
    if (rc == 0)
        rc = rename(tmp, path);
    if (rc != 0) {
        snprintf(err, errlen, "cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
    } else {
        sync_dir(path);
    }
    free(tmp);
    return rc;
}

int rt_file_check(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "cannot write '%s': it is a directory", path);
        return -1;
    }
    char *tmp;
    int fd = open_temp(path, &tmp, err, errlen);
    if (fd >= 0)
        close(fd), unlink(tmp);
    free(tmp);
    return fd < 0 ? -1 : 0;
}

/*
** load.c: file reading and library search for `use`.
*/
#define _XOPEN_SOURCE 700 /* realpath */
#include "load.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rt_mem.h"

char *ld_read(Arena *ar, const char *path, size_t *len, const char **err)
{
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = arena_printf(ar, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        fclose(f); /* a FIFO is read (process substitution); a device or socket is not */
        *err = arena_printf(ar, "'%s' is %s, not a script", path,
                            S_ISDIR(st.st_mode)   ? "a directory"
                            : S_ISCHR(st.st_mode) ? "a character device"
                            : S_ISBLK(st.st_mode) ? "a block device"
                            : S_ISSOCK(st.st_mode) ? "a socket"
                                                   : "not a regular file");
        return NULL;
    }
    size_t cap = 0, n = 0, got;
    char *buf = NULL;
    int oom;
    while (!(oom = RT_GROW(buf, cap, n < 4096 ? 4096 : n + 1)) &&
           (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n > LD_MAX_FILE)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (oom || failed || n > LD_MAX_FILE) {
        free(buf);
        *err = failed ? arena_printf(ar, "cannot read '%s'", path)
                      : arena_printf(ar, "'%s' is larger than %u MiB", path, LD_MAX_FILE >> 20);
        return NULL;
    }
    char *text = arena_strndup(ar, buf, n);
    free(buf);
    *len = n;
    return text;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The folder part of a path ("." if none). */
static const char *dir_of(Arena *ar, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ".";
    if (slash == path)
        return "/";
    return arena_strndup(ar, path, (size_t)(slash - path));
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

const char *ld_resolve(Arena *ar, const char *from_path, const char *name, const char *stdlib)
{
    if (!name[0])
        return NULL;
    if (ends_with(name, ".aimc") || strchr(name, '/')) {
        const char *p = name[0] == '/' ? name
                                        : arena_printf(ar, "%s/%s", dir_of(ar, from_path), name);
        return is_file(p) ? p : NULL;
    }
    const char *env = getenv("AIMCI_PATH");
    if (env) {
        char *dirs = arena_strdup(ar, env);
        for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
            const char *p = arena_printf(ar, "%s/%s.aimc", d, name);
            if (is_file(p))
                return p;
        }
    }
    const char *p = arena_printf(ar, "%s/%s.aimc", stdlib, name);
    return is_file(p) ? p : NULL;
}

static size_t scan_dir(Arena *ar, const char *dir, const char **names, size_t n, size_t cap)
{
    DIR *d = opendir(dir);
    if (!d)
        return n;
    struct dirent *e;
    while ((e = readdir(d)) && n < cap)
        if (ends_with(e->d_name, ".aimc"))
            names[n++] = arena_strndup(ar, e->d_name, strlen(e->d_name) - 5);
    closedir(d);
    return n;
}

size_t ld_libraries(Arena *ar, const char *stdlib, const char ***out)
{
    enum { CAP = 256 };
    const char **names = arena_alloc(ar, CAP * sizeof *names);
    size_t n = 0;
    const char *env = getenv("AIMCI_PATH");
    if (env) {
        char *dirs = arena_strdup(ar, env);
        for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save))
            n = scan_dir(ar, d, names, n, CAP);
    }
    n = scan_dir(ar, stdlib, names, n, CAP);
    *out = names;
    return n;
}

const char *ld_canonical(Arena *ar, const char *path)
{
    char buf[PATH_MAX];
    return realpath(path, buf) ? arena_strdup(ar, buf) : path;
}

/*
** test_file.c: atomic file writes and output path naming.
*/
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_file.h"
#include "rt_fixtures.h"

/* A fresh scratch directory per test (each test runs in its own process), removed after. */
static char scratch[64];

static void setup(void)
{
    cr_assert(fx_temp_dir(scratch, sizeof scratch));
}

static void teardown(void)
{
    fx_rm_tree(scratch);
}

TestSuite(file, .init = setup, .fini = teardown);

/* The file at path holds exactly want. */
static void has_content(const char *path, const char *want)
{
    char *got = fx_slurp(path, NULL);
    cr_assert_str_eq(got, want, "%s", path);
    free(got);
}

/* Entries in dir besides . and .. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    if (d)
        closedir(d);
    return n;
}

Test(file, write_creates_missing_directories)
{
    const char *dir = scratch;
    char path[128];
    snprintf(path, sizeof path, "%s/a/b/c.csv", dir);
    char err[256];
    cr_assert_eq(rt_file_write(path, "x,y\n1,2\n", 8, err, sizeof err), 0, "%s", err);
    has_content(path, "x,y\n1,2\n");
}

Test(file, write_replaces_existing_content_and_leaves_no_temporary)
{
    const char *dir = scratch;
    char path[128];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    char err[256];
    cr_assert_eq(rt_file_write(path, "a much longer first content\n", 28, err, sizeof err), 0);
    cr_assert_eq(rt_file_write(path, "short\n", 6, err, sizeof err), 0);
    has_content(path, "short\n");
    cr_assert_eq(count_entries(dir), 1);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0044, 0044, "readable like a normal new file, not 0600");
}

/* A parent that is a regular file cannot become a directory (fails even as root). */
Test(file, unwritable_path_is_an_error_message)
{
    const char *dir = scratch;
    char file[128], path[160];
    snprintf(file, sizeof file, "%s/plain", dir);
    char err[256] = "";
    cr_assert_eq(rt_file_write(file, "x", 1, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/sub/x.csv", file);
    cr_assert_eq(rt_file_write(path, "x", 1, err, sizeof err), -1);
    cr_assert_neq(strstr(err, file), NULL, "%s", err);
    cr_assert_neq(strstr(err, "not a directory"), NULL, "%s", err);
    snprintf(path, sizeof path, "%s/x.csv", file);
    err[0] = '\0';
    cr_assert_eq(rt_file_write(path, "x", 1, err, sizeof err), -1);
    cr_assert_neq(strstr(err, path), NULL, "%s", err);
    cr_assert_eq(count_entries(dir), 1);
}

Test(file, existing_directory_as_target_is_an_error)
{
    const char *dir = scratch;
    char err[256] = "";
    cr_assert_eq(rt_file_write(dir, "x", 1, err, sizeof err), -1);
    cr_assert_neq(strstr(err, dir), NULL, "%s", err);
    cr_assert_eq(count_entries(dir), 0, "the temporary file was removed");
}

Test(file, swap_extension)
{
    const char *cases[][2] = {{"runs/q.csv", "runs/q.resolved.aimc"},
                              {"runs.d/q", "runs.d/q.resolved.aimc"},
                              {"q.tar.csv", "q.tar.resolved.aimc"},
                              {".hidden", ".hidden.resolved.aimc"},
                              {"dir/.hidden", "dir/.hidden.resolved.aimc"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *p = rt_path_swap_ext(cases[k][0], ".resolved.aimc");
        cr_assert_str_eq(p, cases[k][1]);
        free(p);
    }
}

/* A train's per-optimizer file: the optimizer's name before the extension of the last
** component (a dot in a folder or a leading dot is no extension). */
Test(file, tagged_path)
{
    const char *cases[][2] = {{"out/fcn.npz", "out/fcn.rl.npz"},
                              {"out.d/fcn", "out.d/fcn.rl"},
                              {"w.tar.npz", "w.tar.rl.npz"},
                              {"dir/.w", "dir/.w.rl"}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char *p = rt_path_tagged(cases[k][0], "rl");
        cr_assert_str_eq(p, cases[k][1]);
        free(p);
    }
}

/* rt_file_check: creates the directories, leaves no file; fails as rt_file_write would. */
Test(file, check_before_writing)
{
    char path[128], blocked[128], err[256];
    snprintf(path, sizeof path, "%s/a/b/out.csv", scratch);
    cr_assert_eq(rt_file_check(path, err, sizeof err), 0, "%s", err);
    snprintf(blocked, sizeof blocked, "%s/a/b", scratch);
    cr_assert_eq(count_entries(blocked), 0, "the check left a file behind");
    cr_assert_eq(rt_file_write(path, "x", 1, err, sizeof err), 0, "%s", err);
    snprintf(blocked, sizeof blocked, "%s/a/b/out.csv/inner.csv", scratch);
    cr_assert_eq(rt_file_check(blocked, err, sizeof err), -1);
    cr_assert_neq(strstr(err, "is not a directory"), NULL, "%s", err);
    snprintf(blocked, sizeof blocked, "%s/a", scratch);
    cr_assert_eq(rt_file_check(blocked, err, sizeof err), -1);
    cr_assert_neq(strstr(err, "it is a directory"), NULL, "%s", err);
}

/* The output policy's primitives: non-regular targets, links, sets written as one unit. */

Test(file, device_node_is_refused_and_left_alone)
{
    char err[256] = "";
    struct stat before, after;
    cr_assert_eq(stat("/dev/null", &before), 0);
    cr_assert_eq(rt_file_write("/dev/null", "x", 1, err, sizeof err), -1);
    cr_assert_neq(strstr(err, "character device"), NULL, "%s", err);
    cr_assert_eq(rt_file_check("/dev/null", err, sizeof err), -1);
    cr_assert_eq(stat("/dev/null", &after), 0);
    cr_assert(S_ISCHR(after.st_mode), "/dev/null is still a device");
    cr_assert_eq(before.st_ino, after.st_ino);
}

Test(file, fifo_is_refused)
{
    char path[128], err[256] = "";
    snprintf(path, sizeof path, "%s/pipe", scratch);
    cr_assert_eq(mkfifo(path, 0600), 0);
    cr_assert_eq(rt_file_write(path, "x", 1, err, sizeof err), -1);
    cr_assert_neq(strstr(err, "FIFO"), NULL, "%s", err);
    struct stat st;
    cr_assert_eq(lstat(path, &st), 0);
    cr_assert(S_ISFIFO(st.st_mode));
}

Test(file, symlink_is_written_through)
{
    char link[128], real[128], err[256] = "";
    snprintf(real, sizeof real, "%s/real.csv", scratch);
    snprintf(link, sizeof link, "%s/link.csv", scratch);
    cr_assert_eq(rt_file_write(real, "old\n", 4, err, sizeof err), 0);
    cr_assert_eq(symlink("real.csv", link), 0);
    cr_assert_eq(rt_file_write(link, "new\n", 4, err, sizeof err), 0, "%s", err);
    struct stat st;
    cr_assert_eq(lstat(link, &st), 0);
    cr_assert(S_ISLNK(st.st_mode), "the link stays a link");
    has_content(real, "new\n");
    /* a dangling link: its target is created */
    cr_assert_eq(unlink(real), 0);
    cr_assert_eq(rt_file_write(link, "again\n", 6, err, sizeof err), 0, "%s", err);
    has_content(real, "again\n");
    /* a link to a device is refused */
    char dev[128];
    snprintf(dev, sizeof dev, "%s/null", scratch);
    cr_assert_eq(symlink("/dev/null", dev), 0);
    cr_assert_eq(rt_file_write(dev, "x", 1, err, sizeof err), -1);
    cr_assert_neq(strstr(err, "links to '/dev/null'"), NULL, "%s", err);
    /* a loop */
    char loop[128];
    snprintf(loop, sizeof loop, "%s/loop", scratch);
    cr_assert_eq(symlink("loop", loop), 0);
    cr_assert_eq(rt_file_write(loop, "x", 1, err, sizeof err), -1);
}

Test(file, keys_of_one_file_agree)
{
    char a[128], b[128];
    snprintf(a, sizeof a, "%s/new/x.csv", scratch);
    snprintf(b, sizeof b, "%s/new/../new/./x.csv", scratch);
    char *ka = rt_file_key(a), *kb = rt_file_key(b);
    cr_assert_str_eq(ka, kb);
    free(ka);
    free(kb);
    char link[128];
    snprintf(link, sizeof link, "%s/alias", scratch);
    cr_assert_eq(symlink("new/x.csv", link), 0);
    ka = rt_file_key(a);
    kb = rt_file_key(link);
    cr_assert_str_eq(ka, kb, "a link to a file not there yet names that file");
    free(ka);
    free(kb);
}

/* Two files written over an old pair: a rename that fails half way puts the old pair back. */
Test(file, set_is_all_new_or_all_old)
{
    char a[128], b[128], err[256] = "";
    snprintf(a, sizeof a, "%s/x.csv", scratch);
    snprintf(b, sizeof b, "%s/x.resolved.aimc", scratch);
    RtFileOut old[] = {{a, "old a\n", 6, NULL}, {b, "old b\n", 6, NULL}};
    cr_assert_eq(rt_file_write_set(old, 2, err, sizeof err), 0, "%s", err);
    RtFileOut neu[] = {{a, "new a\n", 6, NULL}, {b, "new b\n", 6, NULL}};
    rt_file_fault_rename = 2;
    cr_assert_eq(rt_file_write_set(neu, 2, err, sizeof err), -1);
    rt_file_fault_rename = 0;
    has_content(a, "old a\n");
    has_content(b, "old b\n");
    cr_assert_eq(count_entries(scratch), 2, "no temporary or backup file is left");
    /* a new pair whose second rename fails leaves nothing */
    char c[128], e[128];
    snprintf(c, sizeof c, "%s/y.csv", scratch);
    snprintf(e, sizeof e, "%s/y.resolved.aimc", scratch);
    RtFileOut fresh[] = {{c, "c\n", 2, NULL}, {e, "e\n", 2, NULL}};
    rt_file_fault_rename = 2;
    cr_assert_eq(rt_file_write_set(fresh, 2, err, sizeof err), -1);
    rt_file_fault_rename = 0;
    cr_assert_eq(count_entries(scratch), 2);
    cr_assert_eq(rt_file_write_set(neu, 2, err, sizeof err), 0, "%s", err);
    has_content(a, "new a\n");
    has_content(b, "new b\n");
    cr_assert_eq(count_entries(scratch), 2);
}

/* A write that fails for lack of space (here: the file size limit) replaces neither file. */
Test(file, full_disk_keeps_the_old_pair)
{
    char a[128], b[128], err[256] = "";
    snprintf(a, sizeof a, "%s/x.csv", scratch);
    snprintf(b, sizeof b, "%s/x.resolved.aimc", scratch);
    RtFileOut old[] = {{a, "old a\n", 6, NULL}, {b, "old b\n", 6, NULL}};
    cr_assert_eq(rt_file_write_set(old, 2, err, sizeof err), 0, "%s", err);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = {4096, 4096};
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    static char big[8192];
    memset(big, 'x', sizeof big);
    RtFileOut neu[] = {{a, big, sizeof big, NULL}, {b, "new b\n", 6, NULL}};
    cr_assert_eq(rt_file_write_set(neu, 2, err, sizeof err), -1);
    RtFileOut neu2[] = {{a, "new a\n", 6, NULL}, {b, big, sizeof big, NULL}};
    cr_assert_eq(rt_file_write_set(neu2, 2, err, sizeof err), -1);
    cr_assert_neq(strstr(err, "x.resolved.aimc"), NULL, "%s", err);
    has_content(a, "old a\n");
    has_content(b, "old b\n");
    cr_assert_eq(count_entries(scratch), 2);
}

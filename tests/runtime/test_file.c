/*
** test_file.c: atomic file writes and output path naming.
*/
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static char *slurp(const char *path)
{
    return fx_slurp(path, NULL);
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
    char *got = slurp(path);
    cr_assert_str_eq(got, "x,y\n1,2\n");
    free(got);
}

Test(file, write_replaces_existing_content_and_leaves_no_temporary)
{
    const char *dir = scratch;
    char path[128];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    char err[256];
    cr_assert_eq(rt_file_write(path, "a much longer first content\n", 28, err, sizeof err), 0);
    cr_assert_eq(rt_file_write(path, "short\n", 6, err, sizeof err), 0);
    char *got = slurp(path);
    cr_assert_str_eq(got, "short\n");
    free(got);
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

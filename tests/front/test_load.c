/*
** test_load.c: `use` (interp/front/load.c, and the checker's driver that follows it): files
** relative to the file that uses them, libraries from AIMCI_PATH and the stdlib folder,
** include-once, cycles, and the errors of a missing file or library, an empty script and a
** folder.
*/
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "check_fixtures.h"

TestSuite(load, .init = fe_setup, .fini = fe_teardown);

/* Check a text registered as NAME in the fixture's folder (so `use` resolves there). */
static int check_in_tmp(const char *name, const char *src)
{
    const char *path = arena_printf(fe.ar, "%s/%s", fe.tmp, name);
    return chk_source(fe.c, path, fe_copy(src, strlen(src)), strlen(src));
}

/* {======================================================================
** use: files, libraries, cycles, include-once
** ======================================================================= */

Test(load, use_of_a_file_relative_to_the_including_file)
{
    fe_write("lib/devs.aimc", "device rram : soft_bounds { w_max = 0.7 }\nwm = rram.w_max\n");
    cr_assert_eq(check_in_tmp("t.aimc", "use \"lib/devs.aimc\"\ndevice b : rram {}\nx = wm\n"),
                 0, "%s", fe_text());
    const IrProgram *p = chk_program(fe.c);
    cr_assert_eq(p->ndevices, 2);
    cr_assert_eq(p->devices[1]->w_max, 0.7);
}

Test(load, a_file_used_by_a_file_resolves_from_its_own_folder)
{
    fe_write("lib/a.aimc", "use \"b.aimc\"\nxa = xb + 1\n");
    fe_write("lib/b.aimc", "xb = 1\n");
    cr_assert_eq(check_in_tmp("t.aimc", "use \"lib/a.aimc\"\ny = xa\n"), 0, "%s", fe_text());
    cr_assert_eq(const_num(chk_program(fe.c), "y"), 2);
}

Test(load, use_of_a_library_from_the_stdlib_folder)
{
    fe_write("mylib.aimc", "device preset : constant_step { dw_min = 0.0016 }\n");
    cr_assert_eq(check_in_tmp("t.aimc", "use \"mylib\"\ndevice mine : preset {}\n"), 0, "%s",
                 fe_text());
    cr_assert_eq(chk_program(fe.c)->devices[1]->dw_min, 0.0016);
}

Test(load, aimci_path_is_searched_before_the_stdlib)
{
    fe_write("mylib.aimc", "x = 1\n");
    fe_write("other/mylib.aimc", "x = 2\n");
    setenv("AIMCI_PATH", arena_printf(fe.ar, "/nonexistent:%s/other", fe.tmp), 1);
    cr_assert_eq(check_in_tmp("t.aimc", "use \"mylib\"\n"), 0, "%s", fe_text());
    cr_assert_eq(const_num(chk_program(fe.c), "x"), 2);
}

Test(load, each_file_is_included_once)
{
    fe_write("c.aimc", "c1 = 3\ndevice dc : ideal {}\n");
    fe_write("d.aimc", "use \"c.aimc\"\n");
    cr_assert_eq(check_in_tmp("t.aimc", "use \"c.aimc\"\nuse \"d.aimc\"\nuse \"./c.aimc\"\n"
                                        "z = c1\n"),
                 0, "%s", fe_text());
    cr_assert_eq(chk_program(fe.c)->ndevices, 1);
}

Test(load, an_include_cycle_is_an_error_at_the_use_that_closes_it)
{
    fe_write("a.aimc", "use \"b.aimc\"\nx = 1\n");
    fe_write("b.aimc", "use \"a.aimc\"\ny = 1\n");
    const char *main = fe_write("main.aimc", "use \"a.aimc\"\n");
    cr_assert_eq(chk_file(fe.c, main), 1, "%s", fe_text());
    const char *want = arena_printf(fe.ar, "%s/b.aimc:1:5: error: '%s/a.aimc' includes itself\n",
                                    fe.tmp, fe.tmp);
    assert_output_has(want);
    assert_output_has("  expected: a chain of `use` without cycles\n");
    assert_output_has(arena_printf(fe.ar, "  note: included from %s/a.aimc:1:5\n", fe.tmp));
    assert_output_has(arena_printf(fe.ar, "  note: included from %s:1:5\n", main));
}

Test(load, a_file_that_uses_itself)
{
    const char *main = fe_write("self.aimc", "use \"self.aimc\"\nx = 1\n");
    cr_assert_eq(chk_file(fe.c, main), 1, "%s", fe_text());
    assert_output_has("includes itself\n");
}

Test(load, use_of_a_missing_library_lists_the_libraries)
{
    fe_write("devices.aimc", "x = 1\n");
    fe_write("noise.aimc", "y = 1\n");
    cr_assert_eq(check_in_tmp("t.aimc", "use \"device\"\n"), 1);
    assert_output_has(":1:5: error: no script or library 'device'\n");
    assert_output_has("  hint: did you mean 'devices'?\n");
    assert_output_has("devices");
    assert_output_has("noise");
}

Test(load, use_of_a_missing_file)
{
    cr_assert_eq(check_in_tmp("t.aimc", "x = 1\nuse \"nofile.aimc\"\n"), 1);
    assert_output_has(":2:5: error: no script or library 'nofile.aimc'\n");
    assert_output_has("      |     ^~~~~~~~~~~~~\n");
}

Test(load, errors_in_a_used_file_name_it_and_the_use)
{
    fe_write("bad.aimc", "device d : soft_bounds {\n  dw_mn = 1\n}\n");
    const char *main = fe_write("main.aimc", "x = 1\nuse \"bad.aimc\"\n");
    cr_assert_eq(chk_file(fe.c, main), 1);
    assert_output_has(arena_printf(fe.ar, "%s/bad.aimc:2:3: error: unknown parameter 'dw_mn'",
                                   fe.tmp));
    assert_output_has(arena_printf(fe.ar, "  note: included from %s:2:5\n", main));
}

Test(load, a_missing_root_file_is_a_plain_error)
{
    cr_assert_eq(chk_file(fe.c, arena_printf(fe.ar, "%s/none.aimc", fe.tmp)), 1);
    assert_output_has("aimci: error: cannot open '");
    assert_output_has("none.aimc': No such file or directory\n");
}

Test(load, an_empty_root_file_is_an_error)
{
    const char *e = fe_write("empty.aimc", "# nothing here\n\n");
    cr_assert_eq(chk_file(fe.c, e), 1);
    assert_output_has(":1:1: error: the script is empty\n");
    assert_output_has("  expected: declarations: device, ");
}

Test(load, a_folder_is_not_a_script)
{
    cr_assert_eq(chk_file(fe.c, fe.tmp), 1);
    assert_output_has("is a directory, not a script\n");
}

/* }====================================================================== */

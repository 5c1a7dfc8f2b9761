/*
** test_lexer.c: the re2c lexer (grammar/lexer.re) through lx_init / lx_next: every token
** kind, numbers, strings, comments, newlines inside brackets, positions, and every lexical
** error with its exact message and position.
*/
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <string.h>

#include "fe_fixtures.h"
#include "lex.h"
#include "parser.h"

TestSuite(lexer, .init = fe_setup, .fini = fe_teardown);

#define MAXTOK 128

typedef struct Lexed {
    int n;               /* tokens before the end (code 0) */
    int code[MAXTOK];
    Token tok[MAXTOK];
    Lexer lx;            /* the lexer after the end, for lx_unclosed and friends */
} Lexed;

static Lexed lexed;

/* Lex len bytes of src (registered as "t.aimc") to the end; the tokens go to `lexed`. */
static Lexed *lexn(const char *src, size_t len)
{
    const char *text = fe_copy(src, len);
    uint32_t file = diag_add_file(fe.d, "t.aimc", text, len, (SrcLoc){0});
    memset(&lexed, 0, sizeof lexed);
    lx_init(&lexed.lx, fe.d, file, text, len);
    for (int guard = 0; guard < 10 * MAXTOK; guard++) {
        Token t;
        int code = lx_next(&lexed.lx, &t);
        if (code == 0)
            return &lexed;
        cr_assert_lt(lexed.n, MAXTOK, "too many tokens");
        lexed.code[lexed.n] = code;
        lexed.tok[lexed.n++] = t;
    }
    cr_assert_fail("the lexer does not reach the end");
    return NULL;
}

static Lexed *lex(const char *src)
{
    return lexn(src, strlen(src));
}

/* Token k has this code, text, line and column. */
static void assert_tok(const Lexed *l, int k, int code, const char *text, unsigned line,
                       unsigned col)
{
    cr_assert_lt(k, l->n, "only %d tokens", l->n);
    const Token *t = &l->tok[k];
    cr_assert_eq(l->code[k], code, "token %d: code %d, expected %d", k, l->code[k], code);
    if (text)
        cr_assert(t->len == strlen(text) && memcmp(t->text, text, t->len) == 0,
                  "token %d: text '%.*s', expected '%s'", k, (int)t->len, t->text, text);
    cr_assert_eq(t->loc.line, line, "token %d: line %u, expected %u", k, t->loc.line, line);
    cr_assert_eq(t->loc.col, col, "token %d: column %u, expected %u", k, t->loc.col, col);
}

/* {======================================================================
** Token kinds
** ======================================================================= */

Test(lexer, every_punctuation_and_operator_token)
{
    static const int codes[] = {TK_EQ,     TK_COLON,  TK_COMMA,  TK_DOT,    TK_LPAREN,
                                TK_RPAREN, TK_LBRACK, TK_RBRACK, TK_LBRACE, TK_RBRACE,
                                TK_PLUS,   TK_MINUS,  TK_STAR,   TK_SLASH,  TK_CARET};
    Lexed *l = lex("= : , . ( ) [ ] { } + - * / ^");
    cr_assert_eq(l->n, 15);
    for (int k = 0; k < 15; k++) {
        assert_tok(l, k, codes[k], NULL, 1, (unsigned)(2 * k + 1));
        cr_assert_eq(l->tok[k].len, 1);
    }
    cr_assert_eq(diag_count(fe.d), 0);
}

Test(lexer, names_and_keywords)
{
    Lexed *l = lex("dw_min _x A9 true false use truex use_it False vary varying");
    assert_tok(l, 0, TK_NAME, "dw_min", 1, 1);
    assert_tok(l, 1, TK_NAME, "_x", 1, 8);
    assert_tok(l, 2, TK_NAME, "A9", 1, 11);
    assert_tok(l, 3, TK_TRUE, "true", 1, 14);
    assert_tok(l, 4, TK_FALSE, "false", 1, 19);
    assert_tok(l, 5, TK_USE, "use", 1, 25);
    assert_tok(l, 6, TK_NAME, "truex", 1, 29);  /* the longest match wins */
    assert_tok(l, 7, TK_NAME, "use_it", 1, 35);
    assert_tok(l, 8, TK_NAME, "False", 1, 42);  /* keywords are case-sensitive */
    assert_tok(l, 9, TK_VARY, "vary", 1, 48);
    assert_tok(l, 10, TK_NAME, "varying", 1, 53);
    cr_assert_eq(l->n, 11);
}

Test(lexer, numbers_in_every_form)
{
    Lexed *l = lex("3 0.5 .5 1e-4 2E+3 1. 7e2 0");
    static const double want[] = {3, 0.5, 0.5, 1e-4, 2e3, 1.0, 700, 0};
    static const char *const text[] = {"3", "0.5", ".5", "1e-4", "2E+3", "1.", "7e2", "0"};
    static const unsigned col[] = {1, 3, 7, 10, 15, 20, 23, 27};
    cr_assert_eq(l->n, 8);
    for (int k = 0; k < 8; k++) {
        assert_tok(l, k, TK_NUMBER, text[k], 1, col[k]);
        cr_assert_eq(l->tok[k].num, want[k], "%s read as %.17g", text[k], l->tok[k].num);
    }
    cr_assert_eq(diag_count(fe.d), 0);
}

Test(lexer, a_number_then_a_name_are_two_tokens)
{
    Lexed *l = lex("3abc 2.5e");
    assert_tok(l, 0, TK_NUMBER, "3", 1, 1);
    assert_tok(l, 1, TK_NAME, "abc", 1, 2);
    assert_tok(l, 2, TK_NUMBER, "2.5e", 1, 6); /* malformed: reported below */
    cr_assert_eq(diag_count(fe.d), 1);
}

Test(lexer, strings_exclude_their_quotes)
{
    Lexed *l = lex("\"out/a.csv\" \"\" \"a # not a comment\"");
    assert_tok(l, 0, TK_STRING, "out/a.csv", 1, 1);
    assert_tok(l, 1, TK_STRING, "", 1, 13);
    assert_tok(l, 2, TK_STRING, "a # not a comment", 1, 16);
    cr_assert_eq(l->tok[0].loc.len, 11, "the location covers the quotes");
    cr_assert_eq(l->n, 3);
}

Test(lexer, comments_are_skipped_but_their_newline_stays)
{
    Lexed *l = lex("# a comment\nx = 1 # trailing\n#end");
    assert_tok(l, 0, TK_NL, NULL, 1, 12);
    assert_tok(l, 1, TK_NAME, "x", 2, 1);
    assert_tok(l, 2, TK_EQ, "=", 2, 3);
    assert_tok(l, 3, TK_NUMBER, "1", 2, 5);
    assert_tok(l, 4, TK_NL, NULL, 2, 17);
    cr_assert_eq(l->n, 5);
}

Test(lexer, newlines_are_tokens_outside_brackets)
{
    Lexed *l = lex("a\n\nb");
    assert_tok(l, 0, TK_NAME, "a", 1, 1);
    assert_tok(l, 1, TK_NL, NULL, 1, 2);
    assert_tok(l, 2, TK_NL, NULL, 2, 1);
    assert_tok(l, 3, TK_NAME, "b", 3, 1);
    cr_assert_eq(l->n, 4);
}

Test(lexer, newlines_inside_parentheses_and_brackets_are_suppressed)
{
    Lexed *l = lex("f(1,\n  2)\n[3,\n 4]\n{\n}");
    static const int codes[] = {TK_NAME,   TK_LPAREN, TK_NUMBER, TK_COMMA,  TK_NUMBER,
                                TK_RPAREN, TK_NL,     TK_LBRACK, TK_NUMBER, TK_COMMA,
                                TK_NUMBER, TK_RBRACK, TK_NL,     TK_LBRACE, TK_NL,
                                TK_RBRACE};
    cr_assert_eq(l->n, 16);
    for (int k = 0; k < 16; k++)
        cr_assert_eq(l->code[k], codes[k], "token %d: %d, expected %d", k, l->code[k], codes[k]);
    /* Lines still count inside the brackets. */
    assert_tok(l, 4, TK_NUMBER, "2", 2, 3);
    assert_tok(l, 10, TK_NUMBER, "4", 4, 2);
    assert_tok(l, 15, TK_RBRACE, "}", 6, 1);
}

Test(lexer, positions_count_bytes_and_tabs_as_one_column)
{
    Lexed *l = lex("\tdevice  d\r\n  x");
    assert_tok(l, 0, TK_NAME, "device", 1, 2);
    assert_tok(l, 1, TK_NAME, "d", 1, 10);
    assert_tok(l, 2, TK_NL, NULL, 1, 12); /* '\r' is white space */
    assert_tok(l, 3, TK_NAME, "x", 2, 3);
    cr_assert_eq(l->tok[0].loc.len, 6);
    cr_assert_eq(l->tok[0].loc.file, 0);
}

Test(lexer, utf8_inside_comments_and_strings_is_fine)
{
    Lexed *l = lex("# w\xc3\xb6rld\nx = \"\xc3\xbc\"");
    assert_tok(l, 1, TK_NAME, "x", 2, 1);
    assert_tok(l, 3, TK_STRING, "\xc3\xbc", 2, 5);
    cr_assert_eq(diag_count(fe.d), 0);
}

Test(lexer, an_empty_text_is_just_the_end)
{
    Lexed *l = lex("");
    cr_assert_eq(l->n, 0);
    cr_assert_eq(diag_count(fe.d), 0);
}

Test(lexer, unclosed_brackets_are_remembered)
{
    Lexed *l = lex("x = (1 + [2,\n (3");
    const SrcLoc *open = lx_unclosed(&l->lx);
    cr_assert_not_null(open);
    cr_assert_eq(open->line, 2);
    cr_assert_eq(open->col, 2);
    cr_assert_eq(l->lx.depth, 3);
    Lexed *m = lex("x = (1)[2]");
    cr_assert_null(lx_unclosed(&m->lx));
}

Test(lexer, open_braces_are_counted)
{
    Lexed *l = lex("a {\n b {\n");
    cr_assert_eq(l->lx.braces, 2);
    cr_assert_eq(l->lx.brace_open.line, 1);
    cr_assert_eq(l->lx.brace_open.col, 3);
}

Test(lexer, token_names_for_messages)
{
    cr_assert_str_eq(lx_token_name(0), "end of input");
    cr_assert_str_eq(lx_token_name(TK_NL), "end of line");
    cr_assert_str_eq(lx_token_name(TK_STRING), "a string");
    cr_assert_str_eq(lx_token_name(TK_LBRACE), "'{'");
    cr_assert_str_eq(lx_token_name(TK_CARET), "'^'");
    cr_assert_str_eq(lx_token_name(TK_USE), "'use'");
    cr_assert_str_eq(lx_token_name(TK_VARY), "'vary'");
    cr_assert_str_eq(lx_token_name(-1), "token");
    cr_assert_str_eq(lx_token_name(1000), "token");
}

/* }====================================================================== */

/* {======================================================================
** Lexical errors: the message, its position, and that scanning goes on
** ======================================================================= */

Test(lexer, unterminated_string_stops_at_the_end_of_the_line)
{
    Lexed *l = lex("x = \"abc\ny");
    assert_tok(l, 2, TK_STRING, "abc", 1, 5);
    assert_tok(l, 3, TK_NL, NULL, 1, 9);
    assert_tok(l, 4, TK_NAME, "y", 2, 1);
    cr_assert_eq(diag_count(fe.d), 1);
    assert_output_has("t.aimc:1:5: error: unterminated string\n");
    assert_output_has("  expected: a closing '\"' on the same line\n");
}

Test(lexer, unterminated_string_at_the_end_of_the_file)
{
    Lexed *l = lex("log = \"out/a");
    assert_tok(l, 2, TK_STRING, "out/a", 1, 7);
    cr_assert_eq(l->n, 3);
    assert_output_has("t.aimc:1:7: error: unterminated string\n");
    assert_output_has("      |       ^~~~~~\n");
}

Test(lexer, a_number_too_large_is_an_error)
{
    Lexed *l = lex("1e999 2");
    assert_tok(l, 0, TK_NUMBER, "1e999", 1, 1);
    assert_tok(l, 1, TK_NUMBER, "2", 1, 7);
    cr_assert_eq(l->tok[1].num, 2);
    cr_assert_eq(diag_count(fe.d), 1);
    assert_output_has("t.aimc:1:1: error: number out of range\n");
    assert_output_has("  expected: a number of magnitude below 1.8e308\n");
}

Test(lexer, the_largest_double_is_fine)
{
    Lexed *l = lex("1.7976931348623157e308");
    cr_assert_eq(l->tok[0].num, 1.7976931348623157e308);
    cr_assert_eq(diag_count(fe.d), 0);
}

Test(lexer, an_exponent_without_digits_is_an_error)
{
    Lexed *l = lex("x = 1e\ny = 2.5E+");
    assert_tok(l, 2, TK_NUMBER, "1e", 1, 5);
    assert_tok(l, 6, TK_NUMBER, "2.5E+", 2, 5);
    cr_assert_eq(diag_count(fe.d), 2);
    assert_output_has("t.aimc:1:5: error: malformed number\n");
    assert_output_has("t.aimc:2:5: error: malformed number\n");
    assert_output_has("  expected: digits after the exponent\n");
}

Test(lexer, a_number_longer_than_63_characters_is_an_error)
{
    char src[80];
    memset(src, '1', 64);
    src[64] = '\0';
    Lexed *l = lex(src);
    cr_assert_eq(l->n, 1);
    assert_output_has("t.aimc:1:1: error: number too long\n");
    assert_output_has("  expected: at most 63 characters\n");
    fe_teardown();
    fe_setup();
    src[63] = '\0';
    lex(src);
    cr_assert_eq(diag_count(fe.d), 0);
}

Test(lexer, a_stray_character_is_reported_and_skipped)
{
    Lexed *l = lex("x = 1 @ 2 $");
    assert_tok(l, 3, TK_NUMBER, "2", 1, 9);
    cr_assert_eq(l->n, 4);
    cr_assert_eq(diag_count(fe.d), 2);
    assert_output_has("t.aimc:1:7: error: unexpected character '@'\n");
    assert_output_has("t.aimc:1:11: error: unexpected character '$'\n");
    assert_output_has("  expected: a name, a number, a string or an operator\n");
}

Test(lexer, an_unprintable_stray_byte_is_shown_as_a_question_mark)
{
    lex("x = \x01");
    assert_output_has("t.aimc:1:5: error: unexpected character '?'\n");
}

Test(lexer, non_ascii_outside_strings_and_comments_is_one_error)
{
    Lexed *l = lex("x = \xc3\xa9\xc3\xa9 + 1");
    cr_assert_eq(diag_count(fe.d), 1);
    assert_tok(l, 2, TK_PLUS, "+", 1, 10);
    assert_output_has("t.aimc:1:5: error: non-ASCII characters outside a string or comment\n");
}

Test(lexer, a_name_of_128_characters_is_fine_and_129_is_too_long)
{
    char src[140];
    memset(src, 'a', 129);
    src[128] = '\0';
    lex(src);
    cr_assert_eq(diag_count(fe.d), 0);
    src[128] = 'a';
    src[129] = '\0';
    Lexed *l = lex(src);
    cr_assert_eq(l->n, 1);
    cr_assert_eq(l->code[0], TK_NAME);
    cr_assert_eq(diag_count(fe.d), 1);
    assert_output_has("t.aimc:1:1: error: name too long\n");
    assert_output_has("  expected: at most 128 characters\n");
}

Test(lexer, a_nul_byte_stops_the_lexer)
{
    static const char src[] = "x = 1\n\0y = 2\n";
    Lexed *l = lexn(src, sizeof src - 1);
    cr_assert_eq(l->n, 4, "x = 1 NL, then the end");
    cr_assert(l->lx.fatal);
    assert_output_has("t.aimc:2:1: error: NUL byte in source\n");
    assert_output_has("  expected: a text file (is this a binary file?)\n");
}

Test(lexer, brackets_nested_past_the_limit_are_flagged)
{
    char src[LX_MAX_NEST + 8];
    memset(src, '(', LX_MAX_NEST + 1);
    src[LX_MAX_NEST + 1] = '\0';
    Lexed *l = lex(src);
    cr_assert(l->lx.overflow);
    cr_assert_null(lx_unclosed(&l->lx), "past the limit there is no location to show");
    src[LX_MAX_NEST] = '\0';
    l = lex(src);
    cr_assert_not(l->lx.overflow);
}

/* A string longer than LX_MAX_STRING (4096) is accepted: the limit is never enforced. */
Test(lexer, a_string_longer_than_the_limit_is_an_error)
{
    char src[5000] = "x = \"";
    memset(src + 5, 'a', 4200);
    strcpy(src + 4205, "\"\n");
    cr_assert_gt(fe_check(src), 0);
}

/* }====================================================================== */

/*
** parser.y: the Lemon grammar of the .aimc language (see docs/language.md).
**
** A script is a sequence of statements, one per line:
**     name = expr                          a top-level constant (`seed` is the script's seed)
**     use "file"                           include another script or a stdlib library
**     KIND NAME [: PARENT] { entries }     a declaration (device, data, model, ...)
** Entries are separated by newlines or commas: `key = expr` or a bare expression (a layer).
** The grammar knows no declaration kinds, families or parameter names: the checker does,
** so a misspelt keyword gets a "did you mean" instead of a syntax error.
**
** Actions are one-line calls of the builders in ps.c. Nodes live in the compile's arena,
** so there are no %destructor's.
*/

%name ps_Parse
%token_prefix TK_
%token_type {Token}
%default_type {AstNode *}
%extra_context {PsCtx *cx}
%stack_size 1000

%include {
#include "parser.h"
#include "ps.h"
#include <assert.h>
static unsigned long ps_expected_tokens(void *parser);
}

%syntax_error {
    ps_syntax_error(cx, yymajor, &yyminor, ps_expected_tokens(yypParser));
}
%stack_overflow {
    ps_nesting_error(cx);
}
%parse_failure {
    cx->failed = 1;
}

/* Token codes in a fixed order: lx_token_name's table is indexed by them. ORDER TK */
%token NL NAME NUMBER STRING TRUE FALSE USE EQ COLON COMMA DOT LPAREN RPAREN
       LBRACK RBRACK LBRACE RBRACE PLUS MINUS STAR SLASH CARET VARY.

%left PLUS MINUS.
%left STAR SLASH.
%right UMINUS.
%right CARET.

//// Statements ////////////////////////////////////////////////////////////////////////////

script ::= stmts.
stmts ::= .
stmts ::= stmts stmt.

stmt ::= NL.
stmt ::= NAME(N) EQ expr(E) NL.                  { ps_const(cx, &N, E); }
stmt ::= USE(U) STRING(S) NL.                    { ps_use(cx, &U, &S); }
stmt ::= NAME(K) NAME(N) block(B) NL.            { ps_decl(cx, &K, &N, NULL, B); }
stmt ::= NAME(K) NAME(N) COLON NAME(P) block(B) NL.  { ps_decl(cx, &K, &N, &P, B); }
stmt ::= NAME(D) DOT NAME(F) EQ expr(E) NL.      { ps_set(cx, &D, &F, E); }
stmt ::= error NL.                               { cx->block_errors = 0; yypParser->yyerrcnt = -1; }

//// Blocks: entries separated by newlines or commas ////////////////////////////////////////

%type block {AstNode *}
block(B) ::= LBRACE(L) seps_opt RBRACE.                 { B = ps_list(cx, &L); }
block(B) ::= LBRACE entries(E) seps_opt RBRACE.          { B = E; }

%type entries {AstNode *}
entries(L) ::= seps_opt entry(E).                      { L = ps_list_of(cx, E); }
entries(L) ::= entries(L) seps entry(E).               { ps_append(cx, L, E); }

seps_opt ::= .
seps_opt ::= seps.
seps ::= sep.
seps ::= seps sep.
sep ::= NL.
sep ::= COMMA.

%type entry {AstNode *}
entry(E) ::= NAME(K) EQ expr(V).                 { E = ps_entry(cx, &K, V); }
entry(E) ::= expr(V).                            { E = V; }
entry(E) ::= VARY(K) path(P) NAME(I) expr(V).    { E = ps_vary(cx, &K, P, &I, V); }
entry(E) ::= error.                              { E = NULL; yypParser->yyerrcnt = -1; }

/* `vary rram.c_lin in [...]`: `in` is a plain name, checked by the checker, so that it stays
** usable as a parameter name (dense(in = 50, ...)). */
%type path {AstNode *}
path(P) ::= NAME(N).                             { P = ps_list_of(cx, ps_name(cx, &N)); }
path(P) ::= path(P) DOT NAME(N).                 { ps_append(cx, P, ps_name(cx, &N)); }

//// Expressions /////////////////////////////////////////////////////////////////////////////

expr(E) ::= expr(A) PLUS(O) expr(B).             { E = ps_binary(cx, '+', &O, A, B); }
expr(E) ::= expr(A) MINUS(O) expr(B).            { E = ps_binary(cx, '-', &O, A, B); }
expr(E) ::= expr(A) STAR(O) expr(B).             { E = ps_binary(cx, '*', &O, A, B); }
expr(E) ::= expr(A) SLASH(O) expr(B).            { E = ps_binary(cx, '/', &O, A, B); }
expr(E) ::= expr(A) CARET(O) expr(B).            { E = ps_binary(cx, '^', &O, A, B); }
expr(E) ::= MINUS(O) expr(A). [UMINUS]           { E = ps_unary(cx, '-', &O, A); }
expr(E) ::= PLUS(O) expr(A). [UMINUS]            { E = ps_unary(cx, '+', &O, A); }
expr(E) ::= LPAREN(L) expr(A) RPAREN(R).         { E = ps_paren(cx, &L, A, &R); }
expr(E) ::= NUMBER(T).                           { E = ps_number(cx, &T); }
expr(E) ::= STRING(T).                           { E = ps_string(cx, &T); }
expr(E) ::= TRUE(T).                             { E = ps_bool(cx, &T, 1); }
expr(E) ::= FALSE(T).                            { E = ps_bool(cx, &T, 0); }
expr(E) ::= NAME(T).                             { E = ps_name(cx, &T); }
expr(E) ::= NAME(D) DOT NAME(F).                 { E = ps_field(cx, &D, &F); }
expr(E) ::= NAME(F) LPAREN args(A) RPAREN(R).    { E = ps_call(cx, &F, A, &R); }
expr(E) ::= LBRACK(L) items(I) RBRACK(R).        { E = ps_bracket(cx, &L, I, &R); }

%type args {AstNode *}
args(A) ::= .                                    { A = NULL; }
args(A) ::= arglist(L).                          { A = L; }
args(A) ::= arglist(L) COMMA.                    { A = L; }
%type arglist {AstNode *}
arglist(L) ::= arg(E).                           { L = ps_list_of(cx, E); }
arglist(L) ::= arglist(L) COMMA arg(E).          { ps_append(cx, L, E); }
%type arg {AstNode *}
arg(E) ::= NAME(K) EQ expr(V).                   { E = ps_entry(cx, &K, V); }
arg(E) ::= expr(V).                              { E = V; }

%type items {AstNode *}
items(A) ::= .                                   { A = NULL; }
items(A) ::= itemlist(L).                        { A = L; }
items(A) ::= itemlist(L) COMMA.                  { A = L; }
%type itemlist {AstNode *}
itemlist(L) ::= expr(E).                         { L = ps_list_of(cx, E); }
itemlist(L) ::= itemlist(L) COMMA expr(E).       { ps_append(cx, L, E); }

%code {
/*
** The set of terminals the parser could accept now, as a bit mask by token code: for each
** terminal, run the automaton on a copy of the state stack through its reductions until
** it shifts (accepted) or errs. Lemon's own tables give no such list, and a plain
** yy_find_shift_action probe over-reports because of default reductions.
*/
static unsigned long ps_accepts(yyParser *p, YYCODETYPE tok)
{
    YYACTIONTYPE st[YYSTACKDEPTH + 1];
    int top = (int)(p->yytos - p->yystack);
    for (int k = 0; k <= top; k++)
        st[k] = p->yystack[k].stateno;
    for (int guard = 0; guard < 4 * YYSTACKDEPTH; guard++) {
        YYACTIONTYPE act = yy_find_shift_action(tok, st[top]);
        if (act <= YY_MAX_SHIFTREDUCE || act == YY_ACCEPT_ACTION)
            return 1;
        if (act < YY_MIN_REDUCE)
            return 0; /* YY_ERROR_ACTION or YY_NO_ACTION */
        int rule = act - YY_MIN_REDUCE;
        top += yyRuleInfoNRhs[rule];
        if (top < 0 || top >= YYSTACKDEPTH)
            return 0;
        st[top + 1] = yy_find_reduce_action(st[top], yyRuleInfoLhs[rule]);
        top++;
    }
    return 0;
}

static unsigned long ps_expected_tokens(void *parser)
{
    unsigned long mask = 0;
    for (YYCODETYPE t = 1; t < YYNTOKEN && t < 8 * sizeof mask; t++)
        if (t != TK_UMINUS && ps_accepts(parser, t))
            mask |= 1ul << t;
    return mask;
}
}

/*
** repl_complete.h: tab completion at the REPL prompt (keywords, declared names, device
** families and parameter names, from the session and the schema tables).
*/
#ifndef AIMCI_REPL_COMPLETE_H
#define AIMCI_REPL_COMPLETE_H

#include <stddef.h>

#include "repl_cmd.h"
#include "repl_session.h"

/*
** The completions of the word that ends at `cursor` in line (NUL-terminated), sorted: at
** most cap of them into cands (borrowed from the session and the schema). *start: where the
** word begins. pending: the lines of an unfinished block typed before this one, or NULL.
*/
size_t repl_complete_words(const ReplSession *s, const char *pending, const char *line,
                           size_t cursor, size_t *start, const char **cands, size_t cap);

#endif

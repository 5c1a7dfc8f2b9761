/*
** repl_pty.c: drive a program through a pseudo-terminal, like a person at a keyboard, for
** the REPL tests (tests/scripts/repl_*.sh). No expect, no python: POSIX ptys only.
**
**   repl_pty [-t SECONDS] PROGRAM [ARGS...] < SCENARIO
**
** The program runs as a session leader with the pty as its controlling terminal (so ^C is
** SIGINT, ^D end of input) and TERM=dumb unless TERM is set. The scenario has one action per
** line; TEXT takes C escapes (\n \r \t \\ \xHH, so \x03 is ^C, \x04 ^D, \x09 TAB):
**   send TEXT        type TEXT once the program reads keys one by one (the terminal is out
**                    of canonical mode: libedit is at its prompt), or after 3 s
**   sendnow TEXT     type TEXT now (^C to a running command, type-ahead)
**   expect TEXT      wait until TEXT appears in the output after the previous match
**   reject TEXT      TEXT must not appear in the output seen since the previous match
**   sleep MS         wait MS milliseconds (give a running command time to start)
**   exit N           wait for the program to end with status N
**   # ...            a comment
** Exit status 0 if every action succeeded; otherwise 1, with the action, what was expected
** and the whole transcript (control bytes shown as \xHH) on stderr.
*/
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

typedef struct Pty {
    int fd;
    pid_t pid;
    char *out;       /* everything read, NUL-terminated */
    size_t n, cap;
    size_t mark;     /* where the next expect starts looking */
    int timeout_ms;
    int exited, status;
} Pty;

static void die(const char *what)
{
    perror(what);
    exit(2);
}

/* Start argv on a new pty: the child becomes a session leader with the pty as its terminal. */
static void spawn(Pty *p, char **argv)
{
    p->fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (p->fd < 0 || grantpt(p->fd) || unlockpt(p->fd))
        die("posix_openpt");
    const char *slave = ptsname(p->fd);
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    p->pid = fork();
    if (p->pid < 0)
        die("fork");
    if (p->pid == 0) {
        setsid();
        int s = open(slave, O_RDWR); /* the first terminal a session leader opens: its own */
        if (s < 0)
            die("open slave");
        ioctl(s, TIOCSCTTY, 0);
        ioctl(s, TIOCSWINSZ, &ws);
        dup2(s, 0), dup2(s, 1), dup2(s, 2);
        if (s > 2)
            close(s);
        close(p->fd);
        if (!getenv("TERM"))
            setenv("TERM", "dumb", 1);
        execvp(argv[0], argv);
        die("exec");
    }
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Read what is available within ms milliseconds; false once the pty is closed. */
static int pump(Pty *p, int ms)
{
    struct pollfd pf = {.fd = p->fd, .events = POLLIN};
    if (poll(&pf, 1, ms) <= 0)
        return 1;
    char buf[4096];
    ssize_t k = read(p->fd, buf, sizeof buf);
    if (k <= 0)
        return 0; /* EIO: the program closed the terminal */
    if (p->n + (size_t)k + 1 > p->cap) {
        p->cap = (p->n + (size_t)k + 1) * 2;
        p->out = realloc(p->out, p->cap);
        if (!p->out)
            die("realloc");
    }
    memcpy(p->out + p->n, buf, (size_t)k);
    p->n += (size_t)k;
    p->out[p->n] = '\0';
    return 1;
}

/* The byte string of TEXT with its escapes decoded, into buf; its length. */
static size_t unescape(const char *s, char *buf)
{
    size_t n = 0;
    for (; *s; s++) {
        if (*s != '\\' || !s[1]) {
            buf[n++] = *s;
            continue;
        }
        s++;
        switch (*s) {
        case 'n': buf[n++] = '\n'; break;
        case 'r': buf[n++] = '\r'; break;
        case 't': buf[n++] = '\t'; break;
        case 'x': {
            char hex[3] = {s[1], s[1] ? s[2] : 0, 0};
            buf[n++] = (char)strtol(hex, NULL, 16);
            s += 2;
            break;
        }
        default: buf[n++] = *s; break;
        }
    }
    buf[n] = '\0';
    return n;
}

/* The output from `from` with NULs skipped (the terminal may send some). */
static const char *find(const Pty *p, size_t from, const char *text)
{
    return p->n > from ? strstr(p->out + from, text) : NULL;
}

static void transcript(const Pty *p)
{
    fputs("---- transcript ----\n", stderr);
    for (size_t i = 0; i < p->n; i++) {
        unsigned char c = (unsigned char)p->out[i];
        if (c == '\n' || (c >= 0x20 && c < 0x7f))
            fputc(c, stderr);
        else
            fprintf(stderr, "\\x%02x", c);
    }
    fputs("\n---- end ----\n", stderr);
}

static int expect(Pty *p, const char *text)
{
    long end = now_ms() + p->timeout_ms;
    for (;;) {
        const char *at = find(p, p->mark, text);
        if (at) {
            p->mark = (size_t)(at - p->out) + strlen(text);
            return 1;
        }
        if (now_ms() > end || !pump(p, 50))
            return find(p, p->mark, text) != NULL;
    }
}

static int wait_exit(Pty *p, int want)
{
    long end = now_ms() + p->timeout_ms;
    while (now_ms() < end) {
        pump(p, 20);
        int st;
        pid_t r = waitpid(p->pid, &st, WNOHANG);
        if (r == p->pid) {
            while (pump(p, 20) && poll(&(struct pollfd){.fd = p->fd, .events = POLLIN}, 1, 0) > 0)
                ;
            p->exited = 1;
            p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return p->status == want;
        }
    }
    return 0;
}

/* Wait (at most 3 s) until the terminal is out of canonical mode: a line editor reads. */
static void wait_raw(Pty *p)
{
    long end = now_ms() + 3000;
    struct termios t;
    while (now_ms() < end && tcgetattr(p->fd, &t) == 0 && (t.c_lflag & ICANON))
        pump(p, 10);
}

/* Run one scenario line; 1 if it succeeded. */
static int act(Pty *p, char *line)
{
    static char buf[8192];
    line[strcspn(line, "\n")] = '\0';
    if (!line[0] || line[0] == '#')
        return 1;
    char *arg = strchr(line, ' ');
    arg = arg ? arg + 1 : line + strlen(line);
    if (strncmp(line, "send ", 5) == 0 || strncmp(line, "sendnow ", 8) == 0) {
        size_t n = unescape(arg, buf);
        if (line[4] == ' ')
            wait_raw(p);
        return write(p->fd, buf, n) == (ssize_t)n;
    }
    if (strncmp(line, "expect ", 7) == 0) {
        unescape(arg, buf);
        return expect(p, buf);
    }
    if (strncmp(line, "reject ", 7) == 0) {
        unescape(arg, buf);
        pump(p, 100);
        return find(p, p->mark, buf) == NULL;
    }
    if (strncmp(line, "sleep ", 6) == 0) {
        long end = now_ms() + atol(arg);
        while (now_ms() < end)
            pump(p, 10);
        return 1;
    }
    if (strncmp(line, "exit ", 5) == 0)
        return wait_exit(p, atoi(arg));
    fprintf(stderr, "repl_pty: unknown action '%s'\n", line);
    return 0;
}

int main(int argc, char **argv)
{
    Pty p = {.timeout_ms = 20000};
    int a = 1;
    if (a + 1 < argc && strcmp(argv[a], "-t") == 0) {
        p.timeout_ms = atoi(argv[a + 1]) * 1000;
        a += 2;
    }
    if (a >= argc) {
        fputs("usage: repl_pty [-t SECONDS] PROGRAM [ARGS...] < SCENARIO\n", stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    spawn(&p, argv + a);
    char line[8192];
    int lineno = 0;
    while (fgets(line, sizeof line, stdin)) {
        lineno++;
        char copy[8192];
        snprintf(copy, sizeof copy, "%s", line);
        copy[strcspn(copy, "\n")] = '\0';
        if (!act(&p, line)) {
            fprintf(stderr, "repl_pty: scenario line %d failed: %s\n", lineno, copy);
            if (p.exited)
                fprintf(stderr, "(the program exited with status %d)\n", p.status);
            transcript(&p);
            if (!p.exited)
                kill(p.pid, SIGKILL);
            free(p.out);
            return 1;
        }
    }
    if (!p.exited) {
        kill(p.pid, SIGKILL);
        waitpid(p.pid, NULL, 0);
    }
    free(p.out);
    return 0;
}

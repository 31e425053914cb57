/* cli.h - the non-interactive commands. Each takes the arguments after its name
 * (argv[0] is the command name) and returns the process exit status. */
#ifndef KB_CLI_H
#define KB_CLI_H

#include <stdio.h>

int cli_setup(int argc, char **argv);
int cli_doctor(int argc, char **argv);
int cli_boot(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_pack(int argc, char **argv);
int cli_class_report(int argc, char **argv);   /* kbridge report (cli_class_report.c) */
/* the shared lab server (cli_lab.c) */
int cli_lab(int argc, char **argv);
/* the learner's commands (cli_learn.c) */
int cli_list(int argc, char **argv);
int cli_start(int argc, char **argv);
int cli_hint(int argc, char **argv);
int cli_diff(int argc, char **argv);
int cli_reset(int argc, char **argv);
int cli_solution(int argc, char **argv);
/* the interactive shell (cli_shell.c, then ui/ui.c) */
int cli_shell(int argc, char **argv);

/* Print a command's usage from its help text; shared by the commands. */
void cli_usage(const char *text);
/* True when argv holds -h or --help. */
int cli_wants_help(int argc, char **argv);

/* Columns by display width (cli_text.c): a Chinese character takes two columns. */
/* The columns UTF-8 text s takes on a terminal. */
int cli_width(const char *s);
/* "kbridge CMD: ", the message and a newline on stderr (the prefix is what tools grep:
 * never translated). */
void cli_err(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s, then spaces up to width columns (cli_pad), or spaces first (cli_pad_right). */
void cli_pad(FILE *out, const char *s, int width);
void cli_pad_right(FILE *out, const char *s, int width);
/* s with Markdown's inline-code backticks taken away ("say hello to `who`" -> "say hello
 * to who"), for human text on a terminal: the shell shows a code span without them too.
 * A backtick with no closing one stays. NULL for NULL; the caller frees. */
char *cli_plain(const char *s);

#endif

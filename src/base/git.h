/* git.h - the one way kbridge turns a libgit2 failure into its own error: the caller's
 * words, then libgit2's last message. */
#ifndef KB_GIT_H
#define KB_GIT_H

/* Set kb_error_last() to "<fmt ...>: <libgit2's last message>" and return KB_EGIT, or
 * KB_EINTR when a signal arrived meanwhile (kb_interrupted: libgit2 stopped because we
 * asked it to). Use right after the failing git_* call, before any other. */
int kb_git_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

/* git.c - see git.h. */
#include "base/git.h"
#include "base/util.h"

#include <git2.h>
#include <stdarg.h>

int kb_git_fail(const char *fmt, ...)
{
	const git_error *e = git_error_last();
	struct kb_buf b = KB_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	kb_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	kb_buf_printf(&b, ": %s", e && e->message ? e->message : _("unknown libgit2 error"));
	int rc = kb_error_set(kb_interrupted ? KB_EINTR : KB_EGIT, "%s", b.data);
	kb_buf_free(&b);
	return rc;
}

/* pin.c - a check judges the files given to read as the lesson has them. See pin.h. */
#define _GNU_SOURCE
#include "engine/pin.h"
#include "engine/lesson.h"
#include "engine/result.h"
#include "sys/runner.h"
#include "base/util.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool listed(const struct kb_strv *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i], s) == 0)
			return true;
	return false;
}

int kb_pin_stage(struct kb_pin *p, const struct kb_lesson *l, const struct kb_task *t, const char *workspace)
{
	memset(p, 0, sizeof *p);
	char *real = realpath(workspace, NULL);
	p->workspace = real ? real : kb_strdup(workspace);
	struct kb_strv texts = KB_STRV_INIT;   /* the lesson's text of each differing file */
	int rc = 0;
	for (size_t i = 0; i < t->n_files && rc == 0; i++) {
		const struct kb_task_file *f = &t->files[i];
		if (!kb_task_file_is_pinned(l, f))
			continue;
		char *want = NULL, *have = NULL;
		size_t want_len = 0, have_len = 0;
		rc = kb_task_file_render(&want, l, f, KB_RENDER_SOLUTION);
		if (rc == 0) {
			want_len = strlen(want);
			int got = kb_read_file_beneath(&have, &have_len, workspace, f->path);
			if (got < 0 || have_len != want_len || memcmp(have, want, want_len) != 0) {
				kb_strv_push(&p->differed, f->path);
				kb_strv_push_own(&texts, want);
				want = NULL;
			}
		}
		free(want);
		free(have);
	}
	if (rc == 0 && p->differed.n) {
		char *stage = kb_mkdtemp("kb-pinned");
		if (!stage) {
			rc = KB_EIO;
		} else {
			char *real_stage = realpath(stage, NULL);
			if (real_stage) {
				free(stage);
				stage = real_stage;
			}
			p->stage = stage;
			/* every folder of the lesson's files, as the workspace holds it */
			struct kb_strv paths = KB_STRV_INIT, dirs = KB_STRV_INIT;
			kb_lesson_paths(l, &paths);
			for (size_t i = 0; i < paths.n; i++) {
				char *c = kb_strdup(paths.v[i]);
				char *d = dirname(c);
				if (!listed(&dirs, d))
					kb_strv_push(&dirs, d);
				free(c);
			}
			for (size_t i = 0; i < dirs.n && rc == 0; i++) {
				char *from = kb_path_join(workspace, dirs.v[i]), *to = kb_path_join(stage, dirs.v[i]);
				rc = runner_copy_sources(from, to, 0);
				free(from);
				free(to);
			}
			/* and the pinned files as the lesson has them */
			for (size_t i = 0; i < p->differed.n && rc == 0; i++) {
				char *dest = kb_path_join(stage, p->differed.v[i]);
				char *c = kb_strdup(dest);
				rc = kb_mkdir_p(dirname(c), 0755);
				free(c);
				if (rc == 0)
					rc = kb_write_file_atomic(dest, texts.v[i], strlen(texts.v[i]), 0644);
				free(dest);
			}
			kb_strv_free(&paths);
			kb_strv_free(&dirs);
		}
	}
	kb_strv_free(&texts);
	if (rc < 0)
		kb_pin_free(p);
	return rc;
}

/* *s with every `from` written as `to` */
static void swap_path(char **s, const char *from, const char *to)
{
	if (!*s || !strstr(*s, from))
		return;
	struct kb_buf b = KB_BUF_INIT;
	size_t fl = strlen(from);
	const char *p = *s;
	for (const char *q; (q = strstr(p, from)); p = q + fl) {
		kb_buf_add(&b, p, (size_t)(q - p));
		kb_buf_adds(&b, to);
	}
	kb_buf_adds(&b, p);
	free(*s);
	*s = kb_buf_detach(&b);
}

void kb_pin_report(const struct kb_pin *p, struct kb_check_result *res)
{
	if (!p->stage)
		return;
	for (size_t i = 0; i < res->n_exp; i++) {
		struct kb_expectation *e = &res->exp[i];
		swap_path(&e->expected, p->stage, p->workspace);
		swap_path(&e->seen, p->stage, p->workspace);
		swap_path(&e->where, p->stage, p->workspace);
		swap_path(&e->hint, p->stage, p->workspace);
	}
	swap_path(&res->error, p->stage, p->workspace);
	swap_path(&res->traceback, p->stage, p->workspace);
	swap_path(&res->output, p->stage, p->workspace);
	struct kb_buf b = KB_BUF_INIT;
	for (size_t i = 0; i < p->differed.n; i++)
		kb_buf_printf(&b, _("kbridge: %s is given to read and your copy differs from the lesson's: "
				"the lesson's version was checked (yours is kept as it is)\n"), p->differed.v[i]);
	kb_buf_adds(&b, res->output ? res->output : "");
	free(res->output);
	res->output = kb_buf_detach(&b);
}

void kb_pin_free(struct kb_pin *p)
{
	if (p->stage)
		kb_rm_rf(p->stage);
	free(p->stage);
	free(p->workspace);
	kb_strv_free(&p->differed);
	memset(p, 0, sizeof *p);
}

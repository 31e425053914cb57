/* course.c - see course.h. */
#define _GNU_SOURCE
#include "engine/course.h"
#include "sys/runner.h"
#include "store/workspace.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

char *kb_course_default_pack(void)
{
	const char *env = getenv("KBRIDGE_PACK");
	if (env && *env)
		return kb_strdup(env);
	char *data = kb_find_datadir();
	if (!data)
		return NULL;
	char *p = kb_path_join(data, "lessons/core");
	free(data);
	return p;
}

int kb_course_open(struct kb_course *c, const struct kb_course_opts *o)
{
	memset(c, 0, sizeof *c);
	char *source = o->pack_dir ? kb_strdup(o->pack_dir) : kb_course_default_pack();
	c->ws_root = o->ws_root ? kb_strdup(o->ws_root) : kb_ws_default_root();
	c->progress_path = kb_path_join(c->ws_root, "progress.json");
	if (!source)
		return kb_error_set(KB_ENOTFOUND, "no lesson pack found (give one with --pack DIR or URL)");
	int rc = kb_pack_open(&c->pack, &c->pack_origin, source);
	free(source);
	if (rc)
		return rc;
	c->pack_dir = kb_strdup(c->pack.dir);
	if (!kb_ws_is_workspace(c->ws_root) && o->create_workspace) {
		struct kb_home h;
		if ((rc = kb_home_init(&h)) == 0) {
			struct kb_setup_status st;
			kb_setup_status(&st, &h);
			if (st.state[KB_STEP_IMPORT] != KB_STEP_DONE)
				rc = kb_error_set(KB_ENOTREADY, "the bundled kernel tree is not ready yet "
						  "(run: kbridge setup)");
			else
				rc = kb_ws_create(c->ws_root, h.src, o->progress, o->ctx);
			kb_home_free(&h);
		}
		if (rc < 0)
			return rc;
	}
	if (kb_ws_is_workspace(c->ws_root)) {
		c->read_only = o->read_only;
		if ((rc = kb_ws_open(&c->ws, c->ws_root, !o->read_only)))
			return rc;
		if ((rc = kb_progress_load(&c->progress, c->progress_path)))
			return rc;
	}
	if (!c->progress.pack && c->pack.name)
		c->progress.pack = kb_strdup(c->pack.name);
	return 0;
}

void kb_course_close(struct kb_course *c)
{
	kb_ws_close(c->ws);
	kb_pack_free(&c->pack);
	kb_progress_free(&c->progress);
	free(c->pack_dir);
	free(c->pack_origin);
	free(c->ws_root);
	free(c->progress_path);
	memset(c, 0, sizeof *c);
}

int kb_course_lesson(struct kb_course *c, const char *id, struct kb_lesson **out)
{
	*out = kb_pack_find_lesson(&c->pack, id);
	if (!*out)
		return kb_error_set(KB_ENOTFOUND, "no lesson '%s' in the pack %s (see: kbridge list)", id,
				    c->pack.name ? c->pack.name : c->pack_dir);
	if ((*out)->error)
		return kb_error_set(KB_ELESSON, "lesson %s cannot be used: %s", id, (*out)->error);
	return 0;
}

static int lesson_files(const struct kb_lesson *l, enum kb_render which, struct kb_ws_file **out, size_t *n)
{
	struct kb_strv paths = KB_STRV_INIT;
	kb_lesson_paths(l, &paths);
	struct kb_ws_file *files = kb_calloc(paths.n ? paths.n : 1, sizeof *files);
	int rc = 0;
	size_t done = 0;
	for (size_t i = 0; i < paths.n && !rc; i++) {
		/* the first task that names the file gives its content */
		const struct kb_task_file *tf = NULL;
		for (size_t s = 0; s < l->n_steps && !tf; s++) {
			const struct kb_task *t = &l->steps[s].task;
			if (l->steps[s].kind != KB_TASK)
				continue;
			for (size_t f = 0; f < t->n_files && !tf; f++)
				if (strcmp(t->files[f].path, paths.v[i]) == 0)
					tf = &t->files[f];
		}
		char *text = NULL;
		rc = kb_task_file_render(&text, l, tf, which);
		if (rc)
			break;
		files[i].path = kb_strdup(tf->path);
		files[i].data = text;
		files[i].len = strlen(text);
		done++;
	}
	kb_strv_free(&paths);
	if (rc) {
		kb_course_files_free(files, done);
		return rc;
	}
	*out = files;
	*n = done;
	return 0;
}

int kb_course_solution_files(const struct kb_lesson *l, struct kb_ws_file **files, size_t *n)
{
	return lesson_files(l, KB_RENDER_SOLUTION, files, n);
}

void kb_course_files_free(struct kb_ws_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)files[i].path);
		free((char *)files[i].data);
	}
	free(files);
}

/* The generator lists a folder's .rs file only when its Kbuild already names it with
 * obj-m, which a lesson's starter often leaves for the learner to write. Add each .rs file
 * of dir that is missing as a crate of its own, depending on core and kernel like the
 * generator's external crates, so completion works from the first edit. */
static int add_lesson_crates(char **out, const char *text, const char *dir)
{
	cJSON *root = cJSON_Parse(text);
	cJSON *crates = root ? cJSON_GetObjectItemCaseSensitive(root, "crates") : NULL;
	if (!cJSON_IsArray(crates)) {
		cJSON_Delete(root);
		return kb_error_set(KB_ECHILD, "generate_rust_analyzer.py wrote no crate list");
	}
	int core = -1, kernel = -1, i = 0;
	const cJSON *kernel_cfg = NULL, *c;
	cJSON_ArrayForEach(c, crates) {
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "display_name");
		if (cJSON_IsString(name) && strcmp(name->valuestring, "core") == 0)
			core = i;
		if (cJSON_IsString(name) && strcmp(name->valuestring, "kernel") == 0) {
			kernel = i;
			kernel_cfg = cJSON_GetObjectItemCaseSensitive(c, "cfg");
		}
		i++;
	}
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && core >= 0 && kernel >= 0 && (e = readdir(d))) {
		if (!kb_str_ends(e->d_name, ".rs") || e->d_name[0] == '.')
			continue;
		char *path = kb_path_join(dir, e->d_name);
		bool listed = false;
		cJSON_ArrayForEach(c, crates) {
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(c, "root_module");
			listed |= cJSON_IsString(m) && strcmp(m->valuestring, path) == 0;
		}
		if (!listed) {
			cJSON *crate = cJSON_CreateObject();
			char *stem = kb_strndup(e->d_name, strlen(e->d_name) - 3);
			cJSON_AddStringToObject(crate, "display_name", stem);
			cJSON_AddStringToObject(crate, "root_module", path);
			cJSON_AddBoolToObject(crate, "is_workspace_member", true);
			cJSON *deps = cJSON_AddArrayToObject(crate, "deps");
			const int ids[] = {core, kernel};
			const char *names[] = {"core", "kernel"};
			for (int k = 0; k < 2; k++) {
				cJSON *dep = cJSON_CreateObject();
				cJSON_AddNumberToObject(dep, "crate", ids[k]);
				cJSON_AddStringToObject(dep, "name", names[k]);
				cJSON_AddItemToArray(deps, dep);
			}
			cJSON_AddItemToObject(crate, "cfg", kernel_cfg ? cJSON_Duplicate(kernel_cfg, true) : cJSON_CreateArray());
			cJSON_AddStringToObject(crate, "edition", "2021");
			cJSON_AddItemToObject(crate, "env", cJSON_CreateObject());
			cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(crate, "env"), "RUST_MODFILE",
						"This is only for rust-analyzer");
			cJSON_AddBoolToObject(crate, "is_proc_macro", false);
			cJSON_AddItemToArray(crates, crate);
			free(stem);
		}
		free(path);
	}
	if (d)
		closedir(d);
	char *printed = cJSON_Print(root);
	cJSON_Delete(root);
	if (!printed)
		kb_die("out of memory writing rust-project.json");
	*out = kb_asprintf("%s\n", printed);
	cJSON_free(printed);
	return 0;
}

int kb_rust_project(const struct kb_home *h, const char *dir)
{
	char *script = kb_path_join(h->src, "scripts/generate_rust_analyzer.py");
	char *out_path = kb_path_join(dir, "rust-project.json");
	/* as rust/Makefile's rust-analyzer target computes them for rustc >= 1.87; calling
	   the script directly because `make M=DIR rust-analyzer` fails on 6.12 with O= */
	char *argv[] = {"python3", script, "--cfgs=core=no_fp_fmt_parse", "2024", h->src, h->build,
			"/usr", "/usr/lib/rustlib/src/rust/library", (char *)dir, NULL};
	struct kb_exec_opts eo = {.argv = argv, .timeout = 60, .output_cap = 16 << 20};
	struct kb_exec_result r;
	int rc = runner_exec(&r, &eo);
	if (!rc && (r.exit_code != 0 || r.output_len == 0 || r.output[0] != '{'))
		rc = kb_error_set(KB_ECHILD, "generate_rust_analyzer.py failed (exit %d): %.300s", r.exit_code,
				  r.output);
	char *json = NULL;
	if (!rc)
		rc = add_lesson_crates(&json, r.output, dir);
	if (!rc)
		rc = kb_write_file_atomic(out_path, json, strlen(json), 0644);
	free(json);
	runner_exec_result_free(&r);
	free(script);
	free(out_path);
	return rc;
}

int kb_course_start(struct kb_course *c, struct kb_lesson *l)
{
	if (!c->ws)
		return kb_error_set(KB_ENOTFOUND, "there is no workspace at %s yet", c->ws_root);
	struct kb_lesson_progress *lp = kb_progress_lesson(&c->progress, l->id);
	free(c->progress.current);
	c->progress.current = kb_strdup(l->id);
	if (kb_ws_lesson_started(c->ws, l->id)) {
		kb_progress_active(lp, (long long)time(NULL), !c->counts_time_itself);
		int rc = kb_course_save(c);
		return rc ? rc : 1;
	}
	struct kb_ws_file *files = NULL;
	size_t n = 0;
	int rc = lesson_files(l, KB_RENDER_STARTER, &files, &n);
	if (rc)
		return rc;
	rc = kb_ws_start_lesson(c->ws, l->id, files, n);
	/* editor support: one rust-project.json per folder holding a lesson .rs file */
	struct kb_home h;
	if (rc >= 0 && kb_home_init(&h) == 0) {
		struct kb_strv dirs = KB_STRV_INIT;
		for (size_t i = 0; i < n; i++) {
			if (!kb_str_ends(files[i].path, ".rs"))
				continue;
			char *full = kb_path_join(kb_ws_tree(c->ws), files[i].path);
			char *dir = kb_strdup(dirname(full));
			bool seen = false;
			for (size_t d = 0; d < dirs.n && !seen; d++)
				seen = strcmp(dirs.v[d], dir) == 0;
			if (!seen) {
				kb_strv_push(&dirs, dir);
				/* a missing editor file is not worth failing the start over */
				if (kb_rust_project(&h, dir) < 0)
					fprintf(stderr, _("kbridge: note: no rust-project.json for %s: %s\n"), dir,
						kb_error_last());
			}
			free(dir);
			free(full);
		}
		kb_strv_free(&dirs);
		kb_home_free(&h);
	}
	kb_course_files_free(files, n);
	if (rc < 0)
		return rc;
	if (!lp->started_at)
		lp->started_at = (long long)time(NULL);
	kb_progress_active(lp, (long long)time(NULL), !c->counts_time_itself);
	return kb_course_save(c);
}

int kb_course_record_check(struct kb_course *c, struct kb_lesson *l, bool passed)
{
	if (!c->ws)
		return 0;   /* a plain folder, not a workspace: nothing to record */
	struct kb_lesson_progress *lp = kb_progress_lesson(&c->progress, l->id);
	lp->attempts++;
	/* the time since the learner's last command on this lesson: their work on it */
	kb_progress_active(lp, (long long)time(NULL), !c->counts_time_itself);
	int rc = 0;
	if (passed) {
		struct kb_strv paths = KB_STRV_INIT;
		kb_lesson_paths(l, &paths);
		char *msg = kb_asprintf("pass %s\n\nLesson %s (%s) passed its check after %d attempt%s.\n", l->id,
					l->id, l->title ? l->title : "", lp->attempts, lp->attempts == 1 ? "" : "s");
		/* the first pass is always recorded; passing again with the same files is not */
		rc = kb_ws_commit(c->ws, msg, paths.v, paths.n, !lp->passed);
		free(msg);
		kb_strv_free(&paths);
		if (!lp->passed) {
			lp->passed = true;
			lp->passed_at = (long long)time(NULL);
		}
		for (size_t i = 0; i < l->n_steps; i++)
			if (l->steps[i].kind == KB_TASK)
				kb_progress_set_task_passed(lp, l->steps[i].task.id);
	}
	int src = kb_course_save(c);
	return rc ? rc : src;
}

int kb_course_record_task_check(struct kb_course *c, struct kb_lesson *l, const char *task_id, bool passed)
{
	if (!c->ws)
		return 0;
	struct kb_lesson_progress *lp = kb_progress_lesson(&c->progress, l->id);
	if (passed)
		kb_progress_set_task_passed(lp, task_id);
	bool all = passed;
	for (size_t i = 0; all && i < l->n_steps; i++)
		if (l->steps[i].kind == KB_TASK && !kb_progress_task_passed(lp, l->steps[i].task.id))
			all = false;
	return kb_course_record_check(c, l, all);
}

int kb_course_save(struct kb_course *c)
{
	if (!c->ws)
		return 0;
	if (c->read_only)
		return kb_error_set(KB_EINVAL, "the workspace was opened only to read; progress not saved");
	return kb_progress_save(&c->progress, c->progress_path);
}

/* ---- hints ---------------------------------------------------------------------------- */

/* Hints are counted per task ("task_hints" in progress.json). A file from before that
 * has the lesson's total only, counted through its tasks in order: the first task's
 * hints, then the second's; legacy_before is how far that count went before task t. */
static int legacy_before(const struct kb_lesson *l, const struct kb_task *t)
{
	int n = 0;
	for (size_t s = 0; s < l->n_steps && &l->steps[s].task != t; s++)
		if (l->steps[s].kind == KB_TASK)
			n += (int)l->steps[s].task.n_hints;
	return n;
}

/* The hints of task t the learner has seen */
int kb_course_hints_seen(const struct kb_lesson *l, const struct kb_lesson_progress *p, const struct kb_task *t)
{
	int seen = kb_progress_task_hints(p, t->id);
	if (seen < 0)
		seen = p->hints - legacy_before(l, t);
	return seen < 0 ? 0 : seen > (int)t->n_hints ? (int)t->n_hints : seen;
}

/* The hints of lesson l the learner has seen, over all its tasks (kbridge list) */
int kb_course_hints_shown(const struct kb_lesson *l, const struct kb_lesson_progress *p)
{
	if (l->error)
		return p->hints;
	int n = 0;
	for (size_t s = 0; s < l->n_steps; s++)
		if (l->steps[s].kind == KB_TASK)
			n += kb_course_hints_seen(l, p, &l->steps[s].task);
	return n;
}

/* Record that task t has `seen` hints shown. An older file's total is first spread over
 * the tasks as it was counted, so what the other tasks had shown stays. */
void kb_course_set_hints_seen(const struct kb_lesson *l, struct kb_lesson_progress *p, const struct kb_task *t,
			      int seen)
{
	if (kb_progress_task_hints(p, t->id) < 0) {
		/* every count first: the first one recorded ends the old reading */
		int *old = kb_calloc(l->n_steps ? l->n_steps : 1, sizeof *old);
		for (size_t s = 0; s < l->n_steps; s++)
			if (l->steps[s].kind == KB_TASK)
				old[s] = kb_course_hints_seen(l, p, &l->steps[s].task);
		for (size_t s = 0; s < l->n_steps; s++)
			if (l->steps[s].kind == KB_TASK && &l->steps[s].task != t && old[s] > 0)
				kb_progress_set_task_hints(p, l->steps[s].task.id, old[s]);
		free(old);
	}
	kb_progress_set_task_hints(p, t->id, seen);
}

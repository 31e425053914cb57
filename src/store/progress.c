/* progress.c - see progress.h. */
#define _GNU_SOURCE
#include "store/progress.h"
#include "base/util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

struct kb_lesson_progress *kb_progress_lesson(struct kb_progress *p, const char *id)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->lessons[i].id, id) == 0)
			return &p->lessons[i];
	p->lessons = kb_realloc(p->lessons, (p->n + 1) * sizeof *p->lessons);
	struct kb_lesson_progress *l = &p->lessons[p->n++];
	memset(l, 0, sizeof *l);
	l->id = kb_strdup(id);
	return l;
}

const struct kb_lesson_progress *kb_progress_find(const struct kb_progress *p, const char *id)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->lessons[i].id, id) == 0)
			return &p->lessons[i];
	return NULL;
}

void kb_progress_free(struct kb_progress *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->lessons[i].id);
		for (size_t q = 0; q < p->lessons[i].n_quizzes_right; q++)
			free(p->lessons[i].quizzes_right[q]);
		free(p->lessons[i].quizzes_right);
		for (size_t t = 0; t < p->lessons[i].n_tasks_passed; t++)
			free(p->lessons[i].tasks_passed[t]);
		free(p->lessons[i].tasks_passed);
		for (size_t t = 0; t < p->lessons[i].n_task_hints; t++)
			free(p->lessons[i].task_hints[t].task);
		free(p->lessons[i].task_hints);
	}
	free(p->lessons);
	free(p->pack);
	free(p->current);
	memset(p, 0, sizeof *p);
}

char *kb_progress_to_json(const struct kb_progress *p)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "version", 1);
	if (p->pack)
		cJSON_AddStringToObject(root, "pack", p->pack);
	if (p->current)
		cJSON_AddStringToObject(root, "current", p->current);
	cJSON *lessons = cJSON_AddObjectToObject(root, "lessons");
	for (size_t i = 0; i < p->n; i++) {
		const struct kb_lesson_progress *l = &p->lessons[i];
		cJSON *o = cJSON_AddObjectToObject(lessons, l->id);
		cJSON_AddBoolToObject(o, "passed", l->passed);
		cJSON_AddNumberToObject(o, "attempts", l->attempts);
		cJSON_AddNumberToObject(o, "hints", l->hints);
		cJSON_AddBoolToObject(o, "solution_revealed", l->solution_revealed);
		cJSON_AddNumberToObject(o, "seconds", l->seconds);
		cJSON_AddNumberToObject(o, "step", l->step);
		cJSON_AddNumberToObject(o, "started_at", (double)l->started_at);
		if (l->last_active)
			cJSON_AddNumberToObject(o, "last_active", (double)l->last_active);
		cJSON_AddNumberToObject(o, "passed_at", (double)l->passed_at);
		if (l->n_quizzes_right) {
			cJSON *q = cJSON_AddArrayToObject(o, "quizzes_right");
			for (size_t k = 0; k < l->n_quizzes_right; k++)
				cJSON_AddItemToArray(q, cJSON_CreateString(l->quizzes_right[k]));
		}
		if (l->n_tasks_passed) {
			cJSON *t = cJSON_AddArrayToObject(o, "tasks_passed");
			for (size_t k = 0; k < l->n_tasks_passed; k++)
				cJSON_AddItemToArray(t, cJSON_CreateString(l->tasks_passed[k]));
		}
		if (l->n_task_hints) {
			cJSON *h = cJSON_AddObjectToObject(o, "task_hints");
			for (size_t k = 0; k < l->n_task_hints; k++)
				cJSON_AddNumberToObject(h, l->task_hints[k].task, l->task_hints[k].shown);
		}
	}
	char *text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text)
		kb_die("out of memory writing progress");
	char *out = kb_asprintf("%s\n", text);
	cJSON_free(text);
	return out;
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

int kb_progress_parse(struct kb_progress *p, const char *json, const char *name)
{
	memset(p, 0, sizeof *p);
	cJSON *root = cJSON_Parse(json);
	if (!root || !cJSON_IsObject(root)) {
		const char *at = cJSON_GetErrorPtr();
		long off = at && at >= json ? (long)(at - json) : -1;
		cJSON_Delete(root);
		return kb_error_set(KB_EINVAL, "%s is damaged (not JSON%s%ld); kbridge leaves it as it is",
				    name, off >= 0 ? _(" near byte ") : "", off >= 0 ? off : 0L);
	}
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "version");
	if (!cJSON_IsNumber(v) || v->valueint != 1) {
		cJSON_Delete(root);
		return kb_error_set(KB_EINVAL, "%s has an unknown version", name);
	}
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(root, "pack");
	if (cJSON_IsString(s))
		p->pack = kb_strdup(s->valuestring);
	s = cJSON_GetObjectItemCaseSensitive(root, "current");
	if (cJSON_IsString(s))
		p->current = kb_strdup(s->valuestring);
	const cJSON *lessons = cJSON_GetObjectItemCaseSensitive(root, "lessons");
	const cJSON *o;
	cJSON_ArrayForEach(o, lessons) {
		if (!cJSON_IsObject(o) || !o->string)
			continue;
		struct kb_lesson_progress *l = kb_progress_lesson(p, o->string);
		l->passed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "passed"));
		l->attempts = (int)num(o, "attempts");
		l->hints = (int)num(o, "hints");
		l->solution_revealed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "solution_revealed"));
		l->seconds = num(o, "seconds");
		l->step = (int)num(o, "step");
		l->started_at = (long long)num(o, "started_at");
		l->last_active = (long long)num(o, "last_active");
		l->passed_at = (long long)num(o, "passed_at");
		const cJSON *q;
		cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(o, "quizzes_right"))
			if (cJSON_IsString(q))
				kb_progress_set_quiz_right(l, q->valuestring);
		cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(o, "tasks_passed"))
			if (cJSON_IsString(q))
				kb_progress_set_task_passed(l, q->valuestring);
		/* the total as the file says it, even when the per-task counts sum otherwise */
		int total = l->hints;
		cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(o, "task_hints"))
			if (cJSON_IsNumber(q) && q->string && q->valuedouble >= 0 && q->valuedouble < 1e6)
				kb_progress_set_task_hints(l, q->string, (int)q->valuedouble);
		l->hints = total;
	}
	cJSON_Delete(root);
	return 0;
}

int kb_progress_load(struct kb_progress *p, const char *path)
{
	memset(p, 0, sizeof *p);
	char *text = NULL;
	size_t len;
	int rc = kb_read_file(&text, &len, path);
	if (rc == KB_ENOTFOUND) {
		kb_error_clear();
		return 0;
	}
	if (rc)
		return rc;
	rc = kb_progress_parse(p, text, path);
	free(text);
	return rc;
}

int kb_progress_save(const struct kb_progress *p, const char *path)
{
	char *text = kb_progress_to_json(p);
	int rc = kb_write_file_atomic(path, text, strlen(text), 0644);
	free(text);
	return rc;
}

void kb_progress_active(struct kb_lesson_progress *lp, long long now, bool count_gap)
{
	if (count_gap && lp->last_active > 0 && now > lp->last_active)
		lp->seconds += (double)(now - lp->last_active < KB_ACTIVE_GAP_MAX ? now - lp->last_active
										: KB_ACTIVE_GAP_MAX);
	if (now > lp->last_active)
		lp->last_active = now;
}

bool kb_progress_quiz_right(const struct kb_lesson_progress *lp, const char *id)
{
	for (size_t k = 0; k < lp->n_quizzes_right; k++)
		if (strcmp(lp->quizzes_right[k], id) == 0)
			return true;
	return false;
}

void kb_progress_set_quiz_right(struct kb_lesson_progress *lp, const char *id)
{
	if (kb_progress_quiz_right(lp, id))
		return;
	lp->quizzes_right = kb_realloc(lp->quizzes_right, (lp->n_quizzes_right + 1) * sizeof *lp->quizzes_right);
	lp->quizzes_right[lp->n_quizzes_right++] = kb_strdup(id);
}

bool kb_progress_task_passed(const struct kb_lesson_progress *lp, const char *id)
{
	for (size_t k = 0; k < lp->n_tasks_passed; k++)
		if (strcmp(lp->tasks_passed[k], id) == 0)
			return true;
	return false;
}

void kb_progress_set_task_passed(struct kb_lesson_progress *lp, const char *id)
{
	if (kb_progress_task_passed(lp, id))
		return;
	lp->tasks_passed = kb_realloc(lp->tasks_passed, (lp->n_tasks_passed + 1) * sizeof *lp->tasks_passed);
	lp->tasks_passed[lp->n_tasks_passed++] = kb_strdup(id);
}

int kb_progress_task_hints(const struct kb_lesson_progress *lp, const char *id)
{
	if (!lp->n_task_hints)
		return -1;
	for (size_t k = 0; k < lp->n_task_hints; k++)
		if (strcmp(lp->task_hints[k].task, id) == 0)
			return lp->task_hints[k].shown;
	return 0;
}

void kb_progress_set_task_hints(struct kb_lesson_progress *lp, const char *id, int n)
{
	size_t k = 0;
	while (k < lp->n_task_hints && strcmp(lp->task_hints[k].task, id) != 0)
		k++;
	if (k == lp->n_task_hints) {
		lp->task_hints = kb_realloc(lp->task_hints, (k + 1) * sizeof *lp->task_hints);
		lp->task_hints[k].task = kb_strdup(id);
		lp->n_task_hints++;
	}
	lp->task_hints[k].shown = n < 0 ? 0 : n;
	int total = 0;
	for (k = 0; k < lp->n_task_hints; k++)
		total += lp->task_hints[k].shown;
	lp->hints = total;
}

/* bench_class.c - figures for the classroom parts (scripts/bench.sh runs it):
 *   kbridge report's work for a class of 30 learners over the 16 lessons of the course
 *   (progress.json files parsed, rows and per-lesson medians, CSV and Markdown), and
 *   taking and giving back a lab check slot when nobody waits (flock on a slot file). */
#define _GNU_SOURCE
#include "store/class_report.h"
#include "sys/lab.h"
#include "store/progress.h"
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNS 25
#define LEARNERS 30
#define LESSONS 16

int main(void)
{
	char *lessons[LESSONS];
	for (int i = 0; i < LESSONS; i++)
		lessons[i] = kb_asprintf("lesson-%02d", i);
	/* the class's progress files as an instructor receives them */
	char *json[LEARNERS];
	for (int k = 0; k < LEARNERS; k++) {
		struct kb_progress p = {0};
		for (int i = 0; i < LESSONS; i++) {
			struct kb_lesson_progress *lp = kb_progress_lesson(&p, lessons[i]);
			lp->attempts = (k * 7 + i * 3) % 9;
			lp->passed = lp->attempts > 2;
			lp->hints = (k + i) % 4;
			lp->seconds = 60.0 * ((k * 13 + i * 5) % 40);
		}
		json[k] = kb_progress_to_json(&p);
		kb_progress_free(&p);
	}
	double t[RUNS];
	size_t bytes = 0;
	for (int r = 0; r < RUNS; r++) {
		double t0 = kb_now();
		struct kb_progress p[LEARNERS];
		struct kb_class_learner who[LEARNERS];
		char names[LEARNERS][16];
		for (int k = 0; k < LEARNERS; k++) {
			memset(&p[k], 0, sizeof p[k]);
			kb_progress_parse(&p[k], json[k], "progress.json");
			snprintf(names[k], sizeof names[k], "learner%02d", k);
			who[k] = (struct kb_class_learner){names[k], &p[k]};
		}
		struct kb_class_report rep;
		kb_class_report_build(&rep, who, LEARNERS, lessons, LESSONS);
		char *csv = kb_class_csv(&rep), *sum = kb_class_summary_csv(&rep),
		     *md = kb_class_markdown(&rep, "bench", true);
		bytes = strlen(csv) + strlen(sum) + strlen(md);
		free(csv);
		free(sum);
		free(md);
		kb_class_report_free(&rep);
		for (int k = 0; k < LEARNERS; k++)
			kb_progress_free(&p[k]);
		t[r] = kb_now() - t0;
	}
	printf("%-48s %6.2f ms (%zu bytes out)\n", "report: 30 learners x 16 lessons, CSV + Markdown", kb_median(t, RUNS) * 1000,
	       bytes);

	char home[] = "/tmp/kb-bench-lab-XXXXXX";
	if (!mkdtemp(home) || kb_lab_init(home, 2) < 0) {
		fprintf(stderr, "bench_class: no lab folder: %s\n", kb_error_last());
		return 1;
	}
	double s[RUNS];
	for (int r = 0; r < RUNS; r++) {
		double t0 = kb_now();
		for (int i = 0; i < 100; i++) {
			struct kb_lab_slot slot;
			kb_lab_acquire(home, &slot, NULL, NULL, NULL);
			kb_lab_release(&slot);
		}
		s[r] = (kb_now() - t0) / 100;
	}
	kb_rm_rf(home);
	printf("%-48s %6.1f us\n", "lab: take and give back a check slot", kb_median(s, RUNS) * 1e6);
	for (int k = 0; k < LEARNERS; k++)
		free(json[k]);
	for (int i = 0; i < LESSONS; i++)
		free(lessons[i]);
	return 0;
}

/* bench_workspace - workspace figures on the real bundled tree (KBRIDGE_HOME/linux):
 * creation (clone + checkout), and a lesson's diff and reset, as medians.
 * Usage: bench_workspace [RUNS]   (needs `kbridge setup`; writes to a temporary folder) */
#define _GNU_SOURCE
#include "kernel/kernel.h"
#include "base/util.h"
#include "store/workspace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 15;
	struct kb_home h;
	if (kb_home_init(&h) < 0)
		kb_die("%s", kb_error_last());
	char tmpl[] = "/tmp/kbridge-bench-ws-XXXXXX";
	if (!mkdtemp(tmpl))
		kb_die("mkdtemp failed");
	char *root = kb_path_join(tmpl, "ws");

	double t0 = kb_now();
	if (kb_ws_create(root, h.src, NULL, NULL) != 0)
		kb_die("create: %s", kb_error_last());
	double create = kb_now() - t0;

	struct kb_ws *ws;
	if (kb_ws_open(&ws, root, true) != 0)
		kb_die("open: %s", kb_error_last());
	const char *starter = "// SPDX-License-Identifier: GPL-2.0\n// TODO: say hello\n";
	struct kb_ws_file files[] = {{"samples/kbridge/hello/hello.rs", starter, strlen(starter)},
				     {"samples/kbridge/hello/Kbuild", "obj-m := hello.o\n", 17}};
	char *paths[] = {"samples/kbridge/hello/hello.rs", "samples/kbridge/hello/Kbuild"};
	t0 = kb_now();
	if (kb_ws_start_lesson(ws, "hello", files, 2) != 0)
		kb_die("start: %s", kb_error_last());
	double start = kb_now() - t0;

	double *diff = kb_calloc((size_t)runs, sizeof *diff), *reset = kb_calloc((size_t)runs, sizeof *reset);
	char *file = kb_path_join(kb_ws_tree(ws), paths[0]);
	for (int i = 0; i < runs; i++) {
		char *edit = kb_asprintf("%spr_info!(\"edit %d\\n\");\n", starter, i);
		kb_write_file_atomic(file, edit, strlen(edit), 0644);
		free(edit);
		char *out = NULL;
		t0 = kb_now();
		if (kb_ws_diff(ws, "hello", paths, 2, false, &out) != 0 || !strstr(out, "+pr_info!"))
			kb_die("diff: %s", kb_error_last());
		diff[i] = kb_now() - t0;
		free(out);
		t0 = kb_now();
		if (kb_ws_reset_lesson(ws, "hello", paths, 2, NULL) != 0)
			kb_die("reset: %s", kb_error_last());
		reset[i] = kb_now() - t0;
	}
	printf("%-48s %6.2f s\n", "workspace creation (clone + checkout, real tree)", create);
	printf("%-48s %6.0f ms\n", "lesson start (write + commit 2 files)", start * 1000);
	printf("%-48s %6.1f ms\n", "lesson diff (median)", kb_median(diff, runs) * 1000);
	printf("%-48s %6.1f ms\n", "lesson reset (median; keeps the learner's copy)", kb_median(reset, runs) * 1000);
	kb_ws_close(ws);
	free(file);
	free(diff);
	free(reset);
	kb_rm_rf(tmpl);
	free(root);
	kb_home_free(&h);
	return 0;
}

/* bench_ui.c - the shell's goals, measured on the real binary: the first frame after
 * start (<= 50 ms), a key press redrawn (<= 10 ms), resident memory (<= 16 MB).
 *
 * Runs `kbridge shell --replay KEYS --timing FILE` (curses on newterm, the same drawing
 * code as on a terminal) N times on a pack and prints medians and worst cases. The first
 * frame is timed from just before fork() to the moment doupdate() returned in the child
 * (both on CLOCK_MONOTONIC), so exec, loading the pack and the first draw all count.
 *
 *   obj/bench/bench_ui [KBRIDGE [PACK [RUNS [WORKSPACE]]]]
 * PACK: a pack whose first lessons have no task (default tests/ui/pack); WORKSPACE: an
 * existing workspace to open (default: none, a fresh folder).
 */
#define _GNU_SOURCE
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *kbridge = argc > 1 ? argv[1] : "./kbridge";
	const char *pack = argc > 2 ? argv[2] : "tests/ui/pack";
	int runs = argc > 3 ? atoi(argv[3]) : 20;
	/* a Markdown page (Rust and C code, a table) scrolled, two quizzes answered, the help,
	   back to the timeline, twice; no task (a task would make a workspace) */
	const char *keys = "jk<Enter>jjjjkkkk<Space>b<Space>g<End>n1r2n1<Space>3<Enter>pp?<PgDn><PgUp>qq"
			   "<Enter>jjjjjjjjkkkkkkkk<Space>n2n13<Enter><Left><Left>?q<Down><Up>qjk";
	char timing[] = "/tmp/kbridge-bench-ui.XXXXXX";
	int tfd = mkstemp(timing);
	if (tfd < 0)
		kb_die("mkstemp failed");
	close(tfd);
	char ws[] = "/tmp/kbridge-bench-ws.XXXXXX";
	if (!mkdtemp(ws))
		kb_die("mkdtemp failed");
	char *ws_none = argc > 4 ? kb_strdup(argv[4]) : kb_path_join(ws, "none");
	setenv("TERM", "xterm-256color", 1);
	setenv("LINES", "30", 1);
	setenv("COLUMNS", "100", 1);

	double *first = kb_calloc((size_t)runs, sizeof *first);
	size_t n_keys = 0, cap_keys = 0;
	double *key_ms = NULL;
	long max_rss_kb = 0;
	for (int r = 0; r < runs; r++) {
		double t0 = kb_now();
		pid_t pid = fork();
		if (pid == 0) {
			execl(kbridge, kbridge, "shell", "--pack", pack, "--workspace", ws_none, "--replay", keys,
			      "--dump", "/dev/null", "--timing", timing, (char *)NULL);
			_exit(127);
		}
		int status;
		struct rusage ru;
		if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			kb_die("%s shell failed (status %d)", kbridge, status);
		if (ru.ru_maxrss > max_rss_kb)
			max_rss_kb = ru.ru_maxrss;
		FILE *f = fopen(timing, "r");
		char line[256];
		while (f && fgets(line, sizeof line, f)) {
			double abs_t, rel;
			int key;
			if (sscanf(line, "first_frame %lf %lf", &abs_t, &rel) == 2) {
				first[r] = (abs_t - t0) * 1000;
			} else if (sscanf(line, "key %d %lf", &key, &rel) == 2) {
				if (n_keys == cap_keys) {
					cap_keys = cap_keys ? cap_keys * 2 : 256;
					key_ms = kb_realloc(key_ms, cap_keys * sizeof *key_ms);
				}
				key_ms[n_keys++] = rel * 1000;
			}
		}
		if (f)
			fclose(f);
	}
	kb_sort_doubles(first, (size_t)runs);
	kb_sort_doubles(key_ms, n_keys);
	printf("shell (%s, workspace %s, %d runs, 100x30):\n", pack, argc > 4 ? argv[4] : "none", runs);
	printf("  first frame after start   median %6.1f ms   worst %6.1f ms   (goal <= 50 ms)\n",
	       first[runs / 2], first[runs - 1]);
	if (n_keys)
		printf("  key press redrawn         median %6.2f ms   p99 %6.2f ms   worst %6.2f ms over %zu keys   (goal <= 10 ms)\n",
		       key_ms[n_keys / 2], key_ms[(size_t)(n_keys * 0.99)], key_ms[n_keys - 1], n_keys);
	printf("  resident memory (max RSS) %6.1f MB   (goal <= 16 MB)\n", max_rss_kb / 1024.0);
	unlink(timing);
	kb_rm_rf(ws);
	free(ws_none);
	free(first);
	free(key_ms);
	return 0;
}

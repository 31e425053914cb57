/* meter.h - a progress display for the non-interactive commands: a redrawn bar on a
 * terminal, plain lines (one per 10 %) otherwise. */
#ifndef KB_METER_H
#define KB_METER_H

#include <stdbool.h>
#include <stdio.h>

struct kb_meter {
	FILE *out;
	bool tty;
	bool color;
	char label[64];
	double started;
	double last_draw;
	int last_decile;
	bool drawn;
	unsigned spin;
};

/* out: where to draw (stderr for setup). tty and color are decided from out and NO_COLOR. */
void kb_meter_init(struct kb_meter *m, FILE *out);
/* Start a new bar with a label ("build"). */
void kb_meter_start(struct kb_meter *m, const char *label);
/* fraction in [0,1], or negative when unknown (a spinner); detail is shown after it.
 * Redraws at most 10 times a second. */
void kb_meter_update(struct kb_meter *m, double fraction, const char *detail);
/* End the bar's line (on a terminal) so other output can follow. */
void kb_meter_end(struct kb_meter *m);
/* Print a line above the bar. */
void kb_meter_say(struct kb_meter *m, const char *line);

#endif

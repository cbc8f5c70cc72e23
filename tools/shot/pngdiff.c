/* pngdiff.c - `ui-pngdiff`, compares a screenshot with its golden image the
 * way tests/ui does, for shell-driven tests and the screen gallery:
 *   ui-pngdiff EXPECTED.png ACTUAL.png [TOL=32] [MAX_PERMILLE=5] [DIFF.png]
 * A pixel differs when a channel is off by more than TOL; the images match
 * when at most MAX_PERMILLE per mille of the pixels differ. Exit 0 when they
 * match, 1 when not (DIFF.png then shows the differing pixels in red), 2 on
 * an error. */
#include <stdio.h>
#include <stdlib.h>

#include "ui_png.h"

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 6) {
        fprintf(stderr, "usage: ui-pngdiff EXPECTED ACTUAL [TOL] [MAX_PERMILLE] [DIFF.png]\n");
        return 2;
    }
    int tol = argc > 3 ? atoi(argv[3]) : 32;
    long permille = argc > 4 ? atol(argv[4]) : 5;
    const char *diff = argc > 5 ? argv[5] : NULL;
    char err[256] = "";
    struct ui_png_diff d;
    int rc = ui_png_compare(argv[1], argv[2], tol, 0, diff, &d, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "ui-pngdiff: %s\n", err);
        return 2;
    }
    if (rc == 1 && d.total > 0 && d.differing * 1000 <= d.total * permille)
        rc = 0;
    printf("%s: %ld of %ld pixels differ (max delta %d): %s\n", argv[2],
           d.differing, d.total, d.max_delta, rc == 0 ? "match" : "DIFFERENT");
    if (rc == 1 && d.total == 0)
        fprintf(stderr, "ui-pngdiff: %s\n", err);
    return rc;
}

/* MPE side of the barrier test. `barrier_host` exits 0 with "barrier ok" when
 * every sum is right; `barrier_host deadlock` makes CPE 0 skip a barrier (the
 * emulator must report it). */
#include <athread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"

extern void slave_barrier_kernel(void *);

int main(int argc, char **argv) {
  struct barrier_args p;
  int id, r, bad = 0;
  p.a = calloc(NCPE, sizeof(int));
  p.sum_all = calloc(NCPE, sizeof(int));
  p.sum_row = calloc(NCPE, sizeof(int));
  p.sum_col = calloc(NCPE, sizeof(int));
  if (!p.a || !p.sum_all || !p.sum_row || !p.sum_col) return 1;
  p.deadlock = argc > 1 && strcmp(argv[1], "deadlock") == 0;
  athread_init();
  athread_spawn(barrier_kernel, &p);
  athread_join();
  for (id = 0; id < NCPE; id++) {
    int row = id / 8, col = id % 8, want_all = 0, want_row = 0, want_col = 0, k;
    for (r = 0; r < BA_ROUNDS; r++)
      for (k = 0; k < 8; k++) {
        int j;
        for (j = 0; j < 8; j++) want_all += (k * 8 + j) * 1000 + r;
        want_row += (row * 8 + k) * 100 + r;
        want_col += (k * 8 + col) * 10 + r;
      }
    if (p.sum_all[id] != want_all || p.sum_row[id] != want_row || p.sum_col[id] != want_col) {
      if (bad < 5)
        fprintf(stderr, "CPE %d: sums %d %d %d, want %d %d %d\n", id, p.sum_all[id],
                p.sum_row[id], p.sum_col[id], want_all, want_row, want_col);
      bad++;
    }
  }
  if (bad) {
    fprintf(stderr, "barrier: %d errors\n", bad);
    return 1;
  }
  printf("barrier ok\n");
  return 0;
}

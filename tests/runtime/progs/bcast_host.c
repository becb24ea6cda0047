/* MPE side of the broadcast DMA test. `bcast_host [MODE]` (default ok):
 * ok: exits 0 with "bcast ok" when every CPE's sums are right;
 * no_syn_after: the CPEs read the broadcast block without the barrier after
 * it, so receivers use stale data (the emulator delivers at the barrier) and
 * the sums are wrong (exit 1); the other modes are misuses the emulator stops
 * with a named error (exit 3). */
#include <athread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"

extern void slave_bcast_kernel(void *);

int main(int argc, char **argv) {
  static const char *const modes[] = {"ok",       "no_syn_after", "receiver_issues",
                                      "put",      "unaligned_reply", "undelivered",
                                      "stack",    "strided"};
  struct bcast_args p;
  int i, id, r, bad = 0;
  p.mode = -1;
  for (i = 0; i < (int)(sizeof modes / sizeof modes[0]); i++)
    if (strcmp(argc > 1 ? argv[1] : "ok", modes[i]) == 0) p.mode = i;
  if (p.mode < 0) {
    fprintf(stderr, "bcast: unknown mode\n");
    return 2;
  }
  p.src = malloc((BC_ROUNDS + 8) * BC_N * sizeof(float));
  p.sum_all = calloc(NCPE, sizeof(float));
  p.sum_row = calloc(NCPE, sizeof(float));
  if (!p.src || !p.sum_all || !p.sum_row) return 1;
  for (i = 0; i < (BC_ROUNDS + 8) * BC_N; i++) p.src[i] = (float)(i % 97 + 1);
  athread_init();
  athread_spawn(bcast_kernel, &p);
  athread_join();
  for (id = 0; id < NCPE; id++) {
    float want_all = 0, want_row = 0;
    for (r = 0; r < BC_ROUNDS; r++)
      for (i = 0; i < BC_N; i++) {
        want_all += p.src[r * BC_N + i] * (float)(i % 3 + 1);
        want_row += p.src[(r + id / 8) * BC_N + i];
      }
    if (p.sum_all[id] != want_all || p.sum_row[id] != want_row) {
      if (bad < 5)
        fprintf(stderr, "CPE %d: sums %g %g, want %g %g\n", id, (double)p.sum_all[id],
                (double)p.sum_row[id], (double)want_all, (double)want_row);
      bad++;
    }
  }
  if (bad) {
    fprintf(stderr, "bcast: %d errors\n", bad);
    return 1;
  }
  printf("bcast ok\n");
  return 0;
}

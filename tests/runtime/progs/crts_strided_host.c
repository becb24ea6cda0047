/* MPE side of the SW26010-Pro strided-DMA test (CRTS_dma_iget_stride /
 * CRTS_dma_iput_stride). Exit 0 and "crts_strided ok" when y and t are right. */
#include <crts.h>
#include <stdio.h>
#include <stdlib.h>
#include "args.h"

extern void slave_crts_strided_kernel(void *);

int main(void) {
  struct crts_strided_args p;
  int r, k, bad = 0;
  p.m = malloc(sizeof(float) * ST_R * ST_K);
  p.y = malloc(sizeof(float) * ST_R * ST_K);
  p.t = malloc(sizeof(float) * NCPE * ST_CB * ST_R);
  if (!p.m || !p.y || !p.t) return 1;
  for (r = 0; r < ST_R; r++)
    for (k = 0; k < ST_K; k++) {
      p.m[r * ST_K + k] = (float)(r * 1000 + k);
      p.y[r * ST_K + k] = -1.0f;
    }
  CRTS_init();
  CRTS_athread_spawn(crts_strided_kernel, &p);
  CRTS_athread_join();
  for (r = 0; r < ST_R; r++)
    for (k = 0; k < ST_K; k++) {
      float want = 2.0f * p.m[r * ST_K + k] + (float)(k / ST_CB);
      if (p.y[r * ST_K + k] != want) {
        if (bad < 5) fprintf(stderr, "y[%d][%d] = %g, want %g\n", r, k, p.y[r * ST_K + k], want);
        bad++;
      }
      if (p.t[k * ST_R + r] != p.m[r * ST_K + k]) {
        if (bad < 5) fprintf(stderr, "t[%d][%d] = %g\n", k, r, p.t[k * ST_R + r]);
        bad++;
      }
    }
  CRTS_athread_halt();
  free(p.m);
  free(p.y);
  free(p.t);
  if (bad) {
    fprintf(stderr, "crts_strided: %d errors\n", bad);
    return 1;
  }
  printf("crts_strided ok\n");
  return 0;
}

/* MPE side of the strided-DMA test. Exit 0 and "strided ok" when y and t are
 * exactly right. */
#include <athread.h>
#include <stdio.h>
#include <stdlib.h>
#include "args.h"

extern void slave_strided_kernel(void *);

int main(void) {
  struct strided_args p;
  int r, k, bad = 0;
  p.m = malloc(sizeof(float) * ST_R * ST_K);
  p.y = malloc(sizeof(float) * ST_R * ST_K);
  p.t = malloc(sizeof(float) * ST_R * ST_K);
  if (!p.m || !p.y || !p.t) return 1;
  for (r = 0; r < ST_R; r++)
    for (k = 0; k < ST_K; k++) {
      p.m[r * ST_K + k] = (float)(r * 1000 + k);
      p.y[r * ST_K + k] = -1.0f;
      p.t[r * ST_K + k] = -1.0f;
    }
  athread_init();
  athread_spawn(strided_kernel, &p);
  athread_join();
  for (r = 0; r < ST_R; r++)
    for (k = 0; k < ST_K; k++) {
      float want = 2.0f * (float)(r * 1000 + k) + (float)(k / ST_CB);
      if (p.y[r * ST_K + k] != want) {
        if (bad < 5) fprintf(stderr, "y[%d][%d] = %g, want %g\n", r, k, p.y[r * ST_K + k], want);
        bad++;
      }
      if (p.t[k * ST_R + r] != (float)(r * 1000 + k)) {
        if (bad < 5) fprintf(stderr, "t[%d][%d] = %g\n", k, r, p.t[k * ST_R + r]);
        bad++;
      }
    }
  free(p.m);
  free(p.y);
  free(p.t);
  if (bad) {
    fprintf(stderr, "strided: %d errors\n", bad);
    return 1;
  }
  printf("strided ok\n");
  return 0;
}

/* MPE side of the SW26010-Pro (crts.h) vector-add test. Exit 0 and
 * "crts_vecadd ok" when c == a + b exactly for two launches and every CPE saw
 * all 64 flags after CRTS_ssync_array; under SWEMU also checks the per-CPE
 * counters and prints the LDM budget. */
#include <crts.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef SWEMU
#include "swemu.h"
#endif
#include "args.h"

extern void slave_crts_vecadd_kernel(void *);

static int run(struct crts_vecadd_args *p, int seed) {
  long i;
  int bad = 0;
  for (i = 0; i < CV_N; i++) {
    p->a[i] = (float)((i * 7 + seed) % 1000) * 0.5f;
    p->b[i] = (float)((i * 13 + seed) % 777) * 0.25f;
    p->c[i] = -1.0f;
  }
  for (i = 0; i < NCPE; i++) p->ok[i] = 0;
  p->round = seed;
  CRTS_athread_spawn(crts_vecadd_kernel, p);
  CRTS_athread_join();
  for (i = 0; i < CV_N; i++)
    if (p->c[i] != p->a[i] + p->b[i]) {
      if (bad < 5) fprintf(stderr, "c[%ld] = %g, want %g\n", i, p->c[i], p->a[i] + p->b[i]);
      bad++;
    }
  for (i = 0; i < NCPE; i++)
    if (p->ok[i] != 1) {
      fprintf(stderr, "CPE %ld: flags after CRTS_ssync_array not all set (%d)\n", i, p->ok[i]);
      bad++;
    }
  return bad;
}

int main(void) {
  struct crts_vecadd_args p;
  int bad = 0;
  p.a = malloc(sizeof(float) * CV_N);
  p.b = malloc(sizeof(float) * CV_N);
  p.c = malloc(sizeof(float) * CV_N);
  p.flags = calloc(NCPE, sizeof(int));
  p.ok = calloc(NCPE, sizeof(int));
  if (!p.a || !p.b || !p.c || !p.flags || !p.ok) return 1;
  CRTS_init();
  CRTS_init(); /* idempotent */
  bad += run(&p, 1);
  bad += run(&p, 2);
#ifdef SWEMU
  {
    int l, id;
    const int tiles = CV_PER_CPE / CV_TILE;
    if (swemu_launch_count() != 2 || !swemu_launch_kernel(1, 0) ||
        strcmp(swemu_launch_kernel(1, 0), "crts_vecadd_kernel") != 0) {
      fprintf(stderr, "launch records wrong\n");
      bad++;
    }
    for (l = 0; l < 2; l++)
      for (id = 0; id < NCPE; id++) {
        swemu_counters c;
        if (swemu_launch_counters(l, id, &c) != 0 || c.get_count != 2 * tiles + 1 ||
            c.get_bytes != 2LL * CV_PER_CPE * 4 + NCPE * 4 || c.put_count != tiles + 2 ||
            c.put_bytes != (long long)CV_PER_CPE * 4 + 8 || c.flops != CV_PER_CPE) {
          fprintf(stderr, "launch %d CPE %d: counters %lld/%lld %lld/%lld %lld\n", l, id,
                  c.get_count, c.get_bytes, c.put_count, c.put_bytes, c.flops);
          bad++;
        }
      }
    printf("ldm budget %lu\n", (unsigned long)swemu_ldm_budget_bytes());
  }
#endif
  CRTS_athread_halt();
  free(p.a);
  free(p.b);
  free(p.c);
  free(p.flags);
  free(p.ok);
  if (bad) {
    fprintf(stderr, "crts_vecadd: %d errors\n", bad);
    return 1;
  }
  printf("crts_vecadd ok\n");
  return 0;
}

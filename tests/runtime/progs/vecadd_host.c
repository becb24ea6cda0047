/* MPE side of the vector-add test. Exit 0 and "vecadd ok" when c == a + b
 * exactly for two launches, and (SWEMU) every CPE's LDM is its own TLS block. */
#include <athread.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef SWEMU
#include "swemu.h"
#endif
#include "args.h"

extern void slave_vecadd_kernel(void *);

static int run(struct vecadd_args *p, int seed) {
  long i;
  int bad = 0;
  for (i = 0; i < VA_N; i++) {
    p->a[i] = (float)((i * 7 + seed) % 1000) * 0.5f;
    p->b[i] = (float)((i * 13 + seed) % 777) * 0.25f;
    p->c[i] = -1.0f;
  }
  athread_spawn(vecadd_kernel, p);
  athread_join();
  for (i = 0; i < VA_N; i++)
    if (p->c[i] != p->a[i] + p->b[i]) {
      if (bad < 5) fprintf(stderr, "c[%ld] = %g, want %g\n", i, p->c[i], p->a[i] + p->b[i]);
      bad++;
    }
  return bad;
}

int main(void) {
  struct vecadd_args p;
  int bad = 0, i, j;
  p.a = malloc(sizeof(float) * VA_N);
  p.b = malloc(sizeof(float) * VA_N);
  p.c = malloc(sizeof(float) * VA_N);
  p.ldm_base = calloc(NCPE, sizeof(unsigned long long));
  p.ldm_ok = calloc(NCPE, sizeof(int));
  if (!p.a || !p.b || !p.c || !p.ldm_base || !p.ldm_ok) return 1;
  athread_init();
  athread_init(); /* idempotent */
  bad += run(&p, 1);
  bad += run(&p, 2);
#ifdef SWEMU
  for (i = 0; i < NCPE; i++) {
    if (!p.ldm_ok[i]) {
      fprintf(stderr, "CPE %d: LDM arrays not inside its TLS block\n", i);
      bad++;
    }
    for (j = 0; j < i; j++)
      if (p.ldm_base[i] == p.ldm_base[j] || p.ldm_base[i] == 0) {
        fprintf(stderr, "CPE %d and %d share LDM block %llx\n", i, j, p.ldm_base[i]);
        bad++;
      }
  }
#else
  (void)i;
  (void)j;
#endif
  athread_halt();
  free(p.a);
  free(p.b);
  free(p.c);
  free(p.ldm_base);
  free(p.ldm_ok);
  if (bad) {
    fprintf(stderr, "vecadd: %d errors\n", bad);
    return 1;
  }
  printf("vecadd ok\n");
  return 0;
}

/* MPE side of the counter test: one count_kernel launch, two other_kernel
 * launches. Under SWEMU it checks the per-CPE counters through the accessors
 * and prints the report; the test also reads SWEMU_REPORT_JSON. With env
 * COUNTERS_CORE_GROUP=k it runs as core group k (swemu_set_core_group). */
#include <athread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef SWEMU
#include "swemu.h"
#endif
#include "args.h"

extern void slave_count_kernel(void *);
extern void slave_other_kernel(void *);
extern void slave_ops_kernel(void *);

int main(void) {
  struct counters_args p;
  int bad = 0;
  p.src = calloc(NCPE * 256, sizeof(float));
  p.dst = calloc(NCPE * 128, sizeof(float));
  if (!p.src || !p.dst) return 1;
#ifdef SWEMU
  /* Core group of a --core-groups run: the report names it, and its file gets .cg<k>. */
  if (getenv("COUNTERS_CORE_GROUP")) swemu_set_core_group(atoi(getenv("COUNTERS_CORE_GROUP")));
#endif
  athread_init();
  athread_spawn(count_kernel, &p);
  athread_join();
  athread_spawn(other_kernel, &p);
  athread_join();
  athread_spawn(other_kernel, &p);
  athread_join();
  athread_spawn(ops_kernel, &p);
  athread_join();
#ifdef SWEMU
  {
    int id;
    double secs = -1;
    if (swemu_launch_count() != 4) {
      fprintf(stderr, "launch count %d\n", swemu_launch_count());
      bad++;
    }
    if (!swemu_launch_kernel(0, &secs) || strcmp(swemu_launch_kernel(0, 0), "count_kernel") != 0 ||
        !swemu_launch_kernel(2, 0) || strcmp(swemu_launch_kernel(2, 0), "other_kernel") != 0 ||
        secs < 0) {
      fprintf(stderr, "launch names wrong\n");
      bad++;
    }
    for (id = 0; id < NCPE; id++) {
      swemu_counters c, o, v;
      if (swemu_launch_counters(0, id, &c) != 0 || swemu_launch_counters(1, id, &o) != 0 ||
          swemu_launch_counters(3, id, &v) != 0) {
        bad++;
        continue;
      }
      if (c.get_count != id % 4 + 1 || c.get_bytes != 256LL * (id % 4 + 1) ||
          c.put_count != id % 3 + 1 || c.put_bytes != 128LL * (id % 3 + 1) ||
          c.flops != id * 10LL || o.get_count != 1 || o.get_bytes != 64 || o.put_count != 0 ||
          o.flops != 0) {
        fprintf(stderr, "CPE %d: counters wrong\n", id);
        bad++;
      }
      /* LDM used: count_kernel's gets fill buf (256 B), other_kernel's 64 B;
       * ops_kernel stores buf[0 .. id%16]. Flops: 8 per vmas, 4 per vadds. */
      if (c.ldm_bytes != 256 || o.ldm_bytes != 64 || v.ldm_bytes != 4 * (id % 16 + 1) ||
          c.vector_flops != 0 || v.vector_flops != 8LL * (id + 1) + 4LL * id ||
          v.flops != v.vector_flops + 3LL * (id % 16 + 1)) {
        fprintf(stderr, "CPE %d: ldm/flop counters wrong: %lld %lld %lld, %lld %lld\n", id,
                c.ldm_bytes, o.ldm_bytes, v.ldm_bytes, v.vector_flops, v.flops);
        bad++;
      }
    }
    if (swemu_launch_counters(4, 0, 0) != -1 || swemu_launch_counters(0, 64, 0) != -1) bad++;
    swemu_report(stdout);
  }
#endif
  athread_halt();
  if (bad) {
    fprintf(stderr, "counters: %d errors\n", bad);
    return 1;
  }
  printf("counters ok\n");
  return 0;
}

/* CPE side of the counter test: CPE id does (id%4+1) gets of 256 bytes and
 * (id%3+1) puts of 128 bytes, and counts id*10 flops (SWEMU). */
#include <slave.h>
#ifdef SWEMU
#include "swemu.h"
#endif
#include "args.h"

static __thread_local float buf[64];

void slave_count_kernel(void *arg) {
  struct counters_args p = *(struct counters_args *)arg;
  volatile int reply = 0;
  int n = 0, k;
  int id = _MYID;
  for (k = 0; k < id % 4 + 1; k++) {
    athread_get(PE_MODE, p.src + id * 256 + k * 64, &buf[0], 256, (void *)&reply, 0, 0, 0);
    n++;
    while (reply != n)
      ;
  }
  for (k = 0; k < id % 3 + 1; k++) {
    athread_put(PE_MODE, &buf[0], p.dst + id * 128 + k * 32, 128, (void *)&reply, 0, 0);
    n++;
    while (reply != n)
      ;
  }
#ifdef SWEMU
  swemu_count_flops(id * 10L);
#endif
}

void slave_other_kernel(void *arg) {
  struct counters_args p = *(struct counters_args *)arg;
  volatile int reply = 0;
  int id = _MYID;
  /* strided: 4 blocks of 16 bytes, 64 bytes in all */
  athread_get(PE_MODE, p.src + id * 256, &buf[0], 64, (void *)&reply, 0, 48, 16);
  while (reply != 1)
    ;
}

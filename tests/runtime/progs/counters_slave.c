/* CPE side of the counter test: CPE id does (id%4+1) gets of 256 bytes and
 * (id%3+1) puts of 128 bytes, and counts id*10 flops (SWEMU). ops_kernel:
 * CPE id does id+1 simd_vmas, id simd_vadds and id scalar stores of 3 flops
 * each, and writes buf[0 .. id%16]. `buf` is registered as the LDM arena, so
 * the emulator reports the LDM each launch used. */
#include <slave.h>
#include <simd.h>
#ifdef SWEMU
#include "swemu.h"
#endif
#include "args.h"

static __thread_local float buf[64];
#ifdef SWEMU_LDM_ARENA
SWEMU_LDM_ARENA(buf)
#endif
#ifndef SWEMU_SCALAR_FLOPS
#define SWEMU_SCALAR_FLOPS(n) ((void)0)
#endif

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

void slave_ops_kernel(void *arg) {
  int id = _MYID, k;
  floatv4 a = simd_set_floatv4(1.0f, 2.0f, 3.0f, 4.0f);
  floatv4 b = simd_set_floatv4(0.5f, 0.25f, 0.5f, 0.25f);
  float x = 0.5f;
  (void)arg;
  for (k = 0; k <= id; k++) a = simd_vmas(a, b, b);
  for (k = 0; k < id; k++) b = simd_vadds(a, b);
  for (k = 0; k <= id % 16; k++) {
    x = x * 0.5f + (float)k / 3.0f;
    buf[k] = x + a[k % 4] * b[k % 4];
    SWEMU_SCALAR_FLOPS(3);
  }
}

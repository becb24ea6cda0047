/* MPE side of the DMA error tests: `bad_dma_host MODE`. Exit 0 with
 * "bad_dma ok" if the kernel ran to the end (the emulator should stop every
 * mode but none/static_ok with status 3). */
#include <athread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef SWEMU
#include "swemu.h"
#endif
#include "args.h"

extern void slave_bad_kernel(void *);
#ifdef SWEMU /* deliberate misuse: a CPE call on the MPE */
int athread_get(int mode, void *src, void *dest, int len, void *reply, char mask, int stride,
                int bsize);
#endif

static float stat_buf[BAD_N];
static const float ro_buf[BAD_N] = {1.0f};

int main(int argc, char **argv) {
  static const char *names[] = {"none",    "get_oob", "put_oob",  "stride_oob", "ldm_side",
                                "mode",    "len",     "registered", "static_ok", "rodata_put",
                                "reply",   "freed",   "mpe_dma",  "hang"};
  struct bad_args p;
  int i, volatile_reply = 0;
  p.mode = -1;
  for (i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
    if (argc > 1 && strcmp(argv[1], names[i]) == 0) p.mode = i;
  if (p.mode < 0) {
    fprintf(stderr, "usage: bad_dma_host MODE\n");
    return 2;
  }
  p.buf = malloc(BAD_N * sizeof(float));
  p.out = malloc(NCPE * sizeof(float));
  p.stat = stat_buf;
  p.rodata = ro_buf;
  if (!p.buf || !p.out) return 1;
  for (i = 0; i < BAD_N; i++) p.buf[i] = (float)i;
#ifdef SWEMU
  if (p.mode == BAD_REGISTERED) swemu_register_buffer("weights", p.buf, BAD_N * sizeof(float));
#endif
  if (p.mode == BAD_FREED) free(p.buf); /* dangling: the DMA must be caught */
  athread_init();
#ifdef SWEMU
  if (p.mode == BAD_MPE_DMA) athread_get(0, p.buf, p.out, 4, &volatile_reply, 0, 0, 0);
#else
  (void)volatile_reply;
#endif
  athread_spawn(bad_kernel, &p);
  athread_join();
  printf("bad_dma ok %g\n", (double)(p.mode == BAD_STATIC_OK ? stat_buf[5] : p.out[5]));
  return 0;
}

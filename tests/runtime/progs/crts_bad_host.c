/* MPE side of the SW26010-Pro DMA error tests: `crts_bad_host MODE`. Exit 0
 * with "crts_bad ok" if the kernel ran to the end (the emulator should stop
 * every mode but none with status 3). */
#include <crts.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"

extern void slave_crts_bad_kernel(void *);
#ifdef SWEMU /* deliberate misuse: a CPE call on the MPE */
int CRTS_dma_iget(void *dest, void *src, size_t len, volatile int *reply);
#endif

int main(int argc, char **argv) {
  static const char *names[] = {"none",     "get_oob",   "put_oob",      "stride_oob",
                                "ldm_side", "reply",     "len0",         "len_big",
                                "wait_hang", "blocking_oob", "deadlock", "mpe_dma"};
  struct crts_bad_args p;
  int i;
  volatile int mpe_reply = 0;
  p.mode = -1;
  for (i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
    if (argc > 1 && strcmp(argv[1], names[i]) == 0) p.mode = i;
  if (p.mode < 0) {
    fprintf(stderr, "usage: crts_bad_host MODE\n");
    return 2;
  }
  p.buf = malloc(BAD_N * sizeof(float));
  p.out = malloc(NCPE * sizeof(float));
  if (!p.buf || !p.out) return 1;
  for (i = 0; i < BAD_N; i++) p.buf[i] = (float)i;
  CRTS_init();
#ifdef SWEMU
  if (p.mode == CB_MPE_DMA) CRTS_dma_iget(p.out, p.buf, 4, &mpe_reply);
#endif
  (void)mpe_reply;
  CRTS_athread_spawn(crts_bad_kernel, &p);
  CRTS_athread_join();
  printf("crts_bad ok %g\n", (double)p.out[5]);
  return 0;
}

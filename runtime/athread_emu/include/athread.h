/* swtc athread emulator: MPE (management core) side of the athread API.
 * Same names and signatures as the vendor's athread.h (see
 * tests/sunway_api/sw26010/athread.h); the behaviour is in athread_emu.c,
 * which runs the 64 CPEs of one core group on host threads. Clean C99. */
#ifndef SWEMU_ATHREAD_H
#define SWEMU_ATHREAD_H

#ifdef __cplusplus
extern "C" {
#endif

extern int athread_init(void);
extern int __real_athread_spawn(void *fpc, void *arg);
extern int athread_join(void);
extern int athread_halt(void);

/* Emulator entry: like __real_athread_spawn, plus the kernel's name (for
 * messages and statistics). */
extern int swemu_spawn(void *fpc, void *arg, const char *name);

/* The CPE function `f` is the symbol `slave_f`; the MPE file declares it
 * itself, e.g. `extern void slave_f(void *);`. */
#define athread_spawn(f, arg) swemu_spawn((void *)slave_##f, (arg), #f)

#ifdef __cplusplus
}
#endif

#endif

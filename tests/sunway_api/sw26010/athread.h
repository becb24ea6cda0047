/* swtc's own declarations of the SW26010 MPE (management core) athread calls
 * that generated code and the emulator test programs use. For syntax checks
 * only (gcc -fsyntax-only -D__sw_host__): no definitions, nothing runs.
 * Names, argument types and orders follow the vendor interface as documented
 * in docs/design.md ("Vendor interface"). */
#ifndef SWTC_SUNWAY_API_ATHREAD_H
#define SWTC_SUNWAY_API_ATHREAD_H

int athread_init(void);
int athread_join(void);
int athread_halt(void);

/* athread_spawn(f, arg) is a macro: it starts the CPE function whose symbol is
 * slave_f, through __real_athread_spawn. The MPE file declares slave_f itself
 * (extern void slave_f(void *);); no SLAVE_FUN helper is provided. */
int __real_athread_spawn(void *fpc, void *arg);
#define athread_spawn(f, arg) __real_athread_spawn((void *)slave_##f, (arg))

#endif /* SWTC_SUNWAY_API_ATHREAD_H */

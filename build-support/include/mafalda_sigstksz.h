/*
 * Force-included into every C++ unit of the mediasoup-sys 0.2.5 build.
 * Its vendored abseil sizes an array with SIGSTKSZ, which glibc 2.34+ turned
 * into a run-time call (sysconf). Give it back a compile-time constant.
 */
#ifndef MAFALDA_SIGSTKSZ_H
#define MAFALDA_SIGSTKSZ_H
#ifdef __cplusplus
#include <csignal>
#undef SIGSTKSZ
#define SIGSTKSZ 65536
#endif
#endif

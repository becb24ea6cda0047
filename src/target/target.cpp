#include "target/target.h"

#include <algorithm>
#include <optional>

#include <cstdlib>

#include <unistd.h>

#include "common/error.h"
#include "target/tiling.h"
#include "tir/analysis.h"
#include "tir/functor.h"

namespace swtc::target {

using schedule::ComputeDef;
using schedule::Schedule;

const char *simd_name(Simd s) {
  switch (s) {
    case Simd::Portable: return "portable";
    case Simd::Avx2: return "avx2";
    case Simd::Avx512: return "avx512";
    case Simd::SunwayV4: return "floatv4";
    case Simd::SunwayV8: return "floatv8";
  }
  return "?";
}

std::vector<std::string> target_names() {
  return {"host", "host-avx512", "host-avx2", "host-portable", "sw26010", "sw26010pro"};
}

namespace {
/// The host ISAs, best first: one entry each (a new ISA is one more row and
/// its spelling in codegen/vector_isa.cpp).
struct HostIsa {
  const char *name;  // target name
  Simd simd;
  int vector_bits, f32_lanes, registers;
  const char *cflags;
  bool (*present)();
};
bool has_avx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}
bool has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
bool always() { return true; }
constexpr HostIsa kHostIsas[] = {
    {"host-avx512", Simd::Avx512, 512, 16, 32, "-mavx512f -mavx2 -mfma", has_avx512},
    {"host-avx2", Simd::Avx2, 256, 8, 16, "-mavx2 -mfma", has_avx2},
    // GNU C vectors of 4 floats: SSE2 on any x86-64, NEON on AArch64.
    {"host-portable", Simd::Portable, 128, 4, 16, "", always},
};

/// A cache size: the environment variable `env` if set (bytes, a positive
/// integer), else what the C library reports, else `fallback`.
int64_t cache_bytes(const char *env, int name, int64_t fallback) {
  if (const char *s = std::getenv(env)) {
    char *end = nullptr;
    const long long v = std::strtoll(s, &end, 10);
    if (end == s || *end != '\0' || v <= 0 || v > (1LL << 40))
      user_error(env, "='", s, "': expected a cache size in bytes (a positive integer)");
    return v;
  }
  const long v = sysconf(name);
  return v > 0 ? v : fallback;
}
}  // namespace

bool runs_here(const Target &t) {
  if (t.kind != Kind::Host) return true;
  for (const HostIsa &h : kHostIsas)
    if (h.simd == t.simd) return h.present();
  return false;
}

Target get_target(const std::string &name) {
  Target t;
  t.name = name;
  for (const HostIsa &h : kHostIsas) {
    if (name != h.name && !(name == "host" && h.present())) continue;
    t.kind = Kind::Host;
    t.workers = 0;  // decided at run time (OpenMP)
    t.simd = h.simd;
    t.vector_bits = h.vector_bits;
    t.f32_lanes = h.f32_lanes;
    t.vector_registers = h.registers;
    t.cflags = h.cflags;
    t.l1_bytes = cache_bytes("SWTC_L1_BYTES", _SC_LEVEL1_DCACHE_SIZE, 32 * 1024);
    t.l2_bytes = cache_bytes("SWTC_L2_BYTES", _SC_LEVEL2_CACHE_SIZE, 512 * 1024);
    return t;
  }
  // One core group of each Sunway chip (SUNWAY.md): 64 CPEs, LDM per CPE,
  // vector width, runtime interface. 4 KB of LDM are kept for stack and arguments.
  struct SunwaySpec {
    const char *name;
    int64_t ldm_bytes;
    int vector_bits;
    int f32_lanes;  // floatv4 in 256-bit registers on SW26010, floatv8 on the Pro
    Simd simd;
    bool crts;
  };
  static constexpr SunwaySpec kSunway[] = {
      {"sw26010", 64 * 1024, 256, 4, Simd::SunwayV4, false},
      {"sw26010pro", 256 * 1024, 512, 8, Simd::SunwayV8, true},
  };
  for (const SunwaySpec &s : kSunway) {
    if (name != s.name) continue;
    t.kind = Kind::Sunway;
    t.workers = 64;
    t.scratchpad_bytes = s.ldm_bytes;
    t.scratchpad_reserve = 4 * 1024;
    t.vector_bits = s.vector_bits;
    t.f32_lanes = s.f32_lanes;
    t.vector_registers = 32;
    t.simd = s.simd;
    t.needs_dma = true;
    t.crts = s.crts;
    return t;
  }
  std::string known;
  for (const auto &n : target_names()) known += (known.empty() ? "" : ", ") + n;
  user_error("unknown target '", name, "' (known: ", known, ")");
}

ScheduleMode schedule_mode(const std::string &name) {
  if (name == "default") return ScheduleMode::Default;
  if (name == "swtvm-v1") return ScheduleMode::SwtvmV1;
  user_error("unknown schedule '", name, "' (known: default, swtvm-v1)");
}

const char *schedule_mode_name(ScheduleMode m) {
  return m == ScheduleMode::Default ? "default" : "swtvm-v1";
}


Schedule default_schedule(const ComputeDef &def, const Target &t, ScheduleMode mode,
                          const std::set<std::string> &constants) {
  if (t.kind == Kind::Host) return host_default_schedule(def, t, constants);
  return sunway_default_schedule(def, t, mode, constants);
}

}  // namespace swtc::target

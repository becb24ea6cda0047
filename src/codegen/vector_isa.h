// How each target's printer spells float vectors: one table per SIMD dialect
// of target::Simd (the lane count is the target's f32_lanes). The vectoriser
// (codegen/simd.h) and the micro-kernel (codegen/microkernel.h) build their
// code from these spellings only, so a new ISA is one capability entry in
// target/target.cpp plus its spelling here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "target/target.h"

namespace swtc::codegen {

struct VectorIsa {
  target::Simd simd = target::Simd::Portable;
  int lanes = 4;            // floats per vector (target::Target::f32_lanes)
  std::string type;         // C type of a vector
  bool has_sub = true;      // a vector subtract exists (the SW26010-Pro subset has none)
  bool sunway = false;      // Sunway CPE code: aligned loads/stores only, emulator flop counts

  /// Statement: `dst` (declared) gets the `lanes` floats at `addr`.
  std::string load(const std::string &dst, const std::string &addr) const;
  /// True if load_every_other spells anything (host targets; Sunway loads
  /// are aligned and contiguous only).
  bool has_every_other() const { return !sunway; }
  /// Statement: `dst` (declared) gets the floats at addr[0], addr[2], ...,
  /// addr[2 * (lanes - 1)] (a stride-2 Conv's input row): two loads and a
  /// permute on x86, reading nothing past addr[2 * (lanes - 1)].
  std::string load_every_other(const std::string &dst, const std::string &addr) const;
  /// Statement: the lanes of `v` go to the floats at `addr`.
  std::string store(const std::string &v, const std::string &addr) const;
  /// Expression: every lane `x` (a float expression without side effects).
  std::string splat(const std::string &x) const;
  /// Expression: lane k = xs[k].
  std::string set(const std::vector<std::string> &xs) const;
  /// Expression: a * b + c (fused where the ISA has it).
  std::string fma(const std::string &a, const std::string &b, const std::string &c) const;
  std::string add(const std::string &a, const std::string &b) const;
  std::string sub(const std::string &a, const std::string &b) const;  // pre: has_sub
  std::string mul(const std::string &a, const std::string &b) const;
  /// True if `max` spells anything (the host; the Sunway micro-kernels
  /// only multiply and add).
  bool has_max() const { return !sunway; }
  /// Expression: lane k = a[k] > b[k] ? a[k] : b[k] (swtc_maxf's rule, so a
  /// NaN in b passes and one in a does not, lane by lane as in scalar code).
  std::string max(const std::string &a, const std::string &b) const;
  /// True if `prefetch` spells anything (the host; Sunway stages by DMA).
  bool has_prefetch() const { return !sunway; }
  /// Statement: a hint to fetch the cache line `bytes` past `addr` (an
  /// address expression) for reading; the address is formed as an integer,
  /// so a line past the end of the array is only a hint, never a pointer.
  std::string prefetch(const std::string &addr, int64_t bytes) const;
  /// Lines a C file needs before the spellings can be used (includes, typedefs).
  std::string prelude() const;
  /// Host: the definition of
  ///   swtc_copy_transposed(src, ss, dst, ds, nw, nc):
  ///   dst[c * ds + w] = src[w * ss + c] for w < nw, c < nc
  /// (a staged tile with channels innermost written back in the tensor's
  /// order), by 8 x 8 blocks transposed in registers where the ISA has the
  /// shuffles (x86), else element by element in blocks.
  std::string transpose_prelude() const;
  /// True if row_copy_prelude has vector code (x86: masked loads and
  /// stores); elsewhere a staged row is copied by the printer's loops.
  bool has_row_copy() const;
  /// Host x86: the definitions of
  ///   swtc_row_in(d, n, a, b, s, fill): d[0 .. a) = d[b .. n) = fill,
  ///     d[a .. b) = s[0 .. b - a)   (one row of a staged input box)
  ///   swtc_row_out(d, s, m): d[0 .. m) = s[0 .. m)   (one row written back)
  /// by whole vectors and one masked vector for each part's rest, so a
  /// short row (7 or 14 pixels) is a few instructions, not a scalar loop.
  /// Only the elements named are read or written (the masked lanes are
  /// neither loaded nor stored).
  std::string row_copy_prelude() const;
};

/// The spelling of target `t`'s vectors.
VectorIsa vector_isa(const target::Target &t);

}  // namespace swtc::codegen

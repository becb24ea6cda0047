// SIMD code for loops over staged buffers: an innermost loop whose body stores
// one float per iteration into a staged (local) buffer becomes a loop over
// vectors plus a scalar remainder, spelled by the target's VectorIsa (on
// Sunway floatv4/floatv8 with only the vendor's documented intrinsics:
// aligned simd_load/simd_store, simd_set_floatvN, simd_vadds/vsubs/vmuls/vmas).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "codegen/c_printer.h"
#include "codegen/vector_isa.h"
#include "tir/tir.h"

namespace swtc::codegen {

/// Lines (without indentation of the loop itself; nested lines carry two
/// spaces per level) of a vectorised `loop`, or nullopt when the loop is not
/// a candidate: not serial, shorter than a vector, a body other than a store
/// (optionally under an `if`) into an LDM buffer at a vector-aligned address
/// moving by one element per iteration, or no arithmetic to do in vectors.
/// `enclosing` holds the extents of the loops around `loop` (for alignment:
/// every index is affine in loop variables; staged buffers start 32-byte
/// aligned). Loads whose address is aligned become simd_load, loads that do
/// not depend on the loop variable are broadcast, the others are gathered
/// lane by lane with simd_set. A condition that depends on the loop variable
/// is allowed on an accumulation `y = y + a * b * ...`: the guarded lanes get
/// a zero factor.
std::optional<std::vector<std::string>> vectorize_loop(const tir::Stmt &loop, const VectorIsa &spec,
                                                       const std::map<std::string, int64_t> &enclosing,
                                                       CPrinter &printer);

}  // namespace swtc::codegen

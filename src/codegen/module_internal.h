// Helpers shared by the host and Sunway emitters.
#pragma once

#include <string>

#include "codegen/module.h"

namespace swtc::codegen::detail {

/// "RESNET18" for "resnet18".
std::string upper(const std::string &s);
/// C expression (in the run function) for the storage of graph value v.
std::string value_pointer(const Module &m, int v, bool mutable_ptr);
/// Definitions of the input/output name and shape tables declared in the header.
std::string io_tables(const Module &m);
/// Comment banner for generated files.
std::string banner(const Module &m, const std::string &what);
/// The start of `<model>_run`, shared by the host and MPE sources.
std::string run_function_prologue(const Module &m);

/// "#include <stdint.h>\n" if a kernel has an integer buffer or the model
/// integer inputs/outputs (float32-only models print as before), else "".
std::string stdint_include(const Module &m);

/// Helpers of integer kernels (after c_prelude() in kernel files), "" for
/// float32-only models: swtc_powi (pow in double, converted to a 64-bit
/// integer, so that the store wraps it to the element type as C does) and
/// swtc_idiv (signed division without the INT_MIN / -1 trap).
std::string int_prelude(const Module &m);

/// C definitions of swtc_expf, swtc_erff and swtc_tanhf: branch-free float
/// versions of the libm functions, printed into host sources that call them
/// so that elementwise loops vectorise.
const char *host_math_prelude();

/// Profile hooks of the host run function (Module::profile_hooks; "" when
/// off): the per-kernel timers' definitions (before the run function), the
/// declaration opening the run function, and the lines before and after the
/// call of kernel `i`.
std::string profile_hook_globals(const Module &m);
std::string profile_hook_start(const Module &m);
std::string profile_hook_before(const Module &m, size_t i);
std::string profile_hook_after(const Module &m, size_t i);

/// What a kernel computes, for a comment: the node it came from.
std::string kernel_comment(const Module &m, const CompiledKernel &k);

}  // namespace swtc::codegen::detail

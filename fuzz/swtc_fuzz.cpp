// libFuzzer target (issue 13): the bytes are an ONNX model; swtc imports it,
// runs the graph passes, lowers, schedules, plans memory and prints the C
// (no C compiler). A user error is the expected outcome for bad input; any
// other exception (an internal error, std::bad_alloc, ...) escapes and
// terminates, and the sanitizers (address, undefined) catch memory bugs:
// each is a crash libFuzzer reports. See docs/robustness.md.
#include <cstddef>
#include <cstdint>
#include <string>

#include "codegen/module.h"
#include "common/error.h"
#include "driver/driver.h"
#include "frontend/onnx/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const std::string bytes(reinterpret_cast<const char *>(data), size);
  // The target depends on the input so both printers are reached.
  static const char *const kTargets[] = {"host", "sw26010", "sw26010pro"};
  swtc::driver::CompileOptions o;
  o.target = kTargets[size % 3];
  o.name = "fuzz";
  try {
    swtc::graph::Graph g = swtc::frontend::import_onnx_bytes(bytes, "fuzz");
    swtc::codegen::Module m = swtc::driver::compile_graph(g, o);
    (void)swtc::codegen::emit_module(m);
  } catch (const swtc::UserError &) {
  }
  return 0;
}

// Prints tensor IR as C99. Shared by the host and Sunway flavours, which
// differ in how loops are distributed and how staged buffers move (Stage).
#pragma once

#include <map>
#include <sstream>
#include <string>

#include "tir/tir.h"

namespace swtc::codegen {

/// Helper functions every generated C file defines before its kernels.
const char *c_prelude();

class CPrinter {
 public:
  virtual ~CPrinter() = default;
  std::string expr(const tir::Expr &e);
  void stmt(const tir::Stmt &s, int indent);
  std::string text() const { return os_.str(); }
  /// Row-major flat offset of `indices` in `shape`, as C.
  std::string flat_index(const std::vector<int64_t> &shape, const std::vector<tir::Expr> &idx);

 protected:
  virtual void emit_for(const tir::Stmt &s, int indent);
  virtual void emit_stage(const tir::Stmt &s, int indent);
  /// C name of a buffer's pointer.
  virtual std::string buffer_name(const tir::Buffer &b) { return b->name; }
  /// C function a Call node's function is spelled as (e.g. a vectorisable
  /// inline version of a libm function).
  virtual std::string function_name(const std::string &fn) { return fn; }
  void line(int indent, const std::string &text);
  std::ostringstream os_;
  /// Emulator flop counting (Sunway CPE code): after every store of a float
  /// value, `SWEMU_SCALAR_FLOPS(n);` with n = tir::float_ops(value) when n > 0.
  /// The output file must define the macro (empty outside the emulator).
  bool count_scalar_flops_ = false;
};

/// A C identifier from any string (invalid characters become '_'):
/// names::c_identifier.
std::string c_identifier(const std::string &s);

}  // namespace swtc::codegen

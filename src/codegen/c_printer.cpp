#include "codegen/c_printer.h"

#include <cctype>
#include <cstdint>
#include <cstdio>

#include "common/error.h"
#include "common/names.h"
#include "tir/analysis.h"

namespace swtc::codegen {

using namespace tir;

const char *c_prelude() {
  return "static inline long swtc_min(long a, long b) { return a < b ? a : b; }\n"
         "static inline long swtc_max(long a, long b) { return a > b ? a : b; }\n"
         "static inline float swtc_minf(float a, float b) { return a < b ? a : b; }\n"
         "static inline float swtc_maxf(float a, float b) { return a > b ? a : b; }\n";
}

std::string c_identifier(const std::string &s) { return names::c_identifier(s); }

void CPrinter::line(int indent, const std::string &text) {
  os_ << std::string(indent * 2, ' ') << text << "\n";
}

std::string CPrinter::flat_index(const std::vector<int64_t> &shape, const std::vector<Expr> &idx) {
  return expr(flat_offset(shape, idx));
}

std::string CPrinter::expr(const Expr &e) {
  switch (e->kind) {
    case ExprKind::IntImm:
      // INT64_MIN has no literal of its own in C.
      if (e->int_value == INT64_MIN) return "(-9223372036854775807L - 1L)";
      return std::to_string(e->int_value);
    case ExprKind::FloatImm: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.9g", e->float_value);
      std::string s = buf;
      if (s.find_first_of(".e") == std::string::npos) s += ".0";
      return s + "f";
    }
    case ExprKind::Var: return e->name;
    case ExprKind::Binary: {
      const std::string a = expr(e->args[0]), b = expr(e->args[1]);
      const bool f = e->type == Type::Float;
      switch (e->op) {
        case BinaryOp::Min: return std::string(f ? "swtc_minf(" : "swtc_min(") + a + ", " + b + ")";
        case BinaryOp::Max: return std::string(f ? "swtc_maxf(" : "swtc_max(") + a + ", " + b + ")";
        // Index operands of / and % come from fused loops and are never negative,
        // so C's truncating division equals floor division here.
        case BinaryOp::FloorDiv: return "(" + a + " / " + b + ")";
        case BinaryOp::FloorMod: return "(" + a + " % " + b + ")";
        case BinaryOp::Div:
          return f ? "(" + a + " / (float)" + b + ")" : "(" + a + " / " + b + ")";
        default: return "(" + a + " " + binary_op_name(e->op) + " " + b + ")";
      }
    }
    case ExprKind::Select:
      return "(" + expr(e->args[0]) + " ? " + expr(e->args[1]) + " : " + expr(e->args[2]) + ")";
    case ExprKind::Load:
      return buffer_name(e->buffer) + "[" + flat_index(e->buffer->shape, e->args) + "]";
    case ExprKind::Call: {
      std::string s = function_name(e->name) + "(";
      for (size_t i = 0; i < e->args.size(); ++i) s += (i ? ", " : "") + expr(e->args[i]);
      return s + ")";
    }
  }
  return "?";
}

void CPrinter::emit_for(const Stmt &s, int indent) {
  if (s->for_kind == ForKind::Parallel) line(indent, "#pragma omp parallel for");
  SWTC_CHECK(s->for_kind != ForKind::Cpe, "CPE loop in a host kernel");
  line(indent, "for (long " + s->loop_var + " = 0; " + s->loop_var + " < " +
                   std::to_string(s->extent) + "; ++" + s->loop_var + ") {");
  stmt(s->inner(), indent + 1);
  line(indent, "}");
}

void CPrinter::emit_stage(const Stmt &s, int) {
  internal_error("staged buffer ", s->local->name, " on a target without a scratchpad");
}

void CPrinter::stmt(const Stmt &s, int indent) {
  switch (s->kind) {
    case StmtKind::For: return emit_for(s, indent);
    case StmtKind::Seq:
      for (const auto &b : s->body) stmt(b, indent);
      return;
    case StmtKind::Store: {
      line(indent, buffer_name(s->buffer) + "[" + flat_index(s->buffer->shape, s->indices) +
                       "] = " + expr(s->value) + ";");
      const int64_t n = count_scalar_flops_ ? float_ops(s->value) : 0;
      if (n > 0) line(indent, "SWEMU_SCALAR_FLOPS(" + std::to_string(n) + ");");
      return;
    }
    case StmtKind::IfThen:
      line(indent, "if " + [&] {
        std::string c = expr(s->value);
        return c.front() == '(' ? c : "(" + c + ")";
      }() + " {");
      stmt(s->inner(), indent + 1);
      line(indent, "}");
      return;
    case StmtKind::Stage: return emit_stage(s, indent);
  }
}

}  // namespace swtc::codegen

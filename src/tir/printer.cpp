#include "tir/printer.h"

#include <sstream>

namespace swtc::tir {

namespace {
std::string shape_text(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string index_text(const std::vector<Expr> &idx) {
  std::string s = "[";
  for (size_t i = 0; i < idx.size(); ++i) s += (i ? ", " : "") + to_text(idx[i]);
  return s + "]";
}
}  // namespace

std::string to_text(const Expr &e) {
  if (!e) return "<null>";
  switch (e->kind) {
    case ExprKind::IntImm: return std::to_string(e->int_value);
    case ExprKind::FloatImm: {
      std::ostringstream os;
      os.precision(9);
      os << e->float_value << "f";
      return os.str();
    }
    case ExprKind::Var: return e->name;
    case ExprKind::Binary:
      if (e->op == BinaryOp::Min || e->op == BinaryOp::Max)
        return std::string(binary_op_name(e->op)) + "(" + to_text(e->args[0]) + ", " +
               to_text(e->args[1]) + ")";
      return "(" + to_text(e->args[0]) + " " + binary_op_name(e->op) + " " + to_text(e->args[1]) +
             ")";
    case ExprKind::Select:
      return "select(" + to_text(e->args[0]) + ", " + to_text(e->args[1]) + ", " +
             to_text(e->args[2]) + ")";
    case ExprKind::Load: return e->buffer->name + index_text(e->args);
    case ExprKind::Call: {
      std::string s = e->name + "(";
      for (size_t i = 0; i < e->args.size(); ++i) s += (i ? ", " : "") + to_text(e->args[i]);
      return s + ")";
    }
  }
  return "?";
}

namespace {
std::string order_text(const std::vector<size_t> &order) {
  if (order.empty()) return "";
  std::string t = " order(";
  for (size_t k = 0; k < order.size(); ++k) t += (k ? ", " : "") + std::to_string(order[k]);
  return t + ")";
}
}  // namespace

std::string to_text(const Stmt &s, int indent) {
  std::string pad(indent * 2, ' ');
  if (!s) return pad + "<null>\n";
  switch (s->kind) {
    case StmtKind::For:
      return pad + "for " + s->loop_var + " in 0.." + std::to_string(s->extent) +
             (s->for_kind == ForKind::Serial ? "" : std::string(" ") + for_kind_name(s->for_kind)) +
             (s->tensorize ? " tensorize" : "") + (s->overwrite ? " overwrite" : "") + " {\n" + to_text(s->inner(), indent + 1) + pad + "}\n";
    case StmtKind::Seq: {
      std::string out;
      for (const auto &b : s->body) out += to_text(b, indent);
      return out;
    }
    case StmtKind::Store:
      return pad + s->buffer->name + index_text(s->indices) + " = " + to_text(s->value) + "\n";
    case StmtKind::IfThen:
      return pad + "if " + to_text(s->value) + " {\n" + to_text(s->inner(), indent + 1) + pad +
             "}\n";
    case StmtKind::Stage: {
      const char *dir = s->dir == StageDir::In ? "in" : s->dir == StageDir::Out ? "out" : "inout";
      return pad + "stage " + s->local->name + shape_text(s->local->shape) + " = " +
             s->buffer->name + index_text(s->indices) + " " + dir +
             (s->double_buffer ? " double_buffer" : "") + order_text(s->local_order) +
             (s->fill ? " fill(" + to_text(s->fill) + ")" : "") + " {\n" +
             to_text(s->inner(), indent + 1) + pad + "}\n";
    }
  }
  return pad + "?\n";
}

std::string to_text(const PrimFunc &f) {
  std::string s = "func " + f.name + "(";
  for (size_t i = 0; i < f.params.size(); ++i) {
    const Elem &e = f.params[i]->elem;
    s += (i ? ", " : "") + f.params[i]->name + ": " + (e.is_float() ? std::string("f32") : e.c_type) +
         shape_text(f.params[i]->shape);
  }
  return s + ") {\n" + to_text(f.body, 1) + "}\n";
}

}  // namespace swtc::tir

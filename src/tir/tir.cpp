#include "tir/tir.h"

#include <algorithm>

#include "common/error.h"

namespace swtc::tir {

const char *binary_op_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::FloorDiv: return "//";
    case BinaryOp::FloorMod: return "%";
    case BinaryOp::Min: return "min";
    case BinaryOp::Max: return "max";
    case BinaryOp::LT: return "<";
    case BinaryOp::LE: return "<=";
    case BinaryOp::EQ: return "==";
    case BinaryOp::And: return "&&";
  }
  return "?";
}

const char *for_kind_name(ForKind k) {
  switch (k) {
    case ForKind::Serial: return "serial";
    case ForKind::Parallel: return "parallel";
    case ForKind::Cpe: return "cpe";
  }
  return "?";
}

int64_t BufferNode::elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Buffer make_buffer(std::string name, std::vector<int64_t> shape, Scope scope, Elem elem) {
  auto b = std::make_shared<BufferNode>();
  b->name = std::move(name);
  b->shape = std::move(shape);
  b->scope = scope;
  b->elem = std::move(elem);
  return b;
}

namespace {
std::shared_ptr<ExprNode> node(ExprKind k, Type t) {
  auto n = std::make_shared<ExprNode>();
  n->kind = k;
  n->type = t;
  return n;
}

int64_t floordiv_i(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
}  // namespace

Expr int_imm(int64_t v) {
  auto n = node(ExprKind::IntImm, Type::Int);
  n->int_value = v;
  return n;
}

Expr float_imm(double v) {
  auto n = node(ExprKind::FloatImm, Type::Float);
  n->float_value = v;
  return n;
}

Expr var(const std::string &name) {
  auto n = node(ExprKind::Var, Type::Int);
  n->name = name;
  return n;
}

bool is_const_int(const Expr &e, int64_t *value) {
  if (!e || e->kind != ExprKind::IntImm) return false;
  if (value) *value = e->int_value;
  return true;
}

static Expr fold_int(BinaryOp op, int64_t a, int64_t b, bool *ok) {
  *ok = true;
  switch (op) {
    case BinaryOp::Add: return int_imm(a + b);
    case BinaryOp::Sub: return int_imm(a - b);
    case BinaryOp::Mul: return int_imm(a * b);
    case BinaryOp::FloorDiv:
      if (b != 0) return int_imm(floordiv_i(a, b));
      break;
    case BinaryOp::FloorMod:
      if (b != 0) return int_imm(a - floordiv_i(a, b) * b);
      break;
    case BinaryOp::Min: return int_imm(a < b ? a : b);
    case BinaryOp::Max: return int_imm(a > b ? a : b);
    default: break;
  }
  *ok = false;
  return nullptr;
}

Expr binary(BinaryOp op, Expr a, Expr b) {
  SWTC_CHECK(a && b, "binary operand is null");
  int64_t x = 0, y = 0;
  bool ca = is_const_int(a, &x), cb = is_const_int(b, &y);
  if (ca && cb) {
    bool ok = false;
    Expr f = fold_int(op, x, y, &ok);
    if (ok) return f;
  }
  // Identities on integer index arithmetic.
  if (a->type == Type::Int && b->type == Type::Int) {
    if (op == BinaryOp::Add && cb && y == 0) return a;
    if (op == BinaryOp::Add && ca && x == 0) return b;
    if (op == BinaryOp::Sub && cb && y == 0) return a;
    if (op == BinaryOp::Mul && cb && y == 1) return a;
    if (op == BinaryOp::Mul && ca && x == 1) return b;
    if (op == BinaryOp::Mul && ((cb && y == 0) || (ca && x == 0))) return int_imm(0);
    if ((op == BinaryOp::FloorDiv) && cb && y == 1) return a;
    if ((op == BinaryOp::FloorMod) && cb && y == 1) return int_imm(0);
    // (e + c1) + c2 -> e + (c1 + c2)
    if (op == BinaryOp::Add && cb && a->kind == ExprKind::Binary && a->op == BinaryOp::Add &&
        is_const_int(a->args[1]))
      return binary(BinaryOp::Add, a->args[0], int_imm(a->args[1]->int_value + y));
  }
  Type t = a->type == Type::Float || b->type == Type::Float ? Type::Float : Type::Int;
  switch (op) {
    case BinaryOp::LT:
    case BinaryOp::LE:
    case BinaryOp::EQ:
    case BinaryOp::And: t = Type::Bool; break;
    default: break;
  }
  auto n = node(ExprKind::Binary, t);
  n->op = op;
  n->args = {std::move(a), std::move(b)};
  return n;
}

Expr select(Expr cond, Expr a, Expr b) {
  auto n = node(ExprKind::Select, a->type);
  n->args = {std::move(cond), std::move(a), std::move(b)};
  return n;
}

Expr load(Buffer buf, std::vector<Expr> indices) {
  SWTC_CHECK(buf && indices.size() == buf->shape.size(), "load of ", buf ? buf->name : "?",
             " with ", indices.size(), " indices");
  auto n = node(ExprKind::Load, buf->elem.is_float() ? Type::Float : Type::Int);
  n->buffer = std::move(buf);
  n->args = std::move(indices);
  return n;
}

Expr call(const std::string &fn, std::vector<Expr> args, Type type) {
  auto n = node(ExprKind::Call, type);
  n->name = fn;
  n->args = std::move(args);
  return n;
}

Expr operator+(Expr a, Expr b) { return binary(BinaryOp::Add, std::move(a), std::move(b)); }
Expr operator-(Expr a, Expr b) { return binary(BinaryOp::Sub, std::move(a), std::move(b)); }
Expr operator*(Expr a, Expr b) { return binary(BinaryOp::Mul, std::move(a), std::move(b)); }
Expr operator+(Expr a, int64_t b) { return std::move(a) + int_imm(b); }
Expr operator*(Expr a, int64_t b) { return std::move(a) * int_imm(b); }
Expr floordiv(Expr a, Expr b) { return binary(BinaryOp::FloorDiv, std::move(a), std::move(b)); }
Expr floormod(Expr a, Expr b) { return binary(BinaryOp::FloorMod, std::move(a), std::move(b)); }
Expr min(Expr a, Expr b) { return binary(BinaryOp::Min, std::move(a), std::move(b)); }
Expr max(Expr a, Expr b) { return binary(BinaryOp::Max, std::move(a), std::move(b)); }
Expr lt(Expr a, Expr b) { return binary(BinaryOp::LT, std::move(a), std::move(b)); }
Expr le(Expr a, Expr b) { return binary(BinaryOp::LE, std::move(a), std::move(b)); }
Expr logical_and(Expr a, Expr b) {
  if (!a) return b;
  if (!b) return a;
  return binary(BinaryOp::And, std::move(a), std::move(b));
}

Expr flat_offset(const std::vector<int64_t> &shape, const std::vector<Expr> &idx) {
  Expr flat = int_imm(0);
  for (size_t d = 0; d < shape.size(); ++d) flat = flat * int_imm(shape[d]) + idx[d];
  return flat;
}

bool equal(const Expr &a, const Expr &b) {
  if (a == b) return true;
  if (!a || !b) return false;
  if (a->kind != b->kind || a->type != b->type || a->args.size() != b->args.size()) return false;
  switch (a->kind) {
    case ExprKind::IntImm: return a->int_value == b->int_value;
    case ExprKind::FloatImm: return a->float_value == b->float_value;
    case ExprKind::Var: return a->name == b->name;
    case ExprKind::Binary:
      if (a->op != b->op) return false;
      break;
    case ExprKind::Select: break;
    case ExprKind::Load:
      if (a->buffer != b->buffer) return false;
      break;
    case ExprKind::Call:
      if (a->name != b->name) return false;
      break;
  }
  for (size_t i = 0; i < a->args.size(); ++i)
    if (!equal(a->args[i], b->args[i])) return false;
  return true;
}

namespace {
std::shared_ptr<StmtNode> snode(StmtKind k) {
  auto n = std::make_shared<StmtNode>();
  n->kind = k;
  return n;
}
}  // namespace

Stmt for_loop(const std::string &v, int64_t extent, ForKind kind, Stmt body, bool tensorize,
              bool overwrite) {
  SWTC_CHECK(tensorize || !overwrite, "loop ", v, ": overwrite without tensorize");
  SWTC_CHECK(extent > 0, "loop ", v, " has extent ", extent);
  auto n = snode(StmtKind::For);
  n->loop_var = v;
  n->extent = extent;
  n->for_kind = kind;
  n->tensorize = tensorize;
  n->overwrite = overwrite;
  n->body = {std::move(body)};
  return n;
}

Stmt seq(std::vector<Stmt> items) {
  std::vector<Stmt> flat;
  for (auto &s : items) {
    if (!s) continue;
    if (s->kind == StmtKind::Seq)
      flat.insert(flat.end(), s->body.begin(), s->body.end());
    else
      flat.push_back(s);
  }
  if (flat.size() == 1) return flat.front();
  auto n = snode(StmtKind::Seq);
  n->body = std::move(flat);
  return n;
}

Stmt store(Buffer buf, std::vector<Expr> indices, Expr value) {
  SWTC_CHECK(buf && indices.size() == buf->shape.size(), "store with wrong index count");
  auto n = snode(StmtKind::Store);
  n->buffer = std::move(buf);
  n->indices = std::move(indices);
  n->value = std::move(value);
  return n;
}

Stmt if_then(Expr cond, Stmt body) {
  if (!cond) return body;
  auto n = snode(StmtKind::IfThen);
  n->value = std::move(cond);
  n->body = {std::move(body)};
  return n;
}

Stmt stage(Buffer global, Buffer local, std::vector<Expr> lo, StageDir dir, Stmt body,
           bool double_buffer, std::vector<size_t> local_order, Expr fill) {
  SWTC_CHECK(!double_buffer || dir == StageDir::In, "double buffering of an output stage");
  SWTC_CHECK(global->shape.size() == local->shape.size() && lo.size() == local->shape.size(),
             "stage rank mismatch for ", global->name);
  if (!local_order.empty()) {
    std::vector<size_t> sorted = local_order;
    std::sort(sorted.begin(), sorted.end());
    SWTC_CHECK(sorted.size() == local->shape.size(), "local order rank of ", local->name);
    for (size_t d = 0; d < sorted.size(); ++d)
      SWTC_CHECK(sorted[d] == d, "local order of ", local->name, " is not a permutation");
  }
  auto n = snode(StmtKind::Stage);
  n->local_order = std::move(local_order);
  n->fill = std::move(fill);
  n->buffer = std::move(global);
  n->local = std::move(local);
  n->indices = std::move(lo);
  n->dir = dir;
  n->double_buffer = double_buffer;
  n->body = {std::move(body)};
  return n;
}

}  // namespace swtc::tir

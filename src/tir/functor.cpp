#include "tir/functor.h"

#include "common/error.h"

namespace swtc::tir {

void IRVisitor::visit(const Expr &e) {
  if (!e) return;
  switch (e->kind) {
#define SWTC_EXPR(k) \
  case ExprKind::k: return visit_##k(e);
#include "tir/ir.def"
  }
}

void IRVisitor::visit(const Stmt &s) {
  if (!s) return;
  switch (s->kind) {
#define SWTC_STMT(k) \
  case StmtKind::k: return visit_##k(s);
#include "tir/ir.def"
  }
}

#define SWTC_EXPR(k) \
  void IRVisitor::visit_##k(const Expr &e) {  \
    for (const auto &a : e->args) visit(a);   \
  }
#include "tir/ir.def"

#define SWTC_STMT(k)                                 \
  void IRVisitor::visit_##k(const Stmt &s) {         \
    for (const auto &i : s->indices) visit(i);       \
    visit(s->value);                                 \
    for (const auto &b : s->body) visit(b);          \
  }
#include "tir/ir.def"

Expr IRMutator::mutate(const Expr &e) {
  if (!e) return e;
  switch (e->kind) {
#define SWTC_EXPR(k) \
  case ExprKind::k: return mutate_##k(e);
#include "tir/ir.def"
  }
  return e;
}

Stmt IRMutator::mutate(const Stmt &s) {
  if (!s) return s;
  switch (s->kind) {
#define SWTC_STMT(k) \
  case StmtKind::k: return mutate_##k(s);
#include "tir/ir.def"
  }
  return s;
}

Expr IRMutator::rebuild(const Expr &e, std::vector<Expr> args) {
  bool same = true;
  for (size_t i = 0; i < args.size(); ++i) same = same && args[i] == e->args[i];
  if (same) return e;
  switch (e->kind) {
    case ExprKind::Binary: return binary(e->op, args[0], args[1]);
    case ExprKind::Select: return select(args[0], args[1], args[2]);
    case ExprKind::Load: return load(e->buffer, std::move(args));
    case ExprKind::Call: return call(e->name, std::move(args), e->type);
    case ExprKind::IntImm:
    case ExprKind::FloatImm:
    case ExprKind::Var: return e;
  }
  return e;
}

#define SWTC_EXPR(k)                                   \
  Expr IRMutator::mutate_##k(const Expr &e) {          \
    std::vector<Expr> args;                            \
    args.reserve(e->args.size());                      \
    for (const auto &a : e->args) args.push_back(mutate(a)); \
    return rebuild(e, std::move(args));                \
  }
#include "tir/ir.def"

#define SWTC_STMT(k)                                                  \
  Stmt IRMutator::mutate_##k(const Stmt &s) {                         \
    bool same = true;                                                 \
    std::vector<Expr> idx;                                            \
    for (const auto &i : s->indices) {                                \
      idx.push_back(mutate(i));                                       \
      same = same && idx.back() == i;                                 \
    }                                                                 \
    Expr value = mutate(s->value);                                    \
    same = same && value == s->value;                                 \
    std::vector<Stmt> body;                                           \
    for (const auto &b : s->body) {                                   \
      body.push_back(mutate(b));                                      \
      same = same && body.back() == b;                                \
    }                                                                 \
    if (same) return s;                                               \
    auto n = std::make_shared<StmtNode>(*s);                          \
    n->indices = std::move(idx);                                      \
    n->value = std::move(value);                                      \
    n->body = std::move(body);                                        \
    return n;                                                         \
  }
#include "tir/ir.def"

namespace {
class Substituter : public IRMutator {
 public:
  explicit Substituter(const std::vector<std::pair<std::string, Expr>> &m) : map_(m) {}

 protected:
  Expr mutate_Var(const Expr &e) override {
    for (const auto &[name, value] : map_)
      if (name == e->name) return value;
    return e;
  }

 private:
  const std::vector<std::pair<std::string, Expr>> &map_;
};
}  // namespace

Expr substitute(const Expr &e, const std::vector<std::pair<std::string, Expr>> &map) {
  Substituter s(map);
  return s.mutate(e);
}

Stmt substitute(const Stmt &st, const std::vector<std::pair<std::string, Expr>> &map) {
  Substituter s(map);
  return s.mutate(st);
}

}  // namespace swtc::tir

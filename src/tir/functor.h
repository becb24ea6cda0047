// Visitor and mutator bases for the tensor IR. The per-kind hooks come from
// ir.def; the defaults walk (visitor) or rebuild only what changed (mutator).
#pragma once

#include "tir/tir.h"

namespace swtc::tir {

class IRVisitor {
 public:
  virtual ~IRVisitor() = default;
  virtual void visit(const Expr &e);
  virtual void visit(const Stmt &s);

 protected:
#define SWTC_EXPR(k) virtual void visit_##k(const Expr &e);
#define SWTC_STMT(k) virtual void visit_##k(const Stmt &s);
#include "tir/ir.def"
};

class IRMutator {
 public:
  virtual ~IRMutator() = default;
  virtual Expr mutate(const Expr &e);
  virtual Stmt mutate(const Stmt &s);

 protected:
#define SWTC_EXPR(k) virtual Expr mutate_##k(const Expr &e);
#define SWTC_STMT(k) virtual Stmt mutate_##k(const Stmt &s);
#include "tir/ir.def"
  /// Rebuilds `e` with new children (same node if nothing changed).
  Expr rebuild(const Expr &e, std::vector<Expr> args);
};

/// Replaces variables by expressions (name -> expr) everywhere in e / s.
Expr substitute(const Expr &e, const std::vector<std::pair<std::string, Expr>> &map);
Stmt substitute(const Stmt &s, const std::vector<std::pair<std::string, Expr>> &map);

}  // namespace swtc::tir

// Tensor IR: expressions, statements, buffers and functions (loop nests).
//
// Nodes are immutable and made by the factory functions below; they are
// shared by pointer, so a pass that changes nothing returns the same node
// (STYLE.md #3). The node kinds are listed once in ir.def.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace swtc::tir {

enum class ExprKind {
#define SWTC_EXPR(k) k,
#include "tir/ir.def"
};
enum class StmtKind {
#define SWTC_STMT(k) k,
#include "tir/ir.def"
};

enum class Type { Int, Float, Bool };

enum class BinaryOp { Add, Sub, Mul, Div, FloorDiv, FloorMod, Min, Max, LT, LE, EQ, And };
const char *binary_op_name(BinaryOp op);

/// Where a buffer lives: main memory (a function parameter), or a worker's
/// local copy (a staged box: a CPE's LDM on Sunway, a thread's packing
/// buffer on the host).
enum class Scope { Global, Local };

/// A buffer's element type: its C99 spelling and size in bytes. Loads of a
/// float buffer are Type::Float, of an integer buffer Type::Int.
struct Elem {
  std::string c_type = "float";
  int bytes = 4;
  bool is_float() const { return c_type == "float"; }
  bool operator==(const Elem &o) const { return c_type == o.c_type && bytes == o.bytes; }
};

struct BufferNode {
  std::string name;
  std::vector<int64_t> shape;  // row-major, dense
  Scope scope = Scope::Global;
  Elem elem;
  int64_t elements() const;
  int64_t bytes() const { return elements() * elem.bytes; }
};
using Buffer = std::shared_ptr<const BufferNode>;
Buffer make_buffer(std::string name, std::vector<int64_t> shape, Scope scope = Scope::Global,
                   Elem elem = {});

struct ExprNode;
using Expr = std::shared_ptr<const ExprNode>;

struct ExprNode {
  ExprKind kind;
  Type type;
  int64_t int_value = 0;     // IntImm
  double float_value = 0;    // FloatImm
  std::string name;          // Var, Call (function name)
  BinaryOp op = BinaryOp::Add;
  std::vector<Expr> args;    // Binary: a, b; Select: c, a, b; Load: indices; Call: args
  Buffer buffer;             // Load
};

Expr int_imm(int64_t v);
Expr float_imm(double v);
Expr var(const std::string &name);
Expr binary(BinaryOp op, Expr a, Expr b);  // folds constants and x+0, x*1, ...
Expr select(Expr cond, Expr a, Expr b);
Expr load(Buffer buf, std::vector<Expr> indices);
/// A pure function call: float math functions (type Float), or the integer
/// helpers of codegen's integer prelude (type Int: swtc_iadd, ...).
Expr call(const std::string &fn, std::vector<Expr> args, Type type = Type::Float);

// Arithmetic sugar.
Expr operator+(Expr a, Expr b);
Expr operator-(Expr a, Expr b);
Expr operator*(Expr a, Expr b);
Expr operator+(Expr a, int64_t b);
Expr operator*(Expr a, int64_t b);
Expr floordiv(Expr a, Expr b);
Expr floormod(Expr a, Expr b);
Expr min(Expr a, Expr b);
Expr max(Expr a, Expr b);
Expr lt(Expr a, Expr b);
Expr le(Expr a, Expr b);
Expr logical_and(Expr a, Expr b);  // null operands are "true"
/// Row-major flat offset of `idx` in a dense buffer of `shape`.
Expr flat_offset(const std::vector<int64_t> &shape, const std::vector<Expr> &idx);

bool is_const_int(const Expr &e, int64_t *value = nullptr);
/// Structural equality.
bool equal(const Expr &a, const Expr &b);

enum class ForKind { Serial, Parallel, Cpe };
const char *for_kind_name(ForKind k);

struct StmtNode;
using Stmt = std::shared_ptr<const StmtNode>;

enum class StageDir { In, Out, InOut };

struct StmtNode {
  StmtKind kind;
  // For
  std::string loop_var;
  int64_t extent = 0;
  ForKind for_kind = ForKind::Serial;
  // For: this loop and the nest inside it are one register-blocked
  // micro-kernel (Schedule::tensorize checked its preconditions).
  bool tensorize = false;
  // For tensorize: the nest holds the whole reduction of every element of Y
  // it updates, and Y holds 0 (the init) before it, so the micro-kernel may
  // store its sums instead of adding them to Y (Schedule::lower proves it).
  bool overwrite = false;
  // Store / Stage
  Buffer buffer;                 // Store: target; Stage: the global buffer
  std::vector<Expr> indices;     // Store: indices; Stage: box lower corner per dim
  Expr value;                    // Store value; IfThen condition
  // Stage
  Buffer local;                  // LDM copy holding the box
  StageDir dir = StageDir::In;
  bool double_buffer = false;    // Stage In: two LDM copies, the next box fetched during this one
  // Stage: local dim k holds global dim local_order[k] (empty: the same order);
  // local->shape and the body's indices of `local` are in local order.
  std::vector<size_t> local_order;
  // Stage In: the value of the box's elements past the tensor's bounds
  // (null: zero; e.g. a max's initial value, Schedule::unguard).
  Expr fill;
  // For / IfThen / Stage body; Seq items
  std::vector<Stmt> body;
  const Stmt &inner() const { return body.front(); }
};

Stmt for_loop(const std::string &var, int64_t extent, ForKind kind, Stmt body,
              bool tensorize = false, bool overwrite = false);
Stmt seq(std::vector<Stmt> items);  // flattens nested Seqs; one item -> itself
Stmt store(Buffer buf, std::vector<Expr> indices, Expr value);
Stmt if_then(Expr cond, Stmt body);  // null cond -> body
/// `local` holds global[lo[d] .. lo[d] + local->shape[d]) for each d (clamped
/// to the global bounds); the body refers to `local` with box-relative indices.
/// `local_order`: local dim k holds global dim local_order[k] (a permuted
/// copy, e.g. channels innermost; empty: the same order).
Stmt stage(Buffer global, Buffer local, std::vector<Expr> lo, StageDir dir, Stmt body,
           bool double_buffer = false, std::vector<size_t> local_order = {}, Expr fill = nullptr);

/// A kernel: a loop nest over global buffers.
struct PrimFunc {
  std::string name;
  std::vector<Buffer> params;  // global buffers, in call order
  Stmt body;
  int64_t flops = 0;           // floating-point operations it executes (tir::executed_flops)
};

}  // namespace swtc::tir

#include "tir/pack_layout.h"

#include "common/error.h"
#include "tir/analysis.h"
#include "tir/functor.h"

namespace swtc::tir {

std::vector<int64_t> packed_shape(const std::vector<int64_t> &shape, size_t dim, int64_t block) {
  SWTC_CHECK(dim < shape.size() && block >= 1, "pack: bad dim or block");
  std::vector<int64_t> s = {(shape[dim] + block - 1) / block};
  for (size_t d = 0; d < shape.size(); ++d)
    if (d != dim) s.push_back(shape[d]);
  s.push_back(block);
  return s;
}

std::vector<int64_t> pack_source_index(const std::vector<int64_t> &shape, size_t dim,
                                       int64_t block) {
  const std::vector<int64_t> ps = packed_shape(shape, dim, block);
  int64_t n = 1;
  for (int64_t e : ps) n *= e;
  std::vector<int64_t> src(static_cast<size_t>(n));
  std::vector<int64_t> idx(ps.size(), 0);  // packed index, row-major counter
  for (int64_t i = 0; i < n; ++i) {
    const int64_t d_index = idx[0] * block + idx.back();
    int64_t off = -1;
    if (d_index < shape[dim]) {
      off = 0;
      for (size_t d = 0, k = 1; d < shape.size(); ++d)
        off = off * shape[d] + (d == dim ? d_index : idx[k++]);
    }
    src[static_cast<size_t>(i)] = off;
    for (size_t d = ps.size(); d-- > 0;) {
      if (++idx[d] < ps[d]) break;
      idx[d] = 0;
    }
  }
  return src;
}

namespace {

/// True if `e` is provably a multiple of `k` (structurally).
bool multiple_of(const Expr &e, int64_t k) {
  int64_t v = 0;
  if (is_const_int(e, &v)) return v % k == 0;
  if (e->kind != ExprKind::Binary) return false;
  switch (e->op) {
    case BinaryOp::Mul: return multiple_of(e->args[0], k) || multiple_of(e->args[1], k);
    case BinaryOp::Add:
    case BinaryOp::Sub: return multiple_of(e->args[0], k) && multiple_of(e->args[1], k);
    default: return false;
  }
}

class Packer : public IRMutator {
 public:
  Packer(Buffer old_g, Buffer new_g, size_t dim, int64_t block)
      : old_g_(std::move(old_g)), new_g_(std::move(new_g)), dim_(dim), block_(block) {}

 protected:
  Stmt mutate_Stage(const Stmt &s) override {
    if (s->buffer != old_g_) return IRMutator::mutate_Stage(s);
    if (s->dir != StageDir::In)
      user_error("pack ", old_g_->name, ": only input buffers can be packed");
    if (s->local->shape[dim_] != block_)
      user_error("pack ", old_g_->name, ": the LDM box spans ", s->local->shape[dim_],
                 " elements of dimension ", dim_, ", not one block of ", block_);
    if (!multiple_of(s->indices[dim_], block_))
      user_error("pack ", old_g_->name, ": the box corner in dimension ", dim_,
                 " is not provably a multiple of ", block_);
    Buffer local = make_buffer(s->local->name, packed_shape(s->local->shape, dim_, block_),
                               Scope::Local, s->local->elem);
    std::vector<Expr> lo = packed(s->indices, floordiv(s->indices[dim_], int_imm(block_)),
                                  int_imm(0));
    const Buffer old_local = s->local;
    locals_.push_back({old_local, local});
    Stmt body = mutate(s->inner());
    locals_.pop_back();
    return stage(new_g_, local, lo, s->dir, body, s->double_buffer, s->local_order, s->fill);
  }

  Expr mutate_Load(const Expr &e) override {
    Expr r = IRMutator::mutate_Load(e);
    std::vector<Expr> idx = r->args;
    if (r->buffer == old_g_)  // unstaged access: block and offset by arithmetic
      return load(new_g_, packed(idx, floordiv(idx[dim_], int_imm(block_)),
                                 floormod(idx[dim_], int_imm(block_))));
    for (const auto &[from, to] : locals_)
      if (r->buffer == from) return load(to, packed(idx, int_imm(0), idx[dim_]));
    return r;
  }

  /// The packed index list: `block` first, the other dims, `inner` last.
  std::vector<Expr> packed(const std::vector<Expr> &idx, Expr block, Expr inner) const {
    std::vector<Expr> out = {std::move(block)};
    for (size_t d = 0; d < idx.size(); ++d)
      if (d != dim_) out.push_back(idx[d]);
    out.push_back(std::move(inner));
    return out;
  }

  Stmt mutate_Store(const Stmt &s) override {
    if (s->buffer == old_g_) user_error("pack ", old_g_->name, ": the kernel writes it");
    for (const auto &[from, to] : locals_)
      if (s->buffer == from) user_error("pack ", old_g_->name, ": the kernel writes its LDM copy");
    return IRMutator::mutate_Store(s);
  }

 private:
  Buffer old_g_, new_g_;
  size_t dim_;
  int64_t block_;
  std::vector<std::pair<Buffer, Buffer>> locals_;
};

}  // namespace

PrimFunc pack_layout(const PrimFunc &f, const std::string &buffer, size_t dim, int64_t block) {
  Buffer old_g;
  for (const auto &p : f.params)
    if (p->name == buffer) old_g = p;
  if (!old_g) user_error("pack: kernel '", f.name, "' has no parameter '", buffer, "'");
  if (dim >= old_g->shape.size() || block < 1)
    user_error("pack ", buffer, ": dimension ", dim, " / block ", block, " out of range");
  Buffer new_g = make_buffer(buffer, packed_shape(old_g->shape, dim, block), Scope::Global,
                             old_g->elem);
  Packer p(old_g, new_g, dim, block);
  PrimFunc out = f;
  out.body = p.mutate(f.body);
  for (auto &q : out.params)
    if (q == old_g) q = new_g;
  verify(out);
  return out;
}

}  // namespace swtc::tir

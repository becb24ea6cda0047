// Sunway flavour: per kernel an MPE wrapper (argument struct, spawn, join)
// and a CPE kernel that takes its share of the outer loop by _MYID and moves
// staged tiles between main memory and LDM with athread_get / athread_put.
#include <algorithm>
#include <set>

#include "codegen/c_printer.h"
#include "codegen/module.h"
#include "codegen/module_internal.h"
#include "codegen/microkernel.h"
#include "codegen/simd.h"
#include "common/error.h"
#include "tir/analysis.h"
#include "tir/broadcast.h"
#include "target/target.h"
#include "tir/functor.h"

namespace swtc::codegen {

using namespace detail;
using namespace tir;

namespace {

std::string args_struct(const CompiledKernel &k) {
  std::string s = "struct " + k.func.name + "_args {";
  for (const auto &b : k.func.params) s += " " + b->elem.c_type + " *" + b->name + ";";
  return s + " };\n";
}

class CpePrinter : public CPrinter {
 public:
  /// `simd`: vectorise innermost loops where possible (default schedule);
  /// tensorized loops become register-blocked micro-kernels (codegen/microkernel.h).
  /// `bcast`: the stage it names is broadcast (target::sunway_broadcast), the
  /// CPE loop then runs in lockstep rounds of the plan's groups.
  CpePrinter(const PrimFunc &f, int cpes, bool crts, std::optional<VectorIsa> simd,
             std::optional<BroadcastPlan> bcast = std::nullopt)
      : cpes_(cpes), crts_(crts), simd_(std::move(simd)), bcast_(std::move(bcast)) {
    layout_ = local_layout(f, nullptr);
    count_scalar_flops_ = true;  // SWEMU_SCALAR_FLOPS after float stores (emulator only)
  }
  int vector_loops() const { return vector_loops_; }

 protected:
  std::string buffer_name(const Buffer &b) override {
    return b->scope == Scope::Global ? "p." + b->name : b->name;
  }

  /// A serial loop whose body is a chain of double-buffered input stages:
  /// the boxes of iteration v + 1 are fetched into the other LDM copies while
  /// iteration v computes; one reply word per copy.
  bool emit_pipelined(const Stmt &s, int indent) {
    std::vector<Stmt> chain;
    Stmt body = s->inner();
    while (body->kind == StmtKind::Stage && body->double_buffer) {
      chain.push_back(body);
      body = body->inner();
    }
    if (chain.empty() || s->for_kind != ForKind::Serial) return false;
    const std::string v = s->loop_var, e = std::to_string(s->extent);
    // A broadcast stage in the chain: the group's first CPE fetches it for
    // all; one barrier per step (after the issuer's wait for the step's
    // broadcast, before the next one overwrites the other copy) and one
    // before the first; idle CPEs of a round fetch and compute nothing.
    bool has_bcast = false;
    for (const auto &st : chain) has_bcast = has_bcast || is_bcast(st);
    const bool guarded = bcast_ && contains_bcast(s);  // inside the broadcast rounds
    auto issue = [&](int ind, const std::string &iter, const std::string &set) {
      for (const auto &st : chain) {
        const bool bc = is_bcast(st);
        int in = ind;
        if (guarded) line(in++, std::string("if (") + (bc ? bcast_issuer() : "swtc_active") + ") {");
        for (size_t d = 0; d < stage_whole_from(st); ++d)
          line(in, "const long " + st->local->name + "_lo" + std::to_string(d) + " = " +
                       expr(substitute(st->indices[d], {{v, var(iter)}})) + ";");
        if (bc)
          emit_bcast_get(st, in, st->local->name + "_buf[" + set + "]");
        else
          emit_dma(st, in, true, st->local->name + "_buf[" + set + "]",
                   "swtc_db_reply[" + set + "]", "swtc_db_n[" + set + "]", false);
        if (guarded) line(ind, "}");
      }
    };
    line(indent, "{ /* " + v + ": double-buffered DMA of the next step's boxes */");
    line(indent + 1, std::string(crts_ ? "crts_rply_t" : "volatile int") +
                         " swtc_db_reply[2] = {0, 0};");
    line(indent + 1, "int swtc_db_n[2] = {0, 0};");
    for (const auto &st : chain) {
      const std::string n = st->local->name;
      const std::string &t = st->local->elem.c_type;
      const int64_t copy = local_copy_bytes(st->local) / st->local->elem.bytes;  // in elements
      line(indent + 1, t + " *const " + n + "_buf[2] = {" + n + "_ldm0, " + n + "_ldm0 + " +
                           std::to_string(copy) + "};");
    }
    line(indent + 1, "{");
    if (has_bcast) line(indent + 2, bcast_syn() + "  /* the copies are free */");
    issue(indent + 2, "0", "0");
    line(indent + 1, "}");
    line(indent + 1, "for (long " + v + " = 0; " + v + " < " + e + "; ++" + v + ") {");
    const std::string cur = "(" + v + " & 1)";
    if (has_bcast) {
      line(indent + 2, "if (" + bcast_issuer() + ") {");
      wait_for(indent + 3, "swtc_bc_reply", "swtc_bc_n");
      line(indent + 2, "}");
      line(indent + 2, bcast_syn() + "  /* step " + v + "'s broadcast has arrived everywhere */");
    }
    line(indent + 2, "if (" + v + " + 1 < " + e + ") {");
    line(indent + 3, "const long swtc_next = " + v + " + 1;");
    issue(indent + 3, "swtc_next", "(swtc_next & 1)");
    line(indent + 2, "}");
    wait_for(indent + 2, "swtc_db_reply[" + cur + "]", "swtc_db_n[" + cur + "]");
    for (const auto &st : chain) {
      line(indent + 2, st->local->elem.c_type + " *const " + st->local->name + " = " +
                           st->local->name + "_buf[" + cur + "];");
      if (!stage_compact(st, loops_)) continue;
      line(indent + 2, guarded ? "if (swtc_active) {" : "{");
      for (size_t d = 0; d < stage_whole_from(st); ++d)
        line(indent + 3, "const long " + st->local->name + "_lo" + std::to_string(d) + " = " +
                             expr(st->indices[d]) + ";");
      emit_spread(st, indent + 3, st->local->name);
      line(indent + 2, "}");
    }
    if (guarded)
      emit_guarded(body, indent + 2);
    else
      stmt(body, indent + 2);
    line(indent + 1, "}");
    line(indent, "}");
    return true;
  }

  // ---- Broadcast DMA (target::sunway_broadcast) ----
  bool is_bcast(const Stmt &st) const {
    return bcast_ && st->kind == StmtKind::Stage && st->buffer->name == bcast_->buffer &&
           st->dir == StageDir::In;
  }
  bool contains_bcast(const Stmt &st) const {
    if (!st) return false;
    if (is_bcast(st)) return true;
    for (const auto &b : st->body)
      if (contains_bcast(b)) return true;
    return false;
  }
  std::string bcast_issuer() const {
    return bcast_->group == 64 ? "_MYID == 0" : "(_MYID & 7) == 0";
  }
  std::string bcast_syn() const {
    return bcast_->group == 64 ? "athread_syn(ARRAY_SCOPE, 0xffff);" : "athread_syn(ROW_SCOPE, 0xff);";
  }
  /// The issuer's broadcast of the stage's box (one contiguous run, never
  /// clipped: tir::broadcast_plan) into `local` of every CPE of its group.
  /// A compact plan broadcasts the box's valid part (one run: the dims
  /// before the row dim one index wide, the row dim unclipped) to the end
  /// of the box, where the compact fetch puts it; every CPE spreads it after
  /// the barrier.
  void emit_bcast_get(const Stmt &st, int indent, const std::string &local) {
    const Buffer &g = st->buffer, &l = st->local;
    const size_t rank = g->shape.size();
    std::vector<Expr> gidx(rank, int_imm(0));
    const size_t lo_dims = bcast_->compact ? stage_compact(st, loops_)->row + 1 : stage_whole_from(st);
    for (size_t d = 0; d < lo_dims; ++d) gidx[d] = var(l->name + "_lo" + std::to_string(d));
    const std::string mask = bcast_->group == 64 ? "(char)0xff" : "(char)(1 << (_MYID >> 3))";
    std::string dest = local, len = std::to_string(l->bytes());
    if (bcast_->compact) {
      const int64_t valid = bcast_->box_bytes / l->elem.bytes;
      dest = local + " + " + std::to_string(l->elements() - valid);
      len = std::to_string(bcast_->box_bytes);
    }
    line(indent, "athread_get(BCAST_MODE, (void *)(p." + g->name + " + " + flat_index(g->shape, gidx) +
                     "), (void *)(" + dest + "), " + len + ", (void *)&swtc_bc_reply, " + mask +
                     ", 0, 0);");
    line(indent, "++swtc_bc_n;");
    for (size_t d = lo_dims; d < stage_whole_from(st); ++d)  // the halo dims: the spread's
      line(indent, "(void)" + l->name + "_lo" + std::to_string(d) + ";");
  }
  /// A statement inside the broadcast rounds: what holds the broadcast stage
  /// runs on every CPE (the same barriers everywhere); anything else only on
  /// the CPEs with a tile this round (swtc_active).
  void emit_guarded(const Stmt &st, int indent) {
    if (!contains_bcast(st)) {
      line(indent, "if (swtc_active) {");
      stmt(st, indent + 1);
      line(indent, "}");
      return;
    }
    switch (st->kind) {
      case StmtKind::Seq:
        for (const auto &b : st->body) emit_guarded(b, indent);
        return;
      case StmtKind::For: {
        loops_[st->loop_var] = st->extent;
        if (!emit_pipelined(st, indent)) {
          const std::string v = st->loop_var;
          line(indent, "for (long " + v + " = 0; " + v + " < " + std::to_string(st->extent) + "; ++" +
                           v + ") {");
          emit_guarded(st->inner(), indent + 1);
          line(indent, "}");
        }
        loops_.erase(st->loop_var);
        return;
      }
      case StmtKind::Stage: {
        const std::string L = st->local->name;
        line(indent, "{ /* " + L + " holds a box of " + st->buffer->name + " in LDM" +
                         (is_bcast(st) ? ", broadcast to the group */" : " */"));
        for (size_t d = 0; d < stage_whole_from(st); ++d)
          line(indent + 1, "const long " + L + "_lo" + std::to_string(d) + " = " +
                               expr(st->indices[d]) + ";");
        if (is_bcast(st)) {
          line(indent + 1, bcast_syn() + "  /* the copy is free */");
          line(indent + 1, "if (" + bcast_issuer() + ") {");
          emit_bcast_get(st, indent + 2, L);
          wait_for(indent + 2, "swtc_bc_reply", "swtc_bc_n");
          line(indent + 1, "}");
          line(indent + 1, bcast_syn() + "  /* it has arrived everywhere */");
          // tir::broadcast_plan broadcasts a compact box only double-buffered
          // (emit_pipelined spreads it after each step's barrier).
          if (bcast_->compact) internal_error("compact broadcast of ", L, " outside a pipelined loop");
        } else if (st->dir != StageDir::Out) {
          line(indent + 1, "if (swtc_active) {");
          emit_dma(st, indent + 2, true);
          line(indent + 1, "}");
        }
        emit_guarded(st->inner(), indent + 1);
        if (st->dir != StageDir::In) {
          line(indent + 1, "if (swtc_active) {");
          emit_dma(st, indent + 2, false);
          line(indent + 1, "}");
        }
        line(indent, "}");
        return;
      }
      default:
        internal_error("broadcast stage of ", bcast_->buffer, " under a ", "guard");
    }
  }

  void emit_for(const Stmt &s, int indent) override {
    loops_[s->loop_var] = s->extent;
    emit_for_in_scope(s, indent);
    loops_.erase(s->loop_var);
  }

  /// An innermost loop as vectors plus a scalar remainder (codegen/simd.h).
  bool emit_vectorized(const Stmt &s, int indent) {
    if (!simd_) return false;
    auto body = vectorize_loop(s, *simd_, loops_, *this);
    if (!body) return false;
    ++vector_loops_;
    const int64_t lanes = simd_->lanes, vend = s->extent / lanes * lanes;
    const std::string v = s->loop_var;
    line(indent, "for (long " + v + " = 0; " + v + " < " + std::to_string(vend) + "; " + v +
                     " += " + std::to_string(lanes) + ") { /* " + simd_->type + " */");
    for (const auto &l : *body) line(indent + 1, l);
    line(indent, "}");
    if (vend < s->extent) {
      line(indent, "for (long " + v + " = " + std::to_string(vend) + "; " + v + " < " +
                       std::to_string(s->extent) + "; ++" + v + ") { /* remainder */");
      stmt(s->inner(), indent + 1);
      line(indent, "}");
    }
    return true;
  }

  bool emit_microkernel(const Stmt &s, int indent) {
    // A tensorized nest whose operands are not laid out for aligned vectors
    // stays the plain (guarded, exact) nest.
    if (!s->tensorize || !simd_) return false;
    auto lines = conv_microkernel(s, *simd_, loops_, *this);
    if (!lines) return false;
    ++vector_loops_;
    for (const auto &l : *lines) line(indent, l);
    return true;
  }

  void emit_for_in_scope(const Stmt &s, int indent) {
    if (emit_pipelined(s, indent)) return;
    if (emit_microkernel(s, indent)) return;
    if (emit_vectorized(s, indent)) return;
    if (s->for_kind != ForKind::Cpe) return CPrinter::emit_for(s, indent);
    const std::string e = std::to_string(s->extent), v = s->loop_var;
    if (bcast_) {
      const BroadcastPlan &b = *bcast_;
      const std::string G = std::to_string(b.group), S = std::to_string(b.share),
                        NB = std::to_string(b.blocks());
      line(indent, "{ /* " + v + ": groups of " + G + " CPEs take blocks of " + S +
                       " tiles that stage the same box of " + b.buffer + " (broadcast) */");
      line(indent + 1, "const long swtc_grp = _MYID / " + G + ", swtc_lane = _MYID % " + G + ";");
      line(indent + 1, "for (long swtc_b = 0; swtc_b < " +
                           std::to_string((b.blocks() + b.groups() - 1) / b.groups()) + "; ++swtc_b) {");
      line(indent + 2, "const long swtc_blk = swtc_b * " + std::to_string(b.groups()) + " + swtc_grp;");
      line(indent + 2, "for (long swtc_k = 0; swtc_k < " +
                           std::to_string((b.share + b.group - 1) / b.group) + "; ++swtc_k) {");
      line(indent + 3, "const long swtc_s = swtc_k * " + G + " + swtc_lane;");
      line(indent + 3, "const int swtc_active = swtc_blk < " + NB + " && swtc_s < " + S + ";");
      line(indent + 3, "const long " + v + " = swtc_min(swtc_blk, " + std::to_string(b.blocks() - 1) +
                           ") * " + S + " + swtc_min(swtc_s, " + std::to_string(b.share - 1) + ");");
      emit_guarded(s->inner(), indent + 3);
      line(indent + 2, "}");
      line(indent + 1, "}");
      line(indent, "}");
      return;
    }
    line(indent, "{ /* " + v + ": block of " + e + " iterations per CPE by _MYID */");
    line(indent + 1, "const long " + v + "_chunk = (" + e + " + " + std::to_string(cpes_ - 1) +
                         ") / " + std::to_string(cpes_) + ";");
    line(indent + 1, "const long " + v + "_begin = " + std::string(crts_ ? "CRTS_tid" : "_MYID") +
                         " * " + v + "_chunk;");
    line(indent + 1, "const long " + v + "_end = swtc_min(" + v + "_begin + " + v + "_chunk, " +
                         e + ");");
    line(indent + 1, "for (long " + v + " = " + v + "_begin; " + v + " < " + v + "_end; ++" + v +
                         ") {");
    stmt(s->inner(), indent + 2);
    line(indent + 1, "}");
    line(indent, "}");
  }

  /// DMA of the box global[lo .. lo + local.shape) clamped to global's bounds:
  /// the trailing dims the box covers whole merge into one contiguous run;
  /// when tir::stage_strided holds, the rows of the dim before them move as
  /// one strided descriptor (bsize = the row, stride = the rest of the
  /// tensor's row), else one transfer per row.
  /// `local` names the LDM copy (default: the stage's buffer); `reply` and
  /// `count` the reply word and transfer counter; `wait`: wait for them after.
  void emit_dma(const Stmt &s, int indent, bool get, const std::string &local_name = "",
                const std::string &reply = "swtc_reply", const std::string &count = "swtc_ndma",
                bool wait = true) {
    const Buffer &g = s->buffer, &l = s->local;
    const size_t rank = g->shape.size();
    const std::string L = l->name;  // prefix of the box variables
    const std::string LP = local_name.empty() ? L : local_name;
    const size_t t = stage_whole_from(s);
    if (get)
      if (auto c = stage_compact(s, loops_)) {
        emit_compact_get(s, *c, indent, LP, reply, count);
        if (wait) {
          wait_for(indent, reply, count);
          emit_spread(s, indent, LP);
        }
        return;
      }
    const bool strided = stage_strided(s, loops_);
    int64_t run = 1;
    for (size_t d = t; d < rank; ++d) run *= g->shape[d];
    auto lo = [&](size_t d) { return var(L + "_lo" + std::to_string(d)); };
    auto it = [&](size_t d) { return var(L + "_t" + std::to_string(d)); };
    std::vector<Expr> gidx(rank, int_imm(0)), lidx(rank, int_imm(0));
    int depth = indent;
    if (get && t > 0) {
      // A box reaching past the tensor's bounds: zero its out-of-bounds part
      // (the whole box, before the DMA fills the rest), so that every byte of
      // a staged box is defined, and the LDM the kernel touches is its layout.
      std::string out;
      for (size_t d = 0; d < t; ++d)
        out += std::string(out.empty() ? "" : " || ") + L + "_lo" + std::to_string(d) + " < 0 || " +
               L + "_lo" + std::to_string(d) + " + " + std::to_string(l->shape[d]) + " > " +
               std::to_string(g->shape[d]);
      line(depth, "if (" + out + ") {");
      line(depth + 1, "for (long " + L + "_z = 0; " + L + "_z < " + std::to_string(l->elements()) +
                          "; ++" + L + "_z) {");
      line(depth + 2, LP + "[" + L + "_z] = 0;");
      line(depth + 1, "}");
      line(depth, "}");
    }
    std::string len = std::to_string(g->bytes());  // t == 0: the whole buffer
    const int64_t es = g->elem.bytes;  // bytes per element
    int64_t bsize = 0, skip = 0;
    if (t > 0) {
      const size_t loops = strided ? t - 2 : t - 1;
      for (size_t d = 0; d < loops; ++d) {
        const std::string i = L + "_t" + std::to_string(d);
        line(depth, "for (long " + i + " = swtc_max(" + L + "_lo" + std::to_string(d) + ", 0); " +
                        i + " < swtc_min(" + L + "_lo" + std::to_string(d) + " + " +
                        std::to_string(l->shape[d]) + ", " + std::to_string(g->shape[d]) + "); ++" +
                        i + ") {");
        gidx[d] = it(d);
        lidx[d] = it(d) - lo(d);
        ++depth;
      }
      // The clamped dim: rows [a, b) of dim t-2 (strided) or the run of dim t-1.
      const size_t j = loops;
      const std::string a = L + "_a", b = L + "_b";
      line(depth, "const long " + a + " = swtc_max(" + L + "_lo" + std::to_string(j) + ", 0);");
      line(depth, "const long " + b + " = swtc_min(" + L + "_lo" + std::to_string(j) + " + " +
                      std::to_string(l->shape[j]) + ", " + std::to_string(g->shape[j]) + ");");
      gidx[j] = var(a);
      lidx[j] = var(a) - lo(j);
      int64_t unit = run;  // elements per index of dim j
      if (strided) {
        gidx[t - 1] = lo(t - 1);  // never clipped: the box's own corner
        bsize = l->shape[t - 1] * run * es;
        skip = (g->shape[t - 1] - l->shape[t - 1]) * run * es;
        unit = l->shape[t - 1] * run;
      }
      line(depth, "if (" + a + " < " + b + ") {");
      ++depth;
      len = "(int)((" + b + " - " + a + ") * " + std::to_string(unit * es) + ")";
    }
    const std::string gp = "p." + g->name + " + " + flat_index(g->shape, gidx);
    const std::string lp = LP + " + " + flat_index(l->shape, lidx);
    const bool stride = skip > 0;  // skip 0: the blocks are back to back in memory too
    const std::string sb = std::to_string(skip) + ", " + std::to_string(bsize);
    if (crts_ && stride)  // CRTS: (dest, src, len, bsize, stride, reply)
      line(depth, std::string(get ? "CRTS_dma_iget_stride" : "CRTS_dma_iput_stride") + "((void *)(" +
                      (get ? lp : gp) + "), (void *)(" + (get ? gp : lp) + "), (size_t)" + len +
                      ", " + std::to_string(bsize) + ", " + std::to_string(skip) + ", &" + reply + ");");
    else if (crts_)  // CRTS: (dest, src, len, reply); main memory is dest of a put
      line(depth, std::string(get ? "CRTS_dma_iget" : "CRTS_dma_iput") + "((void *)(" +
                      (get ? lp : gp) + "), (void *)(" + (get ? gp : lp) + "), (size_t)" + len +
                      ", &" + reply + ");");
    else if (get)
      line(depth, "athread_get(PE_MODE, (void *)(" + gp + "), (void *)(" + lp + "), " + len +
                      ", (void *)&" + reply + ", 0, " + (stride ? sb : "0, 0") + ");");
    else
      line(depth, "athread_put(PE_MODE, (void *)(" + lp + "), (void *)(" + gp + "), " + len +
                      ", (void *)&" + reply + ", " + (stride ? sb : "0, 0") + ");");
    line(depth, "++" + count + ";");
    while (depth > indent) line(--depth, "}");
    if (!wait) return;
    wait_for(indent, reply, count);
  }

  /// C of the box corner in dim d (declared by the caller for d < stage_whole_from).
  static std::string box_lo(const Stmt &s, size_t d) {
    return d < stage_whole_from(s) ? s->local->name + "_lo" + std::to_string(d) : "0";
  }

  /// Declares L_n: the elements of the valid (in-tensor) part of the box.
  void valid_elements(const Stmt &s, int indent) {
    const Buffer &g = s->buffer, &l = s->local;
    const std::string L = l->name;
    line(indent, "long " + L + "_n = 1;");
    for (size_t d = 0; d < g->shape.size(); ++d) {
      const std::string lo = box_lo(s, d);
      line(indent, L + "_n *= swtc_max(swtc_min(" + lo + " + " + std::to_string(l->shape[d]) + ", " +
                       std::to_string(g->shape[d]) + ") - swtc_max(" + lo + ", 0), 0);");
    }
  }

  /// tir::stage_compact: the valid part of a halo box, back to back at the
  /// end of the LDM box (rows [a, b) of dim c.row one run per index of the
  /// dims before it; one strided descriptor over dim c.row - 1 if c.strided).
  void emit_compact_get(const Stmt &s, const CompactFetch &c, int indent, const std::string &LP,
                        const std::string &reply, const std::string &count) {
    const Buffer &g = s->buffer, &l = s->local;
    const size_t rank = g->shape.size(), j = c.row;
    const std::string L = l->name;
    const int64_t es = g->elem.bytes;
    int64_t inner = 1;  // elements of the dims after the row dim (covered whole)
    for (size_t d = j + 1; d < rank; ++d) inner *= g->shape[d];
    line(indent, "{ /* " + L + ": the valid part moves compactly, spread after the wait */");
    int depth = indent + 1;
    valid_elements(s, depth);
    line(depth, "long " + L + "_c = " + std::to_string(l->elements()) + " - " + L + "_n;");
    line(depth, "const long " + L + "_a = swtc_max(" + box_lo(s, j) + ", 0);");
    line(depth, "const long " + L + "_b = swtc_min(" + box_lo(s, j) + " + " +
                    std::to_string(l->shape[j]) + ", " + std::to_string(g->shape[j]) + ");");
    line(depth, "const long " + L + "_run = (" + L + "_b - " + L + "_a) * " + std::to_string(inner) +
                    ";  /* elements per row block */");
    line(depth, "if (" + L + "_n > 0) {");
    ++depth;
    std::vector<Expr> gidx(rank, int_imm(0));
    const size_t loops = c.strided ? j - 1 : j;
    for (size_t d = 0; d < loops; ++d) {
      const std::string i = L + "_t" + std::to_string(d), lo = box_lo(s, d);
      line(depth, "for (long " + i + " = swtc_max(" + lo + ", 0); " + i + " < swtc_min(" + lo + " + " +
                      std::to_string(l->shape[d]) + ", " + std::to_string(g->shape[d]) + "); ++" + i +
                      ") {");
      gidx[d] = var(i);
      ++depth;
    }
    if (c.strided) gidx[j - 1] = var(box_lo(s, j - 1));
    gidx[j] = var(L + "_a");
    const std::string gp = "p." + g->name + " + " + flat_index(g->shape, gidx);
    const std::string lp = LP + " + " + L + "_c";
    const std::string blocks = c.strided ? std::to_string(l->shape[j - 1]) : "1";
    const std::string len = "(int)(" + blocks + " * " + L + "_run * " + std::to_string(es) + ")";
    if (c.strided) {
      // Rows of consecutive indices of dim j - 1 are shape[j] * inner apart.
      line(depth, "const int " + L + "_skip = (int)((" + std::to_string(g->shape[j]) + " * " +
                      std::to_string(inner) + " - " + L + "_run) * " + std::to_string(es) + ");");
      line(depth, "const int " + L + "_bsize = " + L + "_skip ? (int)(" + L + "_run * " +
                      std::to_string(es) + ") : 0;");
      const std::string sk = L + "_skip", bs = L + "_bsize";
      if (crts_)
        line(depth, "CRTS_dma_iget_stride((void *)(" + lp + "), (void *)(" + gp + "), (size_t)" + len +
                        ", (size_t)" + bs + ", (size_t)" + sk + ", &" + reply + ");");
      else
        line(depth, "athread_get(PE_MODE, (void *)(" + gp + "), (void *)(" + lp + "), " + len +
                        ", (void *)&" + reply + ", 0, " + sk + ", " + bs + ");");
    } else if (crts_) {
      line(depth, "CRTS_dma_iget((void *)(" + lp + "), (void *)(" + gp + "), (size_t)" + len + ", &" +
                      reply + ");");
    } else {
      line(depth, "athread_get(PE_MODE, (void *)(" + gp + "), (void *)(" + lp + "), " + len +
                      ", (void *)&" + reply + ", 0, 0, 0);");
    }
    line(depth, "++" + count + ";");
    line(depth, L + "_c += " + blocks + " * " + L + "_run;");
    while (depth > indent + 1) line(--depth, "}");
    line(indent, "}");
  }

  /// After a compact fetch has arrived: one forward pass over the box puts
  /// each valid element in its place and zeroes the rest. In place is safe:
  /// the compact copy ends where the box ends and keeps the box's order, so
  /// no element lands past where it is read from.
  void emit_spread(const Stmt &s, int indent, const std::string &LP) {
    const Buffer &g = s->buffer, &l = s->local;
    const size_t rank = g->shape.size();
    const std::string L = l->name;
    line(indent, "{ /* " + L + ": spread the compact copy over the box */");
    valid_elements(s, indent + 1);
    line(indent + 1, "long " + L + "_s = " + std::to_string(l->elements()) + " - " + L + "_n;");
    line(indent + 1, "long " + L + "_p = 0;");
    int depth = indent + 1;
    std::string ok;
    for (size_t d = 0; d < rank; ++d) {
      const std::string i = L + "_i" + std::to_string(d);
      line(depth, "for (long " + i + " = 0; " + i + " < " + std::to_string(l->shape[d]) + "; ++" + i +
                      ") {");
      ++depth;
      const std::string at = "(" + box_lo(s, d) + " + " + i + ")";
      ok += std::string(ok.empty() ? "" : " && ") + "0 <= " + at + " && " + at + " < " +
            std::to_string(g->shape[d]);
    }
    line(depth, "if (" + ok + ") {");
    line(depth + 1, LP + "[" + L + "_p] = " + LP + "[" + L + "_s];");
    line(depth + 1, "++" + L + "_s;");
    line(depth, "} else {");
    line(depth + 1, LP + "[" + L + "_p] = 0;");
    line(depth, "}");
    line(depth, "++" + L + "_p;");
    while (depth > indent + 1) line(--depth, "}");
    line(indent, "}");
  }

  /// Waits until `reply` has counted `count` finished transfers.
  void wait_for(int indent, const std::string &reply, const std::string &count) {
    if (crts_) {
      line(indent, "CRTS_dma_wait_value(&" + reply + ", " + count + ");");
      return;
    }
    line(indent, "while (" + reply + " != " + count + ") {");
    line(indent, "}");
  }

  void emit_stage(const Stmt &s, int indent) override {
    if (!s->local_order.empty() || s->fill)
      internal_error("stage of ", s->local->name, ": a permuted or filled LDM copy has no DMA form");
    const std::string L = s->local->name;
    line(indent, "{ /* " + L + " holds a box of " + s->buffer->name + " in LDM */");
    for (size_t d = 0; d < stage_whole_from(s); ++d)
      line(indent + 1, "const long " + L + "_lo" + std::to_string(d) + " = " + expr(s->indices[d]) +
                           ";");
    if (s->dir != StageDir::Out) emit_dma(s, indent + 1, true);
    stmt(s->inner(), indent + 1);
    if (s->dir != StageDir::In) emit_dma(s, indent + 1, false);
    line(indent, "}");
  }

 public:
  const std::map<const BufferNode *, int64_t> &layout() const { return layout_; }
  void find_double_buffered(const Stmt &s) {
    if (!s) return;
    if (s->kind == StmtKind::Stage && s->double_buffer) db_.insert(s->local->name);
    for (const auto &b : s->body) find_double_buffered(b);
  }
  bool double_buffered(const std::string &name) const { return db_.count(name) != 0; }

 private:
  int cpes_;
  bool crts_;
  std::optional<VectorIsa> simd_;
  std::optional<BroadcastPlan> bcast_;
  std::map<std::string, int64_t> loops_;  // extents of the loops around the current statement
  int vector_loops_ = 0;
  std::map<const BufferNode *, int64_t> layout_;
  std::set<std::string> db_;
};

}  // namespace

std::string emit_sunway_cpe(const Module &m) {
  std::string s = banner(m, "CPE (slave) kernels, C99 for sw5cc -slave");
  const bool crts = m.target.crts;
  std::string kernels;
  int vector_loops = 0;
  int64_t arena = 32;
  for (const auto &k : m.kernels) arena = std::max(arena, k.ldm_bytes);
  std::string arena_decl = "\n/* LDM arena shared by the kernels (one runs at a time): " + std::to_string(arena) +
       " bytes per CPE. */\n";
  arena_decl += "__thread_local float swtc_ldm[" + std::to_string((arena + 3) / 4) + "] __attribute__((aligned(32)));\n";
  // Emulator only (empty for sw5cc and the sunway-api checks): the emulator
  // observes the LDM each launch uses on this arena, and counts scalar flops.
  arena_decl += "#ifdef SWEMU_LDM_ARENA\nSWEMU_LDM_ARENA(swtc_ldm)\n#endif\n"
                "#ifndef SWEMU_SCALAR_FLOPS\n#define SWEMU_SCALAR_FLOPS(n) ((void)0)\n#endif\n";
  for (const CompiledKernel &k : m.kernels) {
    verify_dma_only(k.func);
    std::optional<VectorIsa> simd;
    std::optional<BroadcastPlan> bcast;
    if (m.schedule == "default") {
      simd = vector_isa(m.target);
      // In a kernel with a packed weight (the Conv/MatMul micro-kernel
      // schedules, whose tile search ranks broadcasts), the weight block or
      // a shared activation panel may be broadcast where the performance
      // model predicts it faster (the search's candidates:
      // target::sunway_broadcast_inputs).
      bool packed = false;
      for (size_t i = 0; i < k.func.params.size() && i < k.kernel.values.size(); ++i)
        packed = packed || m.graph.values[k.kernel.values[i]].name.find(".packed") != std::string::npos;
      if (packed)
        bcast = target::sunway_broadcast(k.func, m.target, target::sunway_broadcast_inputs(k.func));
    }
    CpePrinter p(k.func, m.target.workers, crts, simd, bcast);
    kernels += "\n/* " + kernel_comment(m, k) + "; LDM " + std::to_string(k.ldm_bytes) + " bytes */\n";
    kernels += args_struct(k);
    kernels += "void slave_" + k.func.name + "(void *arg);\n";
    kernels += "void slave_" + k.func.name + "(void *arg) {\n";
    kernels += "  struct " + k.func.name + "_args p;\n";
    kernels += crts ? "  crts_rply_t swtc_reply = 0;\n  int swtc_ndma = 0;\n"
              : "  volatile int swtc_reply = 0;\n  int swtc_ndma = 0;\n";
    if (bcast)
      kernels += "  volatile int swtc_bc_reply = 0; /* broadcasts this CPE issued */\n"
                 "  int swtc_bc_n = 0;\n";
    // LDM buffers, in order of their offsets (deterministic).
    std::vector<std::pair<int64_t, std::string>> bufs;
    std::map<std::string, std::string> c_type;
    for (const auto &[buf, off] : p.layout()) {
      bufs.push_back({off, buf->name});
      c_type[buf->name] = buf->elem.c_type;
    }
    p.find_double_buffered(k.func.body);
    std::sort(bufs.begin(), bufs.end());
    for (const auto &[off, name] : bufs) {
      const std::string &t = c_type[name];
      // Offsets are multiples of 32 bytes: any element type is aligned.
      const std::string at = "swtc_ldm + " + std::to_string(off / 4);
      kernels += "  " + t + " *const " + name + (p.double_buffered(name) ? "_ldm0" : "") + " = " +
           (t == "float" ? at : "(" + t + " *)(" + at + ")") + ";\n";
    }
    if (crts)
      kernels += "  CRTS_dma_iget((void *)&p, arg, sizeof p, &swtc_reply);\n"
           "  ++swtc_ndma;\n  CRTS_dma_wait_value(&swtc_reply, swtc_ndma);\n";
    else
      kernels += "  athread_get(PE_MODE, arg, (void *)&p, (int)sizeof p, (void *)&swtc_reply, 0, 0, 0);\n"
           "  ++swtc_ndma;\n  while (swtc_reply != swtc_ndma) {\n  }\n";
    p.stmt(k.func.body, 1);
    kernels += p.text() + "}\n";
    vector_loops += p.vector_loops();
  }
  s += std::string(crts ? "#include <crts.h>\n" : "#include <slave.h>\n") +
       (vector_loops ? "#include <simd.h>\n" : "") + "#include <math.h>\n";
  s += stdint_include(m) + "\n";
  s += c_prelude();
  s += int_prelude(m);
  return s + arena_decl + kernels;
}

std::string emit_sunway_mpe(const Module &m) {
  std::string s = banner(m, "MPE (host) side, C99 for sw5cc -host");
  if (m.profile_hooks)  // the kernel timers' clock_gettime, before any header
    s += "#define _POSIX_C_SOURCE 200112L\n";
  s += std::string(m.target.crts ? "#include <crts.h>" : "#include <athread.h>") +
       "\n" + stdint_include(m) + "\n#include \"" + m.name + ".h\"\n\n";
  s += io_tables(m);
  for (const CompiledKernel &k : m.kernels) {
    s += "\n" + args_struct(k);
    s += "extern void slave_" + k.func.name + "(void *);\n";
  }
  s += profile_hook_globals(m);  // kernel timers: "" unless m.profile_hooks
  s += run_function_prologue(m) + profile_hook_start(m);
  for (size_t ki = 0; ki < m.kernels.size(); ++ki) {
    const CompiledKernel &k = m.kernels[ki];
    s += "  { /* " + kernel_comment(m, k) + " */\n";
    // Static, so that CPEs fetch it by DMA from a known main-memory block.
    s += "    static struct " + k.func.name + "_args a;\n";
    for (size_t i = 0; i < k.kernel.values.size(); ++i)
      s += "    a." + k.func.params[i]->name + " = " +
           value_pointer(m, k.kernel.values[i], true) + ";\n";
    s += profile_hook_before(m, ki);
    if (m.target.crts)
      s += "    CRTS_athread_spawn(" + k.func.name + ", &a);\n    CRTS_athread_join();\n";
    else
      s += "    athread_spawn(" + k.func.name + ", &a);\n    athread_join();\n";
    s += profile_hook_after(m, ki) + "  }\n";
  }
  s += "  return 0;\n}\n";
  return s;
}

}  // namespace swtc::codegen

#include "codegen/microkernel.h"

#include "tir/analysis.h"
#include "tir/functor.h"

namespace swtc::codegen {

using namespace tir;

namespace {
/// The WB x VB block with the most vector FMAs per memory operation (VB
/// loads + WB broadcasts per step), then the larger one: VB divides
/// b_vectors, WB * VB <= max_acc, WB divides a_extent unless `tail` (then
/// the score counts the full blocks and one block of the rest).
std::pair<int64_t, int64_t> best_block(int64_t a_extent, int64_t b_vectors, int64_t max_acc,
                                       bool tail) {
  std::pair<int64_t, int64_t> best{1, 1};
  double best_score = -1;
  for (int64_t vb = 1; vb <= b_vectors && vb <= max_acc; ++vb) {
    if (b_vectors % vb) continue;
    for (int64_t wb = 1; wb <= a_extent && wb * vb <= max_acc; ++wb) {
      const int64_t full = a_extent / wb, rest = a_extent % wb;
      if (rest && !tail) continue;
      const double per_op =
          rest ? double(a_extent * vb) / double(full * (wb + vb) + rest + vb)
               : double(wb * vb) / double(wb + vb);  // the same ratio, one block's
      const double score = per_op + 1e-3 * double(wb * vb);
      if (score > best_score) {
        best_score = score;
        best = {wb, vb};
      }
    }
  }
  return best;
}
}  // namespace

std::pair<int64_t, int64_t> microkernel_block(int64_t a_extent, int64_t b_vectors,
                                              int64_t max_acc) {
  return best_block(a_extent, b_vectors, max_acc, false);
}

std::pair<int64_t, int64_t> microkernel_block_tail(int64_t a_extent, int64_t b_vectors,
                                                   int64_t max_acc) {
  return best_block(a_extent, b_vectors, max_acc, true);
}

namespace {

bool uses_any(const std::vector<Expr> &idx, const std::string &v) {
  for (const auto &i : idx)
    if (uses_var(i, v)) return true;
  return false;
}

std::vector<Expr> shifted(const std::vector<Expr> &idx, const std::string &v, int64_t by) {
  std::vector<Expr> out;
  for (const auto &i : idx) out.push_back(by ? substitute(i, {{v, var(v) + int_imm(by)}}) : i);
  return out;
}

}  // namespace

std::optional<std::vector<std::string>> conv_microkernel(
    const Stmt &loop, const VectorIsa &spec, const std::map<std::string, int64_t> &enclosing,
    CPrinter &printer, int64_t max_acc, bool tail) {
  // Shape of the nest.
  if (loop->kind != StmtKind::For || loop->for_kind != ForKind::Serial) return std::nullopt;
  const Stmt &bl = loop->inner();
  if (loop->body.size() != 1 || bl->kind != StmtKind::For || bl->for_kind != ForKind::Serial ||
      bl->body.size() != 1)
    return std::nullopt;
  const std::string a = loop->loop_var, b = bl->loop_var;
  const int64_t ea = loop->extent, eb = bl->extent;
  std::vector<Stmt> reduce;
  Stmt body = bl->inner();
  while (body->kind == StmtKind::For && body->for_kind == ForKind::Serial && body->body.size() == 1) {
    reduce.push_back(body);
    body = body->inner();
  }
  if (reduce.empty()) return std::nullopt;
  if (body->kind == StmtKind::IfThen && body->body.size() == 1) body = body->inner();
  if (body->kind != StmtKind::Store || body->buffer->scope != Scope::Local ||
      !body->buffer->elem.is_float())
    return std::nullopt;
  const Buffer &y = body->buffer;
  const std::vector<Expr> &yi = body->indices;
  for (const auto &r : reduce)
    if (uses_any(yi, r->loop_var)) return std::nullopt;
  // Y = Y + X * W (either order of the product); on the host also a
  // pooling window's Y = Y + W or Y = max(Y, W) (no X).
  const Expr &v = body->value;
  if (v->kind != ExprKind::Binary ||
      (v->op != BinaryOp::Add && !(v->op == BinaryOp::Max && spec.has_max())))
    return std::nullopt;
  const bool is_max = v->op == BinaryOp::Max;
  Expr cur = v->args[0];
  const Expr &prod = v->args[1];
  // Overwrite without an init nest: Y = (first reduce step ? init : Y) + X * W.
  Expr init;
  if (loop->overwrite && cur->kind == ExprKind::Select) {
    init = cur->args[1];
    cur = cur->args[2];
  }
  if (cur->kind != ExprKind::Load || cur->buffer != y || cur->args.size() != yi.size())
    return std::nullopt;
  for (size_t d = 0; d < yi.size(); ++d)
    if (!equal(cur->args[d], yi[d])) return std::nullopt;
  Expr x, w;
  if (!is_max && prod->kind == ExprKind::Binary && prod->op == BinaryOp::Mul) {
    x = prod->args[0];
    w = prod->args[1];
  } else if (prod->kind == ExprKind::Load && !spec.sunway) {
    w = prod;
  } else {
    return std::nullopt;
  }
  if (loop->overwrite && is_max && (!init || init->kind != ExprKind::FloatImm))
    return std::nullopt;
  // W: the operand whose last index moves with b (contiguity along b is
  // checked below: a Conv's input row read at w + kx qualifies).
  auto is_w = [&](const Expr &e) {
    return e->kind == ExprKind::Load && e->buffer->scope == Scope::Local && !e->args.empty() &&
           uses_var(e->args.back(), b);
  };
  if (x && !is_w(w)) std::swap(x, w);
  if (!is_w(w) || !w->buffer->elem.is_float()) return std::nullopt;
  if (x && (x->kind != ExprKind::Load || x->buffer->scope != Scope::Local ||
            !x->buffer->elem.is_float() || uses_any(x->args, b)))
    return std::nullopt;
  for (size_t d = 0; d + 1 < w->args.size(); ++d)
    if (uses_var(w->args[d], b)) return std::nullopt;
  // W moves with a too (a depthwise Conv's input rows, a = the output row):
  // its vectors are loaded per row of the block instead of once per step.
  const bool w_per_row = uses_any(w->args, a);
  // W rows vector-aligned: its flat offset at b = 0 is a multiple of the lanes.
  const int64_t lanes = spec.lanes;
  if (eb % lanes != 0) return std::nullopt;
  std::map<std::string, int64_t> loops = enclosing;
  loops[a] = ea;
  loops[b] = eb;
  for (const auto &r : reduce) loops[r->loop_var] = r->extent;
  // The stride of buffer `buf` at `idx` along b: 1 if it runs contiguously
  // from an aligned start where the ISA's loads must be aligned (Sunway),
  // `other` if it moves by that many elements per b (else 0).
  auto stride_along_b = [&](const Buffer &buf, const std::vector<Expr> &idx, int64_t other) {
    LinearForm f = linear_form(flat_offset(buf->shape, idx), loops);
    if (!f.ok || f.sym || !f.coeffs.count(b)) return int64_t{0};
    if (spec.sunway && f.constant % lanes != 0) return int64_t{0};
    int64_t stride = 0;
    for (const auto &[name, k] : f.coeffs) {
      if (name == b)
        stride = k == 1 || k == other ? k : 0;
      else if (spec.sunway && k % lanes != 0)
        return int64_t{0};
    }
    return stride;
  };
  // A depthwise Conv of stride 2 reads its input rows at 2 w + kx: loaded by
  // two vectors and a permute (VectorIsa::load_every_other), host only.
  const int64_t w_stride =
      stride_along_b(w->buffer, w->args, w_per_row && spec.has_every_other() ? 2 : 1);
  if (w_stride == 0) return std::nullopt;
  // Y likewise (a MatMul's output tile): the block is added into it by vectors.
  const bool y_vectors = stride_along_b(y, yi, 1) == 1;
  if (is_max && !y_vectors) return std::nullopt;

  // (Plain variables, not a structured binding: clang 14, which the fuzzing
  // and sanitizer builds use, cannot capture those in the lambdas below.)
  const auto block_shape = tail ? microkernel_block_tail(ea, eb / lanes, max_acc)
                                : microkernel_block(ea, eb / lanes, max_acc);
  const int64_t wb = block_shape.first, vb = block_shape.second;
  const int64_t a_main = ea / wb * wb;  // iterations of `a` in full blocks
  const std::string T = spec.type;
  // W's bytes per step of the innermost reduce loop, and the distance the
  // streamed W is fetched ahead (host): 6 KB (AlexNet's fully connected
  // layers, AVX-512, 2 threads: 4.9 -> 4.5 ms and 2.15 -> 1.78 ms; 3 KB
  // gains less, 12 KB and 24 KB lose).
  int64_t prefetch_bytes = 0;
  if (spec.has_prefetch() && !w_per_row) {
    const LinearForm f = linear_form(flat_offset(w->buffer->shape, w->args), loops);
    const auto it = f.coeffs.find(reduce.back()->loop_var);
    if (f.ok && !f.sym && it != f.coeffs.end() && it->second > 0) {
      const int64_t step = it->second * 4, distance = 6144;
      if (step <= distance && reduce.back()->extent * step >= 2 * distance)
        prefetch_bytes = distance / step * step;
    }
  }
  auto vname = [](const char *p, int64_t i, int64_t j = -1) {
    return std::string(p) + std::to_string(i) + (j >= 0 ? "_" + std::to_string(j) : "");
  };
  const std::string zero = spec.splat("0.0f");

  std::vector<std::string> out;
  std::string ind;
  auto emit = [&](const std::string &s) { out.push_back(ind + s); };
  // The `b` loop of one block of `bw` iterations of `a` from the current a.
  auto block = [&](int64_t bw) {
    emit("for (long " + b + " = 0; " + b + " < " + std::to_string(eb) + "; " + b + " += " +
         std::to_string(vb * lanes) + ") {");
    ind += "  ";
    // Accumulators start at 0 (a sum, added into Y after), at the max's
    // initial value (it overwrites Y) or at Y (a max continued).
    auto y_at = [&](int64_t j, int64_t q) {
      return "&" + printer.expr(load(y, shifted(shifted(yi, a, j), b, q * lanes)));
    };
    for (int64_t j = 0; j < bw; ++j)
      for (int64_t q = 0; q < vb; ++q) {
        const std::string acc = vname("swtc_acc", j, q);
        if (!is_max) {
          emit(T + " " + acc + " = " + zero + ";");
        } else if (init) {
          emit(T + " " + acc + " = " + spec.splat(printer.expr(init)) + ";");
        } else {
          emit(T + " " + acc + ";");
          emit(spec.load(acc, y_at(j, q)));
        }
      }
    for (const auto &r : reduce) {
      emit("for (long " + r->loop_var + " = 0; " + r->loop_var + " < " + std::to_string(r->extent) +
           "; ++" + r->loop_var + ") {");
      ind += "  ";
    }
    auto load_w = [&](int64_t j, const std::string &pad) {
      for (int64_t q = 0; q < vb; ++q) {
        emit(pad + T + " " + vname("swtc_w", q) + ";");
        const std::string at =
            "&" + printer.expr(load(w->buffer, shifted(shifted(w->args, a, j), b, q * lanes)));
        emit(pad + (w_stride == 2 ? spec.load_every_other(vname("swtc_w", q), at)
                                  : spec.load(vname("swtc_w", q), at)));
      }
    };
    if (!w_per_row) load_w(0, "");
    // One row per block (a matrix-vector product: a fully connected layer at
    // batch 1): every W vector is used once, so W streams from memory;
    // fetch its lines a fixed distance ahead of the loads.
    if (bw == 1 && prefetch_bytes > 0)
      for (int64_t q = 0; q < vb; ++q)
        if (q * lanes * 4 % 64 == 0)
          emit(spec.prefetch(
              "&" + printer.expr(load(w->buffer, shifted(w->args, b, q * lanes))), prefetch_bytes));
    for (int64_t j = 0; j < bw && !x; ++j) {  // a pooling window: no X
      emit("{");
      if (w_per_row) load_w(j, "  ");
      for (int64_t q = 0; q < vb; ++q) {
        const std::string acc = vname("swtc_acc", j, q), wq = vname("swtc_w", q);
        emit("  " + acc + " = " + (is_max ? spec.max(acc, wq) : spec.add(acc, wq)) + ";");
      }
      emit("}");
    }
    for (int64_t j = 0; j < bw && x; ++j) {
      const std::string xs = vname("swtc_xs", j);
      emit("{");
      if (w_per_row) load_w(j, "  ");
      emit("  const float " + xs + " = " + printer.expr(load(x->buffer, shifted(x->args, a, j))) +
           ";");
      emit("  const " + T + " swtc_x = " + spec.splat(xs) + ";");
      for (int64_t q = 0; q < vb; ++q)
        emit("  " + vname("swtc_acc", j, q) + " = " +
             spec.fma("swtc_x", vname("swtc_w", q), vname("swtc_acc", j, q)) + ";");
      emit("}");
    }
    for (size_t r = 0; r < reduce.size(); ++r) {
      ind.resize(ind.size() - 2);
      emit("}");
    }
    if (y_vectors) {  // add the block into Y by vectors
      for (int64_t j = 0; j < bw; ++j)
        for (int64_t q = 0; q < vb; ++q) {
          const std::string ya =
              "&" + printer.expr(load(y, shifted(shifted(yi, a, j), b, q * lanes)));
          if (loop->overwrite || is_max) {  // the sums (or the max) are Y's values
            emit(spec.store(vname("swtc_acc", j, q), ya));
            continue;
          }
          emit("{");
          emit("  " + T + " swtc_y;");
          emit("  " + spec.load("swtc_y", ya));
          emit("  swtc_y = " + spec.add("swtc_y", vname("swtc_acc", j, q)) + ";");
          emit("  " + spec.store("swtc_y", ya));
          emit("}");
        }
    } else {  // add the block into Y lane by lane (its lanes are Y elements along b)
      emit("{");
      emit("  float swtc_t[" + std::to_string(lanes) + "] __attribute__((aligned(" +
           std::to_string(spec.sunway ? 32 : 64) + ")));");
      for (int64_t j = 0; j < bw; ++j)
        for (int64_t q = 0; q < vb; ++q) {
          emit("  " + spec.store(vname("swtc_acc", j, q), "swtc_t"));
          for (int64_t l = 0; l < lanes; ++l) {
            const std::string yl =
                printer.expr(load(y, shifted(shifted(yi, a, j), b, q * lanes + l)));
            emit("  " + yl + " = " + (loop->overwrite ? "" : yl + " + ") + "swtc_t[" +
                 std::to_string(l) + "];");
          }
          if (spec.sunway && !loop->overwrite)
            emit("  SWEMU_SCALAR_FLOPS(" + std::to_string(lanes) + ");");
        }
      emit("}");
    }
    ind.resize(ind.size() - 2);
    emit("}");
  };
  emit("for (long " + a + " = 0; " + a + " < " + std::to_string(a_main) + "; " + a + " += " +
       std::to_string(wb) + ") { /* micro-kernel: " + std::to_string(wb) + " x " +
       std::to_string(vb) + " " + T + " accumulators */");
  ind += "  ";
  block(wb);
  ind.resize(ind.size() - 2);
  emit("}");
  if (a_main < ea) {
    emit("{ /* micro-kernel tail: " + std::to_string(ea - a_main) + " x " + std::to_string(vb) +
         " */");
    ind += "  ";
    emit("const long " + a + " = " + std::to_string(a_main) + ";");
    block(ea - a_main);
    ind.resize(ind.size() - 2);
    emit("}");
  }
  return out;
}

}  // namespace swtc::codegen

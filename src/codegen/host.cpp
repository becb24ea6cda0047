// Host flavour: one C file, kernels as static functions, outer loops on
// OpenMP threads. Staged buffers (Scope::Local) are each thread's packing
// buffers in one thread-local arena laid out like the Sunway LDM
// (tir::local_layout); a stage is a copy of its box (zero past the tensor's
// bounds), and tensorized loops are register-blocked micro-kernels spelled
// in the target's vector ISA (codegen/vector_isa.h).
#include <algorithm>

#include "codegen/c_printer.h"
#include "codegen/microkernel.h"
#include "codegen/module.h"
#include "codegen/module_internal.h"
#include "codegen/vector_isa.h"
#include "common/error.h"
#include "tir/analysis.h"

namespace swtc::codegen {

using namespace detail;
using namespace tir;

namespace {

/// Branch-free float versions of the libm functions kernels call per
/// element, so that the C compiler vectorises the loops around them (a libm
/// call per element cannot be): exp by range reduction to |r| <= ln2/2 and a
/// degree-7 Taylor polynomial (relative error ~1.2e-7), 2^n built in the
/// exponent bits; erf by Abramowitz & Stegun 7.1.26 (absolute error about
/// 5e-7 in float arithmetic); tanh from exp. NaN stays NaN; exp overflows to +inf and
/// underflows to 0 as libm's does.
const char *kHostMath = R"(#include <stdint.h>
#include <string.h>
static inline float swtc_expf(float x) {
  const float c = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  const float n = floorf(c * 1.44269504f + 0.5f);
  const float r = (c - n * 0.693145751953125f) - n * 1.42860677e-06f;
  float p = 1.98412698e-04f;
  p = p * r + 1.38888889e-03f;
  p = p * r + 8.33333333e-03f;
  p = p * r + 4.16666667e-02f;
  p = p * r + 1.66666667e-01f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  const float y = p * scale;
  return x != x ? x : (x > 88.7228391f ? HUGE_VALF : (x < -103.972f ? 0.0f : (x < -87.0f ? 0.0f : y)));
}
static inline float swtc_erff(float x) {
  const float a = x < 0.0f ? -x : x;
  const float t = 1.0f / (1.0f + 0.3275911f * a);
  const float p =
      t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
  const float e = 1.0f - p * swtc_expf(-a * a);
  return x != x ? x : (x < 0.0f ? -e : e);
}
static inline float swtc_tanhf(float x) {
  const float a = x < 0.0f ? -x : x;
  const float e = swtc_expf(-2.0f * a);
  const float t = (1.0f - e) / (1.0f + e);
  return x != x ? x : (x < 0.0f ? -t : t);
}
)";

}  // namespace

const char *detail::host_math_prelude() { return kHostMath; }

namespace {

class HostPrinter : public CPrinter {
 public:
  HostPrinter(const PrimFunc &f, const VectorIsa &isa, int64_t max_acc)
      : isa_(isa), max_acc_(max_acc) {
    layout_ = local_layout(f, &arena_bytes_);
  }
  int64_t arena_bytes() const { return arena_bytes_; }
  int micro_kernels() const { return micro_kernels_; }
  bool uses_math() const { return uses_math_; }
  /// True if a copy-out calls swtc_copy_transposed (VectorIsa::transpose_prelude).
  bool uses_transpose() const { return uses_transpose_; }
  /// True if a staged row is copied by swtc_row_in / swtc_row_out
  /// (VectorIsa::row_copy_prelude).
  bool uses_row_copy() const { return uses_row_copy_; }
  /// Pointers to the local buffers in this thread's arena.
  void declare_locals(int indent) {
    std::vector<std::pair<int64_t, const BufferNode *>> bufs;
    for (const auto &[b, off] : layout_) bufs.push_back({off, b});
    std::sort(bufs.begin(), bufs.end(), [](const auto &x, const auto &y) {
      return x.first != y.first ? x.first < y.first : x.second->name < y.second->name;
    });
    for (const auto &[off, b] : bufs) {
      const std::string at = "(char *)swtc_local + " + std::to_string(off);
      line(indent, b->elem.c_type + " *const " + b->name + " = (" + b->elem.c_type + " *)(" + at +
                       ");");
    }
    declared_ = true;
  }

 protected:
  std::string function_name(const std::string &fn) override {
    if (fn == "expf" || fn == "erff" || fn == "tanhf") {
      uses_math_ = true;
      return "swtc_" + fn;
    }
    return fn;
  }

  void emit_for(const Stmt &s, int indent) override {
    loops_[s->loop_var] = s->extent;
    std::optional<std::vector<std::string>> lines;
    // A tensorized nest whose operands are not contiguous along the vector
    // axis stays the plain (guarded, exact) nest.
    if (s->tensorize) lines = conv_microkernel(s, isa_, loops_, *this, max_acc_, true);
    if (lines) {
      for (const auto &l : *lines) line(indent, l);
      ++micro_kernels_;
    } else if (s->for_kind == ForKind::Parallel && !layout_.empty() && !declared_) {
      line(indent, "#pragma omp parallel for schedule(static)");
      line(indent, "for (long " + s->loop_var + " = 0; " + s->loop_var + " < " +
                       std::to_string(s->extent) + "; ++" + s->loop_var + ") {");
      declare_locals(indent + 1);
      stmt(s->inner(), indent + 1);
      declared_ = false;
      line(indent, "}");
    } else {
      if (s->for_kind == ForKind::Parallel && !layout_.empty())
        internal_error("parallel loop ", s->loop_var, " inside the scope of the local buffers");
      CPrinter::emit_for(s, indent);
    }
    loops_.erase(s->loop_var);
  }

  /// Copies the box global[lo .. lo + local.shape) into or out of `local`:
  /// in, the part past the tensor's bounds is zero; out, only the part
  /// inside them is written.
  void emit_copy(const Stmt &s, int indent, bool in) {
    const Buffer &g = s->buffer, &l = s->local;
    const size_t rank = g->shape.size();
    const std::string L = l->name, G = buffer_name(g);
    const std::string fill = s->fill ? expr(s->fill) : "0";
    if (rank == 0) {  // a scalar: one element
      line(indent, in ? L + "[0] = " + G + "[0];" : G + "[0] = " + L + "[0];");
      return;
    }
    // Strides of each global dim, in the global tensor and in the local copy
    // (whose dims may be a permutation: Stage::local_order).
    std::vector<int64_t> gstride(rank, 1), lstride(rank, 1), box(rank);
    for (size_t d = rank; d-- > 1;) gstride[d - 1] = gstride[d] * g->shape[d];
    {
      std::vector<size_t> order = s->local_order;
      if (order.empty())
        for (size_t d = 0; d < rank; ++d) order.push_back(d);
      int64_t st = 1;
      for (size_t k = rank; k-- > 0;) {
        lstride[order[k]] = st;
        box[order[k]] = l->shape[k];
        st *= l->shape[k];
      }
    }
    // Local elements a global index of dim d spans when the dims after it
    // are whole (the block zeroed at once), or 0 if they are not contiguous.
    auto block_of = [&](size_t d) {
      int64_t n = 1;
      for (size_t e = d + 1; e < rank; ++e) n *= box[e];
      return lstride[d] == n ? n : 0;
    };
    // Out, with another dim than the tensor's last innermost in the local
    // copy (a Conv tile with the output channels innermost, the vector axis
    // of its micro-kernel): each run of the last dim is written back by
    // blocks transposed in registers (swtc_copy_transposed), not element by
    // element at the local stride.
    size_t dc = rank;
    if (!in && rank >= 2 && l->elem.c_type == "float")
      for (size_t d = 0; d + 1 < rank; ++d)
        if (lstride[d] == 1 && box[d] > 1) dc = d;
    int depth = indent;
    line(depth, "{");
    ++depth;
    line(depth, "long " + L + "_lp = 0, " + L + "_gp = 0;");
    for (size_t d = 0; d + 1 < rank; ++d) {
      if (d == dc) continue;
      const std::string i = L + "_i" + std::to_string(d), gi = L + "_g" + std::to_string(d);
      line(depth, "for (long " + i + " = 0; " + i + " < " + std::to_string(box[d]) + "; ++" + i +
                      ") {");
      ++depth;
      line(depth, "const long " + gi + " = " + L + "_lo" + std::to_string(d) + " + " + i + ";");
      line(depth, "const long " + L + "_lp" + std::to_string(d) + " = " + L + "_lp + " + i + " * " +
                      std::to_string(lstride[d]) + ";");
      line(depth, "const long " + L + "_gp" + std::to_string(d) + " = " + L + "_gp + " + gi + " * " +
                      std::to_string(gstride[d]) + ";");
      // Out of the tensor: in, zero that part of the box (a contiguous
      // block: input copies keep the global order); out, skip it.
      line(depth, "if (" + gi + " < 0 || " + gi + " >= " + std::to_string(g->shape[d]) + ") {");
      if (in) {
        const int64_t blk = block_of(d);
        if (blk == 0) internal_error("input stage of ", L, ": permuted local copies are outputs only");
        line(depth + 1, "for (long z = 0; z < " + std::to_string(blk) + "; ++z) " + L + "[" + L +
                            "_lp" + std::to_string(d) + " + z] = " + fill + ";");
      }
      line(depth + 1, "continue;");
      line(depth, "}");
      line(depth, "{");
      ++depth;
      line(depth, "const long " + L + "_lp = " + L + "_lp" + std::to_string(d) + ", " + L + "_gp = " +
                      L + "_gp" + std::to_string(d) + ";");
    }
    const size_t d = rank - 1;
    const std::string lo = L + "_lo" + std::to_string(d);
    const std::string n = std::to_string(box[d]), gn = std::to_string(g->shape[d]);
    const std::string ls = lstride[d] == 1 ? "" : " * " + std::to_string(lstride[d]);
    line(depth, "const long " + L + "_a = swtc_min(swtc_max(-" + lo + ", 0), " + n + ");");
    line(depth, "const long " + L + "_b = swtc_max(swtc_min(" + gn + " - " + lo + ", " + n + "), " +
                    L + "_a);");
    const std::string at = L + "[" + L + "_lp + z" + ls + "]";
    if (dc < rank) {
      const std::string lc = L + "_lo" + std::to_string(dc), bc = std::to_string(box[dc]);
      line(depth, "const long " + L + "_ca = swtc_min(swtc_max(-" + lc + ", 0), " + bc + ");");
      line(depth, "const long " + L + "_cb = swtc_max(swtc_min(" + std::to_string(g->shape[dc]) +
                      " - " + lc + ", " + bc + "), " + L + "_ca);");
      line(depth, "swtc_copy_transposed(" + L + " + " + L + "_lp + " + L + "_a" + ls + " + " + L +
                      "_ca, " + std::to_string(lstride[d]) + ", " + G + " + " + L + "_gp + (" + lc +
                      " + " + L + "_ca) * " + std::to_string(gstride[dc]) + " + " + lo + " + " + L +
                      "_a, " + std::to_string(gstride[dc]) + ", " + L + "_b - " + L + "_a, " + L +
                      "_cb - " + L + "_ca);");
      uses_transpose_ = true;
    } else if (ls.empty() && isa_.has_row_copy() && l->elem.c_type == "float" &&
               g->elem.c_type == "float") {
      // A row by whole and masked vectors (VectorIsa::row_copy_prelude); the
      // global pointer is formed only when the row has elements inside.
      const std::string ga = G + " + " + L + "_gp + " + lo + " + " + L + "_a";
      if (in)
        line(depth, "swtc_row_in(" + L + " + " + L + "_lp, " + n + ", " + L + "_a, " + L + "_b, " +
                        L + "_a < " + L + "_b ? " + ga + " : " + G + ", " + fill + ");");
      else
        line(depth, "if (" + L + "_a < " + L + "_b) swtc_row_out(" + ga + ", " + L + " + " + L +
                        "_lp + " + L + "_a, " + L + "_b - " + L + "_a);");
      uses_row_copy_ = true;
    } else if (in) {
      line(depth, "for (long z = 0; z < " + L + "_a; ++z) " + at + " = " + fill + ";");
      line(depth, "for (long z = " + L + "_a; z < " + L + "_b; ++z) " + at + " = " + G + "[" + L +
                      "_gp + " + lo + " + z];");
      line(depth, "for (long z = " + L + "_b; z < " + n + "; ++z) " + at + " = " + fill + ";");
    } else {
      line(depth, "for (long z = " + L + "_a; z < " + L + "_b; ++z) " + G + "[" + L + "_gp + " + lo +
                      " + z] = " + at + ";");
    }
    for (size_t k = 0; k + 1 < rank; ++k) {
      if (k == dc) continue;
      line(--depth, "}");
      line(--depth, "}");
    }
    line(--depth, "}");
  }

  void emit_stage(const Stmt &s, int indent) override {
    const std::string L = s->local->name;
    line(indent, "{ /* " + L + " holds a box of " + s->buffer->name + " */");
    for (size_t d = 0; d < s->buffer->shape.size(); ++d)
      line(indent + 1, "const long " + L + "_lo" + std::to_string(d) + " = " + expr(s->indices[d]) +
                           ";");
    if (s->dir == StageDir::In && contiguous_box(s)) {
      // The box is one contiguous run of the tensor, in the same order: read
      // it in place when it lies within the tensor (a packed weight block, a
      // row of activations), copy it (zero past the bounds) otherwise.
      const Buffer &g = s->buffer;
      const size_t rank = g->shape.size();
      std::string inside, offset = "0";
      for (size_t d = 0; d < rank; ++d) {
        const std::string lo = L + "_lo" + std::to_string(d);
        inside += (d ? " && " : "") + lo + " >= 0 && " + lo + " <= " +
                  std::to_string(g->shape[d] - s->local->shape[d]);
        offset = "(" + offset + ") * " + std::to_string(g->shape[d]) + " + " + lo;
      }
      const std::string T = s->local->elem.c_type;
      line(indent + 1, "const int " + L + "_in_place = " + inside + ";");
      line(indent + 1, "if (!" + L + "_in_place) {");
      emit_copy(s, indent + 2, true);
      line(indent + 1, "}");
      line(indent + 1, "{");
      line(indent + 2, T + " *const " + L + "_copy = " + L + ";");
      line(indent + 2, "{");
      line(indent + 3, "const " + T + " *const " + L + " = " + L + "_in_place ? " +
                           buffer_name(g) + " + (" + offset + ") : " + L + "_copy;");
      stmt(s->inner(), indent + 3);
      line(indent + 2, "}");
      line(indent + 1, "}");
      line(indent, "}");
      return;
    }
    if (s->dir != StageDir::Out) emit_copy(s, indent + 1, true);
    stmt(s->inner(), indent + 1);
    if (s->dir != StageDir::In) emit_copy(s, indent + 1, false);
    line(indent, "}");
  }

  /// True if an input stage's box, in the local buffer's order, is one
  /// contiguous run of its tensor wherever it lies: the tensor's order
  /// (no permutation), and past its first dim of more than one element
  /// every dim whole. (A fill value, e.g. a max pool's, only matters to the
  /// copy made where the box reaches past the tensor.)
  static bool contiguous_box(const Stmt &s) {
    if (s->double_buffer) return false;
    for (size_t k = 0; k < s->local_order.size(); ++k)
      if (s->local_order[k] != k) return false;
    const auto &g = s->buffer->shape, &l = s->local->shape;
    if (g.empty() || g.size() != l.size()) return false;
    size_t d = 0;
    while (d < g.size() && l[d] == 1) ++d;
    for (++d; d < g.size(); ++d)
      if (l[d] != g[d]) return false;
    return true;
  }

 private:
  VectorIsa isa_;
  int64_t max_acc_;
  std::map<const BufferNode *, int64_t> layout_;
  int64_t arena_bytes_ = 0;
  bool declared_ = false;
  int micro_kernels_ = 0;
  bool uses_math_ = false;
  bool uses_transpose_ = false;
  bool uses_row_copy_ = false;
  std::map<std::string, int64_t> loops_;
};

}  // namespace

std::string emit_host_source(const Module &m) {
  const VectorIsa isa = vector_isa(m.target);
  // Accumulators of a micro-kernel block: the vector registers less the
  // weight vectors and the broadcast operand.
  const int64_t max_acc = std::max(4, m.target.vector_registers - 4);
  std::string s = banner(m, "Kernels and run function");
  s += "#include \"" + m.name + ".h\"\n\n#include <math.h>\n" + stdint_include(m) + "\n";
  std::string kernels;
  int64_t arena = 0;
  bool vectors = false, math = false, transpose = false, row_copy = false;
  for (const CompiledKernel &k : m.kernels) {
    const tir::PrimFunc &f = k.func;
    kernels += "\n/* " + kernel_comment(m, k) + " */\n";
    kernels += "static void " + f.name + "(";
    for (size_t i = 0; i < f.params.size(); ++i) {
      bool out = i + 1 == f.params.size();
      const std::string &t = f.params[i]->elem.c_type;
      kernels += (i ? ", " : "") + (out ? t + " *restrict " : "const " + t + " *restrict ") +
                 f.params[i]->name;
    }
    kernels += ") {\n";
    HostPrinter p(f, isa, max_acc);
    arena = std::max(arena, p.arena_bytes());
    const bool top_parallel = f.body->kind == StmtKind::For && f.body->for_kind == ForKind::Parallel;
    if (p.arena_bytes() > 0 && !top_parallel) p.declare_locals(1);
    p.stmt(f.body, 1);
    kernels += p.text() + "}\n";
    vectors = vectors || p.micro_kernels() > 0;
    math = math || p.uses_math();
    transpose = transpose || p.uses_transpose();
    row_copy = row_copy || p.uses_row_copy();
  }
  if (vectors || transpose || row_copy) s += isa.prelude();
  s += c_prelude();
  if (math) s += host_math_prelude();
  if (transpose) s += isa.transpose_prelude();
  if (row_copy) s += isa.row_copy_prelude();
  s += int_prelude(m);
  if (arena > 0)
    s += "\n/* Each thread's packing buffers (the kernels' staged boxes; one kernel runs at a "
         "time): " +
         std::to_string(arena) + " bytes. */\nstatic __thread float swtc_local[" +
         std::to_string((arena + 3) / 4) + "] __attribute__((aligned(64)));\n";
  s += "\n" + io_tables(m);
  s += kernels;
  s += profile_hook_globals(m);  // profile hooks: "" unless m.profile_hooks (swtc profile)
  s += run_function_prologue(m) + profile_hook_start(m);
  for (size_t ki = 0; ki < m.kernels.size(); ++ki) {
    const CompiledKernel &k = m.kernels[ki];
    s += profile_hook_before(m, ki) + "  " + k.func.name + "(";
    for (size_t i = 0; i < k.kernel.values.size(); ++i) {
      bool out = i + 1 == k.kernel.values.size();
      s += (i ? ", " : "") + value_pointer(m, k.kernel.values[i], out);
    }
    s += ");\n" + profile_hook_after(m, ki);
  }
  s += "  return 0;\n}\n";
  return s;
}

}  // namespace swtc::codegen

// Host flavour: one C file, kernels as static functions, outer loops on
// OpenMP threads. Staged buffers (Scope::Local) are each thread's packing
// buffers in one thread-local arena laid out like the Sunway LDM
// (tir::ldm_layout); a stage is a copy of its box (zero past the tensor's
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

class HostPrinter : public CPrinter {
 public:
  HostPrinter(const PrimFunc &f, const VectorIsa &isa, int64_t max_acc)
      : isa_(isa), max_acc_(max_acc) {
    layout_ = ldm_layout(f, &arena_bytes_);
  }
  int64_t arena_bytes() const { return arena_bytes_; }
  int micro_kernels() const { return micro_kernels_; }
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
  void emit_for(const Stmt &s, int indent) override {
    loops_[s->loop_var] = s->extent;
    if (s->tensorize) {
      auto lines = conv_microkernel(s, isa_, loops_, *this, max_acc_, true);
      if (!lines)
        internal_error("tensorized loop ", s->loop_var, " does not have the micro-kernel's shape");
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
    std::vector<int64_t> gstride(rank, 1), lstride(rank, 1);
    for (size_t d = rank; d-- > 1;) {
      gstride[d - 1] = gstride[d] * g->shape[d];
      lstride[d - 1] = lstride[d] * l->shape[d];
    }
    int depth = indent;
    line(depth, "{");
    ++depth;
    line(depth, "long " + L + "_lp = 0, " + L + "_gp = 0;");
    for (size_t d = 0; d + 1 < rank; ++d) {
      const std::string i = L + "_i" + std::to_string(d), gi = L + "_g" + std::to_string(d);
      line(depth, "for (long " + i + " = 0; " + i + " < " + std::to_string(l->shape[d]) + "; ++" + i +
                      ") {");
      ++depth;
      line(depth, "const long " + gi + " = " + L + "_lo" + std::to_string(d) + " + " + i + ";");
      line(depth, "const long " + L + "_lp" + std::to_string(d) + " = " + L + "_lp + " + i + " * " +
                      std::to_string(lstride[d]) + ";");
      line(depth, "const long " + L + "_gp" + std::to_string(d) + " = " + L + "_gp + " + gi + " * " +
                      std::to_string(gstride[d]) + ";");
      line(depth, "if (" + gi + " < 0 || " + gi + " >= " + std::to_string(g->shape[d]) + ") {");
      if (in)
        line(depth + 1, "for (long z = 0; z < " + std::to_string(lstride[d]) + "; ++z) " + L + "[" +
                            L + "_lp" + std::to_string(d) + " + z] = 0;");
      line(depth + 1, "continue;");
      line(depth, "}");
      // The next level's running offsets.
      line(depth, "{");
      ++depth;
      line(depth, "const long " + L + "_lp = " + L + "_lp" + std::to_string(d) + ", " + L + "_gp = " +
                      L + "_gp" + std::to_string(d) + ";");
    }
    const size_t d = rank - 1;
    const std::string lo = L + "_lo" + std::to_string(d);
    const std::string n = std::to_string(l->shape[d]), gn = std::to_string(g->shape[d]);
    line(depth, "const long " + L + "_a = swtc_min(swtc_max(-" + lo + ", 0), " + n + ");");
    line(depth, "const long " + L + "_b = swtc_max(swtc_min(" + gn + " - " + lo + ", " + n + "), " +
                    L + "_a);");
    if (in) {
      line(depth, "for (long z = 0; z < " + L + "_a; ++z) " + L + "[" + L + "_lp + z] = 0;");
      line(depth, "for (long z = " + L + "_a; z < " + L + "_b; ++z) " + L + "[" + L + "_lp + z] = " + G +
                      "[" + L + "_gp + " + lo + " + z];");
      line(depth, "for (long z = " + L + "_b; z < " + n + "; ++z) " + L + "[" + L + "_lp + z] = 0;");
    } else {
      line(depth, "for (long z = " + L + "_a; z < " + L + "_b; ++z) " + G + "[" + L + "_gp + " + lo +
                      " + z] = " + L + "[" + L + "_lp + z];");
    }
    for (size_t k = 0; k + 1 < rank; ++k) {
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
    if (s->dir != StageDir::Out) emit_copy(s, indent + 1, true);
    stmt(s->inner(), indent + 1);
    if (s->dir != StageDir::In) emit_copy(s, indent + 1, false);
    line(indent, "}");
  }

 private:
  VectorIsa isa_;
  int64_t max_acc_;
  std::map<const BufferNode *, int64_t> layout_;
  int64_t arena_bytes_ = 0;
  bool declared_ = false;
  int micro_kernels_ = 0;
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
  bool vectors = false;
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
  }
  if (vectors) s += isa.prelude();
  s += c_prelude();
  s += int_prelude(m);
  if (arena > 0)
    s += "\n/* Each thread's packing buffers (the kernels' staged boxes; one kernel runs at a "
         "time): " +
         std::to_string(arena) + " bytes. */\nstatic __thread float swtc_local[" +
         std::to_string((arena + 3) / 4) + "] __attribute__((aligned(64)));\n";
  s += "\n" + io_tables(m);
  s += kernels;
  s += run_function_prologue(m);
  for (const CompiledKernel &k : m.kernels) {
    s += "  " + k.func.name + "(";
    for (size_t i = 0; i < k.kernel.values.size(); ++i) {
      bool out = i + 1 == k.kernel.values.size();
      s += (i ? ", " : "") + value_pointer(m, k.kernel.values[i], out);
    }
    s += ");\n";
  }
  s += "  return 0;\n}\n";
  return s;
}

}  // namespace swtc::codegen

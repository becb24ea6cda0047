// Host flavour: one C file, kernels as static functions, outer loops on
// OpenMP threads.
#include "codegen/c_printer.h"
#include "codegen/module.h"
#include "codegen/module_internal.h"

namespace swtc::codegen {

using namespace detail;

std::string emit_host_source(const Module &m) {
  std::string s = banner(m, "Kernels and run function");
  s += "#include \"" + m.name + ".h\"\n\n#include <math.h>\n" + stdint_include(m) + "\n";
  s += c_prelude();
  s += int_prelude(m);
  s += "\n" + io_tables(m);
  for (const CompiledKernel &k : m.kernels) {
    const tir::PrimFunc &f = k.func;
    s += "\n/* " + kernel_comment(m, k) + " */\n";
    s += "static void " + f.name + "(";
    for (size_t i = 0; i < f.params.size(); ++i) {
      bool out = i + 1 == f.params.size();
      const std::string &t = f.params[i]->elem.c_type;
      s += (i ? ", " : "") + (out ? t + " *restrict " : "const " + t + " *restrict ") +
           f.params[i]->name;
    }
    s += ") {\n";
    CPrinter p;
    p.stmt(f.body, 1);
    s += p.text() + "}\n";
  }
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

#include "codegen/vector_isa.h"

#include "common/error.h"

namespace swtc::codegen {

using target::Simd;

namespace {
std::string call(const std::string &fn, const std::vector<std::string> &args) {
  std::string s = fn + "(";
  for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i];
  return s + ")";
}
/// The intrinsic prefix of an x86 dialect: _mm256 or _mm512.
const char *x86(Simd s) { return s == Simd::Avx512 ? "_mm512" : "_mm256"; }
bool is_x86(Simd s) { return s == Simd::Avx2 || s == Simd::Avx512; }
}  // namespace

VectorIsa vector_isa(const target::Target &t) {
  VectorIsa v;
  v.simd = t.simd;
  v.lanes = t.f32_lanes;
  switch (t.simd) {
    case Simd::Portable: v.type = "swtc_vf" + std::to_string(v.lanes); break;
    case Simd::Avx2: v.type = "__m256"; break;
    case Simd::Avx512: v.type = "__m512"; break;
    case Simd::SunwayV4:
    case Simd::SunwayV8:
      v.type = "floatv" + std::to_string(v.lanes);
      v.sunway = true;
      v.has_sub = t.simd == Simd::SunwayV4;  // the SW26010-Pro subset has vadds, vmuls, vmas
      break;
  }
  return v;
}

std::string VectorIsa::load(const std::string &dst, const std::string &addr) const {
  if (sunway) return "simd_load(" + dst + ", " + addr + ");";
  if (is_x86(simd)) return dst + " = " + x86(simd) + "_loadu_ps(" + addr + ");";
  return "__builtin_memcpy(&" + dst + ", " + addr + ", sizeof " + dst + ");";
}

std::string VectorIsa::store(const std::string &v, const std::string &addr) const {
  if (sunway) return "simd_store(" + v + ", " + addr + ");";
  if (is_x86(simd)) return std::string(x86(simd)) + "_storeu_ps(" + addr + ", " + v + ");";
  return "__builtin_memcpy(" + addr + ", &" + v + ", sizeof " + v + ");";
}

std::string VectorIsa::splat(const std::string &x) const {
  if (is_x86(simd)) return std::string(x86(simd)) + "_set1_ps(" + x + ")";
  return set(std::vector<std::string>(size_t(lanes), x));
}

std::string VectorIsa::set(const std::vector<std::string> &xs) const {
  SWTC_CHECK(int(xs.size()) == lanes, "vector of ", xs.size(), " lanes for ", type);
  if (sunway) return call("simd_set_" + type, xs);
  if (is_x86(simd)) return call(std::string(x86(simd)) + "_setr_ps", xs);
  std::string s = "((" + type + "){";
  for (size_t i = 0; i < xs.size(); ++i) s += (i ? ", " : "") + xs[i];
  return s + "})";
}

std::string VectorIsa::fma(const std::string &a, const std::string &b, const std::string &c) const {
  if (sunway) return call("simd_vmas", {a, b, c});
  if (is_x86(simd)) return call(std::string(x86(simd)) + "_fmadd_ps", {a, b, c});
  return "(" + a + " * " + b + " + " + c + ")";
}

std::string VectorIsa::add(const std::string &a, const std::string &b) const {
  if (sunway) return call("simd_vadds", {a, b});
  if (is_x86(simd)) return call(std::string(x86(simd)) + "_add_ps", {a, b});
  return "(" + a + " + " + b + ")";
}

std::string VectorIsa::sub(const std::string &a, const std::string &b) const {
  SWTC_CHECK(has_sub, "no vector subtract in ", type);
  if (sunway) return call("simd_vsubs", {a, b});
  if (is_x86(simd)) return call(std::string(x86(simd)) + "_sub_ps", {a, b});
  return "(" + a + " - " + b + ")";
}

std::string VectorIsa::mul(const std::string &a, const std::string &b) const {
  if (sunway) return call("simd_vmuls", {a, b});
  if (is_x86(simd)) return call(std::string(x86(simd)) + "_mul_ps", {a, b});
  return "(" + a + " * " + b + ")";
}

std::string VectorIsa::prelude() const {
  if (sunway) return "#include <simd.h>\n";
  if (is_x86(simd)) return "#include <immintrin.h>\n";
  return "typedef float " + type + " __attribute__((vector_size(" + std::to_string(4 * lanes) +
         ")));\n";
}

}  // namespace swtc::codegen

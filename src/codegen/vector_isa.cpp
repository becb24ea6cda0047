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

std::string VectorIsa::load_every_other(const std::string &dst, const std::string &addr) const {
  if (sunway) internal_error("load_every_other: no strided load on Sunway CPEs");
  const std::string a = "(" + addr + ")";
  if (simd == Simd::Avx512)  // the second load leaves out addr[31]
    return dst + " = _mm512_permutex2var_ps(_mm512_loadu_ps(" + a +
           "), _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), "
           "_mm512_maskz_loadu_ps((__mmask16)0x7fff, " + a + " + 16));";
  if (simd == Simd::Avx2)  // evens of each half, then the 64-bit pairs in order
    return dst + " = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps("
           "_mm256_loadu_ps(" + a + "), _mm256_maskload_ps(" + a +
           " + 8, _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, -1, 0)), 0x88)), 0xd8));";
  std::vector<std::string> xs;
  for (int l = 0; l < lanes; ++l) xs.push_back(a + "[" + std::to_string(2 * l) + "]");
  return dst + " = " + set(xs) + ";";
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

std::string VectorIsa::max(const std::string &a, const std::string &b) const {
  if (sunway) internal_error("max: no vector max in the Sunway spelling");
  // x86's max returns its second operand unless the first is greater.
  if (is_x86(simd)) return call(std::string(x86(simd)) + "_max_ps", {a, b});
  return call("swtc_vmax", {a, b});
}

std::string VectorIsa::prefetch(const std::string &addr, int64_t bytes) const {
  if (sunway) return "";
  return "__builtin_prefetch((const void *)((__UINTPTR_TYPE__)(" + addr + ") + " +
         std::to_string(bytes) + "u));";
}

std::string VectorIsa::prelude() const {
  if (sunway) return "#include <simd.h>\n";
  if (is_x86(simd)) return "#include <immintrin.h>\n";
  return "typedef float " + type + " __attribute__((vector_size(" + std::to_string(4 * lanes) +
         ")));\n"
         "static inline " + type + " swtc_vmax(" + type + " a, " + type + " b) {\n"
         "  for (int l = 0; l < " + std::to_string(lanes) + "; ++l) a[l] = a[l] > b[l] ? a[l] : b[l];\n"
         "  return a;\n"
         "}\n";
}

std::string VectorIsa::transpose_prelude() const {
  std::string s =
      "\n/* dst[c * ds + w] = src[w * ss + c] for w < nw, c < nc: a staged tile with\n"
      " * channels innermost written back in the tensor's order.\n"
      " * Not specialised per call site (GCC's constant propagation into clones\n"
      " * warns of out-of-range iterations on paths that never run). */\n"
      "#if defined(__GNUC__) && !defined(__clang__)\n"
      "__attribute__((noipa))\n"
      "#else\n"
      "__attribute__((noinline))\n"
      "#endif\n"
      "static void swtc_copy_transposed(const float *restrict src, long ss, float *restrict dst,\n"
      "                                 long ds, long nw, long nc) {\n"
      "  long c = 0;\n";
  if (is_x86(simd)) {  // AVX (both x86 targets build with -mavx2): 8 x 8 blocks
    // One 8 x 8 block transposed in registers: `row(k)` loads source row k
    // (pixel w + k), `put(k, v)` stores v to output row k (channel c + k).
    auto block = [](const std::string &pad, const auto &row, const auto &put) {
      std::string b;
      for (int k = 0; k < 8; k += 2)
        b += pad + "const __m256 r" + std::to_string(k) + " = " + row(k) + ", r" +
             std::to_string(k + 1) + " = " + row(k + 1) + ";\n";
      b += pad + "const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);\n" +
           pad + "const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);\n" +
           pad + "const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);\n" +
           pad + "const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);\n" +
           pad + "const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xee);\n" +
           pad + "const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xee);\n" +
           pad + "const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xee);\n" +
           pad + "const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xee);\n";
      for (int k = 0; k < 8; ++k)
        b += pad + put(k, "_mm256_permute2f128_ps(u" + std::to_string(k % 4) + ", u" +
                              std::to_string(k % 4 + 4) + ", " + (k < 4 ? "0x20" : "0x31") + ")") +
             ";\n";
      return b;
    };
    auto at = [](const char *base, int k, const char *stride) {
      return k == 0 ? std::string(base) : std::string(base) + " + " + (k == 1 ? "" : std::to_string(k) + " * ") + stride;
    };
    s += "  for (; c + 8 <= nc; c += 8) {\n"
         "    long w = 0;\n"
         "    for (; w + 8 <= nw; w += 8) {\n"
         "      const float *s0 = src + w * ss + c;\n"
         "      float *d0 = dst + c * ds + w;\n" +
         block("      ", [&](int k) { return "_mm256_loadu_ps(" + at("s0", k, "ss") + ")"; },
               [&](int k, const std::string &v) {
                 return "_mm256_storeu_ps(" + at("d0", k, "ds") + ", " + v + ")";
               }) +
         "    }\n"
         // The rest of the row (1 to 7 pixels, a 7-pixel row whole): the
         // rows past it read as zeros, the output rows stored masked.
         "    if (w < nw) {\n"
         "      const long n = nw - w;\n"
         "      const float *s0 = src + w * ss + c;\n"
         "      float *d0 = dst + c * ds + w;\n"
         "      const __m256 z = _mm256_setzero_ps();\n"
         "      const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n),\n"
         "                                           _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));\n" +
         block("      ",
               [&](int k) {
                 return k == 0 ? "_mm256_loadu_ps(s0)"
                               : "n > " + std::to_string(k) + " ? _mm256_loadu_ps(" + at("s0", k, "ss") + ") : z";
               },
               [&](int k, const std::string &v) {
                 return "_mm256_maskstore_ps(" + at("d0", k, "ds") + ", m, " + v + ")";
               }) +
         "    }\n"
         "  }\n";
  }
  else  // blocks of 8 channels: 8 output rows written together
    s +=
        "  for (; c + 8 <= nc; c += 8)\n"
        "    for (long w = 0; w < nw; ++w)\n"
        "      for (long k = 0; k < 8; ++k) dst[(c + k) * ds + w] = src[w * ss + c + k];\n";
  s +=
      "  for (; c < nc; ++c)\n"
      "    for (long w = 0; w < nw; ++w) dst[c * ds + w] = src[w * ss + c];\n"
      "}\n";
  return s;
}

bool VectorIsa::has_row_copy() const { return is_x86(simd); }

std::string VectorIsa::row_copy_prelude() const {
  if (!is_x86(simd)) return "";
  // The masks of a part's rest: AVX-512 a lane mask, AVX2 a lane vector
  // whose sign bits select (vmaskmov).
  const bool w = simd == Simd::Avx512;
  const std::string V = w ? "__m512" : "__m256", p = x86(simd), L = w ? "16" : "8";
  const std::string mask_decl =
      w ? "  const __mmask16 k = (__mmask16)((1u << m) - 1u);\n"
        : "  const __m256i k = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)m),\n"
          "                                      _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));\n";
  const std::string mstore = w ? "_mm512_mask_storeu_ps(d, k, v)" : "_mm256_maskstore_ps(d, k, v)";
  const std::string mload = w ? "_mm512_maskz_loadu_ps(k, s)" : "_mm256_maskload_ps(s, k)";
  std::string s =
      "\n/* Rows of staged boxes: swtc_row_in(d, n, a, b, s, fill) sets d[0 .. a) and\n"
      " * d[b .. n) to fill and copies s[0 .. b - a) to d[a .. b); swtc_row_out(d, s, m)\n"
      " * copies s[0 .. m) to d[0 .. m). Whole vectors, then one masked vector for\n"
      " * the rest (masked lanes are neither loaded nor stored). */\n"
      "static inline void swtc_fill_part(float *restrict d, long m, " + V + " v) {\n"
      "  for (; m >= " + L + "; m -= " + L + ", d += " + L + ") " + p + "_storeu_ps(d, v);\n"
      "  if (m <= 0) return;\n" + mask_decl +
      "  " + mstore + ";\n"
      "}\n"
      "static inline void swtc_copy_part(float *restrict d, const float *restrict s, long m) {\n"
      "  for (; m >= " + L + "; m -= " + L + ", d += " + L + ", s += " + L + ") " + p +
      "_storeu_ps(d, " + p + "_loadu_ps(s));\n"
      "  if (m <= 0) return;\n" + mask_decl +
      "  const " + V + " v = " + mload + ";\n"
      "  " + mstore + ";\n"
      "}\n"
      "static inline void swtc_row_in(float *restrict d, long n, long a, long b,\n"
      "                               const float *restrict s, float fill) {\n"
      "  const " + V + " f = " + p + "_set1_ps(fill);\n"
      "  swtc_fill_part(d, a, f);\n"
      "  swtc_copy_part(d + a, s, b - a);\n"
      "  swtc_fill_part(d + b, n - b, f);\n"
      "}\n"
      "static inline void swtc_row_out(float *restrict d, const float *restrict s, long m) {\n"
      "  swtc_copy_part(d, s, m);\n"
      "}\n";
  return s;
}

}  // namespace swtc::codegen

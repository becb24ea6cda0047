// The host's staged-row copies (VectorIsa::row_copy_prelude: whole vectors
// and one masked vector per part) against a plain loop, for every row
// length, start and end up to three vectors and a half, on each x86 spelling
// the CPU can run: the parts past the row are untouched, the fill lands
// where the box leaves the tensor, and nothing outside [s, s + b - a) is read
// (the source sits at the end of a guarded page). Also the transposing
// write-back of channel-vector tiles and the vector max of pooling windows.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "codegen/vector_isa.h"
#include "target/target.h"

namespace swtc::codegen {
namespace {

/// Writes `source` (a C file: the ISA's prelude, the functions under test and
/// a main returning 0 when they agree with plain loops; the guarded page comes
/// from `guarded_page`), builds it with the generated code's warning flags
/// plus `flags`, runs it and expects exit status 0; prints its output.
void compile_and_run(const std::string &tag, const std::string &source, const std::string &flags) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("swtc_" + tag + "_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "t.c") << "#define _DEFAULT_SOURCE\n#include <stdio.h>\n#include <string.h>\n"
                                "#include <sys/mman.h>\n#include <unistd.h>\n"
                             << source;
  const std::string cmd = "cc -std=c99 -O2 -Wall -Wextra -Werror " + flags + " " +
                          (dir / "t.c").string() + " -o " + (dir / "t").string() + " && " +
                          (dir / "t").string() + " > " + (dir / "out.txt").string();
  const int rc = std::system(cmd.c_str());
  std::ifstream out(dir / "out.txt");
  std::string text((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << text;
  std::printf("%s: %s", tag.c_str(), text.c_str());
  fs::remove_all(dir);
}

/// C: `end` = the first byte of an inaccessible page after a writable one
/// (a read past the data placed just before it faults).
const char *const guarded_page = R"(
static char *guarded_page(void) {
  const long page = sysconf(_SC_PAGESIZE);
  char *mem = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED || mprotect(mem + page, page, PROT_NONE) != 0) return NULL;
  return mem + page;
}
)";

void check_row_copy(const std::string &target_name, const std::string &flags) {
  const VectorIsa isa = vector_isa(target::get_target(target_name));
  ASSERT_TRUE(isa.has_row_copy());
  compile_and_run("row_copy_" + target_name, isa.prelude() + isa.row_copy_prelude() + guarded_page + R"(
int main(void) {
  /* The source row ends at the guarded page: a read past it faults. */
  char *end = guarded_page();
  if (!end) return 2;
  float *src_end = (float *)end;
  float d[80], want[80];
  long bad = 0, cases = 0;
  for (long n = 1; n <= 56; ++n)
    for (long a = 0; a <= n; ++a)
      for (long b = a; b <= n; ++b) {
        const long m = b - a;
        const float *s = src_end - m;
        for (long i = 0; i < m; ++i) ((float *)s)[i] = (float)(1000 * n + i + 1);
        for (long i = 0; i < 80; ++i) d[i] = want[i] = -1.0f;
        for (long i = 0; i < a; ++i) want[i] = 7.5f;
        for (long i = a; i < b; ++i) want[i] = s[i - a];
        for (long i = b; i < n; ++i) want[i] = 7.5f;
        swtc_row_in(d, n, a, b, s, 7.5f);
        for (long i = 0; i < 80; ++i) bad += d[i] != want[i];
        for (long i = 0; i < 80; ++i) d[i] = want[i] = -1.0f;
        for (long i = 0; i < m; ++i) want[3 + i] = s[i];
        swtc_row_out(d + 3, s, m);
        for (long i = 0; i < 80; ++i) bad += d[i] != want[i];
        ++cases;
      }
  printf("%ld cases, %ld wrong elements\n", cases, bad);
  return bad == 0 ? 0 : 1;
}
)", flags);
}

// VectorIsa::load_every_other (a stride-2 depthwise Conv's input row): lane
// l is addr[2 l], and nothing past addr[2 (lanes - 1)] is read (the row ends
// at the guarded page).
void check_every_other(const std::string &target_name, const std::string &flags) {
  const VectorIsa isa = vector_isa(target::get_target(target_name));
  ASSERT_TRUE(isa.has_every_other());
  compile_and_run("every_other_" + target_name, isa.prelude() + guarded_page + R"(
int main(void) {
  char *end = guarded_page();
  if (!end) return 2;
  const long lanes = )" + std::to_string(isa.lanes) + R"(;
  float *row = (float *)end - (2 * (lanes - 1) + 1); /* the last element read ends the page */
  for (long i = 0; i <= 2 * (lanes - 1); ++i) row[i] = (float)(3 * i + 1);
  )" + isa.type + R"( v;
  )" + isa.load_every_other("v", "row") + R"(
  float got[64];
  memcpy(got, &v, sizeof v);
  long bad = 0;
  for (long l = 0; l < lanes; ++l) bad += got[l] != row[2 * l];
  printf("%ld lanes, %ld wrong\n", lanes, bad);
  return bad == 0 ? 0 : 1;
}
)", flags);
}

// VectorIsa::transpose_prelude (a channels-innermost tile written back in
// NCHW order): every width and channel count up to 19 (whole 8 x 8 blocks,
// the masked rest of a row, the scalar rest of the channels) against a plain
// loop; nothing past the tile's last pixel row is read (it ends at the
// guarded page), nothing outside the nc x nw destination block is written.
void check_transposed(const std::string &target_name, const std::string &flags) {
  const VectorIsa isa = vector_isa(target::get_target(target_name));
  compile_and_run("transposed_" + target_name, isa.prelude() + isa.transpose_prelude() + guarded_page + R"(
int main(void) {
  char *end = guarded_page();
  if (!end) return 2;
  float d[24 * 32], want[24 * 32];
  long bad = 0, cases = 0;
  for (long nw = 1; nw <= 19; ++nw)
    for (long nc = 1; nc <= 19; ++nc) {
      const long ss = nc + 3, ds = nw + 5;
      float *src = (float *)end - ((nw - 1) * ss + nc); /* the last pixel's channels end the page */
      for (long w = 0; w < nw; ++w)
        for (long c = 0; c < nc; ++c) src[w * ss + c] = (float)(100 * w + c + 1);
      for (long i = 0; i < 24 * 32; ++i) d[i] = want[i] = -1.0f;
      for (long c = 0; c < nc; ++c)
        for (long w = 0; w < nw; ++w) want[c * ds + w] = src[w * ss + c];
      swtc_copy_transposed(src, ss, d, ds, nw, nc);
      for (long i = 0; i < 24 * 32; ++i) bad += d[i] != want[i];
      ++cases;
    }
  printf("%ld cases, %ld wrong elements\n", cases, bad);
  return bad == 0 ? 0 : 1;
}
)", flags);
}

// VectorIsa::max (a max-pooling window's micro-kernel): lane by lane the
// scalar code's swtc_maxf rule a > b ? a : b, NaN and infinities included.
void check_max(const std::string &target_name, const std::string &flags) {
  const VectorIsa isa = vector_isa(target::get_target(target_name));
  ASSERT_TRUE(isa.has_max());
  compile_and_run("max_" + target_name, isa.prelude() + R"(
#include <math.h>
int main(void) {
  const float vals[6] = {-INFINITY, -3.40282347e+38f, -1.5f, 0.0f, 2.0f, NAN};
  const long lanes = )" + std::to_string(isa.lanes) + R"(;
  float a[64], b[64], got[64];
  long bad = 0, cases = 0;
  for (long s = 0; s < 36; s += lanes > 36 ? 36 : 1) {
    for (long l = 0; l < lanes; ++l) {
      a[l] = vals[(s + l) % 6];
      b[l] = vals[(s + l) / 6 % 6];
    }
    )" + isa.type + " va, vb, vm;\n    " + isa.load("va", "a") + "\n    " + isa.load("vb", "b") +
                                     "\n    vm = " + isa.max("va", "vb") + ";\n    " +
                                     isa.store("vm", "got") + R"(
    for (long l = 0; l < lanes; ++l) {
      const float want = a[l] > b[l] ? a[l] : b[l];
      bad += !(got[l] == want || (isnan(got[l]) && isnan(want)));
      ++cases;
    }
  }
  printf("%ld lanes, %ld wrong\n", cases, bad);
  return bad == 0 ? 0 : 1;
}
)", flags + " -lm");
}

TEST(Transposed, EachHostSpellingMatchesAPlainLoop) {
  check_transposed("host-portable", "");
  if (__builtin_cpu_supports("avx2")) check_transposed("host-avx2", "-mavx2 -mfma");
  if (__builtin_cpu_supports("avx512f")) check_transposed("host-avx512", "-mavx512f -mavx2 -mfma");
}

TEST(VectorMax, EachHostSpellingFollowsTheScalarRule) {
  check_max("host-portable", "");
  if (__builtin_cpu_supports("avx2")) check_max("host-avx2", "-mavx2 -mfma");
  if (__builtin_cpu_supports("avx512f")) check_max("host-avx512", "-mavx512f -mavx2 -mfma");
  EXPECT_FALSE(vector_isa(target::get_target("sw26010")).has_max());
}

TEST(EveryOther, EachHostSpellingReadsTheEvenElementsOnly) {
  check_every_other("host-portable", "");
  if (__builtin_cpu_supports("avx2")) check_every_other("host-avx2", "-mavx2 -mfma");
  if (__builtin_cpu_supports("avx512f")) check_every_other("host-avx512", "-mavx512f -mavx2 -mfma");
  EXPECT_FALSE(vector_isa(target::get_target("sw26010")).has_every_other());
}

TEST(RowCopy, Avx2MatchesAPlainLoop) {
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "this CPU has no AVX2";
  check_row_copy("host-avx2", "-mavx2 -mfma");
}

TEST(RowCopy, Avx512MatchesAPlainLoop) {
  if (!__builtin_cpu_supports("avx512f")) GTEST_SKIP() << "this CPU has no AVX-512";
  check_row_copy("host-avx512", "-mavx512f -mavx2 -mfma");
}

TEST(RowCopy, PortableHasNone) {
  EXPECT_FALSE(vector_isa(target::get_target("host-portable")).has_row_copy());
  EXPECT_EQ(vector_isa(target::get_target("host-portable")).row_copy_prelude(), "");
}

}  // namespace
}  // namespace swtc::codegen

// The host's inline exp, erf and tanh (codegen host_math_prelude) against
// libm: compiled with the generated code's warning flags, run over a sweep
// of finite values and the special ones.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "codegen/module_internal.h"

namespace swtc::codegen {
namespace {

TEST(HostMath, InlineFunctionsAgreeWithLibm) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("swtc_host_math_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream c(dir / "t.c");
    c << "#include <math.h>\n#include <stdio.h>\n" << detail::host_math_prelude() << R"(
static double rel(float got, float want) {
  const double d = fabs((double)got - (double)want);
  return d / (fabs((double)want) > 1e-30 ? fabs((double)want) : 1e-30);
}
int main(void) {
  double e = 0, r = 0, t = 0;
  int bad = 0;
  for (float x = -87.0f; x <= 88.0f; x += 0.0137f) {
    const double q = rel(swtc_expf(x), expf(x));
    if (q > e) e = q;
  }
  for (float x = -6.0f; x <= 6.0f; x += 0.00071f) {
    const double a = fabs((double)swtc_erff(x) - (double)erff(x));
    if (a > r) r = a;
    const double b = fabs((double)swtc_tanhf(x) - (double)tanhf(x));
    if (b > t) t = b;
  }
  /* IEEE special values behave as libm's. */
  bad += !isnan(swtc_expf(NAN)) + !isnan(swtc_erff(NAN)) + !isnan(swtc_tanhf(NAN));
  bad += swtc_expf(INFINITY) != INFINITY;
  bad += swtc_expf(100.0f) != INFINITY;
  bad += swtc_expf(-INFINITY) != 0.0f;
  bad += swtc_expf(-200.0f) != 0.0f;
  bad += swtc_erff(INFINITY) != 1.0f || swtc_erff(-INFINITY) != -1.0f;
  bad += swtc_tanhf(INFINITY) != 1.0f || swtc_tanhf(-INFINITY) != -1.0f;
  bad += swtc_expf(0.0f) != 1.0f;
  printf("exp max rel %.3g, erf max abs %.3g, tanh max abs %.3g, special failures %d\n", e, r, t, bad);
  return (e < 5e-7 && r < 1e-6 && t < 5e-7 && bad == 0) ? 0 : 1;
}
)";
  }
  const std::string cmd = "cc -std=c99 -O2 -Wall -Wextra -Werror -fno-math-errno -fno-trapping-math " +
                          (dir / "t.c").string() + " -o " + (dir / "t").string() + " -lm && " +
                          (dir / "t").string() + " > " + (dir / "out.txt").string();
  const int rc = std::system(cmd.c_str());
  std::ifstream out(dir / "out.txt");
  std::string text((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << text;
  std::printf("%s", text.c_str());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace swtc::codegen

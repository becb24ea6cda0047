// Limits on shapes and sizes (issue 13): graph/limits.h.
#include <gtest/gtest.h>

#include <cstdlib>

#include "common/error.h"
#include "graph/limits.h"

namespace swtc::graph {
namespace {

std::string error_of(const Shape &s, DType t) {
  try {
    check_tensor_shape(s, t, "input 'x'");
  } catch (const UserError &e) {
    return e.what();
  }
  return "";
}

struct EnvLimit {
  explicit EnvLimit(const char *v) { setenv("SWTC_MAX_TENSOR_BYTES", v, 1); }
  ~EnvLimit() { unsetenv("SWTC_MAX_TENSOR_BYTES"); }
};

TEST(Limits, RankAboveEightIsRefused) {
  EXPECT_EQ(error_of(Shape(8, 1), DType::F32), "");
  EXPECT_EQ(error_of(Shape(9, 1), DType::F32),
            "input 'x': rank 9 (shape [1,1,1,1,1,1,1,1,1]) is above 8, the largest rank swtc "
            "supports");
}

TEST(Limits, NegativeAndOverflowingShapes) {
  EXPECT_EQ(error_of({2, -1}, DType::F32), "input 'x': negative dimension in shape [2,-1]");
  EXPECT_EQ(error_of({int64_t{1} << 32, int64_t{1} << 32}, DType::F32),
            "input 'x': shape [4294967296,4294967296] has more elements than a 64-bit count "
            "holds");
  // The element count fits, the byte count does not.
  EXPECT_NE(error_of({int64_t{1} << 62}, DType::F32).find("64-bit"), std::string::npos);
  EXPECT_EQ(checked_num_elements({int64_t{1} << 32, int64_t{1} << 32}), -1);
  EXPECT_EQ(checked_num_elements({3, 0, 5}), 0);
  EXPECT_EQ(checked_num_elements({}), 1);
  // num_elements saturates instead of overflowing (UBSan found a Reshape to
  // [2^62, 4] multiplying out before its shape was checked).
  EXPECT_EQ(num_elements({int64_t{1} << 62, 4}), INT64_MAX);
}

TEST(Limits, SizeLimitFromTheEnvironment) {
  EnvLimit env("1K");
  EXPECT_EQ(max_tensor_bytes(), 1024);
  EXPECT_EQ(error_of({256}, DType::F32), "");
  EXPECT_EQ(error_of({257}, DType::F32),
            "input 'x': shape [257] of f32 is 1028 bytes, above the limit of 1024 bytes (a "
            "quarter of this machine's memory by default; set SWTC_MAX_TENSOR_BYTES to change "
            "it)");
  EXPECT_EQ(error_of({1024}, DType::U8), "");
}

TEST(Limits, MalformedEnvironmentValueIsAUserError) {
  for (const char *bad : {"", "abc", "12X", "-5", "0", "99999999999999999999999"}) {
    EnvLimit env(bad);
    EXPECT_THROW(max_tensor_bytes(), UserError) << bad;
  }
  EnvLimit env("3G");
  EXPECT_EQ(max_tensor_bytes(), int64_t{3} << 30);
}

TEST(Limits, DefaultIsAPositiveFractionOfMemory) {
  unsetenv("SWTC_MAX_TENSOR_BYTES");
  EXPECT_GT(max_tensor_bytes(), int64_t{1} << 20);
}

TEST(Printable, EscapesControlCharactersAndTruncates) {
  EXPECT_EQ(printable("a\nb\t\x01"), "a\\nb\\t\\x01");
  const std::string longname(1000, 'x');
  EXPECT_EQ(printable(longname), std::string(200, 'x') + "...(1000 bytes)");
  EXPECT_EQ(one_line("Field 'x'\n\n==> Context:  bad\n"), "Field 'x' ==> Context: bad");
}

}  // namespace
}  // namespace swtc::graph

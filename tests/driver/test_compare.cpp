// driver::compare_output: swtc run's check against the reference interpreter,
// with NaN and infinities treated like numpy.testing.assert_allclose(equal_nan=True).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "driver/driver.h"

namespace swtc::driver {
namespace {

graph::TensorData f32(std::vector<float> v) {
  graph::TensorData t;
  t.dtype = graph::DType::F32;
  t.shape = {static_cast<int64_t>(v.size())};
  t.f32 = std::move(v);
  return t;
}

const float kNan = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

TEST(Compare, EqualNanAndInfinitiesAgree) {
  const OutputCheck c = compare_output("y", f32({1, kNan, kInf, -kInf, 2}),
                                       f32({1, kNan, kInf, -kInf, 2}), 1e-4);
  EXPECT_TRUE(c.ok);
  EXPECT_EQ(c.nonfinite_mismatches, 0);
  EXPECT_EQ(c.max_abs, 0);
  EXPECT_EQ(c.rel_l2, 0);
}

TEST(Compare, NanAgainstANumberDiffers) {
  const OutputCheck a = compare_output("y", f32({1, kNan}), f32({1, 2}), 1e-4);
  EXPECT_FALSE(a.ok);
  EXPECT_EQ(a.nonfinite_mismatches, 1);
  const OutputCheck b = compare_output("y", f32({1, 2}), f32({1, kNan}), 1e-4);
  EXPECT_FALSE(b.ok);
  EXPECT_EQ(b.nonfinite_mismatches, 1);
}

TEST(Compare, InfinitiesThatDifferAreCounted) {
  const OutputCheck c =
      compare_output("y", f32({kInf, -kInf, kInf, 3}), f32({-kInf, 5, kNan, 3}), 1e-4);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.nonfinite_mismatches, 3);
  EXPECT_EQ(c.max_abs, 0);  // over the finite pairs only
}

TEST(Compare, FiniteTolerance) {
  EXPECT_TRUE(compare_output("y", f32({1, 2}), f32({1, 2.00001f}), 1e-4).ok);
  const OutputCheck c = compare_output("y", f32({1, 3}), f32({1, 2}), 1e-4);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.nonfinite_mismatches, 0);
  EXPECT_DOUBLE_EQ(c.max_abs, 1);
}

}  // namespace
}  // namespace swtc::driver

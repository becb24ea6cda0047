// Shared by the tests in tests/passes: output comparison with a relative
// tolerance (error over max(1, |want|), the float-vs-double-oracle measure).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace swtc::test {

inline ::testing::AssertionResult close_rel(const std::vector<float> &got,
                                            const std::vector<float> &want, double tol = 1e-5) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << "size " << got.size() << " vs " << want.size();
  int bad = 0;
  std::string msg;
  for (size_t i = 0; i < got.size(); ++i) {
    const double err =
        std::fabs(double(got[i]) - double(want[i])) / std::max(1.0, std::fabs(double(want[i])));
    if (!(err <= tol)) {
      if (bad < 5)
        msg += "\n  element " + std::to_string(i) + ": got " + std::to_string(got[i]) +
               ", want " + std::to_string(want[i]);
      ++bad;
    }
  }
  if (bad)
    return ::testing::AssertionFailure() << bad << " of " << got.size() << " elements differ" << msg;
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult same_outputs(const std::vector<graph::TensorData> &got,
                                               const std::vector<graph::TensorData> &want,
                                               double tol = 1e-5) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << got.size() << " outputs vs " << want.size();
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].shape != want[i].shape)
      return ::testing::AssertionFailure()
             << "output " << i << ": shape " << graph::shape_str(got[i].shape) << " vs "
             << graph::shape_str(want[i].shape);
    auto r = close_rel(got[i].f32, want[i].f32, tol);
    if (!r) return ::testing::AssertionFailure() << "output " << i << ": " << r.message();
  }
  return ::testing::AssertionSuccess();
}

inline int count_op(const graph::Graph &g, graph::OpKind op) {
  int c = 0;
  for (const auto &n : g.nodes) c += n.op == op;
  return c;
}

}  // namespace swtc::test

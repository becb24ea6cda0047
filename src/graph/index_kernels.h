// Data-movement kernels on flat row-major buffers, shared by the compile-time
// value propagation of shape inference (T = int64_t) and the reference
// interpreter (T = double). Shapes are assumed valid (checked by shape
// inference); parameters are the normalized ones (non-negative axes, ...).
#pragma once

#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace swtc::graph::kernels {

/// Row-major element strides of a shape.
inline std::vector<int64_t> strides_of(const Shape &s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t k = s.size(); k-- > 1;) st[k - 1] = st[k] * s[k];
  return st;
}

/// For each element of `out` (row-major), the index of the element of a tensor
/// of shape `in` that numpy broadcasting maps to it (`in` right-aligned, size-1
/// dimensions repeated).
inline std::vector<int64_t> broadcast_map(const Shape &out, const Shape &in) {
  size_t r = out.size();
  std::vector<int64_t> st(r, 0);
  int64_t acc = 1;
  for (size_t k = 0; k < in.size(); ++k) {
    size_t ax = in.size() - 1 - k;
    if (in[ax] != 1) st[r - 1 - k] = acc;
    acc *= in[ax];
  }
  int64_t n = num_elements(out);
  std::vector<int64_t> map(static_cast<size_t>(n));
  std::vector<int64_t> idx(r, 0);
  int64_t pos = 0;
  for (int64_t i = 0; i < n; ++i) {
    map[static_cast<size_t>(i)] = pos;
    for (size_t k = r; k-- > 0;) {
      ++idx[k];
      pos += st[k];
      if (idx[k] < out[k]) break;
      pos -= st[k] * idx[k];
      idx[k] = 0;
    }
  }
  return map;
}

/// out[i] = f(a[map_a[i]], b[map_b[i]]) with numpy broadcasting.
template <typename T, typename R, typename F>
void broadcast_binary(const std::vector<T> &a, const Shape &as, const std::vector<T> &b,
                      const Shape &bs, const Shape &os, std::vector<R> &out, F f) {
  size_t n = static_cast<size_t>(num_elements(os));
  out.resize(n);
  if (as == os && bs == os) {
    for (size_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
    return;
  }
  if (bs == os && a.size() == 1) {
    for (size_t i = 0; i < n; ++i) out[i] = f(a[0], b[i]);
    return;
  }
  if (as == os && b.size() == 1) {
    for (size_t i = 0; i < n; ++i) out[i] = f(a[i], b[0]);
    return;
  }
  std::vector<int64_t> ma = broadcast_map(os, as), mb = broadcast_map(os, bs);
  for (size_t i = 0; i < n; ++i)
    out[i] = f(a[static_cast<size_t>(ma[i])], b[static_cast<size_t>(mb[i])]);
}

/// Broadcast `in` (shape `is`) to shape `os`.
template <typename T>
std::vector<T> expand(const std::vector<T> &in, const Shape &is, const Shape &os) {
  std::vector<int64_t> m = broadcast_map(os, is);
  std::vector<T> out(m.size());
  for (size_t i = 0; i < m.size(); ++i) out[i] = in[static_cast<size_t>(m[i])];
  return out;
}

/// Gather along `axis` with non-negative, in-range indices.
template <typename T>
std::vector<T> gather(const std::vector<T> &data, const Shape &ds, int64_t axis,
                      const std::vector<int64_t> &indices) {
  int64_t outer = 1, inner = 1, d = ds[static_cast<size_t>(axis)];
  for (int64_t k = 0; k < axis; ++k) outer *= ds[static_cast<size_t>(k)];
  for (size_t k = static_cast<size_t>(axis) + 1; k < ds.size(); ++k) inner *= ds[k];
  std::vector<T> out;
  out.reserve(static_cast<size_t>(outer * inner) * indices.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j : indices) {
      const T *src = data.data() + (o * d + j) * inner;
      out.insert(out.end(), src, src + inner);
    }
  return out;
}

/// Concatenation along `axis` (all inputs have the output's rank).
template <typename T>
std::vector<T> concat(const std::vector<const std::vector<T> *> &ins,
                      const std::vector<Shape> &shapes, int64_t axis) {
  int64_t outer = 1, inner = 1;
  const Shape &s0 = shapes[0];
  for (int64_t k = 0; k < axis; ++k) outer *= s0[static_cast<size_t>(k)];
  for (size_t k = static_cast<size_t>(axis) + 1; k < s0.size(); ++k) inner *= s0[k];
  std::vector<T> out;
  for (int64_t o = 0; o < outer; ++o)
    for (size_t i = 0; i < ins.size(); ++i) {
      int64_t chunk = shapes[i][static_cast<size_t>(axis)] * inner;
      const T *src = ins[i]->data() + o * chunk;
      out.insert(out.end(), src, src + chunk);
    }
  return out;
}

/// Strided slice: output element with multi-index i reads input index
/// starts[a] + i[a] * steps[a] on every axis a.
template <typename T>
std::vector<T> slice(const std::vector<T> &in, const Shape &is, const std::vector<int64_t> &starts,
                     const std::vector<int64_t> &steps, const Shape &os) {
  size_t r = is.size();
  int64_t n = num_elements(os);
  std::vector<T> out(static_cast<size_t>(n));
  if (n == 0) return out;
  std::vector<int64_t> ist = strides_of(is), idx(r, 0);
  int64_t pos = 0;
  for (size_t a = 0; a < r; ++a) pos += starts[a] * ist[a];
  for (int64_t i = 0; i < n; ++i) {
    out[static_cast<size_t>(i)] = in[static_cast<size_t>(pos)];
    for (size_t k = r; k-- > 0;) {
      ++idx[k];
      pos += steps[k] * ist[k];
      if (idx[k] < os[k]) break;
      pos -= steps[k] * ist[k] * idx[k];
      idx[k] = 0;
    }
  }
  return out;
}

/// Transpose: output axis k is input axis perm[k].
template <typename T>
std::vector<T> transpose(const std::vector<T> &in, const Shape &is,
                         const std::vector<int64_t> &perm) {
  size_t r = is.size();
  Shape os(r);
  std::vector<int64_t> ist = strides_of(is), st(r);
  for (size_t k = 0; k < r; ++k) {
    os[k] = is[static_cast<size_t>(perm[k])];
    st[k] = ist[static_cast<size_t>(perm[k])];
  }
  std::vector<int64_t> starts(r, 0);
  return slice(in, Shape(r, 1), starts, st, os);  // reads in[sum i[k]*st[k]]
}

}  // namespace swtc::graph::kernels

#include "graph/resize.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "common/error.h"

namespace swtc::graph {

namespace {

template <typename... A>
[[noreturn]] void refuse(const Graph &g, const Node &n, const A &...why) {
  user_error("node '", printable(n.name), "' (", op_name(n.op), ", opset ", g.opset,
             "): not supported: ", why...);
}

bool one_of(const std::string &s, std::initializer_list<const char *> xs) {
  for (const char *x : xs)
    if (s == x) return true;
  return false;
}

/// The coefficients of the 2 (nearest, linear) or 4 (cubic) nearest input
/// points for `ratio` in (0, 1] (ONNX reference: nearest_coeffs,
/// linear_coeffs, cubic_coeffs).
std::vector<double> coeffs(const ResizeParams &p, double r, bool integer) {
  if (p.mode == "linear") return {1 - r, r};
  if (p.mode == "nearest") {
    if (integer) return {0, 1};
    if (p.nearest == "round_prefer_floor") return {r <= 0.5 ? 1.0 : 0.0, r > 0.5 ? 1.0 : 0.0};
    if (p.nearest == "round_prefer_ceil") return {r < 0.5 ? 1.0 : 0.0, r >= 0.5 ? 1.0 : 0.0};
    if (p.nearest == "floor") return {1, 0};
    return {0, 1};  // ceil
  }
  const double A = p.cubic_a, s = r + 1, t = 1 - r, u = t + 1;
  return {((A * s - 5 * A) * s + 8 * A) * s - 4 * A, ((A + 2) * r - (A + 3)) * r * r + 1,
          ((A + 2) * t - (A + 3)) * t * t + 1, ((A * u - 5 * A) * u + 8 * A) * u - 4 * A};
}

}  // namespace

ResizeParams resize_params(const Graph &g, const Node &n, const Shape &in,
                           const ResizeInput &input) {
  const std::string what = str_cat("node '", printable(n.name), "' (", op_name(n.op), ")");
  const size_t rank = in.size();
  ResizeParams p;
  const bool canonical = n.op == OpKind::Resize && n.inputs.size() == 1;
  p.mode = n.attr_string("mode", "nearest");
  if (p.mode == "bilinear") p.mode = "linear";  // Upsample-7's name
  const bool legacy = n.op == OpKind::Upsample || (g.opset < 11 && !canonical);
  if (legacy) {
    // Upsample and Resize-10: x / scale (asymmetric), nearest = floor.
    p.coord = "asymmetric";
    p.nearest = "floor";
  } else {
    p.coord = n.attr_string("coordinate_transformation_mode", "half_pixel");
    p.nearest = n.attr_string("nearest_mode", "round_prefer_floor");
    p.cubic_a = n.attr_float("cubic_coeff_a", -0.75f);
    p.exclude_outside = n.attr_int("exclude_outside", 0) != 0;
    p.extrapolation = n.attr_float("extrapolation_value", 0.0f);
  }
  if (!one_of(p.mode, {"nearest", "linear", "cubic"}) || (legacy && p.mode == "cubic"))
    refuse(g, n, "mode '", p.mode, "'");
  if (!one_of(p.coord, {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                        "tf_half_pixel_for_nn", "tf_crop_and_resize"}))
    refuse(g, n, "coordinate_transformation_mode '", p.coord, "'");
  if (!one_of(p.nearest, {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}))
    refuse(g, n, "nearest_mode '", p.nearest, "'");
  if (n.attr_int("antialias", 0) != 0) refuse(g, n, "antialias = 1");
  if (n.has_attr("axes")) refuse(g, n, "the axes attribute");
  if (n.attr_string("keep_aspect_ratio_policy", "stretch") != "stretch")
    refuse(g, n, "keep_aspect_ratio_policy '",
           n.attr_string("keep_aspect_ratio_policy", ""), "'");
  if (!canonical && n.op == OpKind::Resize && g.opset >= 11 && n.has_attr("scales"))
    refuse(g, n, "a scales attribute");

  // Scales, sizes, roi: inputs (by opset) or the attributes of the canonical form.
  std::optional<std::vector<double>> scales, sizes, roi;
  auto from_floats = [](const std::vector<float> &v) {
    return std::optional<std::vector<double>>(std::vector<double>(v.begin(), v.end()));
  };
  if (canonical || (n.op == OpKind::Upsample && n.inputs.size() == 1)) {
    if (n.has_attr("scales")) {
      const auto *v = std::get_if<std::vector<float>>(&n.attrs.at("scales"));
      if (!v) user_error(what, ": attribute scales must be floats");
      scales = from_floats(*v);
    }
    if (n.has_attr("sizes")) {
      std::vector<int64_t> s = n.attr_ints("sizes", {});
      sizes = std::vector<double>(s.begin(), s.end());
    }
    if (n.has_attr("roi")) {
      const auto *v = std::get_if<std::vector<float>>(&n.attrs.at("roi"));
      if (v) roi = from_floats(*v);
    }
  } else if (legacy) {
    scales = input(1);
  } else {
    roi = input(1);
    scales = input(2);
    sizes = input(3);
  }
  if (scales && sizes) user_error(what, ": both scales and sizes are given");
  if (!scales && !sizes) user_error(what, ": needs scales or sizes");
  const std::vector<double> &given = scales ? *scales : *sizes;
  if (given.size() != rank)
    user_error(what, ": ", scales ? "scales" : "sizes", " has ", given.size(),
               " entries for an input of rank ", rank);
  for (size_t d = 0; d < rank; ++d) {
    const double v = given[d];
    if (!(v > 0) || !std::isfinite(v) || v > 1e9)
      user_error(what, ": ", scales ? "scale " : "size ", v, " of axis ", d,
                 " must be positive");
    if (scales) {
      // ONNX: floor(input dimension * scale).
      const double o = std::floor(v * static_cast<double>(in[d]));
      if (o < 1 || o > 1e12)
        user_error(what, ": scale ", v, " gives ", o, " elements on axis ", d);
      p.out.push_back(static_cast<int64_t>(o));
      p.scales.push_back(static_cast<float>(v));
    } else {
      p.out.push_back(static_cast<int64_t>(v));
    }
  }
  if (p.coord == "tf_crop_and_resize") {
    if (!roi || roi->size() != 2 * rank)
      user_error(what, ": tf_crop_and_resize needs a roi of ", 2 * rank,
                 " entries");
    for (double v : *roi) p.roi.push_back(static_cast<float>(v));
  }
  if (legacy && p.mode == "nearest")
    for (size_t d = 0; d < rank; ++d)
      if (p.out[d] < in[d])
        refuse(g, n, "nearest downsampling (axis ", d, ") before opset 11");
  return p;
}

std::map<std::string, AttrValue> resize_attrs(const ResizeParams &p) {
  std::map<std::string, AttrValue> a;
  a["mode"] = p.mode;
  a["coordinate_transformation_mode"] = p.coord;
  a["nearest_mode"] = p.nearest;
  a["cubic_coeff_a"] = static_cast<float>(p.cubic_a);
  a["exclude_outside"] = int64_t{p.exclude_outside ? 1 : 0};
  a["extrapolation_value"] = static_cast<float>(p.extrapolation);
  if (!p.scales.empty())
    a["scales"] = p.scales;
  else
    a["sizes"] = p.out;
  if (!p.roi.empty()) a["roi"] = p.roi;
  return a;
}

ResizeTaps resize_taps(const ResizeParams &p, size_t axis, int64_t in) {
  const int64_t out = p.out.at(axis);
  const double len = static_cast<double>(in);
  // The scale and the "resized length" of the reference (scale * input
  // length, not rounded, when scales are given).
  const double scale = p.scales.empty() ? static_cast<double>(out) / len : p.scales[axis];
  const double length = p.scales.empty() ? static_cast<double>(out) : scale * len;
  ResizeTaps taps(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) {
    const double x = static_cast<double>(i);
    double xo = 0;
    if (p.coord == "half_pixel") {
      xo = (x + 0.5) / scale - 0.5;
    } else if (p.coord == "pytorch_half_pixel") {
      xo = length == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    } else if (p.coord == "align_corners") {
      xo = length == 1 ? 0 : x * (len - 1) / (length - 1);
    } else if (p.coord == "asymmetric") {
      xo = x / scale;
    } else if (p.coord == "tf_half_pixel_for_nn") {
      xo = (x + 0.5) / scale;
    } else {  // tf_crop_and_resize
      const double start = p.roi.at(axis), end = p.roi.at(axis + p.out.size());
      xo = length > 1 ? start * (len - 1) + x * (end - start) * (len - 1) / (length - 1)
                      : 0.5 * (start + end) * (len - 1);
      if (xo < 0 || xo > len - 1) continue;  // extrapolated: no taps
    }
    // The points: [base, base + 1] (nearest, linear) or [base - 1, base + 2]
    // (cubic), with ratio in (0, 1]: an integer coordinate takes the point
    // on its left as base (ratio 1).
    const double fl = std::floor(xo);
    const bool integer = xo == fl;
    const double ratio = integer ? 1.0 : xo - fl;
    const int64_t base = static_cast<int64_t>(fl) - (integer ? 1 : 0);
    std::vector<double> c = coeffs(p, ratio, integer);
    const int64_t first = c.size() == 4 ? base - 1 : base;
    if (p.exclude_outside) {
      double sum = 0;
      for (size_t t = 0; t < c.size(); ++t) {
        const int64_t j = first + static_cast<int64_t>(t);
        if (j < 0 || j >= in) c[t] = 0;
        sum += c[t];
      }
      if (sum != 0)
        for (double &v : c) v /= sum;
    }
    auto &row = taps[static_cast<size_t>(i)];
    for (size_t t = 0; t < c.size(); ++t) {
      if (c[t] == 0) continue;
      const int64_t j = std::clamp<int64_t>(first + static_cast<int64_t>(t), 0, in - 1);
      auto it = std::find_if(row.begin(), row.end(), [&](const auto &e) { return e.first == j; });
      if (it != row.end())
        it->second += c[t];
      else
        row.emplace_back(j, c[t]);
    }
    if (row.empty()) row.emplace_back(std::clamp<int64_t>(base, 0, in - 1), 0.0);
  }
  return taps;
}

bool resize_identity(const ResizeTaps &t, int64_t in) {
  if (static_cast<int64_t>(t.size()) != in) return false;
  for (size_t i = 0; i < t.size(); ++i)
    if (t[i].size() != 1 || t[i][0].first != static_cast<int64_t>(i) || t[i][0].second != 1.0)
      return false;
  return true;
}

}  // namespace swtc::graph

#include "graph/printer.h"

#include <charconv>

#include "common/error.h"

namespace swtc::graph {

namespace {

std::string float_str(float f) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, f);
  return std::string(buf, res.ptr);
}

template <typename T, typename F>
std::string list_str(const std::vector<T> &v, F fmt) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ",";
    out += fmt(v[i]);
  }
  return out + "]";
}

std::string int_str(int64_t v) { return std::to_string(v); }

std::string type_str(const Value &v) {
  if (!v.has_shape) return "?";
  return str_cat(dtype_name(v.dtype), shape_str(v.shape));
}

std::string tensor_values_str(const TensorData &t) {
  return t.dtype == DType::F32 ? list_str(t.f32, float_str) : list_str(t.i64, int_str);
}

}  // namespace

std::string attr_str(const AttrValue &v) {
  struct Fmt {
    std::string operator()(int64_t x) const { return int_str(x); }
    std::string operator()(float x) const { return float_str(x); }
    std::string operator()(const std::string &s) const { return str_cat('"', s, '"'); }
    std::string operator()(const std::vector<int64_t> &x) const { return list_str(x, int_str); }
    std::string operator()(const std::vector<float> &x) const { return list_str(x, float_str); }
    std::string operator()(const TensorData &t) const {
      std::string s = str_cat("tensor<", dtype_name(t.dtype), shape_str(t.shape), ">");
      if (t.size() <= 8) s += tensor_values_str(t);
      return s;
    }
  };
  return std::visit(Fmt{}, v);
}

std::string to_text(const Graph &g) {
  std::string out = str_cat("graph ", g.name, " (opset ", g.opset, ")\n");
  auto vname = [&](int id) {
    if (id < 0) return std::string("_");
    if (id >= static_cast<int>(g.values.size())) return str_cat("%<bad id ", id, ">");
    return "%" + g.values[id].name;
  };
  for (int id : g.inputs) out += str_cat("  input  ", vname(id), ": ", type_str(g.values[id]), "\n");
  for (const Value &v : g.values) {
    if (!v.constant) continue;
    out += str_cat("  const  %", v.name, ": ", type_str(v));
    if (v.constant->size() <= 8) out += " = " + tensor_values_str(*v.constant);
    out += "\n";
  }
  for (const Node &n : g.nodes) {
    out += "  ";
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      if (k) out += ", ";
      int id = n.outputs[k];
      out += vname(id);
      if (id >= 0 && id < static_cast<int>(g.values.size()))
        out += ": " + type_str(g.values[id]);
    }
    out += str_cat(" = ", op_name(n.op), "(");
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      if (k) out += ", ";
      out += vname(n.inputs[k]);
    }
    out += ")";
    if (!n.attrs.empty()) {
      out += " {";
      bool first = true;
      for (const auto &[key, val] : n.attrs) {  // std::map: sorted by name
        if (!first) out += ", ";
        first = false;
        out += key + "=" + attr_str(val);
      }
      out += "}";
    }
    out += "  # " + n.name + "\n";
  }
  for (int id : g.outputs) out += str_cat("  output ", vname(id), "\n");
  return out;
}

}  // namespace swtc::graph

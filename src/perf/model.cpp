#include "perf/model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "common/error.h"

namespace swtc::perf {

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string &where, const std::string &what) {
  user_error("perf model: bad emulator report: ", where, ": ", what);
}

const json &field(const json &obj, const char *key, const std::string &where) {
  auto it = obj.find(key);
  if (it == obj.end()) bad(where, str_cat("missing field \"", key, "\""));
  return *it;
}

int64_t count_field(const json &obj, const char *key, const std::string &where) {
  const json &v = field(obj, key, where);
  if (!v.is_number_integer()) bad(where, str_cat("\"", key, "\" is not an integer"));
  const int64_t n = v.get<int64_t>();
  if (n < 0) bad(where, str_cat("\"", key, "\" is negative (", n, ")"));
  return n;
}

// [[bin, count, bytes], ...]: bins in increasing order, each in range, with
// at least one transfer and bytes that fit its size range.
std::vector<SizeBin> parse_hist(const json &h, const char *key, const std::string &where) {
  if (!h.is_array()) bad(where, str_cat("\"", key, "\" is not an array"));
  std::vector<SizeBin> out;
  for (const json &e : h) {
    if (!e.is_array() || e.size() != 3 || !e[0].is_number_integer() ||
        !e[1].is_number_integer() || !e[2].is_number_integer())
      bad(where, str_cat("\"", key, "\" entries must be [bin, count, bytes] integers"));
    SizeBin b{e[0].get<int>(), e[1].get<int64_t>(), e[2].get<int64_t>()};
    if (b.bin < 0 || b.bin >= kDmaSizeBins)
      bad(where, str_cat("\"", key, "\" bin ", b.bin, " is outside 0..", kDmaSizeBins - 1));
    if (!out.empty() && b.bin <= out.back().bin)
      bad(where, str_cat("\"", key, "\" bins are not in increasing order"));
    const double lo = std::ldexp(1.0, b.bin), hi = std::ldexp(1.0, b.bin + 1);
    if (b.count <= 0 || double(b.bytes) < lo * double(b.count) ||
        (b.bin + 1 < kDmaSizeBins && double(b.bytes) >= hi * double(b.count)))
      bad(where, str_cat("\"", key, "\" bin ", b.bin, ": ", b.count, " transfers of ", b.bytes,
                         " bytes do not fit sizes [", lo, ", ", hi, ")"));
    out.push_back(b);
  }
  return out;
}

void check_hist(const std::vector<SizeBin> &h, int64_t count, int64_t bytes, const char *key,
                const char *what, const std::string &where) {
  int64_t n = 0, b = 0;
  for (const SizeBin &e : h) {
    n += e.count;
    b += e.bytes;
  }
  if (n != count || b != bytes)
    bad(where, str_cat("\"", key, "\" sums to ", n, " transfers and ", b, " bytes, but ", what,
                       " are ", count, " and ", bytes));
}

CpeCounters parse_cpe(const json &c, const std::string &where) {
  if (!c.is_object()) bad(where, "not an object");
  CpeCounters k;
  k.get_bytes = count_field(c, "get_bytes", where);
  k.get_count = count_field(c, "get_count", where);
  k.put_bytes = count_field(c, "put_bytes", where);
  k.put_count = count_field(c, "put_count", where);
  k.flops = count_field(c, "flops", where);
  if (c.contains("vector_flops")) k.vector_flops = count_field(c, "vector_flops", where);
  if (k.vector_flops > k.flops) bad(where, "vector_flops exceeds flops");
  if (c.contains("vector_mem")) k.vector_mem = count_field(c, "vector_mem", where);
  if (c.contains("bcast_count")) {
    k.bcast_count = count_field(c, "bcast_count", where);
    k.bcast_bytes = count_field(c, "bcast_bytes", where);
    if ((k.bcast_count > 0) != (k.bcast_bytes > 0))
      bad(where, "broadcast bytes and counts disagree");
  }
  if (c.contains("syn_count")) k.syn_count = count_field(c, "syn_count", where);
  if (c.contains("stride_count")) {
    k.stride_count = count_field(c, "stride_count", where);
    k.stride_blocks = count_field(c, "stride_blocks", where);
    k.stride_bytes = count_field(c, "stride_bytes", where);
  }
  if (k.stride_count > k.dma_count() || k.stride_bytes > k.dma_bytes() ||
      k.stride_blocks < k.stride_count || (k.stride_count > 0) != (k.stride_bytes > 0))
    bad(where, "strided DMA counters disagree with the DMA totals");
  if ((k.get_bytes > 0) != (k.get_count > 0) || (k.put_bytes > 0) != (k.put_count > 0))
    bad(where, "bytes and transfer counts disagree (bytes without transfers or the reverse)");
  if (c.contains("size_hist")) {
    k.size_hist = parse_hist(c["size_hist"], "size_hist", where);
    check_hist(k.size_hist, k.dma_count() - k.stride_count, k.dma_bytes() - k.stride_bytes,
               "size_hist", "the contiguous transfers", where);
  }
  if (c.contains("block_hist")) {
    k.block_hist = parse_hist(c["block_hist"], "block_hist", where);
    check_hist(k.block_hist, k.stride_blocks, k.stride_bytes, "block_hist",
               "the strided blocks", where);
  }
  return k;
}

Launch parse_launch(const json &l, size_t index) {
  const std::string where = str_cat("launch ", index);
  if (!l.is_object()) bad(where, "not an object");
  Launch out;
  const json &k = field(l, "kernel", where);
  if (!k.is_string()) bad(where, "\"kernel\" is not a string");
  out.kernel = k.get<std::string>();
  const json &s = field(l, "seconds", where);
  if (!s.is_number()) bad(where, "\"seconds\" is not a number");
  out.host_seconds = s.get<double>();
  if (l.contains("ldm_used_bytes")) out.ldm_used_bytes = count_field(l, "ldm_used_bytes", where);
  const json &cpes = field(l, "cpes", where);
  if (!cpes.is_array() || cpes.empty()) bad(where, "\"cpes\" is not a non-empty array");
  for (size_t i = 0; i < cpes.size(); ++i)
    out.cpes.push_back(parse_cpe(cpes[i], str_cat(where, " ('", out.kernel, "') CPE ", i)));
  return out;
}

void json_str(std::ostringstream &os, const std::string &s) {
  os << '"';
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      os << '\\' << ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      os << buf;
    } else {
      os << ch;
    }
  }
  os << '"';
}

}  // namespace

EmulatorReport parse_report(const std::string &json_text) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception &e) {
    user_error("perf model: emulator report is not valid JSON: ", e.what());
  }
  if (!j.is_object()) bad("top level", "not a JSON object");
  EmulatorReport r;
  r.ldm_static_bytes = count_field(j, "ldm_static_bytes", "top level");
  if (j.contains("ldm_budget_bytes")) r.ldm_budget_bytes = count_field(j, "ldm_budget_bytes", "top level");
  if (j.contains("launches_dropped")) r.launches_dropped = count_field(j, "launches_dropped", "top level");
  if (j.contains("core_group"))
    r.core_group = static_cast<int>(count_field(j, "core_group", "top level"));
  const json &ls = field(j, "launches", "top level");
  if (!ls.is_array()) bad("top level", "\"launches\" is not an array");
  for (size_t i = 0; i < ls.size(); ++i) r.launches.push_back(parse_launch(ls[i], i));
  return r;
}

EmulatorReport read_report_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) user_error("perf model: cannot read emulator report '", path, "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_report(ss.str());
}

std::string core_group_report_path(const std::string &path, int cg) {
  if (cg < 0) return path;
  const bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  const size_t stem = json ? path.size() - 5 : path.size();
  return str_cat(path.substr(0, stem), ".cg", cg, path.substr(stem));
}

std::vector<EmulatorReport> read_core_group_reports(const std::string &path, int core_groups) {
  if (core_groups < 1) user_error("perf model: core groups must be >= 1, got ", core_groups);
  if (core_groups == 1) return {read_report_file(path)};
  std::vector<EmulatorReport> out;
  for (int k = 0; k < core_groups; ++k) {
    const std::string p = core_group_report_path(path, k);
    out.push_back(read_report_file(p));
    if (out.back().core_group != k)
      user_error("perf model: emulator report '", p, "' is of core group ",
                 out.back().core_group, ", not ", k);
  }
  return out;
}

std::string report_to_json(const EmulatorReport &r) {
  std::ostringstream os;
  os << "{\"ldm_static_bytes\":" << r.ldm_static_bytes << ",\"ldm_budget_bytes\":"
     << r.ldm_budget_bytes << ",\"launches_dropped\":" << r.launches_dropped << ",";
  if (r.core_group >= 0) os << "\"core_group\":" << r.core_group << ",";
  os << "\"launches\":[";
  for (size_t i = 0; i < r.launches.size(); ++i) {
    const Launch &l = r.launches[i];
    os << (i ? "," : "") << "\n{\"kernel\":";
    json_str(os, l.kernel);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", l.host_seconds);
    os << ",\"seconds\":" << buf << ",";
    if (l.ldm_used_bytes >= 0) os << "\"ldm_used_bytes\":" << l.ldm_used_bytes << ",";
    os << "\"cpes\":[";
    for (size_t k = 0; k < l.cpes.size(); ++k) {
      const CpeCounters &c = l.cpes[k];
      os << (k ? "," : "") << "{\"get_bytes\":" << c.get_bytes << ",\"get_count\":" << c.get_count
         << ",\"put_bytes\":" << c.put_bytes << ",\"put_count\":" << c.put_count
         << ",\"flops\":" << c.flops;
      if (c.vector_flops) os << ",\"vector_flops\":" << c.vector_flops;
      if (c.vector_mem) os << ",\"vector_mem\":" << c.vector_mem;
      if (c.stride_count)
        os << ",\"stride_count\":" << c.stride_count << ",\"stride_blocks\":" << c.stride_blocks
           << ",\"stride_bytes\":" << c.stride_bytes;
      if (c.bcast_count)
        os << ",\"bcast_count\":" << c.bcast_count << ",\"bcast_bytes\":" << c.bcast_bytes;
      if (c.syn_count) os << ",\"syn_count\":" << c.syn_count;
      for (const auto &[key, h] : {std::pair{"size_hist", &c.size_hist},
                                   std::pair{"block_hist", &c.block_hist}}) {
        if (h->empty()) continue;
        os << ",\"" << key << "\":[";
        for (size_t b = 0; b < h->size(); ++b)
          os << (b ? "," : "") << "[" << (*h)[b].bin << "," << (*h)[b].count << ","
             << (*h)[b].bytes << "]";
        os << "]";
      }
      os << "}";
    }
    os << "]}";
  }
  os << "]}\n";
  return os.str();
}

double cpe_dma_seconds(const CpeCounters &c, const Params &p) {
  const double bytes = static_cast<double>(c.dma_bytes()), n = static_cast<double>(c.dma_count());
  const double sbytes = static_cast<double>(c.stride_bytes);
  // The mean-size formula for a part without a histogram.
  double s = p.dma_shared_seconds(
      c.size_hist.empty() ? bytes - sbytes : 0, c.size_hist.empty() ? n - double(c.stride_count) : 0,
      0, 0, 0);
  if (c.block_hist.empty())
    s += p.dma_shared_seconds(sbytes, double(c.stride_count), sbytes, double(c.stride_count),
                              double(c.stride_blocks));
  for (const SizeBin &b : c.size_hist)
    s += double(b.bytes) / p.dma_bandwidth(double(b.bytes) / double(b.count));
  for (const SizeBin &b : c.block_hist)
    s += double(b.bytes) / p.dma_stride_bandwidth(double(b.bytes) / double(b.count));
  return s;
}

KernelPrediction predict(const Launch &l, const Params &p, double flops_override,
                         double override_vector_fraction) {
  const int max_cpes = static_cast<int>(p.cpes_per_cg.value);
  if (l.cpes.empty() || static_cast<int64_t>(l.cpes.size()) > max_cpes)
    user_error("perf model: launch of '", l.kernel, "' has ", l.cpes.size(),
               " CPEs; a core group of ", p.target, " has 1..", max_cpes);
  if (!std::isfinite(flops_override))
    user_error("perf model: flops override for '", l.kernel, "' is not finite");
  if (!(override_vector_fraction >= 0 && override_vector_fraction <= 1))
    user_error("perf model: vector fraction for '", l.kernel, "' must be in [0, 1], got ",
               override_vector_fraction);

  KernelPrediction k;
  k.kernel = l.kernel;
  k.ldm_used_bytes = l.ldm_used_bytes;
  k.launch_s = p.launch_overhead_s.value;

  // DMA: one engine per core group, shared. Each CPE's bytes move at the
  // aggregate 64-CPE bandwidth of its mean transfer size; the times add up.
  // Floor: a CPE cannot finish its blocking transfers faster than one
  // latency each.
  int dma_cpes = 0;
  int64_t most_syn = 0;
  for (const CpeCounters &c : l.cpes) {
    // Broadcasts: main memory read once per broadcast, on the shared engine.
    const double b = p.bcast_seconds(static_cast<double>(c.bcast_bytes),
                                     static_cast<double>(c.bcast_count));
    k.bcast_s += b;
    k.dma_shared_s += b;
    k.bcast_bytes += c.bcast_bytes;
    k.bcast_count += c.bcast_count;
    most_syn = std::max(most_syn, c.syn_count);
    const int64_t bytes = c.dma_bytes(), n = c.dma_count();
    k.dma_bytes += bytes;
    k.dma_transfers += n;
    if (n + c.bcast_count == 0) continue;
    ++dma_cpes;
    k.dma_shared_s += cpe_dma_seconds(c, p);
    k.dma_floor_s = std::max(k.dma_floor_s, static_cast<double>(n) * p.dma_transfer_latency_s.value);
  }
  k.dma_s = std::max(k.dma_shared_s, k.dma_floor_s);
  k.barrier_s = static_cast<double>(most_syn) * p.barrier_s.value;

  // Compute: the slowest CPE; vector code at the SIMD rate or at the rate its
  // LDM accesses issue on the memory pipeline, whichever is slower; the rest scalar.
  const double vec_rate = p.cpe_peak_flops(), scalar_rate = p.cpe_scalar_flops();
  const double mem_rate = p.clock_hz.value * p.vector_mem_per_cycle.value;
  auto cpe_time = [&](double vector_flops, double scalar_flops, double vector_mem = 0) {
    return std::max(vector_flops / vec_rate, vector_mem / mem_rate) + scalar_flops / scalar_rate;
  };
  int busy = 0;
  if (flops_override >= 0) {
    const int share = dma_cpes > 0 ? dma_cpes : static_cast<int>(l.cpes.size());
    const double per_cpe = flops_override / share;
    k.flops = flops_override;
    k.vector_flops = flops_override * override_vector_fraction;
    k.compute_s = cpe_time(per_cpe * override_vector_fraction,
                           per_cpe * (1 - override_vector_fraction));
    for (const CpeCounters &c : l.cpes)
      if (c.dma_count() > 0 || (dma_cpes == 0 && flops_override > 0)) ++busy;
  } else {
    for (const CpeCounters &c : l.cpes) {
      const double v = static_cast<double>(c.vector_flops);
      const double s = static_cast<double>(c.flops - c.vector_flops);
      k.flops += static_cast<double>(c.flops);
      k.vector_flops += v;
      k.compute_s = std::max(k.compute_s, cpe_time(v, s, static_cast<double>(c.vector_mem)));
      if (c.dma_count() > 0 || c.flops > 0) ++busy;
    }
  }
  k.busy_cpes = busy;

  k.seconds_overlap = std::max(k.compute_s, k.dma_s) + k.barrier_s + k.launch_s;
  k.seconds_no_overlap = k.compute_s + k.dma_s + k.barrier_s + k.launch_s;
  k.dma_bound = k.dma_s > k.compute_s;
  k.gflops_overlap = k.flops / k.seconds_overlap / 1e9;
  k.gflops_no_overlap = k.flops / k.seconds_no_overlap / 1e9;
  k.peak_fraction_overlap = k.flops / k.seconds_overlap / p.cg_peak_flops();
  k.peak_fraction_no_overlap = k.flops / k.seconds_no_overlap / p.cg_peak_flops();
  return k;
}

ReportPrediction predict_report(const EmulatorReport &r, const Params &p,
                                const std::map<std::string, double> &flops_by_kernel,
                                double override_vector_fraction) {
  ReportPrediction out;
  out.target = p.target;
  out.launches_dropped = r.launches_dropped;
  for (const Launch &l : r.launches) {
    auto it = flops_by_kernel.find(l.kernel);
    const double ov = it == flops_by_kernel.end() ? -1 : it->second;
    if (it != flops_by_kernel.end() && !(ov >= 0))
      user_error("perf model: flop count for kernel '", l.kernel, "' must be >= 0, got ", ov);
    KernelPrediction k = predict(l, p, ov, override_vector_fraction);
    out.seconds_overlap += k.seconds_overlap;
    out.seconds_no_overlap += k.seconds_no_overlap;
    out.compute_s += k.compute_s;
    out.dma_s += k.dma_s;
    out.flops += k.flops;
    out.dma_bytes += k.dma_bytes;
    out.dma_transfers += k.dma_transfers;
    out.launches.push_back(std::move(k));
  }
  return out;
}

CoreGroupsPrediction predict_core_groups(const std::vector<EmulatorReport> &reports,
                                         const Params &p) {
  if (reports.empty()) user_error("perf model: no core group reports");
  CoreGroupsPrediction out;
  for (const EmulatorReport &r : reports) out.per_cg.push_back(predict_report(r, p));
  const ReportPrediction &first = out.per_cg[0];
  for (size_t c = 1; c < out.per_cg.size(); ++c) {
    const ReportPrediction &o = out.per_cg[c];
    bool same = o.launches.size() == first.launches.size();
    for (size_t i = 0; same && i < o.launches.size(); ++i)
      same = o.launches[i].kernel == first.launches[i].kernel;
    if (!same)
      user_error("perf model: core group ", c, " ran a different sequence of launches (",
                 o.launches.size(), ") than core group 0 (", first.launches.size(), ")");
  }
  const double groups = static_cast<double>(reports.size());
  ReportPrediction &all = out.combined;
  all.target = p.target;
  for (size_t i = 0; i < first.launches.size(); ++i) {
    KernelPrediction k = first.launches[i];
    for (size_t c = 1; c < out.per_cg.size(); ++c) {
      const KernelPrediction &o = out.per_cg[c].launches[i];
      k.compute_s = std::max(k.compute_s, o.compute_s);
      k.dma_s = std::max(k.dma_s, o.dma_s);
      k.dma_shared_s = std::max(k.dma_shared_s, o.dma_shared_s);
      k.dma_floor_s = std::max(k.dma_floor_s, o.dma_floor_s);
      k.bcast_s = std::max(k.bcast_s, o.bcast_s);
      k.barrier_s = std::max(k.barrier_s, o.barrier_s);
      k.bcast_bytes += o.bcast_bytes;
      k.bcast_count += o.bcast_count;
      k.seconds_overlap = std::max(k.seconds_overlap, o.seconds_overlap);
      k.seconds_no_overlap = std::max(k.seconds_no_overlap, o.seconds_no_overlap);
      k.flops += o.flops;
      k.vector_flops += o.vector_flops;
      k.dma_bytes += o.dma_bytes;
      k.dma_transfers += o.dma_transfers;
      k.busy_cpes += o.busy_cpes;
      k.ldm_used_bytes = std::max(k.ldm_used_bytes, o.ldm_used_bytes);
    }
    k.dma_bound = k.dma_s > k.compute_s;
    k.gflops_overlap = k.flops / k.seconds_overlap / 1e9;
    k.gflops_no_overlap = k.flops / k.seconds_no_overlap / 1e9;
    k.peak_fraction_overlap = k.flops / k.seconds_overlap / (groups * p.cg_peak_flops());
    k.peak_fraction_no_overlap = k.flops / k.seconds_no_overlap / (groups * p.cg_peak_flops());
    all.launches.push_back(std::move(k));
  }
  for (const ReportPrediction &r : out.per_cg) {
    all.seconds_overlap = std::max(all.seconds_overlap, r.seconds_overlap);
    all.seconds_no_overlap = std::max(all.seconds_no_overlap, r.seconds_no_overlap);
    all.compute_s = std::max(all.compute_s, r.compute_s);
    all.dma_s = std::max(all.dma_s, r.dma_s);
    all.flops += r.flops;
    all.dma_bytes += r.dma_bytes;
    all.dma_transfers += r.dma_transfers;
    all.launches_dropped += r.launches_dropped;
  }
  return out;
}

}  // namespace swtc::perf

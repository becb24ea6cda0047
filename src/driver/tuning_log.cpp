#include "driver/tuning_log.h"

#include <cctype>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/error.h"
#include "common/names.h"

namespace swtc::driver {

std::string tuning_line(const TuningEntry &e) {
  nlohmann::ordered_json j;
  j["kernel"] = e.kernel;
  j["target"] = e.target;
  j["candidate"] = e.candidate;
  j["seconds"] = e.seconds;
  j["source"] = e.source;
  if (!e.measured_on.empty()) j["measured_on"] = e.measured_on;
  j["machine"] = e.machine;
  if (!e.op.empty()) j["op"] = e.op;
  if (!e.shape.empty()) j["shape"] = e.shape;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

TuningEntry parse_tuning_line(const std::string &text, const std::string &file, size_t line) {
  auto fail = [&](const std::string &why) -> TuningEntry {
    user_error("tuning log '", printable(file), "' line ", line, ": ", why);
  };
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return fail("not valid JSON");
  if (!j.is_object()) return fail("not a JSON object");
  TuningEntry e;
  e.line = line;
  auto str = [&](const char *key, std::string &out, bool required) {
    auto it = j.find(key);
    if (it == j.end()) {
      if (required) fail(std::string("no \"") + key + "\" key");
      return;
    }
    if (!it->is_string()) fail(std::string("\"") + key + "\" is not a string");
    out = it->get<std::string>();
  };
  str("kernel", e.kernel, true);
  str("target", e.target, true);
  str("candidate", e.candidate, true);
  str("source", e.source, true);
  str("measured_on", e.measured_on, false);
  str("machine", e.machine, true);
  str("op", e.op, false);
  str("shape", e.shape, false);
  bool sig_ok = e.kernel.size() == 17 && e.kernel[0] == 'k';
  for (size_t i = 1; sig_ok && i < e.kernel.size(); ++i)
    sig_ok = std::isxdigit(static_cast<unsigned char>(e.kernel[i])) && !std::isupper(e.kernel[i]);
  if (!sig_ok) fail("\"kernel\" '" + printable(e.kernel) + "' is not a kernel signature (k and 16 hex digits)");
  if (e.target.empty()) fail("\"target\" is empty");
  if (e.candidate.empty()) fail("\"candidate\" is empty");
  if (e.source != "measured" && e.source != "model")
    fail("\"source\" '" + printable(e.source) + "' is neither \"measured\" nor \"model\"");
  if (e.source == "measured" && e.measured_on != "host" && e.measured_on != "emulator" &&
      e.measured_on != "sunway")
    fail("a measured entry needs \"measured_on\": \"host\", \"emulator\" or \"sunway\"");
  auto it = j.find("seconds");
  if (it == j.end()) fail("no \"seconds\" key");
  if (!it->is_number()) fail("\"seconds\" is not a number");
  e.seconds = it->get<double>();
  if (!std::isfinite(e.seconds) || e.seconds <= 0) fail("\"seconds\" must be a positive number");
  return e;
}

std::vector<TuningEntry> read_tuning_log(const std::string &file, bool missing_ok,
                                         bool partial_tail_ok, size_t *dropped_line) {
  if (dropped_line) *dropped_line = 0;
  std::ifstream is(file, std::ios::binary);
  if (!is) {
    if (missing_ok) return {};
    user_error("cannot read the tuning log '", printable(file), "'");
  }
  std::stringstream ss;
  ss << is.rdbuf();
  const std::string text = ss.str();
  std::vector<TuningEntry> out;
  size_t line = 0;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    const bool last_unterminated = end == std::string::npos;
    if (last_unterminated) end = text.size();
    ++line;
    std::string l = text.substr(at, end - at);
    at = end + 1;
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.find_first_not_of(" \t") == std::string::npos) continue;
    if (partial_tail_ok && last_unterminated) {
      try {
        out.push_back(parse_tuning_line(l, file, line));
      } catch (const UserError &) {
        if (dropped_line) *dropped_line = line;
      }
      continue;
    }
    out.push_back(parse_tuning_line(l, file, line));
  }
  return out;
}

namespace {
/// Source classes, best first: 2 real measurements, 1 model, 0 emulator.
int source_class(const TuningEntry &e) {
  if (e.source == "model") return 1;
  return e.measured_on == "emulator" ? 0 : 2;
}
}  // namespace

std::map<std::string, TuningBest> best_entries(const std::vector<TuningEntry> &entries,
                                               const std::string &target) {
  // kernel -> best class -> candidate -> the latest entry
  std::map<std::string, std::pair<int, std::map<std::string, const TuningEntry *>>> by_kernel;
  for (const TuningEntry &e : entries) {
    if (e.target != target) continue;
    const int c = source_class(e);
    auto [it, fresh] = by_kernel.try_emplace(e.kernel, c, std::map<std::string, const TuningEntry *>{});
    if (c < it->second.first) continue;
    if (c > it->second.first) {
      it->second.first = c;
      it->second.second.clear();
    }
    it->second.second[e.candidate] = &e;
  }
  std::map<std::string, TuningBest> out;
  for (const auto &[kernel, cls] : by_kernel) {
    const auto &cands = cls.second;
    const TuningEntry *best = nullptr;
    const TuningEntry *def = nullptr;
    if (auto d = cands.find(target::kDefaultCandidate); d != cands.end()) def = d->second;
    if (def) best = def;
    for (const auto &[name, e] : cands)  // by spelling: ties keep the first
      if (!best || e->seconds < best->seconds) best = e;
    TuningBest b;
    if (def) {
      b.default_seconds = def->seconds;
      const double margin = cls.first == 2 ? kMeasuredMargin : 0.0;
      if (best != def && best->seconds > def->seconds * (1.0 - margin)) best = def;
    }
    b.best = *best;
    out.emplace(kernel, std::move(b));
  }
  return out;
}

target::TileChoices tile_choices(const std::map<std::string, TuningBest> &best) {
  target::TileChoices c;
  for (const auto &[k, b] : best) c[k] = b.best.candidate;
  return c;
}

std::string machine_description(const target::Target &t) {
  std::string cpu;
  if (t.kind == target::Kind::Host) {
    std::ifstream is("/proc/cpuinfo");
    std::string l;
    while (std::getline(is, l))
      if (l.rfind("model name", 0) == 0) {
        const size_t c = l.find(':');
        if (c != std::string::npos) cpu = l.substr(l.find_first_not_of(" \t", c + 1));
        break;
      }
    if (cpu.empty()) cpu = "unknown CPU";
    std::ostringstream os;
    os << cpu << ", " << std::thread::hardware_concurrency() << " logical CPUs, "
       << target::simd_name(t.simd) << ", L1 " << t.l1_bytes << " B, L2 " << t.l2_bytes << " B";
    return os.str();
  }
  return t.name + " core group (performance model, docs/perf-model.md)";
}

}  // namespace swtc::driver

#include "driver/tune.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/error.h"
#include "driver/driver.h"
#include "driver/profile.h"
#include "driver/tuning_log.h"

namespace swtc::driver {

namespace {

/// A distinct tunable choice: a kernel's tiles (its signature, candidates,
/// and the model's kernels, by C name, that have it) or a Conv's algorithm
/// (the Conv nodes that have it, each timed as the sum of its kernels: one
/// direct, or Winograd's three).
struct Distinct {
  KernelChoice first;
  bool algorithm = false;
  std::vector<std::string> names;  // tiles: the kernels
  std::vector<int> nodes;          // algorithm: the Conv nodes
  std::set<std::string> done;      // candidates with an entry of this tuner's source in the log
};

std::string us(double s) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f us", s * 1e6);
  return b;
}

/// Appends lines to the log and flushes: a round's entries land together,
/// so an interrupt loses at most the round being measured.
void append_lines(const std::string &file, const std::vector<std::string> &lines) {
  std::ofstream os(file, std::ios::binary | std::ios::app);
  for (const auto &l : lines) os << l << "\n";
  os.flush();
  if (!os) user_error("cannot append to the tuning log '", printable(file), "'");
}

}  // namespace

TuneResult tune_model(const std::string &model_path, const TuneOptions &opts, std::ostream &out,
                      std::ostream &log) {
  if (opts.log.empty()) user_error("swtc tune needs --log FILE (the tuning log, appended to)");
  if (opts.trials < 0) user_error("--trials ", opts.trials, ": must be at least 1");
  const target::Target t = target::get_target(opts.target);
  const bool host = t.kind == target::Kind::Host;
  const size_t trials = size_t(opts.trials ? opts.trials : host ? 8 : 4);
  if (trials < 1) user_error("--trials ", opts.trials, ": must be at least 1");
  const std::string tname = target::tuning_target_name(t);
  const std::string source = host ? "measured" : "model";
  const std::string measured_on = host ? "host" : "";
  const std::string machine = machine_description(t);
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };

  append_lines(opts.log, {});  // the log exists from here on, even with nothing to tune
  // 1. Measurements from elsewhere (e.g. a Sunway machine) join the log first.
  for (const std::string &m : opts.measurements) {
    const std::vector<TuningEntry> es = read_tuning_log(m);
    std::vector<std::string> lines;
    for (const TuningEntry &e : es) lines.push_back(tuning_line(e));
    append_lines(opts.log, lines);
    log << "merged " << es.size() << " entries of " << printable(m) << " into the log\n";
  }

  // 2. What the log holds already (resume). A last line cut short by an
  // interrupt is dropped (rewritten without it).
  size_t dropped = 0;
  std::vector<TuningEntry> entries = read_tuning_log(opts.log, /*missing_ok=*/true, true, &dropped);
  if (dropped) {
    log << "tuning log line " << dropped << " is incomplete (an interrupted write): dropped\n";
    std::ofstream os(opts.log, std::ios::binary | std::ios::trunc);
    for (const auto &e : entries) os << tuning_line(e) << "\n";
    if (!os) user_error("cannot rewrite the tuning log '", printable(opts.log), "'");
  }

  // 3. The model's Conv algorithms (host: direct or Winograd, per Conv node)
  // and kernels, their signatures and candidates.
  const graph::Graph g = import_model(model_path, {}, opts.shapes);
  std::vector<KernelChoice> kcs, algos;
  CompileOptions co;
  co.target = opts.target;
  co.name = model_name_from_path(model_path);
  co.schedule = opts.schedule;
  co.kernel_choices = &kcs;
  co.conv_algorithms = &algos;
  co.list_candidates = trials;
  compile_graph(g, co);
  TuneResult res;
  auto group = [&](const std::vector<KernelChoice> &ks, bool algorithm) {
    std::vector<Distinct> distinct;
    std::map<std::string, size_t> index;
    for (const KernelChoice &k : ks) {
      if (k.candidates.size() < 2) continue;
      auto [it, fresh] = index.try_emplace(k.signature, distinct.size());
      if (fresh) distinct.push_back({k, algorithm, {}, {}, {}});
      distinct[it->second].names.push_back(k.name);
      distinct[it->second].nodes.push_back(k.node);
    }
    for (const TuningEntry &e : entries) {
      if (e.target != tname || e.source != source || e.measured_on != measured_on) continue;
      if (auto it = index.find(e.kernel); it != index.end()) distinct[it->second].done.insert(e.candidate);
    }
    return distinct;
  };
  auto pending = [&](const Distinct &d) {
    size_t n = 0;
    for (const auto &c : d.first.candidates) n += d.done.count(c) ? 0 : 1;
    return n;
  };
  auto best_text = [&](const std::string &sig) {
    const auto best = best_entries(entries, tname);
    auto it = best.find(sig);
    if (it == best.end()) return std::string("none yet");
    std::string s = it->second.best.candidate + " " + us(it->second.best.seconds);
    if (it->second.default_seconds > 0) s += " (default " + us(it->second.default_seconds) + ")";
    return s;
  };
  auto label = [](const Distinct &d) {
    return std::string(d.algorithm ? "conv algorithm " : "kernel ");
  };

  // Measures (or predicts) the model built with `choices`: per choice of
  // `distinct` that `choices` names, its seconds.
  auto measure = [&](const target::TileChoices &choices, const std::vector<Distinct> &distinct) {
    ProfileOptions po;
    po.target = opts.target;
    po.schedule = opts.schedule;
    po.shapes = opts.shapes;
    po.repeat = opts.repeat;
    po.warmup = opts.warmup;
    po.threads = opts.threads;
    po.tile_choices = &choices;
    std::ostringstream sink, plog;
    const Profile p = profile_model(model_path, po, sink, plog);
    ++res.rounds_run;
    std::map<std::string, double> by_name;
    for (const auto &l : p.layers) by_name[l.name] = l.seconds;
    // A Conv's time is its kernels' sum: which kernels a node has depends
    // on this build's algorithms, so the same compile names them.
    std::map<int, double> by_node;
    if (!distinct.empty() && distinct[0].algorithm) {
      std::vector<KernelChoice> round_kernels;
      CompileOptions rc = co;
      rc.kernel_choices = &round_kernels;
      rc.conv_algorithms = nullptr;
      rc.list_candidates = 0;
      rc.tile_choices = &choices;
      compile_graph(g, rc);
      for (const KernelChoice &k : round_kernels)
        if (auto it = by_name.find(k.name); it != by_name.end() && k.node >= 0)
          by_node[k.node] += it->second;
    }
    std::map<std::string, double> secs;
    for (const Distinct &d : distinct) {
      if (!choices.count(d.first.signature)) continue;
      double sum = 0;
      size_t n = 0;
      for (size_t j = 0; j < d.names.size(); ++j)
        if (d.algorithm) {
          if (auto it = by_node.find(d.nodes[j]); it != by_node.end()) {
            sum += it->second;
            ++n;
          }
        } else if (auto it = by_name.find(d.names[j]); it != by_name.end()) {
          sum += it->second;
          ++n;
        }
      if (n == 0 || !(sum > 0))
        internal_error("the profile has no time for ", label(d), d.names[0], " (",
                       d.first.signature, ")");
      secs[d.first.signature] = sum / double(n);
    }
    return secs;
  };
  auto entry = [&](const Distinct &d, const std::string &candidate, double seconds) {
    TuningEntry e;
    e.kernel = d.first.signature;
    e.target = tname;
    e.candidate = candidate;
    e.seconds = seconds;
    e.source = source;
    e.measured_on = measured_on;
    e.machine = machine;
    e.op = d.first.what;
    e.shape = d.first.shape;
    return e;
  };
  auto record = [&](const std::vector<TuningEntry> &fresh) {
    std::vector<std::string> lines;
    for (const auto &e : fresh) lines.push_back(tuning_line(e));
    append_lines(opts.log, lines);
    res.entries_written += lines.size();
    entries.insert(entries.end(), fresh.begin(), fresh.end());
  };

  // 4. Rounds: round r builds the model with every incomplete choice's r-th
  // candidate (the others as `base`) and times (or predicts) every kernel in
  // one run; each kernel's own timer isolates it.
  auto run_rounds = [&](std::vector<Distinct> &distinct, const target::TileChoices &base,
                        const char *phase) {
    size_t rounds = 0;
    for (size_t i = 0; i < distinct.size(); ++i) {
      const Distinct &d = distinct[i];
      rounds = std::max(rounds, d.first.candidates.size());
      if (!pending(d)) {
        ++res.complete_before;
        out << label(d) << i + 1 << " of " << distinct.size() << " " << d.first.signature << " ("
            << d.first.what << ", " << d.first.shape << "): complete in the log, best "
            << best_text(d.first.signature) << "\n";
      }
    }
    std::vector<size_t> todo;
    for (size_t r = 0; r < rounds; ++r)
      for (const Distinct &d : distinct)
        if (r < d.first.candidates.size() && !d.done.count(d.first.candidates[r])) {
          todo.push_back(r);
          break;
        }
    const auto phase_started = std::chrono::steady_clock::now();
    auto progress = [&](size_t done, size_t total, const char *what) {
      const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                       phase_started).count();
      const double left = el / double(done) * double(total - done);
      char b[200];
      std::snprintf(b, sizeof b,
                    "%s %zu of %zu (%s) done: %.1f s elapsed, about %.1f s left in this phase\n",
                    what, done, total, phase, elapsed(), left);
      out << b;
      out.flush();
    };
    for (size_t ri = 0; ri < todo.size(); ++ri) {
      const size_t r = todo[ri];
      target::TileChoices choices = base;
      size_t measuring = 0;
      for (const Distinct &d : distinct)
        if (r < d.first.candidates.size() && !d.done.count(d.first.candidates[r])) {
          choices[d.first.signature] = d.first.candidates[r];
          ++measuring;
        }
      log << "round " << ri + 1 << " of " << todo.size() << " (" << phase << "): candidate "
          << r + 1 << " for " << measuring << " choice(s), "
          << (host ? "building and timing" : "building and running on the emulator") << "...\n";
      const std::map<std::string, double> secs = measure(choices, distinct);
      std::vector<TuningEntry> fresh;
      for (Distinct &d : distinct) {
        auto c = choices.find(d.first.signature);
        if (c == choices.end() || d.done.count(c->second)) continue;
        fresh.push_back(entry(d, c->second, secs.at(d.first.signature)));
        d.done.insert(c->second);
      }
      record(fresh);
      for (size_t i = 0; i < distinct.size(); ++i) {
        const Distinct &d = distinct[i];
        for (const auto &e : fresh)
          if (e.kernel == d.first.signature)
            out << label(d) << i + 1 << " of " << distinct.size() << " " << d.first.signature
                << " (" << d.first.what << ", " << d.first.shape << "): candidate " << r + 1 << "/"
                << d.first.candidates.size() << " " << e.candidate << " " << us(e.seconds)
                << "; best so far " << best_text(d.first.signature)
                << (pending(d) ? "" : "; complete") << "\n";
      }
      progress(ri + 1, todo.size(), "round");
    }

    // Confirmation (host): each candidate was timed in its own round, so a
    // load change between rounds can make a noise winner. Every complete
    // choice whose best is not the default is timed again, the winners'
    // build and the defaults' build alternately --confirm times, and both
    // medians appended (a later entry replaces an earlier one). A choice
    // whose default has two entries is confirmed already (resume).
    if (!host || opts.confirm < 1) return;
    target::TileChoices winners = base, defaults = base;
    {
      const auto best = best_entries(entries, tname);
      for (const Distinct &d : distinct) {
        auto it = best.find(d.first.signature);
        if (pending(d) || it == best.end() ||
            it->second.best.candidate == target::kDefaultCandidate)
          continue;
        size_t defaults_logged = 0;
        for (const TuningEntry &e : entries)
          defaults_logged += e.kernel == d.first.signature && e.target == tname &&
                             e.source == source && e.measured_on == measured_on &&
                             e.candidate == target::kDefaultCandidate;
        if (defaults_logged >= 2) continue;
        winners[d.first.signature] = it->second.best.candidate;
        defaults[d.first.signature] = target::kDefaultCandidate;
      }
    }
    if (winners.size() == base.size()) return;
    std::map<std::string, std::vector<double>> win_s, def_s;
    for (int k = 0; k < opts.confirm; ++k)
      for (bool win : {true, false}) {
        log << "confirming (" << phase << "): " << winners.size() - base.size()
            << " choice(s), " << (win ? "the winners" : "the defaults") << ", " << k + 1 << " of "
            << opts.confirm << ", building and timing...\n";
        for (const auto &[sig, sec] : measure(win ? winners : defaults, distinct))
          if (winners.count(sig) && !base.count(sig)) (win ? win_s : def_s)[sig].push_back(sec);
      }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      const size_t n = v.size();
      return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    };
    std::vector<TuningEntry> fresh;
    for (const Distinct &d : distinct) {
      const std::string &sig = d.first.signature;
      if (!win_s.count(sig)) continue;
      fresh.push_back(entry(d, target::kDefaultCandidate, median(def_s.at(sig))));
      fresh.push_back(entry(d, winners.at(sig), median(win_s.at(sig))));
    }
    record(fresh);
    for (size_t i = 0; i < distinct.size(); ++i) {
      const Distinct &d = distinct[i];
      const std::string &sig = d.first.signature;
      if (!win_s.count(sig)) continue;
      out << label(d) << i + 1 << " of " << distinct.size() << " " << sig << " (" << d.first.what
          << ", " << d.first.shape << "): confirming " << winners.at(sig) << " "
          << us(median(win_s.at(sig))) << " against default " << us(median(def_s.at(sig)))
          << "; best now " << best_text(sig) << "\n";
    }
    progress(1, 1, "confirmation");
  };

  // Phase 1 (host): each Winograd-able Conv's algorithm, the kernels' tiles
  // at their defaults. Phase 2: the kernels of the algorithms chosen (by
  // the log, as --tuning-log chooses), their tiles.
  std::vector<Distinct> algo_distinct = group(algos, true);
  res.algorithms = algo_distinct.size();
  out << "tuning " << printable(co.name) << " for " << tname << ": " << kcs.size() << " kernels, "
      << algos.size() << " Convs with a choice of algorithm (" << res.algorithms
      << " distinct); up to " << trials << " candidates each, the default first; "
      << (host ? "measured on this machine" : "predicted by the performance model from the "
                                              "athread emulator's counts")
      << "; log " << printable(opts.log) << "\n";
  run_rounds(algo_distinct, {}, "conv algorithms");
  target::TileChoices base;
  {
    const auto best = best_entries(entries, tname);
    for (const Distinct &d : algo_distinct)
      if (auto it = best.find(d.first.signature);
          it != best.end() && it->second.best.candidate != target::kDefaultCandidate)
        base[d.first.signature] = it->second.best.candidate;
  }
  if (!base.empty()) {  // the kernels of the chosen algorithms
    co.conv_algorithms = nullptr;
    co.tile_choices = &base;
    compile_graph(g, co);
  }
  std::vector<Distinct> distinct = group(kcs, false);
  res.kernels = kcs.size();
  res.distinct = distinct.size();
  out << "tiles: " << res.kernels << " kernels" << (base.empty() ? "" : " (with the chosen algorithms)")
      << ", " << res.distinct << " distinct tunable\n";
  run_rounds(distinct, base, "tiles");

  // 5. Summary: the choice --tuning-log makes from this log.
  const auto best = best_entries(entries, tname);
  for (const auto *ds : {&algo_distinct, &distinct})
    for (const Distinct &d : *ds) {
      auto it = best.find(d.first.signature);
      if (it == best.end() || it->second.best.candidate == target::kDefaultCandidate) continue;
      ++(d.algorithm ? res.non_default_algorithms : res.non_default);
    }
  out << "tuned: " << res.non_default << " of " << res.distinct
      << " distinct kernels choose a candidate other than the default";
  if (res.algorithms)
    out << ", " << res.non_default_algorithms << " of " << res.algorithms
        << " distinct Conv algorithms other than the default";
  out << " (" << res.complete_before << " choices were complete in the log, " << res.rounds_run
      << " rounds run now, " << res.entries_written << " entries written); apply with --tuning-log "
      << printable(opts.log) << "\n";
  return res;
}

}  // namespace swtc::driver

// The tuning log (driver/tuning_log.h): round trip, named errors for bad
// lines, an interrupted last line, and the choice of the best entry
// (measured beats model, the default kept unless beaten by the margin).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "driver/tuning_log.h"

namespace swtc::driver {
namespace {

TuningEntry entry(const std::string &kernel, const std::string &cand, double s,
                  const std::string &source = "measured", const std::string &on = "host") {
  TuningEntry e;
  e.kernel = kernel;
  e.target = "host-avx512";
  e.candidate = cand;
  e.seconds = s;
  e.source = source;
  e.measured_on = source == "measured" ? on : "";
  e.machine = "test machine";
  return e;
}

const char *kA = "k0123456789abcdef";
const char *kB = "kfedcba9876543210";

std::string temp_file(const std::string &name, const std::string &text) {
  const auto p = std::filesystem::temp_directory_path() /
                 ("swtc_tuning_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

TEST(TuningLog, RoundTrip) {
  TuningEntry e = entry(kA, "conv/ch/1,16,4,14/r16", 1.25e-5);
  e.op = "node 'conv\"1' (Conv)";
  e.shape = "1x16x14x14 <- 1x8x14x14,c16x8x3x3";
  const std::string line = tuning_line(e);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const TuningEntry r = parse_tuning_line(line, "f", 3);
  EXPECT_EQ(r.kernel, e.kernel);
  EXPECT_EQ(r.target, e.target);
  EXPECT_EQ(r.candidate, e.candidate);
  EXPECT_EQ(r.seconds, e.seconds);  // exact: JSON numbers round-trip doubles
  EXPECT_EQ(r.source, e.source);
  EXPECT_EQ(r.measured_on, e.measured_on);
  EXPECT_EQ(r.machine, e.machine);
  EXPECT_EQ(r.op, e.op);
  EXPECT_EQ(r.shape, e.shape);
  EXPECT_EQ(r.line, 3u);
  EXPECT_EQ(tuning_line(r), line);  // and back, byte for byte

  const std::string f = temp_file("rt", tuning_line(e) + "\n\n" + tuning_line(entry(kB, "default", 2e-3, "model")) + "\n");
  const auto es = read_tuning_log(f);
  ASSERT_EQ(es.size(), 2u);
  EXPECT_EQ(es[1].kernel, kB);
  EXPECT_EQ(es[1].source, "model");
  EXPECT_EQ(es[1].line, 3u);
  std::filesystem::remove(f);
}

TEST(TuningLog, BadLinesGetANamedError) {
  const std::string good = tuning_line(entry(kA, "default", 1e-5));
  struct Case {
    std::string line, want;
  };
  auto with = [&](const std::string &from, const std::string &to) {
    std::string s = good;
    const size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  const std::vector<Case> cases = {
      {"{not json", "not valid JSON"},
      {"[1, 2]", "not a JSON object"},
      {with("\"kernel\":\"k0123456789abcdef\",", ""), "no \"kernel\" key"},
      {with("k0123456789abcdef", "conv_3"), "is not a kernel signature"},
      {with("\"candidate\":\"default\"", "\"candidate\":7"), "\"candidate\" is not a string"},
      {with("\"source\":\"measured\"", "\"source\":\"guessed\""), "\"source\" 'guessed'"},
      {with("\"measured_on\":\"host\",", ""), "needs \"measured_on\""},
      {with("1e-05", "-1"), "\"seconds\" must be a positive number"},
      {with("1e-05", "\"fast\""), "\"seconds\" is not a number"},
      {with("\"machine\":\"test machine\"", "\"computer\":\"x\""), "no \"machine\" key"},
  };
  for (const Case &c : cases) {
    const std::string f = temp_file("bad", good + "\n" + c.line + "\n");
    try {
      read_tuning_log(f);
      ADD_FAILURE() << "accepted: " << c.line;
    } catch (const UserError &e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("tuning log '" + f + "' line 2: "), std::string::npos) << m;
      EXPECT_NE(m.find(c.want), std::string::npos) << m;
    }
    std::filesystem::remove(f);
  }
  EXPECT_THROW(read_tuning_log("/nonexistent/swtc.log"), UserError);
  EXPECT_TRUE(read_tuning_log("/nonexistent/swtc.log", /*missing_ok=*/true).empty());
}

// An interrupt in the middle of a write leaves a last line without its
// newline: the tuner drops it (and says which), --tuning-log refuses it.
TEST(TuningLog, AnInterruptedLastLine) {
  const std::string good = tuning_line(entry(kA, "default", 1e-5));
  const std::string cut = tuning_line(entry(kB, "default", 1e-5)).substr(0, 30);
  const std::string f = temp_file("cut", good + "\n" + cut);
  size_t dropped = 0;
  EXPECT_EQ(read_tuning_log(f, false, true, &dropped).size(), 1u);
  EXPECT_EQ(dropped, 2u);
  EXPECT_THROW(read_tuning_log(f), UserError);
  // A bad line that is not the last one is an error for the tuner too.
  const std::string g = temp_file("cut2", cut + "\n" + good + "\n");
  EXPECT_THROW(read_tuning_log(g, false, true, &dropped), UserError);
  std::filesystem::remove(f);
  std::filesystem::remove(g);
}

TEST(TuningLog, BestEntries) {
  std::vector<TuningEntry> es = {
      // kA: a candidate 10% faster than the default: chosen.
      entry(kA, "default", 10e-6), entry(kA, "conv/ch/1,16,2,14/r16", 9e-6),
      entry(kA, "conv/ch/1,32,2,14/r16", 9.5e-6),
      // kB: 1% faster only (noise): the default is kept.
      entry(kB, "default", 10e-6), entry(kB, "mm/1,16,16/r64", 9.9e-6),
  };
  auto best = best_entries(es, "host-avx512");
  ASSERT_EQ(best.size(), 2u);
  EXPECT_EQ(best.at(kA).best.candidate, "conv/ch/1,16,2,14/r16");
  EXPECT_EQ(best.at(kA).default_seconds, 10e-6);
  EXPECT_EQ(best.at(kB).best.candidate, "default");
  // Never slower than the default: whatever the order of the entries.
  std::reverse(es.begin(), es.end());
  EXPECT_EQ(best_entries(es, "host-avx512").at(kA).best.candidate, "conv/ch/1,16,2,14/r16");
  // Another target's entries are not used.
  EXPECT_TRUE(best_entries(es, "sw26010").empty());
  // A later entry of the same candidate replaces the earlier one.
  es.push_back(entry(kA, "conv/ch/1,16,2,14/r16", 11e-6));
  EXPECT_EQ(best_entries(es, "host-avx512").at(kA).best.candidate, "conv/ch/1,32,2,14/r16");
  // Model entries lose to measured ones, emulator measurements to model ones.
  std::vector<TuningEntry> sw = {entry(kA, "default", 5e-6, "model"),
                                 entry(kA, "conv/ch/1,8,1,8/r8", 4e-6, "model"),
                                 entry(kA, "conv/ch/1,16,1,8/r8", 1e-6, "measured", "emulator")};
  for (auto &e : sw) e.target = "sw26010";
  auto b = best_entries(sw, "sw26010");
  EXPECT_EQ(b.at(kA).best.candidate, "conv/ch/1,8,1,8/r8");  // model: no margin
  EXPECT_EQ(b.at(kA).best.source, "model");
  sw.push_back(entry(kA, "default", 7e-6, "measured", "sunway"));
  sw.back().target = "sw26010";
  b = best_entries(sw, "sw26010");
  EXPECT_EQ(b.at(kA).best.candidate, "default");  // the only real measurement
  EXPECT_EQ(b.at(kA).best.measured_on, "sunway");
  // Ties: the default first.
  std::vector<TuningEntry> tie = {entry(kB, "mm/1,16,16/r64", 0.5), entry(kB, "default", 0.5)};
  EXPECT_EQ(best_entries(tie, "host-avx512").at(kB).best.candidate, "default");
  EXPECT_EQ(tile_choices(best_entries(tie, "host-avx512")).at(kB), "default");
}

}  // namespace
}  // namespace swtc::driver

// SVG bar charts: well-formed, deterministic, escaped, labelled as a prediction.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/error.h"
#include "perf/chart.h"

namespace swtc::perf {
namespace {

// A tiny XML well-formedness check: tags balance, the root is <svg>, every
// '&' starts a known entity, no '<' or '>' inside attribute values or text
// other than as markup. Returns "" or the first problem.
std::string check_xml(const std::string &s) {
  std::vector<std::string> stack;
  int roots = 0;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '&') {
      bool ok = false;
      for (const char *e : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"})
        if (s.compare(i, std::char_traits<char>::length(e), e) == 0) ok = true;
      if (!ok) return "bare & at " + std::to_string(i);
      ++i;
      continue;
    }
    if (s[i] == '>') return "stray > at " + std::to_string(i);
    if (s[i] != '<') {
      ++i;
      continue;
    }
    if (s.compare(i, 5, "<?xml") == 0) {
      const size_t e = s.find("?>", i);
      if (e == std::string::npos || i != 0) return "bad XML declaration";
      i = e + 2;
      continue;
    }
    // Scan the tag, honouring quoted attribute values.
    size_t j = i + 1;
    char quote = 0;
    for (; j < s.size(); ++j) {
      if (quote) {
        if (s[j] == quote) quote = 0;
        else if (s[j] == '<' || s[j] == '>') return "< or > in an attribute at " + std::to_string(j);
      } else if (s[j] == '"' || s[j] == '\'') {
        quote = s[j];
      } else if (s[j] == '>') {
        break;
      } else if (s[j] == '<') {
        return "< inside a tag at " + std::to_string(j);
      }
    }
    if (j >= s.size()) return "unterminated tag";
    const std::string tag = s.substr(i + 1, j - i - 1);
    i = j + 1;
    if (tag.empty()) return "empty tag";
    if (tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (stack.empty() || stack.back() != name) return "unbalanced </" + name + ">";
      stack.pop_back();
      continue;
    }
    const std::string name = tag.substr(0, tag.find_first_of(" \t\n/"));
    if (stack.empty()) {
      if (++roots > 1 || name != "svg") return "root must be one <svg>, got <" + name + ">";
    }
    if (tag.back() != '/') stack.push_back(name);
  }
  if (!stack.empty()) return "unclosed <" + stack.back() + ">";
  if (roots != 1) return "no root";
  return "";
}

const std::vector<std::pair<std::string, double>> kBars = {
    {"k000_conv_relu", 1.25e-3}, {"k001_pool", 4e-5}, {"k002_gemm", 0}, {"k003_softmax", 2.5e-3}};

TEST(PerfChart, WellFormedAndNamesEveryBar) {
  const std::string svg = bar_chart_svg(kBars, "Predicted time per kernel", "ms");
  EXPECT_EQ(check_xml(svg), "") << svg;
  for (const auto &[name, v] : kBars) EXPECT_NE(svg.find(">" + name + "<"), std::string::npos) << name;
  EXPECT_NE(svg.find("Predicted time per kernel (model prediction)"), std::string::npos);
  EXPECT_NE(svg.find("unit: ms"), std::string::npos);
  // The largest bar spans the full bar area; a zero bar has width 0.
  EXPECT_NE(svg.find("width=\"480.00\""), std::string::npos);
  EXPECT_NE(svg.find("width=\"0.00\""), std::string::npos);
  EXPECT_NE(svg.find("0.0025 ms"), std::string::npos);
  EXPECT_TRUE(check_xml("<svg><g></svg></g>") != "");  // the checker does check
  EXPECT_TRUE(check_xml("<svg>a & b</svg>") != "");
}

TEST(PerfChart, Deterministic) {
  const std::string a = bar_chart_svg(kBars, "t", "s");
  EXPECT_EQ(a, bar_chart_svg(kBars, "t", "s"));
  EXPECT_NE(a, bar_chart_svg(kBars, "t", "ms"));
}

TEST(PerfChart, EscapesAndShortensNames) {
  const std::string nasty = "a<b>&\"c\"'d'\x01";
  const std::string long_name(100, 'x');
  const std::string svg =
      bar_chart_svg({{nasty, 1}, {long_name, 2}, {"\xce\xbc-kernel", 3}}, "<T&T>", "GB/s");
  EXPECT_EQ(check_xml(svg), "") << svg;
  EXPECT_NE(svg.find("a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;?"), std::string::npos);
  EXPECT_NE(svg.find("&lt;T&amp;T&gt; (model prediction)"), std::string::npos);
  EXPECT_NE(svg.find(">" + std::string(45, 'x') + "...<"), std::string::npos);  // label
  EXPECT_NE(svg.find("<title>" + long_name + ": "), std::string::npos);       // tooltip
  EXPECT_NE(svg.find("\xce\xbc-kernel"), std::string::npos);
}

TEST(PerfChart, TitleSaysModelPredictionOnce) {
  const std::string svg = bar_chart_svg(kBars, "GFLOPS, model prediction", "GFLOPS");
  EXPECT_NE(svg.find(">GFLOPS, model prediction<"), std::string::npos);
  EXPECT_EQ(svg.find("(model prediction)"), std::string::npos);
}

TEST(PerfChart, MeasuredTitleSaysMeasuredNotPrediction) {
  const std::string svg =
      bar_chart_svg(kBars, "resnet18 on host: time per kernel", "us", ChartValues::Measured);
  EXPECT_EQ(check_xml(svg), "") << svg;
  EXPECT_NE(svg.find(">resnet18 on host: time per kernel (measured)<"), std::string::npos);
  EXPECT_EQ(svg.find("prediction"), std::string::npos);
  const std::string once = bar_chart_svg(kBars, "Measured time", "us", ChartValues::Measured);
  EXPECT_EQ(once.find("(measured)"), std::string::npos);
}

TEST(PerfChart, EmptyAndBadInput) {
  const std::string svg = bar_chart_svg({}, "nothing", "s");
  EXPECT_EQ(check_xml(svg), "") << svg;
  EXPECT_NE(svg.find("(no data)"), std::string::npos);
  EXPECT_EQ(check_xml(bar_chart_svg({{"z", 0}, {"y", 0}}, "zeros", "s")), "");
  EXPECT_THROW(bar_chart_svg({{"a", -1}}, "t", "s"), UserError);
  EXPECT_THROW(bar_chart_svg({{"a", NAN}}, "t", "s"), UserError);
  EXPECT_THROW(bar_chart_svg({{"a", INFINITY}}, "t", "s"), UserError);
}

}  // namespace
}  // namespace swtc::perf

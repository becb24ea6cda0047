#include "perf/chart.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "common/error.h"

namespace swtc::perf {

namespace {

constexpr int kMaxLabelChars = 48;
constexpr double kCharWidth = 7.2;  // monospace 12px, approximate advance
constexpr int kBarHeight = 18, kBarGap = 6, kTop = 44, kLeftPad = 10, kBarAreaWidth = 480;
constexpr int kValueWidth = 150;

std::string fmt(const char *f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// Value with about 4 significant digits, no exponent for ordinary magnitudes.
std::string value_text(double v) {
  if (v == 0) return "0";
  const double a = std::fabs(v);
  if (a >= 1e6 || a < 1e-3) return fmt("%.4g", v);
  if (a >= 1000) return fmt("%.0f", v);
  if (a >= 100) return fmt("%.1f", v);
  if (a >= 10) return fmt("%.2f", v);
  if (a >= 1) return fmt("%.3f", v);
  return fmt("%.4f", v);
}

// Shorten to kMaxLabelChars characters, counting UTF-8 code points, not bytes.
std::string shorten(const std::string &s) {
  size_t chars = 0, cut = std::string::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars == kMaxLabelChars - 3) cut = i;
    ++chars;
  }
  if (chars <= kMaxLabelChars) return s;
  return s.substr(0, cut) + "...";
}

size_t code_points(const std::string &s) {
  size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

bool says(const std::string &title, const char *what) {
  std::string lower(title);
  for (char &c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.find(what) != std::string::npos;
}

}  // namespace

std::string xml_escape(const std::string &s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n')
          out += '?';
        else
          out += c;
    }
  }
  return out;
}

std::string bar_chart_svg(const std::vector<std::pair<std::string, double>> &bars,
                          const std::string &title, const std::string &unit,
                          ChartValues values) {
  double max_v = 0;
  size_t label_chars = 4;
  for (const auto &[name, v] : bars) {
    if (!std::isfinite(v) || v < 0)
      user_error("bar chart '", title, "': value of '", name, "' must be finite and >= 0, got ", v);
    max_v = std::max(max_v, v);
    label_chars = std::max(label_chars, code_points(shorten(name)));
  }
  const char *label = values == ChartValues::Measured ? "measured" : "model prediction";
  const std::string full_title = says(title, label) ? title : title + " (" + label + ")";

  const int label_w = static_cast<int>(std::ceil(label_chars * kCharWidth)) + 10;
  const int bar_x = kLeftPad + label_w;
  const int rows = std::max<int>(1, static_cast<int>(bars.size()));
  const int width = std::max(bar_x + kBarAreaWidth + kValueWidth,
                             kLeftPad * 2 + static_cast<int>(std::ceil(code_points(full_title) * 8.4)));
  const int height = kTop + rows * (kBarHeight + kBarGap) + 16;

  std::ostringstream os;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
     << "\" viewBox=\"0 0 " << width << " " << height << "\" font-family=\"monospace\" font-size=\"12\">\n";
  os << "<title>" << xml_escape(full_title) << "</title>\n";
  os << "<rect x=\"0\" y=\"0\" width=\"" << width << "\" height=\"" << height
     << "\" fill=\"#ffffff\"/>\n";
  os << "<text x=\"" << kLeftPad << "\" y=\"20\" font-size=\"14\" font-weight=\"bold\">"
     << xml_escape(full_title) << "</text>\n";
  os << "<text x=\"" << kLeftPad << "\" y=\"36\" fill=\"#555555\">unit: " << xml_escape(unit)
     << "</text>\n";
  if (bars.empty())
    os << "<text x=\"" << kLeftPad << "\" y=\"" << kTop + 13 << "\">(no data)</text>\n";
  for (size_t i = 0; i < bars.size(); ++i) {
    const auto &[name, v] = bars[i];
    const int y = kTop + static_cast<int>(i) * (kBarHeight + kBarGap);
    const double w = max_v > 0 ? v / max_v * kBarAreaWidth : 0;
    const std::string val = value_text(v) + (unit.empty() ? "" : " " + unit);
    os << "<g>\n<title>" << xml_escape(name) << ": " << xml_escape(val) << "</title>\n";
    os << "<text x=\"" << bar_x - 6 << "\" y=\"" << y + 13 << "\" text-anchor=\"end\">"
       << xml_escape(shorten(name)) << "</text>\n";
    os << "<rect x=\"" << bar_x << "\" y=\"" << y << "\" width=\"" << fmt("%.2f", w)
       << "\" height=\"" << kBarHeight << "\" fill=\"#4a7ab5\"/>\n";
    os << "<text x=\"" << fmt("%.2f", bar_x + w + 6) << "\" y=\"" << y + 13 << "\">"
       << xml_escape(val) << "</text>\n</g>\n";
  }
  os << "</svg>\n";
  return os.str();
}

}  // namespace swtc::perf

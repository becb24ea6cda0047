// Two kinds of error (STYLE.md #9):
//   user_error     - bad input from the user (model, flags, schedule); names the
//                    node, op and reason; the CLI prints it and exits nonzero.
//   internal_check - a bug in swtc itself.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace swtc {

/// Bad input: a malformed or unsupported model, a wrong shape, a schedule that
/// does not fit the target. The message is complete and meant for the user.
class UserError : public std::runtime_error {
 public:
  explicit UserError(const std::string &msg) : std::runtime_error(msg) {}
};

/// A broken invariant inside swtc.
class InternalError : public std::logic_error {
 public:
  explicit InternalError(const std::string &msg) : std::logic_error(msg) {}
};

namespace detail {
inline void append(std::ostringstream &) {}
template <typename T, typename... Rest>
void append(std::ostringstream &os, const T &v, const Rest &...rest) {
  os << v;
  append(os, rest...);
}
}  // namespace detail

/// Concatenates its arguments with operator<< into one string.
template <typename... Args>
std::string str_cat(const Args &...args) {
  std::ostringstream os;
  detail::append(os, args...);
  return os.str();
}

/// `s` safe to quote in a one-line message: control characters escaped (\n,
/// \t, \xHH) and anything past 200 bytes replaced by "...(N bytes)". For
/// names taken from the model, which may be hostile.
inline std::string printable(const std::string &s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 200) return out + str_cat("...(", s.size(), " bytes)");
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c < 0x20 || c == 0x7f) out += std::string("\\x") + kHex[c >> 4] + kHex[c & 15];
    else out += static_cast<char>(c);
  }
  return out;
}

/// `s` on one line: each run of whitespace (newlines included) becomes one
/// space, other control characters are escaped. For text from libraries
/// (e.g. the ONNX checker) put into a message.
inline std::string one_line(const std::string &s) {
  std::string out;
  bool space = false;
  for (char ch : s) {
    const bool ws = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
    if (ws) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += ch;
  }
  std::string esc;
  for (size_t i = 0; i < out.size(); i += 200) esc += printable(out.substr(i, 200));
  return esc;
}

template <typename... Args>
[[noreturn]] void user_error(const Args &...args) {
  throw UserError(str_cat(args...));
}

template <typename... Args>
[[noreturn]] void internal_error(const Args &...args) {
  throw InternalError(str_cat("internal error: ", args...));
}

}  // namespace swtc

#define SWTC_CHECK(cond, ...)                                                      \
  do {                                                                             \
    if (!(cond))                                                                   \
      ::swtc::internal_error(__FILE__, ":", __LINE__, ": check '", #cond, "' failed. ", \
                             ##__VA_ARGS__);                                       \
  } while (0)

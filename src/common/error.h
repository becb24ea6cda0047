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

#include "driver/shell.h"

#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "common/error.h"

namespace swtc::driver {

std::string shell_quote(const std::string &s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

int run_command(const std::string &cmd, std::string &output) {
  output.clear();
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) user_error("cannot run: ", cmd);
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) output.append(buf.data(), n);
  int st = pclose(p);
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 128;  // as sh reports a signal
}

WorkDir::WorkDir(const std::string &given, const std::string &prefix, bool keep) {
  if (!given.empty()) {
    path = given;
    return;
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!mkdtemp(tmpl.data())) user_error("cannot create a temporary folder");
  path = tmpl;
  remove = !keep;
}

WorkDir::~WorkDir() {
  if (!remove || path.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::string make_overrides() {
  std::string s;
  if (const char *cc = std::getenv("SWTC_CC"); cc && *cc)
    s += " CC=" + shell_quote(cc) + " EMU_CC=" + shell_quote(cc);
  if (const char *f = std::getenv("SWTC_CFLAGS"); f && *f) s += " EXTRA_CFLAGS=" + shell_quote(f);
  return s;
}

}  // namespace swtc::driver

// Running the tools the driver needs (make, the compiled model).
#pragma once

#include <string>

namespace swtc::driver {

/// `s` quoted for /bin/sh.
std::string shell_quote(const std::string &s);

/// Runs a shell command; returns its exit status (128 + N if the shell was
/// killed by signal N, as sh reports a command's signal) and its stdout and
/// stderr together in `output`.
int run_command(const std::string &cmd, std::string &output);

/// The folder `swtc run` and `swtc profile` build in: the given one, kept,
/// or (`given` empty) a new temporary folder `<tmp>/<prefix>-XXXXXX`, removed
/// with everything in it when this object is destroyed unless `keep` or
/// `remove` was set to false (a failed build or run is kept to look at).
struct WorkDir {
  std::string path;
  bool remove = false;
  WorkDir(const std::string &given, const std::string &prefix, bool keep);
  ~WorkDir();
  WorkDir(const WorkDir &) = delete;
  WorkDir &operator=(const WorkDir &) = delete;
};

/// The make variables with which `swtc run` and `swtc profile` build the
/// generated code, from the environment (empty when neither is set):
/// SWTC_CC sets the C compiler (CC and EMU_CC), SWTC_CFLAGS the flags added
/// to every compile and link line (EXTRA_CFLAGS), e.g.
/// SWTC_CFLAGS='-g -fsanitize=address,undefined' (docs/robustness.md).
/// Returned as " VAR='value' ...", ready to append to a make command.
std::string make_overrides();

}  // namespace swtc::driver

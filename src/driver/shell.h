// Running the tools the driver needs (make, the compiled model).
#pragma once

#include <string>

namespace swtc::driver {

/// `s` quoted for /bin/sh.
std::string shell_quote(const std::string &s);

/// Runs a shell command; returns its exit status (128 if it did not exit
/// normally) and its stdout and stderr together in `output`.
int run_command(const std::string &cmd, std::string &output);

}  // namespace swtc::driver

// Test helper of the CPE code emitters' tests: emitted lines as one text.
#pragma once

#include <string>
#include <vector>

namespace swtc::codegen {

inline std::string joined(const std::vector<std::string> &lines) {
  std::string s;
  for (const auto &l : lines) s += l + "\n";
  return s;
}

}  // namespace swtc::codegen

// Human-readable text of tensor-IR functions, for dumps and tests.
#pragma once

#include <string>

#include "tir/tir.h"

namespace swtc::tir {

std::string to_text(const Expr &e);
std::string to_text(const Stmt &s, int indent = 0);
std::string to_text(const PrimFunc &f);

}  // namespace swtc::tir

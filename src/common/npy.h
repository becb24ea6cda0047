// Minimal .npy (NumPy array file) reading and writing: little-endian float32
// ("<f4") and the integer types int64/int32/int8/uint8/uint32/uint64 ("<i8",
// "<i4", "|i1", "|u1", "<u4", "<u8"), C order. Kept free of graph types so that any
// library can use it without a dependency cycle.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace swtc::npy {

struct Array {
  std::string dtype;  // "<f4", "<i8", "<i4", "|i1", "|u1", "<u4" or "<u8"
  std::vector<int64_t> shape;
  std::vector<char> data;  // raw little-endian bytes, C order
};

/// Reads a .npy file (versions 1.0, 2.0, 3.0). user_error naming the file and
/// the problem if it cannot be read, is not .npy, is Fortran-ordered, has another
/// dtype or is truncated.
Array load(const std::string &path);

/// Writes `a` as a version 1.0 .npy file, C order. user_error if the file cannot
/// be written or the data size does not match dtype and shape.
void save(const std::string &path, const Array &a);

/// Bytes per element of a supported dtype; 0 if unsupported.
size_t dtype_size(const std::string &dtype);

}  // namespace swtc::npy

#include "common/npy.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "common/error.h"

namespace swtc::npy {

namespace {

constexpr char kMagic[] = "\x93NUMPY";

int64_t product(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

/// Finds `'key':` in the header dict and returns the text after it.
std::string::size_type find_key(const std::string &header, const std::string &key) {
  for (const char *q : {"'", "\""}) {
    std::string pat = std::string(q) + key + q;
    auto pos = header.find(pat);
    if (pos == std::string::npos) continue;
    pos = header.find(':', pos + pat.size());
    if (pos != std::string::npos) return pos + 1;
  }
  return std::string::npos;
}

}  // namespace

size_t dtype_size(const std::string &dtype) {
  static const char *const kTypes[][2] = {{"<f4", "4"}, {"<i8", "8"}, {"<i4", "4"}, {"|i1", "1"},
                                          {"|u1", "1"}, {"<u4", "4"}, {"<u8", "8"},
                                          {"|b1", "1"}};
  for (const auto &t : kTypes)
    if (dtype == t[0]) return static_cast<size_t>(t[1][0] - '0');
  return 0;
}

Array load(const std::string &path) {
  auto fail = [&](const auto &...args) { user_error("cannot load '", path, "': ", args...); };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail("it is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open the file");
  std::string bytes;
  try {
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::exception &) {
    fail("cannot read the file");
  }
  if (in.bad()) fail("cannot read the file");
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0) fail("not a .npy file");
  int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, offset = 0;  // set below (clang cannot see that fail() throws)
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) |
                 (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail("truncated header");
    header_len = 0;
    for (int k = 3; k >= 0; --k)
      header_len = (header_len << 8) | static_cast<unsigned char>(bytes[8 + k]);
    offset = 12;
  } else {
    fail("unsupported .npy version ", major);
  }
  if (bytes.size() < offset + header_len) fail("truncated header");
  std::string header = bytes.substr(offset, header_len);
  Array a;
  // dtype
  auto pos = find_key(header, "descr");
  if (pos == std::string::npos) fail("header has no 'descr'");
  auto q1 = header.find_first_of("'\"", pos);
  auto q2 = q1 == std::string::npos ? q1 : header.find(header[q1], q1 + 1);
  if (q2 == std::string::npos) fail("malformed 'descr' in header");
  a.dtype = header.substr(q1 + 1, q2 - q1 - 1);
  if (a.dtype == "<f4" || a.dtype == "=f4" || a.dtype == "f4") a.dtype = "<f4";
  for (const char *t : {"i8", "i4", "u4", "u8"})
    if (a.dtype == std::string("=") + t || a.dtype == t) a.dtype = std::string("<") + t;
  for (const char *t : {"i1", "u1", "b1"})
    if (a.dtype == std::string("<") + t || a.dtype == std::string("=") + t || a.dtype == t)
      a.dtype = std::string("|") + t;
  if (dtype_size(a.dtype) == 0)
    fail("unsupported dtype '", a.dtype,
         "' (swtc reads float32 '<f4', the integer types '<i8', '<i4', '|i1', '|u1', '<u4', "
         "'<u8' and bool '|b1')");
  // fortran_order
  pos = find_key(header, "fortran_order");
  if (pos == std::string::npos) fail("header has no 'fortran_order'");
  auto fo = header.find_first_not_of(' ', pos);
  if (header.compare(fo, 4, "True") == 0) fail("Fortran-ordered arrays are not supported");
  if (header.compare(fo, 5, "False") != 0) fail("malformed 'fortran_order' in header");
  // shape
  pos = find_key(header, "shape");
  if (pos == std::string::npos) fail("header has no 'shape'");
  auto open = header.find('(', pos), close = header.find(')', pos);
  if (open == std::string::npos || close == std::string::npos || close < open)
    fail("malformed 'shape' in header");
  std::string dims = header.substr(open + 1, close - open - 1);
  size_t k = 0;
  while (k < dims.size()) {
    while (k < dims.size() && (dims[k] == ' ' || dims[k] == ',')) ++k;
    if (k >= dims.size()) break;
    size_t end = k;
    while (end < dims.size() && dims[end] >= '0' && dims[end] <= '9') ++end;
    if (end == k) fail("malformed 'shape' in header: (", dims, ")");
    a.shape.push_back(std::stoll(dims.substr(k, end - k)));
    k = end;
  }
  size_t nbytes = static_cast<size_t>(product(a.shape)) * dtype_size(a.dtype);
  size_t data_at = offset + header_len;
  if (bytes.size() - data_at < nbytes)
    fail("truncated data: expected ", nbytes, " bytes, found ", bytes.size() - data_at);
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_at),
                bytes.begin() + static_cast<std::ptrdiff_t>(data_at + nbytes));
  return a;
}

void save(const std::string &path, const Array &a) {
  size_t es = dtype_size(a.dtype);
  if (es == 0) user_error("cannot save '", path, "': unsupported dtype '", a.dtype, "'");
  size_t nbytes = static_cast<size_t>(product(a.shape)) * es;
  if (a.data.size() != nbytes)
    user_error("cannot save '", path, "': shape needs ", nbytes, " bytes, data has ",
               a.data.size());
  std::string shape = "(";
  for (size_t k = 0; k < a.shape.size(); ++k) shape += std::to_string(a.shape[k]) + ", ";
  if (a.shape.size() > 1) shape.resize(shape.size() - 2);
  else if (a.shape.size() == 1) shape.resize(shape.size() - 1);  // "(3,)"
  shape += ")";
  std::string header =
      "{'descr': '" + a.dtype + "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;  // + '\n'
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out) user_error("cannot save '", path, "': cannot open the file for writing");
  out.write(kMagic, 6);
  char ver[2] = {1, 0};
  out.write(ver, 2);
  char len[2] = {static_cast<char>(header.size() & 0xff), static_cast<char>(header.size() >> 8)};
  out.write(len, 2);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(a.data.data(), static_cast<std::streamsize>(a.data.size()));
  if (!out) user_error("cannot save '", path, "': write failed");
}

}  // namespace swtc::npy

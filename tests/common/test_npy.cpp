#include "common/npy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/error.h"

namespace swtc::npy {
namespace {

std::string temp_path(const std::string &name) {
  return (std::filesystem::temp_directory_path() / ("swtc_test_" + name)).string();
}

template <typename T>
std::vector<char> bytes_of(const std::vector<T> &v) {
  std::vector<char> out(v.size() * sizeof(T));
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

TEST(Npy, RoundTripF32) {
  Array a{"<f4", {2, 3}, bytes_of(std::vector<float>{1.5f, -2, 3, 4, 5, 6.25f})};
  std::string p = temp_path("f32.npy");
  save(p, a);
  Array b = load(p);
  EXPECT_EQ(b.dtype, "<f4");
  EXPECT_EQ(b.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(b.data, a.data);
  // The header is padded so that the data starts at a multiple of 64.
  EXPECT_EQ(std::filesystem::file_size(p) % 64, a.data.size() % 64);
}

TEST(Npy, RoundTripI64ScalarAnd1D) {
  Array a{"<i8", {3}, bytes_of(std::vector<int64_t>{1, -1, 1LL << 40})};
  std::string p = temp_path("i64.npy");
  save(p, a);
  Array b = load(p);
  EXPECT_EQ(b.dtype, "<i8");
  EXPECT_EQ(b.shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(b.data, a.data);
  Array s{"<f4", {}, bytes_of(std::vector<float>{7})};
  save(p, s);
  Array t = load(p);
  EXPECT_TRUE(t.shape.empty());
  EXPECT_EQ(t.data, s.data);
}

TEST(Npy, HeaderIsNumpyCompatible) {
  Array a{"<f4", {3}, bytes_of(std::vector<float>{1, 2, 3})};
  std::string p = temp_path("hdr.npy");
  save(p, a);
  std::ifstream in(p, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
  EXPECT_NE(bytes.find("'shape': (3,)"), std::string::npos);
  EXPECT_NE(bytes.find("'fortran_order': False"), std::string::npos);
}

TEST(Npy, BadFilesAreUserErrors) {
  EXPECT_THROW(load(temp_path("does_not_exist.npy")), UserError);
  std::string p = temp_path("bad.npy");
  {
    std::ofstream out(p, std::ios::binary);
    out << "hello, not numpy";
  }
  try {
    load(p);
    FAIL() << "expected a UserError";
  } catch (const UserError &e) {
    EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a .npy file"), std::string::npos) << e.what();
  }
  // Truncated data.
  Array a{"<f4", {4}, bytes_of(std::vector<float>{1, 2, 3, 4})};
  save(p, a);
  std::filesystem::resize_file(p, std::filesystem::file_size(p) - 4);
  EXPECT_THROW(load(p), UserError);
  // Unsupported dtype.
  EXPECT_THROW(save(p, Array{"<f8", {1}, std::vector<char>(8)}), UserError);
  // Size mismatch.
  EXPECT_THROW(save(p, Array{"<f4", {2}, std::vector<char>(4)}), UserError);
}

TEST(Npy, LoadFolderIsAUserError) {
  const std::string d = (std::filesystem::temp_directory_path() / "swtc_npy_a_folder").string();
  std::filesystem::create_directories(d);
  try {
    load(d);
    FAIL() << "no error";
  } catch (const UserError &e) {
    EXPECT_NE(std::string(e.what()).find("folder"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace swtc::npy

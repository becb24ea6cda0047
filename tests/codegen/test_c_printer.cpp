// The shared C printer: identifiers, float immediates, and a loop nest that
// compiles warning-free as C99 and computes what the tensor-IR interpreter does.
#include <gtest/gtest.h>

#include <cfloat>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <unistd.h>

#include "codegen/c_printer.h"
#include "common/error.h"
#include "tir/tir.h"
#include "tir_eval.h"

namespace swtc::codegen {
namespace {

using namespace tir;

bool is_c_identifier(const std::string &s) {
  return std::regex_match(s, std::regex("[A-Za-z_][A-Za-z0-9_]*"));
}

TEST(CIdentifier, MakesValidIdentifiers) {
  EXPECT_EQ(c_identifier("/layer1/Conv"), "_layer1_Conv");
  EXPECT_EQ(c_identifier("conv_1"), "conv_1");
  EXPECT_EQ(c_identifier("a.b-c:0"), "a_b_c_0");
  for (const std::string s : {"/layer1/Conv", "1conv", "123", "", "x y", "Ünï", "-", "9/a"}) {
    std::string id = c_identifier(s);
    EXPECT_TRUE(is_c_identifier(id)) << "'" << s << "' -> '" << id << "'";
  }
  EXPECT_NE(c_identifier("1conv")[0], '1');
  EXPECT_NE(c_identifier("1conv").find("1conv"), std::string::npos);  // keeps the name readable
}

TEST(CPrinterExpr, FloatImmediatesAreFloatLiterals) {
  CPrinter p;
  EXPECT_EQ(p.expr(float_imm(1.0)), "1.0f");
  EXPECT_EQ(p.expr(float_imm(0.0)), "0.0f");
  EXPECT_EQ(p.expr(float_imm(-3.0)), "-3.0f");
  EXPECT_EQ(p.expr(float_imm(0.5)), "0.5f");
  for (double v : {1.0, 100.0, 1e20, 1e-20, double(-FLT_MAX), double(FLT_MIN), 0.1, 123456789.0, 3e38}) {
    std::string s = p.expr(float_imm(v));
    SCOPED_TRACE(s);
    ASSERT_GE(s.size(), 2u);
    EXPECT_EQ(s.back(), 'f');
    EXPECT_NE(s.find_first_of(".e"), std::string::npos);
    // Parses back to the same float.
    EXPECT_EQ(std::strtof(s.c_str(), nullptr), static_cast<float>(v));
  }
}

TEST(CPrinterExpr, OperatorsAndIndices) {
  CPrinter p;
  Buffer b = make_buffer("b", {3, 4, 5});
  EXPECT_EQ(p.expr(load(b, {var("i"), int_imm(2), var("k")})), "b[((((i * 4) + 2) * 5) + k)]");
  EXPECT_EQ(p.expr(min(var("i"), int_imm(3))), "swtc_min(i, 3)");
  EXPECT_EQ(p.expr(max(load(b, {var("i"), var("j"), var("k")}), float_imm(0))),
            "swtc_maxf(b[((((i * 4) + j) * 5) + k)], 0.0f)");
  EXPECT_EQ(p.expr(lt(var("i"), int_imm(3))), "(i < 3)");
  EXPECT_EQ(p.expr(call("sqrtf", {float_imm(2)})), "sqrtf(2.0f)");
  EXPECT_EQ(p.flat_index({7}, {var("q")}), "q");
}

TEST(CPrinterStmt, HostPrinterRefusesCpeLoopsAndStages) {
  Buffer y = make_buffer("y", {4});
  Buffer yl = make_buffer("y_l", {4}, Scope::Local);
  CPrinter p;
  EXPECT_THROW(p.stmt(for_loop("i", 4, ForKind::Cpe, store(y, {var("i")}, float_imm(1))), 0),
               swtc::InternalError);
  CPrinter q;
  EXPECT_THROW(q.stmt(stage(y, yl, {int_imm(0)}, StageDir::Out,
                            store(yl, {int_imm(0)}, float_imm(1))),
                      0),
               swtc::InternalError);
}

// A kernel using every statement kind the host prints and most operators:
// an init, a guarded accumulation, a select/call/div epilogue, a fused loop.
Stmt sample_kernel(const Buffer &x, const Buffer &y) {
  Expr i = var("i"), j = var("j"), k = var("k"), f = var("f");
  Expr cur = load(y, {i, j});
  Stmt init = store(y, {i, j}, float_imm(-0.5));
  Stmt acc = for_loop(
      "k", 6, ForKind::Serial,
      if_then(logical_and(lt(k, int_imm(4)), le(int_imm(0), k + int_imm(-1))),
              store(y, {i, j},
                    cur + load(x, {i, k}) * load(x, {min(k, int_imm(3)), j}) * float_imm(0.25))));
  Stmt post = store(y, {i, j},
                    select(lt(cur, float_imm(0)), binary(BinaryOp::Div, cur, float_imm(3)),
                           call("sqrtf", {cur}) + max(cur, float_imm(1e-3))));
  Stmt body = for_loop("i", 4, ForKind::Parallel,
                       for_loop("j", 4, ForKind::Serial, seq({init, acc, post})));
  // A fused loop split back by floordiv / floormod.
  Stmt fused = for_loop("f", 16, ForKind::Serial,
                        store(y, {floordiv(f, int_imm(4)), floormod(f, int_imm(4))},
                              load(y, {floordiv(f, int_imm(4)), floormod(f, int_imm(4))}) *
                                  float_imm(2)));
  return seq({body, fused});
}

std::string read_file(const std::string &path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CPrinterStmt, LoopNestCompilesAsC99AndComputesTheSameValues) {
  Buffer x = make_buffer("x", {4, 4}), y = make_buffer("y", {4, 4});
  Stmt s = sample_kernel(x, y);
  CPrinter p;
  p.stmt(s, 1);
  std::string body = p.text();
  EXPECT_NE(body.find("  #pragma omp parallel for\n  for (long i = 0; i < 4; ++i) {"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("if ((k < 4) && (0 <= (k + -1))) {"), std::string::npos) << body;

  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("swtc_codegen_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string src = "#include <math.h>\n#include <stdio.h>\n" + std::string(c_prelude()) +
                    "void kern(const float *restrict x, float *restrict y) {\n" + body +
                    "}\n"
                    "int main(void) {\n"
                    "  float x[16], y[16];\n"
                    "  for (int n = 0; n < 16; ++n) x[n] = 0.37f * (float)n - 1.5f;\n"
                    "  kern(x, y);\n"
                    "  for (int n = 0; n < 16; ++n) printf(\"%.9g\\n\", (double)y[n]);\n"
                    "  return 0;\n"
                    "}\n";
  { std::ofstream(dir / "kern.c") << src; }
  // -fopenmp as in the generated host Makefile (parallel loops carry an omp pragma).
  std::string cc = "cc -std=c99 -Wall -Wextra -Werror -pedantic -fopenmp";
  std::string obj_cmd = cc + " -c " + (dir / "kern.c").string() + " -o " +
                        (dir / "kern.o").string() + " 2> " + (dir / "cc.log").string();
  int rc = std::system(obj_cmd.c_str());
  ASSERT_EQ(rc, 0) << read_file((dir / "cc.log").string()) << "\n" << src;
  std::string exe_cmd = cc + " " + (dir / "kern.o").string() + " -o " + (dir / "kern").string() +
                        " -lm && " + (dir / "kern").string() + " > " + (dir / "out.txt").string();
  ASSERT_EQ(std::system(exe_cmd.c_str()), 0);

  std::vector<float> xs(16);
  for (int n = 0; n < 16; ++n) xs[n] = 0.37f * static_cast<float>(n) - 1.5f;
  test::Memory mem{{x.get(), xs}, {y.get(), std::vector<float>(16, 0)}};
  test::TirEval ev(mem);
  ev.run(s);
  std::ifstream out(dir / "out.txt");
  for (int n = 0; n < 16; ++n) {
    float v = 0;
    ASSERT_TRUE(out >> v) << "output line " << n;
    float want = mem[y.get()][n];
    EXPECT_NEAR(v, want, 1e-5f * std::max(1.0f, std::fabs(want))) << "y[" << n << "]";
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace swtc::codegen

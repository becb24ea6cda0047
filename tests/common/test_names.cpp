// names.h: every model name on its way into generated C, Makefiles and file
// names, over hostile names.
#include "common/names.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace swtc::names {
namespace {

using namespace std::string_literals;

// Names a model may carry: line splices, trigraphs, comment openers and
// closers, quotes, control characters, NUL, non-ASCII (bidi overrides), long.
std::vector<std::string> hostile() {
  std::vector<std::string> v = {
      "n*\\\n/ __attribute__((constructor)) static void evil(void) { puts(\"PWNED\"); } /*",
      "a\\", "a?\?/", "?\?/\n", "???", "?\?=define X", "/*", "*/", "a/*b*/c", "*/*/", "/**/",
      "**//", "/", "*", "x*", "/x", "\"", "\"); system(\"id\"); (\"", "'", "\\\"", "\\",
      "a\nb", "a\rb", "\t", "\x01\x1f\x7f", "\0"s, "a\0b"s, "\0\0"s, "\xe2\x80\xae" "evil",
      "\xef\xbb\xbf", "\xff\xfe", "caf\xc3\xa9", "", " ", "%", "%41", "a%2Fb", "main", "..",
      ".", "-rf", ".hidden", "a/../../b", std::string(5000, 'x'), std::string(300, '/') + "*",
      std::string(1000, '?'), std::string(200, '\\'), "${HOME}", "$(shell id)", "`id`", "#",
      "a b", "int", "_Z", "__x", "1abc", "0", "SWTC", "swtc_run"};
  for (int c = 0; c < 256; ++c) v.push_back(std::string(1, static_cast<char>(c)) + "x");
  return v;
}

bool printable_ascii(const std::string &s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
  return true;
}

// Decodes a C string literal made of the escapes c_string_literal uses.
std::string decode_literal(const std::string &lit) {
  EXPECT_GE(lit.size(), 2u);
  EXPECT_EQ(lit.front(), '"');
  EXPECT_EQ(lit.back(), '"');
  std::string out;
  for (size_t i = 1; i + 1 < lit.size(); ++i) {
    if (lit[i] != '\\') {
      out += lit[i];
      continue;
    }
    const char n = lit[++i];
    if (n >= '0' && n <= '7') {
      out += static_cast<char>((lit[i] - '0') * 64 + (lit[i + 1] - '0') * 8 + (lit[i + 2] - '0'));
      i += 2;
    } else {
      out += n;  // \? \" \\ (the only other escapes)
    }
  }
  return out;
}

TEST(Names, CommentTextIsInert) {
  for (const std::string &s : hostile()) {
    const std::string t = c_comment_text(s);
    SCOPED_TRACE(t);
    EXPECT_TRUE(printable_ascii(t));
    EXPECT_EQ(t.find("/*"), std::string::npos);
    EXPECT_EQ(t.find("*/"), std::string::npos);
    EXPECT_EQ(t.find('\\'), std::string::npos);
    EXPECT_EQ(t.find('?'), std::string::npos);
    EXPECT_LE(t.size(), 120u);
    // Inside the comment as the generators write it, the boundaries hold too.
    const std::string c = "/* " + t + " */";
    EXPECT_EQ(c.find("*/"), c.size() - 2);
    EXPECT_EQ(c.rfind("/*"), 0u);
  }
  EXPECT_EQ(c_comment_text("/layer1/Conv"), "/layer1/Conv");
  EXPECT_EQ(c_comment_text("a\nb"), "a%0Ab");
  EXPECT_EQ(c_comment_text("a*/b"), "a* /b");
  EXPECT_EQ(c_comment_text("a/*b"), "a/ *b");
  EXPECT_EQ(c_comment_text("?\?/"), "%3F%3F/");
  EXPECT_EQ(c_comment_text(std::string(500, 'x'), 20), std::string(17, 'x') + "...");
  EXPECT_EQ(c_comment_text("a\0b"s), "a%00b");
}

TEST(Names, StringLiteralKeepsTheExactValue) {
  for (const std::string &s : hostile()) {
    const std::string lit = c_string_literal(s);
    SCOPED_TRACE(lit);
    EXPECT_TRUE(printable_ascii(lit));
    EXPECT_EQ(decode_literal(lit), s);
    EXPECT_EQ(lit.find("??"), std::string::npos);  // no trigraph (every '?' is "\?")
    // Only the closing quote is unescaped.
    for (size_t i = 1; i + 1 < lit.size(); ++i)
      if (lit[i] == '"') {
        EXPECT_EQ(lit[i - 1], '\\');
      }
  }
  EXPECT_EQ(c_string_literal("input.1"), "\"input.1\"");
  EXPECT_EQ(c_string_literal("/a/b:0"), "\"/a/b:0\"");
  EXPECT_EQ(c_string_literal("a\nb"), "\"a\\012b\"");
  EXPECT_EQ(c_string_literal("a\0" "1"s), "\"a\\0001\"");  // three digits: no merge with '1'
  EXPECT_EQ(c_string_literal("?\?/"), "\"\\?\\?/\"");
}

TEST(Names, Identifiers) {
  for (const std::string &s : hostile()) {
    const std::string id = c_identifier(s);
    SCOPED_TRACE(id);
    ASSERT_FALSE(id.empty());
    EXPECT_FALSE(std::isdigit(static_cast<unsigned char>(id[0])));
    for (char c : id) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    EXPECT_LE(id.size(), 200u);
  }
  EXPECT_EQ(c_identifier("/layer1/Conv"), "_layer1_Conv");
  EXPECT_EQ(c_identifier("1conv"), "m_1conv");
}

TEST(Names, FileStemsAreSafe) {
  for (const std::string &s : hostile()) {
    const std::string f = file_stem(s);
    SCOPED_TRACE(f);
    ASSERT_FALSE(f.empty());
    EXPECT_LE(f.size(), 100u);
    EXPECT_NE(f[0], '.');
    EXPECT_NE(f[0], '-');
    for (char c : f)
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-');
  }
  EXPECT_EQ(file_stem("/layer1/Conv_output_0"), "_layer1_Conv_output_0");
  EXPECT_EQ(file_stem("input.1"), "input.1");
  EXPECT_EQ(file_stem("a b:c-d"), "a_b_c-d");
  EXPECT_EQ(file_stem(".."), "_.");
}

TEST(Names, UniqueStemsAreDistinct) {
  const std::vector<std::string> h = hostile();
  const std::vector<std::string> u = unique_stems(h);
  ASSERT_EQ(u.size(), h.size());
  EXPECT_EQ(std::set<std::string>(u.begin(), u.end()).size(), u.size());
  for (const std::string &s : u) EXPECT_EQ(file_stem(s), s);
  // Names that sanitise alike: a name already safe keeps its stem.
  EXPECT_EQ(unique_stems({"y:0", "y_0", "y/0"}),
            (std::vector<std::string>{"y_0_2", "y_0", "y_0_3"}));
  EXPECT_EQ(unique_stems({"a b", "a_b_2", "a_b"}),
            (std::vector<std::string>{"a_b_3", "a_b_2", "a_b"}));
  EXPECT_EQ(unique_stems({"x", "x"}), (std::vector<std::string>{"x", "x_2"}));
  // Long names that agree in their first 100 characters.
  const std::string l(150, 'a');
  const auto lu = unique_stems({l + "1", l + "2"});
  EXPECT_NE(lu[0], lu[1]);
}

TEST(Names, ModelNames) {
  EXPECT_EQ(model_name_problem("resnet18"), "");
  EXPECT_EQ(model_name_problem("Net_2"), "");
  for (const char *bad : {"", "main", "Main", "int", "while", "../evil", "a/b", "a.b", "1net", "_x",
                          "__x", "swtc", "SWTC_model", "Makefile", "swemu", "athread", "slave",
                          "simd", "crts", "inputs", "outputs", "a-b", "a b"})
    EXPECT_NE(model_name_problem(bad), "") << bad;
  EXPECT_NE(model_name_problem(std::string(65, 'a')), "");
  EXPECT_EQ(model_name_problem(std::string(64, 'a')), "");
  for (const std::string &s : hostile()) {
    const std::string n = model_name_from(s);
    EXPECT_EQ(model_name_problem(n), "") << "'" << n << "' from '" << s << "'";
  }
  EXPECT_EQ(model_name_from("resnet-18"), "resnet_18");
  EXPECT_EQ(model_name_from("main"), "main_model");
  EXPECT_EQ(model_name_from("int"), "int_model");
  EXPECT_EQ(model_name_from("swtc"), "mswtc");
  EXPECT_EQ(model_name_from("_x"), "m_x");
}

TEST(Names, TerminalTextEscapesControlsBidiAndBadUtf8) {
  EXPECT_EQ(terminal_text("conv1.weight"), "conv1.weight");
  EXPECT_EQ(terminal_text("a\nb\tc\rd"), "a\\nb\\tc\\rd");
  EXPECT_EQ(terminal_text(std::string("a\0b\x1b[2Jc\x7f", 9)), "a\\x00b\\x1b[2Jc\\x7f");
  EXPECT_EQ(terminal_text("\xe5\x90\x8d\xe5\xad\x97"), "\xe5\x90\x8d\xe5\xad\x97");  // kept
  EXPECT_EQ(terminal_text("x\xe2\x80\xaey"), "x\\xe2\\x80\\xaey");  // U+202E RLO
  EXPECT_EQ(terminal_text("\xe2\x81\xa6"), "\\xe2\\x81\\xa6");       // U+2066 LRI
  EXPECT_EQ(terminal_text("\xc2\x9b"), "\\xc2\\x9b");                   // C1 CSI
  EXPECT_EQ(terminal_text("\xff\xc0\xaf"), "\\xff\\xc0\\xaf");         // malformed, overlong
  EXPECT_EQ(terminal_text("\xed\xa0\x80"), "\\xed\\xa0\\x80");         // a surrogate
  EXPECT_EQ(terminal_text("\xe5\x90"), "\\xe5\\x90");                   // cut short
  EXPECT_EQ(terminal_text(std::string(300, 'a')), std::string(200, 'a') + "...(300 bytes)");
  EXPECT_EQ(terminal_text("one\ntwo", 200, true), "one\ntwo");
  for (const std::string &h : hostile()) {
    const std::string t = terminal_text(h);
    for (unsigned char c : t) EXPECT_TRUE(c >= 0x20 && c != 0x7f) << t;
    EXPECT_EQ(t.find("\xe2\x80\xae"), std::string::npos);
  }
}

}  // namespace
}  // namespace swtc::names

#include "common/names.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <set>

namespace swtc::names {

namespace {

bool alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

const char kHex[] = "0123456789ABCDEF";

std::string lower(std::string s) {
  for (auto &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string c_comment_text(std::string_view s, size_t max_chars) {
  const std::string ellipsis = "...";
  if (max_chars < 8) max_chars = 8;
  std::string out;
  size_t cut = std::string::npos;  // where "..." goes if the text is too long
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    std::string unit;
    if (c >= 0x20 && c <= 0x7e && c != '\\' && c != '?' && c != '%') {
      // "/*" and "*/" must not form: a space between them.
      if (!out.empty() && ((c == '*' && out.back() == '/') || (c == '/' && out.back() == '*')))
        unit = " ";
      unit += ch;
    } else {
      unit = {'%', kHex[c >> 4], kHex[c & 15]};
    }
    if (cut == std::string::npos && out.size() + unit.size() > max_chars - ellipsis.size())
      cut = out.size();
    if (out.size() + unit.size() > max_chars) return out.substr(0, cut) + ellipsis;
    out += unit;
  }
  return out;
}

std::string c_string_literal(std::string_view s) {
  static const std::string safe = " _.,:;/+=()<>#@!$%&*|^~'[]{}-";
  std::string out = "\"";
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (alnum(c) || safe.find(ch) != std::string::npos) {
      out += ch;
    } else if (c == '?') {
      out += "\\?";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else {
      out += {'\\', static_cast<char>('0' + (c >> 6)), static_cast<char>('0' + ((c >> 3) & 7)),
              static_cast<char>('0' + (c & 7))};
    }
  }
  return out + "\"";
}

std::string c_identifier(std::string_view s, size_t max_chars) {
  std::string out;
  for (char c : s) out += alnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "m_" + out;
  if (max_chars < 3) max_chars = 3;
  if (out.size() > max_chars) out.resize(max_chars);
  return out;
}

std::string file_stem(std::string_view s) {
  std::string out;
  for (char c : s) out += alnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ? c : '_';
  if (out.empty()) out = "_";
  if (out[0] == '.' || out[0] == '-') out[0] = '_';
  if (out.size() > 100) out.resize(100);
  return out;
}

std::vector<std::string> unique_stems(const std::vector<std::string> &names) {
  std::vector<std::string> out(names.size());
  std::set<std::string> used;
  // Names a file can carry unchanged claim their own stems first.
  for (size_t i = 0; i < names.size(); ++i)
    if (file_stem(names[i]) == names[i] && used.insert(names[i]).second) out[i] = names[i];
  for (size_t i = 0; i < names.size(); ++i) {
    if (!out[i].empty()) continue;
    const std::string base = file_stem(names[i]).substr(0, 90);
    std::string stem = file_stem(names[i]);
    for (int k = 2; used.count(stem); ++k) stem = base + "_" + std::to_string(k);
    used.insert(stem);
    out[i] = stem;
  }
  return out;
}

namespace {

const std::set<std::string> &c_keywords() {
  static const std::set<std::string> k = {
      // C89/C99/C11
      "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
      "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
      "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
      "typedef", "union", "unsigned", "void", "volatile", "while",
      // C23 and common extensions
      "alignas", "alignof", "bool", "constexpr", "false", "nullptr", "static_assert",
      "thread_local", "true", "typeof", "typeof_unqual", "asm", "fortran"};
  return k;
}

// File and folder names the output folder (and `swtc run`'s work folder)
// already uses, lower case: a model named so would overwrite or shadow them.
const std::set<std::string> &used_stems() {
  static const std::set<std::string> k = {
      "main", "makefile", "gnumakefile", "swemu", "athread", "slave", "simd", "crts",
      "swemu_ops", "athread_emu", "inputs", "outputs", "include", "include_pro"};
  return k;
}

}  // namespace

std::string model_name_problem(const std::string &name) {
  if (name.empty()) return "it is empty";
  if (name.size() > 64) return "it is longer than 64 characters";
  if (!std::all_of(name.begin(), name.end(),
                   [](char c) { return alnum(static_cast<unsigned char>(c)) || c == '_'; }) ||
      std::isdigit(static_cast<unsigned char>(name[0])))
    return "it is not a C identifier ([A-Za-z_][A-Za-z0-9_]*)";
  if (name[0] == '_') return "it starts with '_' (reserved in C)";
  if (c_keywords().count(name)) return "it is a C keyword";
  if (used_stems().count(lower(name)))
    return "the output folder already uses that name (main.c, Makefile, swemu/, ...)";
  if (lower(name).rfind("swtc", 0) == 0) return "it starts with 'swtc' (the runner's own names)";
  return "";
}

std::string model_name_from(std::string_view s) {
  std::string id = c_identifier(s, 56);
  if (id[0] == '_' || lower(id).rfind("swtc", 0) == 0) id = "m" + id;
  if (c_keywords().count(id) || used_stems().count(lower(id))) id += "_model";
  if (id.size() > 64) id.resize(64);
  return id;
}

std::string terminal_text(std::string_view s, size_t max_bytes, bool keep_newlines) {
  static const char kHex[] = "0123456789abcdef";
  auto hex = [&](unsigned char c) { return std::string("\\x") + kHex[c >> 4] + kHex[c & 15]; };
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (i >= max_bytes) return out + "...(" + std::to_string(s.size()) + " bytes)";
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '\n') out += keep_newlines ? "\n" : "\\n";
      else if (c == '\t') out += keep_newlines ? "\t" : "\\t";
      else if (c == '\r') out += "\\r";
      else if (c < 0x20 || c == 0x7f) out += hex(c);
      else out += static_cast<char>(c);
      ++i;
      continue;
    }
    // A UTF-8 sequence: its length from the lead byte, continuation bytes
    // 10xxxxxx, no overlong form, no surrogate, at most U+10FFFF.
    size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? (c <= 0xef ? 3 : 0) : c >= 0xc2 ? 2 : 0;
    uint32_t cp = len == 2 ? (c & 0x1fu) : len == 3 ? (c & 0x0fu) : (c & 0x07u);
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      ok = (d & 0xc0) == 0x80;
      cp = (cp << 6) | (d & 0x3fu);
    }
    if (ok)
      ok = !(len == 3 && cp < 0x800) && !(len == 4 && (cp < 0x10000 || cp > 0x10ffff)) &&
           !(cp >= 0xd800 && cp <= 0xdfff);
    const bool hidden = cp <= 0x9f || cp == 0x61c || cp == 0x200e || cp == 0x200f ||
                        (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
    if (!ok) {
      out += hex(c);
      ++i;
    } else if (hidden) {
      for (size_t k = 0; k < len; ++k) out += hex(static_cast<unsigned char>(s[i + k]));
      i += len;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

}  // namespace swtc::names

// Names from the model (graph, node, tensor names; the model file's stem) on
// their way into generated text. A model is untrusted input: its names may
// hold newlines, backslashes, trigraphs, comment openers and closers, quotes,
// control characters, NUL or any byte. Every name that reaches generated C, a
// Makefile or a file name goes through exactly one of these functions, one per
// context; nothing else pastes a model name into output.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace swtc::names {

/// Text safe inside a C block comment (`/* ... */`): printable ASCII is kept
/// except `\`, `?` and `%`, which (like every other byte) become `%XX` (two
/// hex digits, no backslash); a space is put between `/` and `*` wherever they
/// would form `/*` or `*/`. At most `max_chars` characters: longer text is cut
/// and ends with "...". Never ends a line, splices one, or forms a trigraph.
std::string c_comment_text(std::string_view s, size_t max_chars = 120);

/// A C string literal, quotes included, whose value is exactly `s` (NUL bytes
/// too): characters outside [A-Za-z0-9 _.,:;/+=()<>#@!$%&*|^~'[]{}-] as
/// three-digit octal escapes (`\ooo`), `?` as `\?` (no trigraph), `"` and `\`
/// escaped.
std::string c_string_literal(std::string_view s);

/// A C identifier from any string: characters outside [A-Za-z0-9_] become
/// '_', "m_" is put before an empty result or one that starts with a digit,
/// and the result is cut to `max_chars`. Not injective: callers that need
/// distinct identifiers make them distinct (unique_stems or an index).
std::string c_identifier(std::string_view s, size_t max_chars = 200);

/// A file name stem from any string: characters outside [A-Za-z0-9_.-] become
/// '_', a leading '.' or '-' becomes '_' (no hidden files, no option-like
/// names, never "." or ".."), "_" for an empty string, cut to 100 characters.
std::string file_stem(std::string_view s);

/// Distinct file stems for a list of names, in order: a name that file_stem
/// keeps unchanged keeps its stem; any other (changed, or a repeated name)
/// gets file_stem(name), and when that is taken, file_stem(name) + "_2",
/// "_3", ... (the first free one). Deterministic; distinct outputs for
/// distinct positions.
std::vector<std::string> unique_stems(const std::vector<std::string> &names);

/// Why `name` cannot be a model name (the C prefix and file stem of the
/// generated files, `swtc compile --name`), or "" if it can: it must be a C
/// identifier of at most 64 characters that does not start with '_', is no C
/// keyword, not "main" or another name the output folder already uses
/// (the runner main.c, the emulator's athread/slave/simd/crts/swemu files),
/// and does not start with "swtc" in any case (the runner's SWTC_* macros).
std::string model_name_problem(const std::string &name);

/// A valid model name (model_name_problem is "") derived from any string,
/// e.g. a model file's stem: c_identifier, then "_model" appended to a
/// reserved name, "m" put before a leading '_' or "swtc", cut to 64 characters.
std::string model_name_from(std::string_view s);

/// Text safe to print on a terminal, e.g. a tensor name in a line of `swtc
/// run`'s report: printable ASCII and well-formed UTF-8 are kept; control
/// characters become `\n`, `\t`, `\r` or `\xHH`, and so do (byte by byte)
/// DEL, malformed UTF-8, C1 controls (U+0080..U+009F) and the bidirectional
/// formatting characters (U+061C, U+200E, U+200F, U+202A..U+202E,
/// U+2066..U+2069), which could reorder what the terminal shows. Past
/// `max_bytes` input bytes the rest is replaced by "...(N bytes)". With
/// `keep_newlines`, '\n' and '\t' stay as they are (for multi-line messages
/// such as a compiler's log, whose model names were escaped already).
std::string terminal_text(std::string_view s, size_t max_bytes = 200, bool keep_newlines = false);

}  // namespace swtc::names

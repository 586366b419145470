#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/json_text.hpp"

namespace st {

/// The JSON writer every response body is built with.
using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

/// One entry of a 422 body in the list form of http-api.md §2.3 (the shape
/// pydantic produces, which the client already parses).
struct validation_error {
  std::string type;
  std::vector<std::variant<std::string, int64_t>> loc;
  std::string msg;
  std::string input_json = "null"; ///< the offending input, as JSON
  std::string ctx_json;            ///< a JSON object, or empty for none
};

/// Deepest nesting of arrays and objects any parser here accepts: far
/// beyond every real document, far below what a stack can take.
constexpr size_t max_json_depth = 64;

/// Longest rendering of a client's input echoed back in a 422 entry;
/// a longer one is cut to its first max_json_echo_chars characters.
constexpr size_t max_json_echo_bytes = 1024;
constexpr size_t max_json_echo_chars = 256;

/// Why a text is not acceptable JSON, and where.
struct json_fault {
  size_t offset = 0;
  std::string reason;
};

/// What a parse accepts beyond RFC 8259 syntax and well-formed UTF-8.
enum class json_strings {
  any,     ///< upstream answers: NUL characters are kept
  storable ///< client input: a NUL character is refused (PostgreSQL)
};

namespace detail {

/// The first kilobyte of a json_document's pool (a base, so that it is
/// built before the document that uses it).
struct json_first_chunk {
  alignas(std::max_align_t) char bytes[1024];
  rapidjson::MemoryPoolAllocator<> pool{bytes, sizeof bytes, 16 * 1024};
};

} // namespace detail

/// The DOM of every JSON text the service parses or builds, almost all
/// small: its pool starts in a kilobyte inside it and its parse stack at
/// 256 B. rapidjson's own first chunk of 64 KB and 1 KB stack were a
/// malloc and free of each per document, sizes that also made glibc
/// consolidate its fast bins every time: the two documents of a token
/// check took a tenth of a cached GET's CPU. Neither copied nor moved
/// (the pool is inside).
class json_document : private detail::json_first_chunk,
                      public rapidjson::Document {
public:
  json_document() : rapidjson::Document(&pool, 256) {}
  json_document(const json_document&) = delete;
  json_document& operator=(const json_document&) = delete;
};

/// Parses `text` into `out` without recursing on the native stack, at most
/// max_json_depth levels deep, with UTF-8 validated; the fault otherwise.
[[nodiscard]] std::optional<json_fault>
parse_json(std::string_view text, rapidjson::Document& out,
           json_strings strings = json_strings::storable);

/// The checks of parse_json, without building a document.
[[nodiscard]] std::optional<json_fault>
check_json(std::string_view text,
           json_strings strings = json_strings::storable);

/// `x` as JSON for echoing back to a client: itself when short, else a
/// string of its first characters ending in "…".
[[nodiscard]] std::string echo_json(const rapidjson::Value& x);

/// A client's text as a JSON string for echoing back, cut as echo_json.
[[nodiscard]] std::string echo_string(std::string_view x);

/// `{"detail": "<text>"}`.
[[nodiscard]] std::string detail_json(std::string_view detail);

/// `{"detail": [ ... ]}` for a 422.
[[nodiscard]] std::string
validation_json(const std::vector<validation_error>& errors);

/// Serialises any value compactly.
[[nodiscard]] std::string to_json(const rapidjson::Value& x);

/// The 422 entry of a body that is not JSON (pydantic's `json_invalid`).
[[nodiscard]] validation_error json_invalid(const json_fault& fault);

/// Parses a request body that must be a JSON object into `out`; returns the
/// 422 entries when it is not (empty, malformed or another JSON type).
[[nodiscard]] std::vector<validation_error>
parse_body_object(std::string_view body, rapidjson::Document& out);

/// Reads required string member `name` of the body object; records a
/// `missing` or `string_type` entry in `errors` when it is not one.
[[nodiscard]] std::optional<std::string>
required_string(const rapidjson::Value& body, const char* name,
                std::vector<validation_error>& errors);

} // namespace st

#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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

/// `{"detail": "<text>"}`.
[[nodiscard]] std::string detail_json(std::string_view detail);

/// `{"detail": [ ... ]}` for a 422.
[[nodiscard]] std::string
validation_json(const std::vector<validation_error>& errors);

/// A JSON string literal (quotes included) of `x`.
[[nodiscard]] std::string json_string(std::string_view x);

/// Serialises any value compactly.
[[nodiscard]] std::string to_json(const rapidjson::Value& x);

/// Parses a request body that must be a JSON object into `out`; returns the
/// 422 entries when it is not (empty, malformed or another JSON type).
[[nodiscard]] std::vector<validation_error>
parse_body_object(const std::string& body, rapidjson::Document& out);

/// Reads required string member `name` of the body object; records a
/// `missing` or `string_type` entry in `errors` when it is not one.
[[nodiscard]] std::optional<std::string>
required_string(const rapidjson::Value& body, const char* name,
                std::vector<validation_error>& errors);

} // namespace st

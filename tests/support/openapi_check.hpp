#pragma once

#include <rapidjson/document.h>

#include <string>

namespace st::test {

/// The JSON schema an OpenAPI 3 document gives for the `status` answer of
/// `method` (lower case) on `path` (a template), or null when none.
const rapidjson::Value* answer_schema(const rapidjson::Value& doc,
                                      const std::string& method,
                                      const std::string& path, int status);

/// Where `value` breaks `schema` (`$.a[2].b: expected integer`), or empty.
/// Knows what a validating proxy (Prism, ajv) checks of the document's
/// keywords: $ref, type, nullable, enum, required, properties, items,
/// additionalProperties (a schema or false), minimum, maximum, minLength,
/// maxLength, format (date, date-time), oneOf, anyOf.
std::string schema_mismatch(const rapidjson::Value& doc,
                            const rapidjson::Value& schema,
                            const rapidjson::Value& value,
                            const std::string& at = "$");

/// The operation `method` on `target` (a path with its query) of the
/// document, as a validating proxy finds it: literal segments before
/// templated ones; none when the path or method is not documented.
const rapidjson::Value* operation_of(const rapidjson::Value& doc,
                                     const std::string& method,
                                     const std::string& target);

/// Where an answer breaks the document, as a validating proxy between
/// client and server reports it: a status the operation does not list (nor
/// `default`), a media type its answer does not list, a JSON body that is
/// not JSON or breaks the schema. Empty when it fits or the operation is
/// not documented.
std::string answer_mismatch(const rapidjson::Value& doc,
                            const std::string& method,
                            const std::string& target, int status,
                            const std::string& content_type,
                            const std::string& body);

} // namespace st::test

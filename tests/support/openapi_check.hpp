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
/// Knows the parts the document uses: $ref, type, nullable, enum,
/// required, properties, items, additionalProperties, minimum, maximum.
std::string schema_mismatch(const rapidjson::Value& doc,
                            const rapidjson::Value& schema,
                            const rapidjson::Value& value,
                            const std::string& at = "$");

} // namespace st::test

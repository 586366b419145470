#pragma once

#include <string>

namespace st {

/// The OpenAPI document (docs/openapi.yaml, built into the binary) as
/// JSON, for `GET /openapi.json`.
/// @throws std::runtime_error when the document does not read as YAML.
[[nodiscard]] std::string openapi_json();

/// YAML → JSON: mappings become objects, sequences arrays; plain scalars
/// that read as null, booleans or numbers become those, everything else
/// (and every quoted scalar) a string.
/// @throws std::runtime_error on malformed YAML.
[[nodiscard]] std::string yaml_to_json(const std::string& yaml);

} // namespace st

#pragma once

namespace st::embedded {

/// Files built into the binary (CMake's embed_text, from the source tree).
extern const char admin_page[];   ///< runtime/admin_page.html
extern const char openapi_yaml[]; ///< docs/openapi.yaml
extern const char docs_page[];    ///< runtime/docs_page.html
/// Swagger UI (npm's swagger-ui-dist, see CMakeLists.txt).
extern const char swagger_ui_js[];
extern const char swagger_ui_css[];

} // namespace st::embedded

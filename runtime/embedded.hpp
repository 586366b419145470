#pragma once

namespace st::embedded {

/// Files built into the binary (CMake's embed_text, from the source tree).
extern const char admin_page[];   ///< runtime/admin_page.html
extern const char openapi_yaml[]; ///< docs/openapi.yaml

} // namespace st::embedded

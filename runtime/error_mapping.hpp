#pragma once

#include "runtime/router.hpp"

#include <caf/error.hpp>

namespace st {

/// The one place where errors become HTTP statuses and bodies.
[[nodiscard]] api_response error_response(const caf::error& err);

} // namespace st

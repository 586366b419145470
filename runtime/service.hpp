#pragma once

#include "config/settings.hpp"

namespace st {

/// `smart-trainer serve`: migrates (unless disabled), starts the actors and
/// the HTTP front, runs until SIGINT/SIGTERM, then shuts down in reverse
/// start order. Returns the process exit code.
int run_serve(const settings& cfg);

/// `smart-trainer migrate`: brings the database to the newest revision.
int run_migrate(const settings& cfg);

} // namespace st

#pragma once

#include <string>

namespace st {

/// One line to stdout: `<UTC time> [<LEVEL>] <logger>: <message>`, the
/// reference's pattern. Thread-safe; lines never interleave.
void log_info(const char* logger, const std::string& message);
void log_warn(const char* logger, const std::string& message);
void log_error(const char* logger, const std::string& message);

} // namespace st

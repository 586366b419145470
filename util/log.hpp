#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace st {

enum class log_level { debug, info, warning, error };
enum class log_format { text, json };

/// `debug`, `info`, `warning` (or `warn`), `error`; case-insensitive.
std::optional<log_level> parse_log_level(const std::string& text);
/// `text` or `json`; case-insensitive.
std::optional<log_format> parse_log_format(const std::string& text);

/// `DEBUG`, `INFO`, `WARNING` or `ERROR`.
const char* log_level_name(log_level level);

/// Sets the process's format and threshold (LOG_FORMAT, LOG_LEVEL).
void configure_log(log_format format, log_level threshold);

/// What a line carries beyond its message, where known: set for the
/// current thread by log_scope while one request or one actor's message
/// is handled.
struct log_context {
  std::string request_id;
  int32_t user_id = 0;         ///< 0 = none
  const char* actor = nullptr; ///< the actor kind handling a message
};

/// Sets the thread's log context for its lifetime, restoring the outer one.
class log_scope {
public:
  explicit log_scope(log_context ctx);
  ~log_scope();
  log_scope(const log_scope&) = delete;
  log_scope& operator=(const log_scope&) = delete;

private:
  log_context outer_;
};

/// One line to stdout. Text: `<UTC time> [<LEVEL>] <logger>: <message>`
/// (the reference's pattern) with the context appended as `key=value`;
/// JSON: one object per line. Thread-safe; lines never interleave.
/// Flushed at once (the access log is the only frequent writer).
void log_info(const char* logger, const std::string& message);
void log_warn(const char* logger, const std::string& message);
void log_error(const char* logger, const std::string& message);

/// One answered HTTP request.
struct access_entry {
  std::string request_id;
  std::string peer;
  std::string method;
  std::string path;  ///< without the query, which may carry codes
  std::string route; ///< the route template, empty when none matched
  unsigned status = 0;
  uint64_t bytes = 0;
  int64_t micros = 0;
  int32_t user_id = 0;
};

/// The access log (logger `http`, level info): buffered, flushed when
/// its buffer fills, by the next other line, or within a second.
void log_access(const access_entry& entry);

/// Writes out what is buffered (at exit and before a fatal end).
void flush_log();

} // namespace st

#include "util/log.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <thread>

#include "util/json_text.hpp"
#include "util/text.hpp"

namespace st {

namespace {

std::atomic<log_format> format{log_format::text};
std::atomic<log_level> threshold{log_level::info};

thread_local log_context current;

/// Holds stdout's buffer: lines go out when it fills, when a warning or
/// an error comes, or once a second from its flusher thread.
class log_sink {
public:
  log_sink() {
    // A large buffer: a busy access log costs no write(2) per line.
    std::setvbuf(stdout, nullptr, _IOFBF, 1 << 16);
    std::thread{[this] {
      flush_every_second();
    }}.detach();
  }

  void write(const std::string& line, bool urgent) {
    std::lock_guard<std::mutex> guard{mtx_};
    std::fwrite(line.data(), 1, line.size(), stdout);
    if (urgent)
      std::fflush(stdout);
    else
      dirty_ = true;
  }

  void flush() {
    std::lock_guard<std::mutex> guard{mtx_};
    std::fflush(stdout);
    dirty_ = false;
  }

private:
  [[noreturn]] void flush_every_second() {
    for (;;) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      std::lock_guard<std::mutex> guard{mtx_};
      if (dirty_)
        std::fflush(stdout);
      dirty_ = false;
    }
  }

  std::mutex mtx_;
  bool dirty_ = false;
};

log_sink& sink() {
  // Never destroyed: its thread may run until the process ends.
  static auto* instance = new log_sink;
  return *instance;
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
              now.time_since_epoch())
              .count() %
            1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[40];
  auto n = std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
  std::snprintf(stamp + n, sizeof(stamp) - n, ",%03d", static_cast<int>(ms));
  return stamp;
}

} // namespace

const char* log_level_name(log_level level) {
  switch (level) {
  case log_level::debug:
    return "DEBUG";
  case log_level::info:
    return "INFO";
  case log_level::warning:
    return "WARNING";
  case log_level::error:
    return "ERROR";
  }
  return "INFO";
}

namespace {

/// A line's fields beyond time, level, logger and message.
struct line_fields {
  std::string request_id;
  int32_t user_id = 0;
  const char* actor = nullptr;
  const access_entry* access = nullptr;
};

std::string text_line(log_level level, const char* logger,
                      const std::string& message, const line_fields& f) {
  auto line =
    timestamp() + " [" + log_level_name(level) + "] " + logger + ": " + message;
  if (!f.request_id.empty())
    line += " request_id=" + f.request_id;
  if (f.user_id != 0)
    line += " user_id=" + std::to_string(f.user_id);
  if (f.actor != nullptr)
    line += std::string{" actor="} + f.actor;
  return line + "\n";
}

std::string json_line(log_level level, const char* logger,
                      const std::string& message, const line_fields& f) {
  auto line = "{\"time\":" + json_string(timestamp()) +
              ",\"level\":" + json_string(log_level_name(level)) +
              ",\"logger\":" + json_string(logger) +
              ",\"message\":" + json_string(message);
  if (!f.request_id.empty())
    line += ",\"request_id\":" + json_string(f.request_id);
  if (f.user_id != 0)
    line += ",\"user_id\":" + std::to_string(f.user_id);
  if (f.actor != nullptr)
    line += ",\"actor\":" + json_string(f.actor);
  if (auto* a = f.access) {
    line += ",\"peer\":" + json_string(a->peer) +
            ",\"method\":" + json_string(a->method) +
            ",\"path\":" + json_string(a->path) +
            ",\"status\":" + std::to_string(a->status) +
            ",\"bytes\":" + std::to_string(a->bytes) +
            ",\"micros\":" + std::to_string(a->micros);
    if (!a->route.empty())
      line += ",\"route\":" + json_string(a->route);
  }
  return line + "}\n";
}

void write(log_level level, const char* logger, const std::string& message,
           const line_fields& f, bool buffered) {
  if (level < threshold.load(std::memory_order_relaxed))
    return;
  auto line = format.load(std::memory_order_relaxed) == log_format::json
                ? json_line(level, logger, message, f)
                : text_line(level, logger, message, f);
  sink().write(line, !buffered);
}

void write(log_level level, const char* logger, const std::string& message) {
  line_fields f;
  f.request_id = current.request_id;
  f.user_id = current.user_id;
  f.actor = current.actor;
  write(level, logger, message, f, false);
}

} // namespace

std::optional<log_level> parse_log_level(const std::string& text) {
  auto t = to_lower(trim(text));
  if (t == "debug")
    return log_level::debug;
  if (t == "info")
    return log_level::info;
  if (t == "warning" || t == "warn")
    return log_level::warning;
  if (t == "error")
    return log_level::error;
  return std::nullopt;
}

std::optional<log_format> parse_log_format(const std::string& text) {
  auto t = to_lower(trim(text));
  if (t == "text")
    return log_format::text;
  if (t == "json")
    return log_format::json;
  return std::nullopt;
}

void configure_log(log_format f, log_level t) {
  format = f;
  threshold = t;
}

log_scope::log_scope(log_context ctx) : outer_(std::move(current)) {
  current = std::move(ctx);
}

log_scope::~log_scope() {
  current = std::move(outer_);
}

void log_info(const char* logger, const std::string& message) {
  write(log_level::info, logger, message);
}

void log_warn(const char* logger, const std::string& message) {
  write(log_level::warning, logger, message);
}

void log_error(const char* logger, const std::string& message) {
  write(log_level::error, logger, message);
}

void log_access(const access_entry& a) {
  line_fields f;
  f.request_id = a.request_id;
  f.user_id = a.user_id;
  f.access = &a;
  // Text keeps the reference-era access line; JSON has the fields apart.
  auto message = format.load(std::memory_order_relaxed) == log_format::json
                   ? a.method + " " + a.path
                   : a.peer + " " + a.method + " " + a.path + " " +
                       std::to_string(a.status) + " " +
                       std::to_string(a.bytes) + "B " +
                       std::to_string(a.micros) + "us";
  write(log_level::info, "http", message, f, true);
}

void flush_log() {
  sink().flush();
}

} // namespace st

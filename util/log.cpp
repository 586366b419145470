#include "util/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace st {

namespace {

std::mutex log_mutex;

void write(const char* level, const char* logger, const std::string& message) {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
              now.time_since_epoch())
              .count() %
            1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
  std::lock_guard<std::mutex> guard{log_mutex};
  std::fprintf(stdout, "%s,%03d [%s] %s: %s\n", stamp, static_cast<int>(ms),
               level, logger, message.c_str());
  std::fflush(stdout);
}

} // namespace

void log_info(const char* logger, const std::string& message) {
  write("INFO", logger, message);
}

void log_warn(const char* logger, const std::string& message) {
  write("WARNING", logger, message);
}

void log_error(const char* logger, const std::string& message) {
  write("ERROR", logger, message);
}

} // namespace st

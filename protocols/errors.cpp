#include "protocols/errors.hpp"

#include <caf/all.hpp>

namespace st {

std::string error_detail(const caf::error& err) {
  auto& ctx = err.context();
  if (err.category() == caf::atom("db") &&
      err.code() == static_cast<uint8_t>(db_ec::query_failed) &&
      ctx.size() >= 2 && ctx.match_element<std::string>(1))
    return ctx.get_as<std::string>(1);
  if (!ctx.empty() && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return caf::to_string(err);
}

int64_t error_retry_after(const caf::error& err) {
  auto& ctx = err.context();
  bool carries = (err.category() == caf::atom("auth") &&
                  (err.code() == static_cast<uint8_t>(auth_ec::locked_out) ||
                   err.code() == static_cast<uint8_t>(auth_ec::throttled))) ||
                 err.category() == caf::atom("ai") ||
                 (err.category() == caf::atom("strava") &&
                  err.code() == static_cast<uint8_t>(strava_ec::rate_limited));
  if (carries && ctx.size() >= 2 && ctx.match_element<int64_t>(1))
    return ctx.get_as<int64_t>(1);
  return 0;
}

int64_t error_usage_limit(const caf::error& err) {
  auto& ctx = err.context();
  if (err.category() == caf::atom("user") &&
      err.code() == static_cast<uint8_t>(user_ec::daily_limit) &&
      ctx.size() >= 2 && ctx.match_element<int64_t>(1))
    return ctx.get_as<int64_t>(1);
  return 0;
}

std::string error_sqlstate(const caf::error& err) {
  auto& ctx = err.context();
  if (err.category() == caf::atom("db") &&
      err.code() == static_cast<uint8_t>(db_ec::query_failed) && !ctx.empty() &&
      ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return {};
}

} // namespace st

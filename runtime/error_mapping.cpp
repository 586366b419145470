#include "runtime/error_mapping.hpp"

#include "protocols/errors.hpp"
#include "runtime/route_support.hpp"

#include <caf/sec.hpp>

#include "util/log.hpp"

namespace st {

using status = http::status;

api_response error_response(const caf::error& err) {
  auto detail = error_detail(err);
  if (err.category() == caf::atom("auth")) {
    switch (static_cast<auth_ec>(err.code())) {
    case auth_ec::invalid_signup:
      return detail_response(status::bad_request, detail);
    case auth_ec::not_authenticated:
      return detail_response(status::unauthorized, detail);
    case auth_ec::invalid_reset:
      return detail_response(status::bad_request, detail);
    case auth_ec::wrong_password:
      return detail_response(status::forbidden, detail);
    case auth_ec::mail_unavailable: // a setting, not a passing outage
      return detail_response(status::service_unavailable, detail);
    case auth_ec::locked_out:
    case auth_ec::throttled: {
      auto res = detail_response(status::too_many_requests, detail);
      res.headers.emplace_back("Retry-After",
                               std::to_string(error_retry_after(err)));
      return res;
    }
    case auth_ec::busy:
      return unavailable(detail);
    }
  }
  if (err.category() == caf::atom("user")) {
    switch (static_cast<user_ec>(err.code())) {
    case user_ec::not_found:
    case user_ec::disabled:
      return detail_response(status::not_found, detail);
    case user_ec::account_gone:
      return detail_response(status::unauthorized, detail);
    case user_ec::duplicate:
      return detail_response(status::conflict, detail);
    case user_ec::unreadable_file:
    case user_ec::no_image:
      return detail_response(status::bad_request, detail);
    case user_ec::image_unavailable:
      return detail_response(status::bad_gateway, detail);
    case user_ec::unsupported_file:
      return detail_response(status::unsupported_media_type, detail);
    case user_ec::premium_required: {
      auto res = detail_response(status::forbidden, detail);
      res.headers.emplace_back("X-Upgrade-Required", "true");
      return res;
    }
    case user_ec::daily_limit: {
      // The app opens its upgrade sheet on "Daily limit" in the text.
      auto res = detail_response(status::too_many_requests, detail);
      res.headers.emplace_back("X-Upgrade-Required", "true");
      res.headers.emplace_back("X-Usage-Limit",
                               std::to_string(error_usage_limit(err)));
      return res;
    }
    }
  }
  if (err.category() == caf::atom("ai")) {
    switch (static_cast<ai_ec>(err.code())) {
    case ai_ec::not_configured:
    case ai_ec::model_unavailable:
      return unavailable(detail);
    case ai_ec::busy:
    case ai_ec::unavailable:
    case ai_ec::quota_exhausted: {
      auto res = detail_response(status::service_unavailable, detail);
      res.headers.emplace_back("Retry-After",
                               std::to_string(error_retry_after(err)));
      return res;
    }
    case ai_ec::failed:
      return detail_response(status::bad_gateway, detail);
    case ai_ec::blocked:
    case ai_ec::unusable:
      return detail_response(status::unprocessable_entity, detail);
    }
  }
  if (err.category() == caf::atom("intervals")) {
    switch (static_cast<intervals_ec>(err.code())) {
    case intervals_ec::not_linked:
    case intervals_ec::link_refused:
      return detail_response(status::bad_request, detail);
    case intervals_ec::unavailable:
      return unavailable(detail);
    case intervals_ec::bad_answer:
      return detail_response(status::bad_gateway, detail);
    case intervals_ec::event_refused:
      return detail_response(status::unprocessable_entity, detail);
    case intervals_ec::overtaken:
      return detail_response(status::conflict, detail);
    }
  }
  if (err.category() == caf::atom("strava")) {
    switch (static_cast<strava_ec>(err.code())) {
    case strava_ec::not_configured:
      return unavailable(detail);
    case strava_ec::rate_limited: {
      auto res = detail_response(status::service_unavailable, detail);
      res.headers.emplace_back("Retry-After",
                               std::to_string(error_retry_after(err)));
      return res;
    }
    case strava_ec::not_linked:
    case strava_ec::refused:
    case strava_ec::revoked:
      return detail_response(status::bad_request, detail);
    case strava_ec::bad_answer:
    case strava_ec::no_lease:
      return detail_response(status::bad_gateway, detail);
    }
  }
  if (err.category() == caf::atom("db")) {
    switch (static_cast<db_ec>(err.code())) {
    case db_ec::unavailable:
      return unavailable("Database unavailable, please retry shortly");
    case db_ec::overloaded:
      return unavailable("Server busy, please retry shortly");
    case db_ec::timeout:
      return unavailable("Database did not answer in time, please retry");
    case db_ec::query_failed:
      break;
    }
  }
  if (err.category() == caf::atom("call")) {
    if (static_cast<call_ec>(err.code()) == call_ec::expired)
      return unavailable("The request took too long, please retry");
    return unavailable("Server busy, please retry shortly");
  }
  if (err == caf::sec::request_timeout ||
      err == caf::sec::request_receiver_down)
    return unavailable("Service temporarily unavailable, please retry");
  if (err == caf::sec::runtime_error) // an actor failed; it is restarted
    return unavailable("Your data is temporarily unavailable, please retry");
  log_error("api", "unexpected error: " + caf::to_string(err));
  return detail_response(status::internal_server_error,
                         "Internal Server Error");
}

} // namespace st

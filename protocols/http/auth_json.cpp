#include "protocols/http/auth_json.hpp"

#include "config/defaults.hpp"
#include "protocols/text.hpp"

namespace st {

namespace {

void check_registration(const credentials& creds,
                        std::vector<validation_error>& errors) {
  auto email = trim(creds.email);
  if (!email.empty()) {
    if (utf8_length(email) > defaults::max_email_length)
      errors.push_back(
        {"string_too_long",
         {"body", "email"},
         "String should have at most " +
           std::to_string(defaults::max_email_length) + " characters",
         echo_string(creds.email),
         "{\"max_length\":" + std::to_string(defaults::max_email_length) +
           "}"});
    else if (email.find('@') == std::string::npos)
      errors.push_back({"value_error",
                        {"body", "email"},
                        "value is not a valid email address: An email "
                        "address must have an @-sign.",
                        echo_string(creds.email),
                        "{\"reason\":\"An email address must have an "
                        "@-sign.\"}"});
  }
  if (!creds.password.empty() &&
      utf8_length(creds.password) < defaults::min_password_length)
    errors.push_back(
      {"string_too_short",
       {"body", "password"},
       "String should have at least " +
         std::to_string(defaults::min_password_length) + " characters",
       echo_string(creds.password),
       "{\"min_length\":" + std::to_string(defaults::min_password_length) +
         "}"});
}

} // namespace

std::optional<credentials>
parse_credentials(const std::string& body, credential_rules rules,
                  std::vector<validation_error>& errors) {
  rapidjson::Document doc;
  errors = parse_body_object(body, doc);
  if (!errors.empty())
    return std::nullopt;
  auto email = required_string(doc, "email", errors);
  auto password = required_string(doc, "password", errors);
  if (!errors.empty())
    return std::nullopt;
  credentials result{std::move(*email), std::move(*password), {}, {}};
  if (rules == credential_rules::registration)
    check_registration(result, errors);
  if (!errors.empty())
    return std::nullopt;
  return result;
}

std::optional<std::string>
parse_refresh_token(const std::string& body,
                    std::vector<validation_error>& errors) {
  rapidjson::Document doc;
  errors = parse_body_object(body, doc);
  if (!errors.empty())
    return std::nullopt;
  auto token = required_string(doc, "refresh_token", errors);
  if (!token)
    return std::nullopt;
  return trim(*token);
}

std::string identity_json(const user_identity& x) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  w.Key("id");
  w.Int(x.id);
  w.Key("email");
  w.String(x.email.c_str(), static_cast<rapidjson::SizeType>(x.email.size()));
  w.EndObject();
  return buf.GetString();
}

std::string token_pair_json(const token_pair& x) {
  return "{\"access_token\":" + json_string(x.access_token) +
         ",\"refresh_token\":" + json_string(x.refresh_token) +
         ",\"token_type\":\"bearer\",\"expires_in\":" +
         std::to_string(x.expires_in) + ",\"user\":" + identity_json(x.user) +
         "}";
}

namespace {

/// A flat object of named counters.
std::string
counters_json(std::initializer_list<std::pair<const char*, uint64_t>> fields) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  for (auto& [name, value] : fields) {
    w.Key(name);
    w.Uint64(value);
  }
  w.EndObject();
  return buf.GetString();
}

} // namespace

std::string db_stats_json(const db_stats& x) {
  return counters_json({{"num_round_trips", x.num_round_trips},
                        {"num_statements", x.num_statements},
                        {"num_batches", x.num_batches},
                        {"num_failed", x.num_failed},
                        {"num_refused", x.num_refused},
                        {"num_expired", x.num_expired},
                        {"num_queued", x.num_queued},
                        {"num_busy", x.num_busy},
                        {"max_busy", x.max_busy},
                        {"num_connections", x.num_connections}});
}

std::string upstream_stats_json(const upstream_stats& x) {
  return counters_json({{"num_requests", x.num_requests},
                        {"num_attempts", x.num_attempts},
                        {"num_retries", x.num_retries},
                        {"num_failed", x.num_failed},
                        {"num_waiting", x.num_waiting},
                        {"num_in_flight", x.num_in_flight},
                        {"num_refused", x.num_refused},
                        {"num_expired", x.num_expired}});
}

std::string reminder_stats_json(const reminder_stats& x) {
  return counters_json({{"num_claimed", x.num_claimed},
                        {"num_fired", x.num_fired},
                        {"num_moved", x.num_moved},
                        {"num_pending", x.num_pending},
                        {"pending_bytes", x.pending_bytes}});
}

std::string gemini_stats_json(const gemini_stats& x) {
  auto counters =
    counters_json({{"max_concurrency", x.max_concurrency},
                   {"num_in_flight", x.num_in_flight},
                   {"max_in_flight", x.max_in_flight},
                   {"num_queued_interactive", x.num_queued_interactive},
                   {"num_queued_batch", x.num_queued_batch},
                   {"num_calls", x.num_calls},
                   {"num_attempts", x.num_attempts},
                   {"num_retries", x.num_retries},
                   {"num_succeeded", x.num_succeeded},
                   {"num_failed", x.num_failed},
                   {"num_refused", x.num_refused},
                   {"num_expired", x.num_expired},
                   {"num_fallbacks", x.num_fallbacks},
                   {"prompt_tokens", x.prompt_tokens},
                   {"output_tokens", x.output_tokens},
                   {"cached_tokens", x.cached_tokens},
                   {"breaker_opened", x.breaker_opened}});
  std::string alarms = "[";
  for (auto& a : x.alarms)
    alarms += (alarms.size() > 1 ? "," : "") + json_string(a);
  alarms += "]";
  counters.pop_back(); // the closing brace
  return counters + ",\"configured\":" + (x.configured ? "true" : "false") +
         ",\"model\":" + json_string(x.model) +
         ",\"fallback_model\":" + json_string(x.fallback_model) +
         ",\"breaker\":" + json_string(x.breaker) + ",\"paused_until\":" +
         (x.paused_until.empty() ? "null" : json_string(x.paused_until)) +
         ",\"alarms\":" + alarms + "}";
}

std::string strava_stats_json(const strava_stats& x) {
  auto counters =
    counters_json({{"window_used", static_cast<uint64_t>(x.window_used)},
                   {"window_limit", static_cast<uint64_t>(x.window_limit)},
                   {"day_used", static_cast<uint64_t>(x.day_used)},
                   {"day_limit", static_cast<uint64_t>(x.day_limit)},
                   {"available", static_cast<uint64_t>(x.available)},
                   {"num_granted", x.num_granted},
                   {"num_sent", x.num_sent},
                   {"num_throttled", x.num_throttled},
                   {"num_waiting", x.num_waiting},
                   {"num_refused", x.num_refused}});
  return counters.substr(0, counters.size() - 1) + R"(,"confirmed":)" +
         (x.confirmed ? "true" : "false") + "}";
}

} // namespace st

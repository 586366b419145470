#include "protocols/http/auth_json.hpp"

#include "protocols/limits.hpp"

#include <cctype>
#include <cstring>

#include "util/text.hpp"

namespace st {

namespace {

void check_registration(const credentials& creds,
                        std::vector<validation_error>& errors) {
  auto email = trim(creds.email);
  if (!email.empty()) {
    if (utf8_length(email) > limits::max_email_length)
      errors.push_back(
        {"string_too_long",
         {"body", "email"},
         "String should have at most " +
           std::to_string(limits::max_email_length) + " characters",
         echo_string(creds.email),
         "{\"max_length\":" + std::to_string(limits::max_email_length) + "}"});
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
      utf8_length(creds.password) < limits::min_password_length)
    errors.push_back(
      {"string_too_short",
       {"body", "password"},
       "String should have at least " +
         std::to_string(limits::min_password_length) + " characters",
       echo_string(creds.password),
       "{\"min_length\":" + std::to_string(limits::min_password_length) + "}"});
}

} // namespace

std::optional<credentials>
parse_credentials(const std::string& body, credential_rules rules,
                  std::vector<validation_error>& errors) {
  json_document doc;
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

bool well_formed_email(std::string_view email) {
  auto at = email.find('@');
  if (at == std::string_view::npos || at == 0)
    return false;
  auto local = email.substr(0, at);
  auto domain = email.substr(at + 1);
  auto dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || domain.size() - dot < 3)
    return false;
  auto in = [](std::string_view xs, const char* extra) {
    for (unsigned char c : xs)
      if (!std::isalnum(c) && std::strchr(extra, c) == nullptr)
        return false;
    return true;
  };
  auto tld = domain.substr(dot + 1);
  for (unsigned char c : tld)
    if (!std::isalpha(c))
      return false;
  return in(local, "._%+-") && in(domain.substr(0, dot), ".-");
}

namespace {

/// The string `key` of a JSON object body; on failure fills `errors`.
std::optional<std::string> string_field(const std::string& body,
                                        const char* key,
                                        std::vector<validation_error>& errors) {
  json_document doc;
  errors = parse_body_object(body, doc);
  if (!errors.empty())
    return std::nullopt;
  return required_string(doc, key, errors);
}

} // namespace

std::optional<std::string>
parse_forgot_password(const std::string& body,
                      std::vector<validation_error>& errors) {
  auto email = string_field(body, "email", errors);
  if (!email)
    return std::nullopt;
  return to_lower(trim(*email));
}

std::optional<password_reset>
parse_reset_password(const std::string& body,
                     std::vector<validation_error>& errors) {
  json_document doc;
  errors = parse_body_object(body, doc);
  if (!errors.empty())
    return std::nullopt;
  auto token = required_string(doc, "token", errors);
  auto password = required_string(doc, "new_password", errors);
  if (!errors.empty())
    return std::nullopt;
  return password_reset{std::move(*token), std::move(*password), {}};
}

std::optional<std::string>
parse_account_deletion(const std::string& body,
                       std::vector<validation_error>& errors) {
  return string_field(body, "password", errors);
}

std::optional<std::string>
parse_refresh_token(const std::string& body,
                    std::vector<validation_error>& errors) {
  auto token = string_field(body, "refresh_token", errors);
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

} // namespace st

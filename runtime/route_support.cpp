#include "runtime/route_support.hpp"

#include "config/defaults.hpp"
#include "protocols/http/user_json.hpp"
#include "runtime/idempotency.hpp"

#include "media/image.hpp"
#include "util/dates.hpp"
#include "util/text.hpp"

namespace st {

namespace {

/// Only the syntax is checked before authentication (a SAX pass, no DOM
/// is built): the route's own parser reads the body afterwards. An empty
/// body passes (the route answers "Field required").
std::optional<json_fault> syntax_fault(const std::string& body) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    return std::nullopt;
  return check_json(body);
}

/// Whether requests of `method` carry a body their route reads.
bool takes_body(http::verb method) {
  return method == http::verb::post || method == http::verb::put ||
         method == http::verb::patch;
}

} // namespace

void user_route(router& r, http::verb method, const char* path,
                const api_context& ctx, user_handler handle, body_kind kind) {
  r.add(
    method, path,
    [ctx, handle, kind, method](api_request& req, responder reply) {
      if (kind == body_kind::json && takes_body(method))
        if (auto fault = syntax_fault(req.body))
          return reply(unprocessable({json_invalid(*fault)}));
      // The account itself is checked by the user's actor.
      auto id = caller_of(req, reply);
      if (!id)
        return;
      if (method != http::verb::post || req.idempotency_key.empty())
        return handle(ctx, req, *id, std::move(reply));
      // Kept alive until the claim is answered.
      auto kept = std::make_shared<api_request>(req);
      run_once(ctx, *kept, *id, std::move(reply),
               [ctx, handle, kept, user = *id](responder r) {
                 handle(ctx, *kept, user, std::move(r));
               });
    },
    kind);
}

std::optional<day_bounds>
query_window(const std::map<std::string, std::string>& q, int64_t days,
             std::vector<validation_error>& errors) {
  auto from = query_date(q, "from_date", errors);
  auto to = query_date(q, "to_date", errors);
  if (!errors.empty())
    return std::nullopt;
  // Without `to_date` the window ends on the user's today, which only
  // their actor knows (their time zone); with it, everything is known here.
  if (to && !from)
    from = *to - days;
  // Windows end exclusive at the next day, so that one must exist too.
  if ((from && !representable_day(*from)) ||
      (to && !representable_day(*to + 1))) {
    errors.push_back({"value_error",
                      {"query", to ? "to_date" : "from_date"},
                      "Value error, the date window must lie within "
                      "0001-01-01 and 9999-12-30",
                      json_string(format_date(to ? *to : *from)),
                      ""});
    return std::nullopt;
  }
  return day_bounds{from, to};
}

std::optional<int32_t> path_id(const api_request& req, const char* name,
                               std::vector<validation_error>& errors) {
  auto& text = req.path_params.at(name);
  char* end = nullptr;
  auto x = std::strtoll(text.c_str(), &end, 10);
  // Every byte must be read: a NUL decoded from %00 ends the C string.
  if (text.empty() || end != text.c_str() + text.size() || x < INT32_MIN ||
      x > INT32_MAX) {
    errors.push_back({"int_parsing",
                      {"path", name},
                      "Input should be a valid integer, unable to parse "
                      "string as an integer",
                      echo_string(text),
                      ""});
    return std::nullopt;
  }
  return static_cast<int32_t>(x);
}

std::optional<api_response> refuse_image(const form_part& file) {
  using status = http::status;
  constexpr size_t max_image_bytes = 10 * 1024 * 1024;
  if (to_lower(file.content_type).rfind("image/", 0) != 0)
    return detail_response(status::bad_request, "File must be an image");
  if (file.data.empty())
    return detail_response(status::bad_request, "File is empty or invalid.");
  if (file.data.size() > max_image_bytes)
    return detail_response(status::bad_request, "Image too large (max 10MB)");
  if (sniff_image(file.data) == image_type::unknown)
    return detail_response(
      status::bad_request,
      "File must be a valid image (JPEG, PNG, GIF or WebP).");
  return std::nullopt;
}

std::optional<list_query> date_window(const api_request& req, int64_t days,
                                      std::vector<validation_error>& errors) {
  auto q = parse_query(req.query);
  auto limit = query_int(q, "limit", 1, 200, errors);
  auto offset = query_int(q, "offset", 0, INT32_MAX, errors);
  auto window = query_window(q, days, errors);
  if (!window || !errors.empty())
    return std::nullopt;
  list_query result;
  if (window->from)
    result.from = format_date(*window->from);
  if (window->to)
    result.to = format_date(*window->to);
  result.days = days;
  result.details = req.newer_app;
  if (limit || offset) {
    result.limit = limit.value_or(50);
    result.offset = offset.value_or(0);
  }
  return result;
}

api_response unavailable(std::string_view detail) {
  auto result = detail_response(http::status::service_unavailable, detail);
  result.headers.emplace_back(
    "Retry-After", std::to_string(defaults::retry_after_unavailable_s));
  return result;
}

api_response unprocessable(const std::vector<validation_error>& errors) {
  return json_response(http::status::unprocessable_entity,
                       validation_json(errors));
}

void with_user(const api_context& ctx, const api_request& req, responder reply,
               std::function<void(user_identity, responder)> next) {
  auto id = caller_of(req, reply);
  if (!id)
    return;
  ask<user_identity>(
    ctx, ctx.auth,
    [reply, next](caf::expected<user_identity> user) {
      if (user)
        next(std::move(*user), reply);
      else
        reply(error_response(user.error()));
    },
    atom::identify_v, *id);
}

std::optional<int32_t> caller_of(const api_request& req,
                                 const responder& reply) {
  using outcome = bearer_check::outcome;
  switch (req.caller.state) {
  case outcome::valid:
    return req.caller.user_id;
  case outcome::absent:
    reply(detail_response(http::status::unauthorized, "Not authenticated"));
    break;
  case outcome::bad_subject:
    reply(detail_response(http::status::unauthorized, "Invalid token"));
    break;
  case outcome::invalid:
    reply(
      detail_response(http::status::unauthorized, "Invalid or expired token"));
    break;
  }
  return std::nullopt;
}

} // namespace st

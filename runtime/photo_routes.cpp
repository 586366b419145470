// Photos read by the model (http-api.md §2.6, §3.5.1, §3.6.1–3.6.2).
// Handlers check the upload and translate the wire format; the user's
// actor converts the image (upload pool), asks Gemini (broker) and saves.
#include "protocols/http/multipart.hpp"
#include "protocols/http/user_json.hpp"
#include "runtime/api_routes.hpp"
#include "runtime/route_support.hpp"

#include "domain/nutrition.hpp"
#include "domain/photo_ai.hpp"
#include "media/image.hpp"
#include "util/text.hpp"

namespace st {

namespace {

using status = http::status;

/// What a photo upload carried, after the checks of http-api.md §2.6.
struct photo_form {
  image_upload image;
  opt_string meal_type;
  std::string description;
};

/// The upload's parts checked in the reference's order; or the answer.
std::variant<photo_form, api_response> read_photo_form(const api_request& req) {
  auto parts = parse_multipart(req.content_type, req.body);
  if (!parts)
    return detail_response(status::bad_request,
                           "There was an error parsing the body");
  auto* file = find_part(*parts, "file");
  if (file == nullptr)
    return unprocessable(
      {{"missing", {"body", "file"}, "Field required", "null", ""}});
  if (auto refused = refuse_image(*file))
    return std::move(*refused);
  photo_form result;
  result.image.bytes = std::make_shared<const std::string>(file->data);
  if (auto* meal = find_part(*parts, "meal_type"))
    result.meal_type = std::string{meal->data};
  if (auto* note = find_part(*parts, "description")) {
    auto text = trim(note->data);
    if (!valid_utf8(text) || utf8_length(text) > max_meal_note_chars)
      return unprocessable({{"string_too_long",
                             {"body", "description"},
                             "String should have at most 500 characters",
                             echo_string(sanitize_utf8(text)),
                             "{\"max_length\":500}"}});
    result.description = std::move(text);
  }
  return result;
}

/// FastAPI's boolean query values.
std::optional<bool> query_bool(const std::map<std::string, std::string>& q,
                               const char* name, bool fallback,
                               std::vector<validation_error>& errors) {
  auto i = q.find(name);
  if (i == q.end())
    return fallback;
  auto v = to_lower(trim(i->second));
  if (v == "true" || v == "1" || v == "yes" || v == "on")
    return true;
  if (v == "false" || v == "0" || v == "no" || v == "off")
    return false;
  errors.push_back({"bool_parsing",
                    {"query", name},
                    "Input should be a valid boolean, unable to interpret "
                    "input",
                    echo_string(i->second),
                    ""});
  return std::nullopt;
}

/// What a photo route's query may refuse (422 entries), before the upload
/// is looked at (as FastAPI validates parameters before the handler runs).
using query_check =
  std::function<void(const api_request&, std::vector<validation_error>&)>;

/// Registers an AI photo route: 503 without an API key; otherwise the
/// query and the form are checked and `handle` asks the user's actor with
/// the deadline of an AI request.
void photo_route(router& r, const char* path, const api_context& ctx,
                 std::function<void(const api_context&, const api_request&,
                                    int32_t, photo_form, responder)>
                   handle,
                 query_check check = {}) {
  user_route(
    r, http::verb::post, path, ctx,
    [handle, check](const api_context& ctx, const api_request& req,
                    int32_t user, responder reply) {
      if (!ctx.ai_configured)
        return reply(unavailable("AI is not configured"));
      if (check) {
        std::vector<validation_error> errors;
        check(req, errors);
        if (!errors.empty())
          return reply(unprocessable(errors));
      }
      auto form = read_photo_form(req);
      if (auto* refused = std::get_if<api_response>(&form))
        return reply(std::move(*refused));
      handle(ctx, req, user, std::move(std::get<photo_form>(form)),
             std::move(reply));
    },
    body_kind::upload);
}

} // namespace

void add_photo_routes(router& r, const api_context& ctx) {
  photo_route(r, "/api/v1/nutrition/analyze", ctx,
              [](const api_context& ctx, const api_request& req, int32_t user,
                 photo_form form, responder reply) {
                ask_user_within<food_analysis>(
                  ctx, ctx.ai_request_timeout, user,
                  answer<food_analysis>(reply, food_analysis_json),
                  atom::analyze_v,
                  meal_photo{form.image, normalize_meal_type(form.meal_type),
                             form.description, req.language});
              });
  photo_route(
    r, "/api/v1/photo/analyze", ctx,
    [](const api_context& ctx, const api_request& req, int32_t user,
       photo_form form, responder reply) {
      std::vector<validation_error> errors;
      auto save = query_bool(parse_query(req.query), "save", true, errors);
      ask_user_within<photo_analysis>(
        ctx, ctx.ai_request_timeout, user,
        answer<photo_analysis>(reply, photo_analysis_json), atom::analyze_v,
        photo_upload{form.image, normalize_meal_type(form.meal_type),
                     save.value_or(true), req.newer_app, req.language});
    },
    [](const api_request& req, std::vector<validation_error>& errors) {
      (void)query_bool(parse_query(req.query), "save", true, errors);
    });
  photo_route(r, "/api/v1/photo/analyze-sleep", ctx,
              [](const api_context& ctx, const api_request& req, int32_t user,
                 photo_form form, responder reply) {
                auto q = parse_query(req.query);
                auto mode = q.find("mode");
                bool full = mode != q.end() && to_lower(mode->second) == "full";
                ask_user_within<sleep_record>(
                  ctx, ctx.ai_request_timeout, user,
                  answer<sleep_record>(reply, sleep_record_json),
                  atom::analyze_v, sleep_photo{form.image, full, req.language});
              });
}

} // namespace st

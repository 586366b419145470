// libFuzzer targets for every parser that reads bytes from a client or an
// upstream. One binary, built once; ST_FUZZ_TARGET names the target a run
// exercises (tests/fuzz/run_fuzzers.sh runs each on its seed corpus).
// Any input must end in a value or an error: no crash, hang, leak or
// sanitizer report.
#include "protocols/coach.hpp"
#include "protocols/fernet.hpp"
#include "protocols/fit.hpp"
#include "protocols/gemini.hpp"
#include "protocols/http/analytics_json.hpp"
#include "protocols/http/auth_json.hpp"
#include "protocols/http/coach_json.hpp"
#include "protocols/http/json.hpp"
#include "protocols/http/multipart.hpp"
#include "protocols/http/user_json.hpp"
#include "protocols/intervals.hpp"
#include "protocols/limits.hpp"
#include "protocols/strava.hpp"
#include "protocols/tokens.hpp"
#include "runtime/http_support.hpp"
#include "runtime/router.hpp"

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>

#include "domain/chat_texts.hpp"
#include "domain/coach_prompts.hpp"
#include "domain/photo_ai.hpp"
#include "domain/sleep_night.hpp"
#include "media/image.hpp"
#include "util/dates.hpp"
#include "util/text.hpp"

namespace {

using namespace st;

/// The first line of the input selects a variant, the rest is the bytes.
std::pair<std::string_view, std::string_view>
split_first_line(std::string_view in) {
  auto nl = in.find('\n');
  if (nl == std::string_view::npos)
    return {{}, in};
  return {in.substr(0, nl), in.substr(nl + 1)};
}

/// Every route's body reader, and the pre-auth syntax check.
void json_bodies(std::string_view in) {
  std::string body{in};
  std::vector<validation_error> errors;
  (void)check_json(body);
  (void)parse_profile_patch(body, errors);
  std::optional<std::string> date;
  (void)parse_food_entry(body, date, errors);
  (void)parse_food_patch(body, errors);
  (void)parse_wellness_input(body, errors);
  (void)parse_workout_input(body, true, errors);
  (void)parse_workout_input(body, false, errors);
  (void)parse_sleep_data(body, errors);
  (void)parse_credentials(body, credential_rules::registration, errors);
  (void)parse_credentials(body, credential_rules::login, errors);
  (void)parse_refresh_token(body, errors);
  if (auto email = parse_forgot_password(body, errors)) {
    // A well-formed address is ASCII, one '@', no space.
    if (well_formed_email(*email) &&
        (email->find(' ') != std::string::npos ||
         std::count(email->begin(), email->end(), '@') != 1))
      std::abort();
  }
  (void)parse_reset_password(body, errors);
  (void)parse_account_deletion(body, errors);
  bool portion_given = false;
  (void)parse_meal_text(body, errors, portion_given);
  (void)parse_meal_text_entry(body, errors);
  (void)parse_sleep_correction(body, errors);
  // A stored sleep reading (the same bytes) read for its night.
  auto night = night_of(body, 20'000);
  if (night.day < -1'000'000 || night.day > 3'000'000)
    std::abort();
  // A 422 body is always valid JSON.
  auto rendered = validation_json(errors);
  rapidjson::Document doc;
  if (parse_json(rendered, doc, json_strings::any))
    std::abort();
}

/// Query strings, dates and path parameters as the routes read them.
void query_and_paths(std::string_view in) {
  auto [path, query] = split_first_line(in);
  auto q = parse_query(std::string{query});
  std::vector<validation_error> errors;
  for (auto* name : {"from_date", "to_date", "date"})
    (void)query_date(q, name, errors);
  (void)query_int(q, "limit", 1, 200, errors);
  (void)query_int(q, "offset", 0, INT32_MAX, errors);
  for (auto& [k, v] : q) {
    (void)parse_date(v);
    if (auto x = normalize_datetime(v); x && x->size() > 40)
      std::abort();
    (void)parse_finite(v);
  }
  static const router routes = [] {
    router r;
    auto none = [](api_request&, responder) {};
    r.add(http::verb::get, "/api/v1/workouts/{workout_id}", none);
    r.add(http::verb::patch, "/api/v1/nutrition/entries/{entry_id}", none);
    r.add(http::verb::get, "/api/v1/wellness", none);
    return r;
  }();
  auto found = routes.match(http::verb::get, std::string{path});
  (void)found;
  (void)validation_json(errors);
}

void multipart(std::string_view in) {
  auto [content_type, body] = split_first_line(in);
  if (auto parts = parse_multipart(content_type, body))
    for (auto& p : *parts)
      if (p.data.data() < body.data() ||
          p.data.data() + p.data.size() > body.data() + body.size())
        std::abort(); // a part must lie inside the body
}

void jwt(std::string_view in) {
  static const jwt_settings cfg{"fuzz-key", "HS256", 600};
  access_claims claims;
  (void)verify_access_token(cfg, in, 1'700'000'000, claims);
  // The same payload correctly signed reaches the claim checks.
  auto signed_token = sign_token(cfg, in);
  (void)verify_access_token(cfg, signed_token, 1'700'000'000, claims);
}

void fernet(std::string_view in) {
  static const auto key =
    *parse_fernet_key("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=");
  (void)fernet_decrypt(key, in);
  (void)parse_fernet_key(in);
}

void intervals_answers(std::string_view in) {
  (void)intervals::parse_activity_rows(in);
  (void)intervals::parse_wellness_rows(in);
  (void)intervals::parse_events(in);
  (void)intervals::parse_event(in);
  if (auto list = intervals::parse_activity_list(in))
    for (auto& item : *list) {
      auto merged = intervals::merge_detail(item.object, in);
      (void)intervals::activity_of(merged);
    }
}

/// Strava's answers (activity pages, one activity, athlete, tokens,
/// faults), its rate headers, webhook events and OAuth states.
void strava_answers(std::string_view in) {
  if (auto page = strava::parse_activity_page(in))
    for (auto& row : page->rows)
      if (row.raw.empty() || row.strava_id <= 0)
        std::abort(); // a mapped row has its id and its object
  (void)strava::parse_activity(in);
  (void)strava::parse_athlete(in);
  (void)strava::parse_token_grant(in);
  (void)strava::grant_revoked(400, in);
  std::string why;
  (void)strava::parse_webhook_event(in, why);
  std::vector<std::string> lines;
  for (auto line : split(in, '\n'))
    lines.emplace_back(line);
  (void)strava::read_rate_headers(lines);
  (void)strava::verify_state("fuzz-key", in, 1'700'000'000);
}

/// Request heads and body framing under the session's limits: a stream of
/// pipelined requests, each checked as the session checks it.
void http_framing(std::string_view in) {
  namespace beast = boost::beast;
  while (!in.empty()) {
    beast::http::request_parser<beast::http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(1024 * 1024);
    parser.eager(true);
    beast::error_code ec;
    size_t used = 0;
    bool checked = false;
    while (!ec && !parser.is_done() && used < in.size()) {
      auto n =
        parser.put(boost::asio::buffer(in.data() + used, in.size() - used), ec);
      if (n == 0 && !ec)
        break; // needs more input than there is
      used += n;
      if (!ec && parser.is_header_done() && !checked) {
        checked = true;
        auto length = parser.content_length();
        if (refuse_head(parser.get(),
                        length ? std::optional<uint64_t>{*length}
                               : std::nullopt,
                        1024 * 1024))
          return; // answered and closed: nothing more is read
      }
    }
    if (ec || !parser.is_done() || used == 0)
      return;
    in.remove_prefix(used);
  }
}

/// A decoded file's `raw` renders, and its series keeps its bounds.
void check_fit(std::string_view bytes) {
  auto result = decode_fit(bytes);
  auto* x = std::get_if<fit_summary>(&result);
  if (x == nullptr)
    return;
  (void)fit_raw_json(*x);
  if (x->series.size() > max_fit_samples)
    std::abort();
  for (size_t i = 1; i < x->series.size(); ++i)
    if (x->series[i].elapsed_sec - x->series[i - 1].elapsed_sec <
        min_sample_gap_sec)
      std::abort();
}

void fit(std::string_view in) {
  check_fit(in);
  // Also with a valid CRC, so the fuzzer reaches the records.
  if (in.size() >= 14) {
    std::string fixed{in};
    auto crc = fit_crc(std::string_view{fixed}.substr(0, fixed.size() - 2));
    fixed[fixed.size() - 2] = static_cast<char>(crc & 0xFF);
    fixed[fixed.size() - 1] = static_cast<char>(crc >> 8);
    check_fit(fixed);
  }
}

/// Gemini's answers as they arrive (whole, as an SSE stream cut into
/// pieces, as an error body) and the model's text read by every photo
/// reader.
void gemini(std::string_view in) {
  (void)read_gemini_answer(in);
  (void)read_gemini_error(in, 429);
  gemini_stream stream;
  std::string fed;
  size_t piece = in.empty() ? 1 : 1 + static_cast<unsigned char>(in[0]) % 13;
  for (size_t i = 0; i < in.size(); i += piece)
    fed += stream.feed(in.substr(i, piece));
  auto whole = stream.finish();
  // What was handed out as it came is where the final text starts.
  if (whole.text.compare(0, fed.size(), fed) != 0)
    std::abort();
  rapidjson::Document doc;
  (void)parse_model_json(in, doc);
  (void)read_meal(in);
  (void)read_photo(in);
  (void)read_photo(in, true);
  (void)read_sleep(in);
}

/// Image headers of an upload: JPEG markers and EXIF, PNG chunks, RIFF.
void image_headers(std::string_view in) {
  auto layout = read_image_layout(in);
  if (layout && (layout->orientation < 1 || layout->orientation > 8))
    std::abort();
}

/// The coach's readers: the model's decision (and its plan), the stored
/// plan, a chat message body.
void coach(std::string_view in) {
  for (bool advice : {false, true}) {
    auto d = read_decision(in, advice);
    if (!d.value)
      continue;
    bool word_fits = advice ? d.value->decision == "Advice"
                            : d.value->decision == "Go" ||
                                d.value->decision == "Modify" ||
                                d.value->decision == "Skip";
    if (!word_fits || (advice && d.value->modified_plan))
      std::abort();
    if (d.value->modified_plan) {
      auto again = plan_from_json(plan_json(*d.value->modified_plan));
      if (!again || again->title != d.value->modified_plan->title)
        std::abort();
      (void)plan_event(*d.value->modified_plan);
    }
  }
  (void)plan_from_json(in);
  std::vector<validation_error> errors;
  std::string body{in};
  (void)parse_chat_message(body, errors);
  (void)parse_decision_request(body, errors);
  for (bool required : {false, true})
    if (auto t = parse_thread_title(body, required, errors); t && t->title)
      // Every stored title fits the column, whatever came in.
      for (auto locale : {"en", "th", "xx"})
        if (utf8_length(
              thread_title_of(*t->title, thread_title_kind::renamed, locale)) >
            limits::max_thread_title_chars)
          std::abort();
  if (auto x = parse_insight_request(body, errors)) {
    // The chart data re-rendered is JSON again, and an object.
    json_document doc;
    if (parse_json(x->data_json, doc, json_strings::any) || !doc.IsObject())
      std::abort();
  }
}

using target_fn = void (*)(std::string_view);

target_fn selected() {
  static const std::map<std::string, target_fn> targets{
    {"json_bodies", json_bodies},
    {"query_and_paths", query_and_paths},
    {"multipart", multipart},
    {"jwt", jwt},
    {"fernet", fernet},
    {"intervals", intervals_answers},
    {"strava", strava_answers},
    {"coach", coach},
    {"http_framing", http_framing},
    {"fit", fit},
    {"gemini", gemini},
    {"image_headers", image_headers}};
  const char* name = std::getenv("ST_FUZZ_TARGET");
  auto i = targets.find(name == nullptr ? "" : name);
  if (i == targets.end()) {
    std::fprintf(stderr, "ST_FUZZ_TARGET must name one of:");
    for (auto& t : targets)
      std::fprintf(stderr, " %s", t.first.c_str());
    std::fprintf(stderr, "\n");
    std::exit(2);
  }
  return i->second;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const target_fn run = selected();
  run({reinterpret_cast<const char*>(data), size});
  return 0;
}

#include "protocols/gemini.hpp"

#include "protocols/http/json.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "util/text.hpp"

namespace st {

namespace {

const rapidjson::Value* member(const rapidjson::Value& x, const char* name) {
  if (!x.IsObject())
    return nullptr;
  auto i = x.FindMember(name);
  return i == x.MemberEnd() ? nullptr : &i->value;
}

std::string string_member(const rapidjson::Value& x, const char* name) {
  auto* v = member(x, name);
  return v != nullptr && v->IsString()
           ? std::string{v->GetString(), v->GetStringLength()}
           : std::string{};
}

int64_t count_member(const rapidjson::Value& x, const char* name) {
  auto* v = member(x, name);
  if (v == nullptr)
    return 0; // proto3 JSON omits zero counts
  if (v->IsInt64())
    return v->GetInt64();
  if (v->IsString()) // int64 counts may arrive as strings
    return std::strtoll(v->GetString(), nullptr, 10);
  return 0;
}

void write_part(json_writer& w, const gemini_part& p) {
  w.StartObject();
  if (p.mime_type.empty()) {
    w.Key("text");
    w.String(p.text.data(), static_cast<rapidjson::SizeType>(p.text.size()));
  } else {
    w.Key("inlineData");
    w.StartObject();
    w.Key("mimeType");
    w.String(p.mime_type.c_str());
    w.Key("data");
    w.String(p.base64.data(),
             static_cast<rapidjson::SizeType>(p.base64.size()));
    w.EndObject();
  }
  w.EndObject();
}

bool ends_with(std::string_view x, std::string_view tail) {
  return x.size() >= tail.size() &&
         x.compare(x.size() - tail.size(), tail.size(), tail) == 0;
}

/// The `error` object of a google.rpc.Status body; `http_status` when it
/// names no code.
gemini_error error_of(const rapidjson::Value& err, int http_status) {
  gemini_error result;
  result.code = http_status;
  if (auto code = count_member(err, "code"); code > 0 && code < 1000)
    result.code = static_cast<int>(code);
  result.status = string_member(err, "status");
  result.message = string_member(err, "message");
  if (result.message.find("limit: 0") != std::string::npos)
    result.zero_quota = true;
  auto* details = member(err, "details");
  if (details == nullptr || !details->IsArray())
    return result;
  for (auto& d : details->GetArray()) {
    auto type = string_member(d, "@type");
    if (ends_with(type, "google.rpc.RetryInfo")) {
      result.retry_delay_ms = parse_duration_ms(string_member(d, "retryDelay"));
    } else if (ends_with(type, "google.rpc.QuotaFailure")) {
      auto* violations = member(d, "violations");
      if (violations == nullptr || !violations->IsArray())
        continue;
      for (auto& v : violations->GetArray()) {
        auto id = string_member(v, "quotaId");
        if (id.find("PerDay") != std::string::npos)
          result.per_day = true;
        else if (id.find("PerMinute") != std::string::npos)
          result.per_minute = true;
        if (trim(string_member(v, "quotaValue")) == "0")
          result.zero_quota = true;
      }
    }
  }
  return result;
}

/// Takes one GenerateContentResponse (or stream chunk) into `r`.
void absorb(const rapidjson::Value& x, gemini_reading& r) {
  if (!x.IsObject()) {
    r.kind = gemini_reading::outcome::malformed;
    return;
  }
  if (auto* err = member(x, "error"); err != nullptr && err->IsObject()) {
    r.kind = gemini_reading::outcome::failed;
    r.error = error_of(*err, 0);
    return;
  }
  if (auto* feedback = member(x, "promptFeedback"))
    if (auto reason = string_member(*feedback, "blockReason"); !reason.empty())
      r.block_reason = reason;
  if (auto* usage = member(x, "usageMetadata")) {
    // Running totals in a stream: the last one counts.
    r.prompt_tokens = count_member(*usage, "promptTokenCount");
    r.output_tokens = count_member(*usage, "candidatesTokenCount");
    r.total_tokens = count_member(*usage, "totalTokenCount");
    r.cached_tokens = count_member(*usage, "cachedContentTokenCount");
  }
  if (auto version = string_member(x, "modelVersion"); !version.empty())
    r.model_version = version;
  auto* candidates = member(x, "candidates");
  if (candidates == nullptr || !candidates->IsArray() || candidates->Empty() ||
      !(*candidates)[0].IsObject())
    return;
  auto& first = (*candidates)[0];
  if (auto reason = string_member(first, "finishReason"); !reason.empty())
    r.finish_reason = reason;
  auto* content = member(first, "content");
  auto* parts = content != nullptr ? member(*content, "parts") : nullptr;
  if (parts == nullptr || !parts->IsArray())
    return;
  for (auto& part : parts->GetArray()) {
    auto* thought = member(part, "thought");
    if (thought != nullptr && thought->IsBool() && thought->GetBool())
      continue;
    auto* text = member(part, "text");
    if (text != nullptr && text->IsString())
      r.text.append(text->GetString(), text->GetStringLength());
  }
}

/// The outcome once every chunk is in.
void conclude(gemini_reading& r) {
  if (r.kind == gemini_reading::outcome::failed ||
      r.kind == gemini_reading::outcome::malformed)
    return;
  if (!r.block_reason.empty()) {
    r.kind = gemini_reading::outcome::blocked;
    return;
  }
  if (!trim(r.text).empty()) {
    r.kind = gemini_reading::outcome::text;
    return;
  }
  // No text: a stop for anything but STOP/MAX_TOKENS is a block.
  auto& f = r.finish_reason;
  r.kind = (f.empty() || f == "STOP" || f == "MAX_TOKENS" ||
            f == "FINISH_REASON_UNSPECIFIED")
             ? gemini_reading::outcome::empty
             : gemini_reading::outcome::blocked;
}

bool parses(const std::string& text, rapidjson::Document& out) {
  return !parse_json(text, out, json_strings::any).has_value();
}

/// `,` followed by whitespace and `}` or `]` removed (outside strings too,
/// as the reference's regex does).
std::string without_trailing_commas(std::string_view x) {
  std::string result;
  result.reserve(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i] == ',') {
      auto j = i + 1;
      while (j < x.size() && std::isspace(static_cast<unsigned char>(x[j])))
        ++j;
      if (j < x.size() && (x[j] == '}' || x[j] == ']'))
        continue;
    }
    result += x[i];
  }
  return result;
}

} // namespace

std::string gemini_request_json(const gemini_prompt& x) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  if (!x.system_instruction.empty()) {
    w.Key("systemInstruction");
    w.StartObject();
    w.Key("parts");
    w.StartArray();
    write_part(w, gemini_part{x.system_instruction, {}, {}});
    w.EndArray();
    w.EndObject();
  }
  w.Key("contents");
  w.StartArray();
  for (auto& turn : x.contents) {
    w.StartObject();
    w.Key("role");
    w.String(turn.role.c_str());
    w.Key("parts");
    w.StartArray();
    for (auto& p : turn.parts)
      write_part(w, p);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.Key("generationConfig");
  w.StartObject();
  if (x.temperature) {
    w.Key("temperature");
    w.Double(*x.temperature);
  }
  if (x.top_p) {
    w.Key("topP");
    w.Double(*x.top_p);
  }
  if (x.max_output_tokens) {
    w.Key("maxOutputTokens");
    w.Int64(*x.max_output_tokens);
  }
  if (!x.response_schema.empty()) {
    w.Key("responseMimeType");
    w.String("application/json");
    w.Key("responseSchema");
    w.RawValue(x.response_schema.data(), x.response_schema.size(),
               rapidjson::kObjectType);
  }
  w.EndObject();
  if (x.block_none) {
    w.Key("safetySettings");
    w.StartArray();
    for (auto* category :
         {"HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_HATE_SPEECH",
          "HARM_CATEGORY_SEXUALLY_EXPLICIT",
          "HARM_CATEGORY_DANGEROUS_CONTENT"}) {
      w.StartObject();
      w.Key("category");
      w.String(category);
      w.Key("threshold");
      w.String("BLOCK_NONE");
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return std::string{buf.GetString(), buf.GetSize()};
}

std::optional<int64_t> parse_duration_ms(std::string_view x) {
  auto t = trim(x);
  if (t.size() < 2 || t.back() != 's')
    return std::nullopt;
  t.pop_back();
  auto secs = parse_finite(t);
  if (!secs || *secs < 0 || *secs > 1e9)
    return std::nullopt;
  return static_cast<int64_t>(std::ceil(*secs * 1000));
}

gemini_error read_gemini_error(std::string_view body, int http_status) {
  json_document doc;
  if (!parse_json(body, doc, json_strings::any))
    if (auto* err = member(doc, "error"); err != nullptr && err->IsObject())
      return error_of(*err, http_status);
  gemini_error result;
  result.code = http_status;
  return result;
}

gemini_reading read_gemini_answer(std::string_view body) {
  gemini_reading result;
  json_document doc;
  if (parse_json(body, doc, json_strings::any)) {
    result.kind = gemini_reading::outcome::malformed;
    return result;
  }
  absorb(doc, result);
  conclude(result);
  return result;
}

std::string gemini_stream::feed(std::string_view bytes) {
  added_.clear();
  for (char c : bytes) {
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n')
        continue; // the LF of a CRLF
    }
    if (c == '\r' || c == '\n') {
      after_cr_ = c == '\r';
      take_line(line_);
      line_.clear();
    } else {
      line_ += c;
    }
  }
  return std::move(added_);
}

void gemini_stream::take_line(std::string_view line) {
  if (line.empty()) {
    end_event();
    return;
  }
  if (line.front() == ':') // an SSE comment
    return;
  auto colon = line.find(':');
  auto field = line.substr(0, colon);
  if (field == "data" && colon != std::string_view::npos) {
    auto value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
    if (in_event_)
      data_ += '\n';
    data_.append(value.data(), value.size());
    in_event_ = true;
  } else if (field != "event" && field != "id" && field != "retry") {
    // Not SSE: part of a raw JSON error written after the events.
    stray_.append(line.data(), line.size());
    stray_ += '\n';
  }
}

void gemini_stream::end_event() {
  if (!in_event_)
    return;
  in_event_ = false;
  ++num_events_;
  json_document doc;
  auto before = result_.text.size();
  if (parse_json(data_, doc, json_strings::any)) {
    result_.kind = gemini_reading::outcome::malformed;
  } else if (result_.kind != gemini_reading::outcome::failed) {
    absorb(doc, result_);
  }
  added_.append(result_.text, before, std::string::npos);
  data_.clear();
}

gemini_reading gemini_stream::finish() {
  take_line(line_);
  line_.clear();
  end_event();
  auto stray = trim(stray_);
  if (!stray.empty()) {
    json_document doc;
    if (!parse_json(stray, doc, json_strings::any))
      if (auto* err = member(doc, "error"); err != nullptr && err->IsObject()) {
        result_.kind = gemini_reading::outcome::failed;
        result_.error = error_of(*err, 0);
      }
  }
  if (num_events_ == 0 && result_.kind != gemini_reading::outcome::failed)
    result_.kind = stray.empty() ? gemini_reading::outcome::empty
                                 : gemini_reading::outcome::malformed;
  conclude(result_);
  return std::move(result_);
}

std::string strip_code_fence(std::string_view text) {
  auto t = trim(text);
  if (t.rfind("```", 0) != 0)
    return t;
  auto first_line_end = t.find('\n');
  if (first_line_end == std::string::npos)
    return {};
  auto body = t.substr(first_line_end + 1);
  if (auto close = body.rfind("```"); close != std::string::npos)
    body.erase(close);
  return trim(body);
}

bool parse_model_json(std::string_view text, rapidjson::Document& out) {
  std::string original{text};
  if (parses(original, out))
    return true;
  if (parses(without_trailing_commas(original), out))
    return true;
  // Truncated output: close it.
  auto base = original;
  while (!base.empty() &&
         (base.back() == ',' ||
          std::isspace(static_cast<unsigned char>(base.back()))))
    base.pop_back();
  for (auto* tail : {"\" }", " null}", "}", " }"})
    if (parses(base + tail, out))
      return true;
  return false;
}

} // namespace st

#include "protocols/http/json.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstring>

#include "util/text.hpp"

namespace st {

namespace {

/// Forwards SAX events to `inner`, refusing documents nested deeper than
/// max_json_depth and (for client input) strings holding a NUL.
template<class Inner>
class guarded_handler {
public:
  using Ch = char;

  guarded_handler(Inner& inner, json_strings strings)
    : inner_(inner), strings_(strings) {}

  const char* fault() const {
    return fault_;
  }

  bool Null() {
    return inner_.Null();
  }
  bool Bool(bool x) {
    return inner_.Bool(x);
  }
  bool Int(int x) {
    return inner_.Int(x);
  }
  bool Uint(unsigned x) {
    return inner_.Uint(x);
  }
  bool Int64(int64_t x) {
    return inner_.Int64(x);
  }
  bool Uint64(uint64_t x) {
    return inner_.Uint64(x);
  }
  bool Double(double x) {
    return inner_.Double(x);
  }
  bool RawNumber(const Ch* s, rapidjson::SizeType n, bool copy) {
    return inner_.RawNumber(s, n, copy);
  }
  bool String(const Ch* s, rapidjson::SizeType n, bool copy) {
    std::string mended;
    return text_ok(s, n, copy, mended) && inner_.String(s, n, copy);
  }
  bool Key(const Ch* s, rapidjson::SizeType n, bool copy) {
    std::string mended;
    return text_ok(s, n, copy, mended) && inner_.Key(s, n, copy);
  }
  bool StartObject() {
    return enter() && inner_.StartObject();
  }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return inner_.EndObject(n);
  }
  bool StartArray() {
    return enter() && inner_.StartArray();
  }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return inner_.EndArray(n);
  }

private:
  bool enter() {
    if (++depth_ <= max_json_depth)
      return true;
    fault_ = "Nesting deeper than 64 levels";
    return false;
  }

  /// Refuses NUL (client input), and ill-formed UTF-8 that escapes made
  /// (a lone surrogate such as `\udc00`; raw bytes are checked by the
  /// reader): client input is refused, an upstream's string is mended to
  /// U+FFFD in `mended`, which `s`/`n` then point to (copied by the sink).
  bool text_ok(const Ch*& s, rapidjson::SizeType& n, bool& copy,
               std::string& mended) {
    std::string_view text{s, n};
    if (strings_ == json_strings::storable &&
        text.find('\0') != std::string_view::npos) {
      fault_ = "NUL character in a string";
      return false;
    }
    if (valid_utf8(text))
      return true;
    if (strings_ == json_strings::storable) {
      fault_ = "Invalid \\u escape: a lone UTF-16 surrogate";
      return false;
    }
    mended = sanitize_utf8(text);
    s = mended.data();
    n = static_cast<rapidjson::SizeType>(mended.size());
    copy = true;
    return true;
  }

  Inner& inner_;
  json_strings strings_;
  size_t depth_ = 0;
  const char* fault_ = nullptr;
};

constexpr unsigned guarded_flags =
  rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

/// Runs the guarded reader over `text` into `inner`.
template<class Inner>
std::optional<json_fault> guarded_parse(std::string_view text, Inner& inner,
                                        json_strings strings) {
  rapidjson::MemoryStream bytes{text.data(), text.size()};
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in{
    bytes};
  guarded_handler<Inner> guard{inner, strings};
  rapidjson::Reader reader;
  auto result = reader.Parse<guarded_flags>(in, guard);
  if (!result.IsError())
    return std::nullopt;
  return json_fault{result.Offset(),
                    guard.fault() != nullptr
                      ? guard.fault()
                      : rapidjson::GetParseError_En(result.Code())};
}

} // namespace

std::optional<json_fault> parse_json(std::string_view text,
                                     rapidjson::Document& out,
                                     json_strings strings) {
  std::optional<json_fault> fault;
  auto fill = [&](rapidjson::Document& doc) {
    fault = guarded_parse(text, doc, strings);
    return !fault;
  };
  out.Populate(fill);
  if (fault)
    out.SetNull();
  return fault;
}

std::optional<json_fault> check_json(std::string_view text,
                                     json_strings strings) {
  rapidjson::BaseReaderHandler<> ignore;
  return guarded_parse(text, ignore, strings);
}

namespace {

/// `text` as a JSON string of its first characters and "…".
std::string cut_echo(std::string_view text) {
  return json_string(utf8_prefix(text, max_json_echo_chars) + "…");
}

} // namespace

std::string echo_json(const rapidjson::Value& x) {
  if (x.IsString()) // cut the text itself, not its quoted rendering
    return echo_string({x.GetString(), x.GetStringLength()});
  auto full = to_json(x);
  return full.size() <= max_json_echo_bytes ? sanitize_utf8(full)
                                            : cut_echo(full);
}

std::string echo_string(std::string_view x) {
  return x.size() <= max_json_echo_bytes ? json_string(x) : cut_echo(x);
}

std::string detail_json(std::string_view detail) {
  return "{\"detail\":" + json_string(detail) + "}";
}

std::string to_json(const rapidjson::Value& x) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  x.Accept(w);
  return {buf.GetString(), buf.GetSize()};
}

std::string validation_json(const std::vector<validation_error>& errors) {
  std::string result = "{\"detail\":[";
  for (size_t i = 0; i < errors.size(); ++i) {
    auto& e = errors[i];
    if (i > 0)
      result += ',';
    result += "{\"type\":" + json_string(e.type) + ",\"loc\":[";
    for (size_t j = 0; j < e.loc.size(); ++j) {
      if (j > 0)
        result += ',';
      if (auto* s = std::get_if<std::string>(&e.loc[j]))
        result += json_string(*s);
      else
        result += std::to_string(std::get<int64_t>(e.loc[j]));
    }
    result += "],\"msg\":" + json_string(e.msg) + ",\"input\":" + e.input_json;
    if (!e.ctx_json.empty())
      result += ",\"ctx\":" + e.ctx_json;
    result += '}';
  }
  return result + "]}";
}

validation_error json_invalid(const json_fault& fault) {
  return {"json_invalid",
          {"body", static_cast<int64_t>(fault.offset)},
          "JSON decode error",
          "{}",
          "{\"error\":" + json_string(fault.reason) + "}"};
}

std::vector<validation_error> parse_body_object(std::string_view body,
                                                rapidjson::Document& out) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    return {{"missing", {"body"}, "Field required", "null", ""}};
  if (auto fault = parse_json(body, out))
    return {json_invalid(*fault)};
  if (!out.IsObject())
    return {{"model_attributes_type",
             {"body"},
             "Input should be a valid dictionary or object to extract fields "
             "from",
             echo_json(out),
             ""}};
  return {};
}

std::optional<std::string>
required_string(const rapidjson::Value& body, const char* name,
                std::vector<validation_error>& errors) {
  auto i = body.FindMember(name);
  if (i == body.MemberEnd()) {
    errors.push_back(
      {"missing", {"body", name}, "Field required", echo_json(body), ""});
    return std::nullopt;
  }
  if (!i->value.IsString()) {
    errors.push_back({"string_type",
                      {"body", name},
                      "Input should be a valid string",
                      echo_json(i->value),
                      ""});
    return std::nullopt;
  }
  return std::string{i->value.GetString(), i->value.GetStringLength()};
}

} // namespace st

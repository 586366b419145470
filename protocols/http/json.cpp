#include "protocols/http/json.hpp"

#include <rapidjson/error/en.h>

namespace st {

std::string json_string(std::string_view x) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.String(x.data(), static_cast<rapidjson::SizeType>(x.size()));
  return {buf.GetString(), buf.GetSize()};
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

std::vector<validation_error> parse_body_object(const std::string& body,
                                                rapidjson::Document& out) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos)
    return {{"missing", {"body"}, "Field required", "null", ""}};
  out.Parse(body.c_str(), body.size());
  if (out.HasParseError()) {
    auto offset = static_cast<int64_t>(out.GetErrorOffset());
    std::string reason = rapidjson::GetParseError_En(out.GetParseError());
    return {{"json_invalid",
             {"body", offset},
             "JSON decode error",
             "{}",
             "{\"error\":" + json_string(reason) + "}"}};
  }
  if (!out.IsObject())
    return {{"model_attributes_type",
             {"body"},
             "Input should be a valid dictionary or object to extract fields "
             "from",
             to_json(out),
             ""}};
  return {};
}

std::optional<std::string>
required_string(const rapidjson::Value& body, const char* name,
                std::vector<validation_error>& errors) {
  auto i = body.FindMember(name);
  if (i == body.MemberEnd()) {
    errors.push_back(
      {"missing", {"body", name}, "Field required", to_json(body), ""});
    return std::nullopt;
  }
  if (!i->value.IsString()) {
    errors.push_back({"string_type",
                      {"body", name},
                      "Input should be a valid string",
                      to_json(i->value),
                      ""});
    return std::nullopt;
  }
  return std::string{i->value.GetString(), i->value.GetStringLength()};
}

} // namespace st

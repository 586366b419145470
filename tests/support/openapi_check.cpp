#include "tests/support/openapi_check.hpp"

#include "runtime/router.hpp"

#include <regex>
#include <vector>

#include "util/text.hpp"

namespace st::test {

namespace {

const rapidjson::Value* member(const rapidjson::Value& x, const char* key) {
  if (!x.IsObject())
    return nullptr;
  auto i = x.FindMember(key);
  return i == x.MemberEnd() ? nullptr : &i->value;
}

const rapidjson::Value& resolve(const rapidjson::Value& doc,
                                const rapidjson::Value& schema) {
  auto* ref = member(schema, "$ref");
  if (ref == nullptr || !ref->IsString())
    return schema;
  // '#/components/schemas/Name'
  std::string path = ref->GetString();
  const rapidjson::Value* x = &doc;
  size_t pos = 2;
  while (x != nullptr && pos <= path.size()) {
    auto next = path.find('/', pos);
    if (next == std::string::npos)
      next = path.size();
    x = member(*x, path.substr(pos, next - pos).c_str());
    pos = next + 1;
  }
  static const rapidjson::Value missing;
  return x != nullptr ? resolve(doc, *x) : missing;
}

std::string type_of(const rapidjson::Value& v) {
  if (v.IsNull())
    return "null";
  if (v.IsBool())
    return "boolean";
  if (v.IsInt64() || v.IsUint64())
    return "integer";
  if (v.IsNumber())
    return "number";
  if (v.IsString())
    return "string";
  return v.IsArray() ? "array" : "object";
}

} // namespace

const rapidjson::Value* answer_schema(const rapidjson::Value& doc,
                                      const std::string& method,
                                      const std::string& path, int status) {
  auto* paths = member(doc, "paths");
  auto* item = paths ? member(*paths, path.c_str()) : nullptr;
  auto* op = item ? member(*item, method.c_str()) : nullptr;
  auto* answers = op ? member(*op, "responses") : nullptr;
  auto* answer =
    answers ? member(*answers, std::to_string(status).c_str()) : nullptr;
  auto* content = answer ? member(*answer, "content") : nullptr;
  auto* json = content ? member(*content, "application/json") : nullptr;
  return json ? member(*json, "schema") : nullptr;
}

std::string schema_mismatch(const rapidjson::Value& doc,
                            const rapidjson::Value& raw_schema,
                            const rapidjson::Value& value,
                            const std::string& at) {
  auto& schema = resolve(doc, raw_schema);
  if (!schema.IsObject())
    return at + ": schema not found";
  auto* nullable = member(schema, "nullable");
  if (value.IsNull())
    return nullable && nullable->IsBool() && nullable->GetBool()
             ? ""
             : at + ": null where not nullable";
  auto actual = type_of(value);
  if (auto* type = member(schema, "type"); type && type->IsString()) {
    std::string want = type->GetString();
    bool fits = want == actual || (want == "number" && actual == "integer");
    if (!fits)
      return at + ": expected " + want + ", got " + actual;
  }
  if (auto* choices = member(schema, "enum"); choices && choices->IsArray()) {
    bool found = false;
    for (auto& c : choices->GetArray())
      found = found || c == value;
    if (!found)
      return at + ": not one of the enum's values";
  }
  for (auto key : {"oneOf", "anyOf"}) {
    auto* choices = member(schema, key);
    if (choices == nullptr || !choices->IsArray())
      continue;
    size_t fitting = 0;
    for (auto& c : choices->GetArray())
      fitting += schema_mismatch(doc, c, value, at).empty() ? 1 : 0;
    bool one = std::string{key} == "oneOf";
    if (fitting == 0 || (one && fitting > 1))
      return at + ": fits " + std::to_string(fitting) + " of " + key;
  }
  if (value.IsString()) {
    // JSON Schema counts characters (code points), not bytes.
    auto n = utf8_length({value.GetString(), value.GetStringLength()});
    if (auto* lo = member(schema, "minLength"); lo && n < lo->GetUint())
      return at + ": shorter than minLength";
    if (auto* hi = member(schema, "maxLength"); hi && n > hi->GetUint())
      return at + ": longer than maxLength";
    if (auto* format = member(schema, "format"); format && format->IsString()) {
      static const std::regex date{R"(^\d{4}-\d{2}-\d{2}$)"};
      static const std::regex date_time{
        R"(^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$)"};
      std::string f = format->GetString();
      std::string text = value.GetString();
      if (f == "date" && !std::regex_match(text, date))
        return at + ": not a date";
      if (f == "date-time" && !std::regex_match(text, date_time))
        return at + ": not a date-time";
    }
  }
  if (value.IsNumber()) {
    auto x = value.GetDouble();
    if (auto* lo = member(schema, "minimum"); lo && x < lo->GetDouble())
      return at + ": below minimum";
    if (auto* hi = member(schema, "maximum"); hi && x > hi->GetDouble())
      return at + ": above maximum";
  }
  if (value.IsObject()) {
    if (auto* required = member(schema, "required"); required) {
      for (auto& key : required->GetArray())
        if (!value.HasMember(key.GetString()))
          return at + ": missing required " + key.GetString();
    }
    auto* properties = member(schema, "properties");
    auto* others = member(schema, "additionalProperties");
    for (auto& m : value.GetObject()) {
      auto name = std::string{m.name.GetString()};
      auto* sub = properties ? member(*properties, name.c_str()) : nullptr;
      if (sub == nullptr && others != nullptr && others->IsBool() &&
          !others->GetBool())
        return at + ": property " + name + " not allowed";
      if (sub == nullptr && others != nullptr && others->IsObject())
        sub = others;
      if (sub == nullptr)
        continue;
      auto why = schema_mismatch(doc, *sub, m.value, at + "." + name);
      if (!why.empty())
        return why;
    }
  }
  if (value.IsArray()) {
    if (auto* items = member(schema, "items"); items) {
      size_t i = 0;
      for (auto& x : value.GetArray()) {
        auto why =
          schema_mismatch(doc, *items, x, at + "[" + std::to_string(i++) + "]");
        if (!why.empty())
          return why;
      }
    }
  }
  return "";
}

const rapidjson::Value* operation_of(const rapidjson::Value& doc,
                                     const std::string& method,
                                     const std::string& target) {
  auto* paths = member(doc, "paths");
  if (paths == nullptr || !paths->IsObject())
    return nullptr;
  auto parts = router::split(target.substr(0, target.find('?')));
  std::string verb;
  for (auto c : method == "HEAD" ? std::string{"GET"} : method)
    verb += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const rapidjson::Value* result = nullptr;
  int best = -1;
  for (auto& p : paths->GetObject()) {
    auto pattern = router::split(p.name.GetString());
    if (pattern.size() != parts.size())
      continue;
    int literal = 0;
    bool fits = true;
    for (size_t i = 0; fits && i < parts.size(); ++i) {
      bool templated = !pattern[i].empty() && pattern[i][0] == '{';
      fits = templated ? !parts[i].empty() : pattern[i] == parts[i];
      literal += templated ? 0 : 1;
    }
    auto* op = fits ? member(p.value, verb.c_str()) : nullptr;
    if (op != nullptr && literal > best) {
      best = literal;
      result = op;
    }
  }
  return result;
}

std::string answer_mismatch(const rapidjson::Value& doc,
                            const std::string& method,
                            const std::string& target, int status,
                            const std::string& content_type,
                            const std::string& body) {
  auto* op = operation_of(doc, method, target);
  // No operation: only the answers the server gives before routing (or
  // for want of a route: CORS preflights, limits, framing) fit; anything
  // else is a route the document lacks.
  if (op == nullptr)
    return method == "OPTIONS" || status == 307 || status == 400 ||
               status == 404 || status == 405 || status == 413 ||
               status == 429 || status == 431 || status == 503
             ? ""
             : "status " + std::to_string(status) +
                 " for an operation the document does not have";
  auto* answers = member(*op, "responses");
  auto* answer =
    answers ? member(*answers, std::to_string(status).c_str()) : nullptr;
  if (answer == nullptr && answers != nullptr)
    answer = member(*answers, "default");
  if (answer == nullptr)
    return "status " + std::to_string(status) + " not documented";
  if (body.empty() || method == "HEAD")
    return "";
  auto media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ')
    media.pop_back();
  auto* content = member(*answer, "content");
  auto* listed = content ? member(*content, media.c_str()) : nullptr;
  if (listed == nullptr)
    return "status " + std::to_string(status) + ": media type '" + media +
           "' not documented";
  auto* schema = member(*listed, "schema");
  if (media != "application/json" || schema == nullptr)
    return "";
  rapidjson::Document value;
  value.Parse(body.c_str(), body.size());
  if (value.HasParseError())
    return "status " + std::to_string(status) + ": the body is not JSON";
  auto why = schema_mismatch(doc, *schema, value);
  return why.empty() ? "" : "status " + std::to_string(status) + ": " + why;
}

} // namespace st::test

#include "tests/support/openapi_check.hpp"

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

} // namespace st::test

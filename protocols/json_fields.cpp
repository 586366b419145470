#include "protocols/json_fields.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "util/text.hpp"

namespace st::json_fields {

bool truthy(const rapidjson::Value& x) {
  if (x.IsNull())
    return false;
  if (x.IsBool())
    return x.GetBool();
  if (x.IsNumber())
    return x.GetDouble() != 0;
  if (x.IsString())
    return x.GetStringLength() > 0;
  if (x.IsArray())
    return !x.Empty();
  return x.MemberCount() > 0;
}

const rapidjson::Value* member(const rapidjson::Value& obj, const char* name) {
  auto i = obj.FindMember(name);
  return i == obj.MemberEnd() ? nullptr : &i->value;
}

const rapidjson::Value* first_truthy(const rapidjson::Value& obj,
                                     std::initializer_list<const char*> names) {
  for (auto* name : names)
    if (auto* x = member(obj, name); x != nullptr && truthy(*x))
      return x;
  return nullptr;
}

const rapidjson::Value*
first_present(const rapidjson::Value& obj,
              std::initializer_list<const char*> names) {
  for (auto* name : names)
    if (auto* x = member(obj, name); x != nullptr && !x->IsNull())
      return x;
  return nullptr;
}

opt_double number(const rapidjson::Value* x) {
  if (x == nullptr)
    return caf::none;
  if (x->IsNumber() && !x->IsBool()) {
    auto d = x->GetDouble();
    return std::isfinite(d) ? opt_double{d} : caf::none;
  }
  if (x->IsString())
    if (auto d = parse_finite({x->GetString(), x->GetStringLength()}))
      return *d;
  return caf::none;
}

std::string clip(std::string_view x, size_t n) {
  auto result = utf8_prefix(x, n);
  result.erase(std::remove(result.begin(), result.end(), '\0'), result.end());
  return result;
}

opt_string text_of(const rapidjson::Value* x, size_t max_chars) {
  if (x == nullptr || !x->IsString())
    return caf::none;
  return clip({x->GetString(), x->GetStringLength()}, max_chars);
}

std::string id_of(const rapidjson::Value* x) {
  if (x == nullptr)
    return {};
  if (x->IsString())
    return trim({x->GetString(), x->GetStringLength()});
  if (x->IsInt64())
    return std::to_string(x->GetInt64());
  if (x->IsUint64())
    return std::to_string(x->GetUint64());
  if (x->IsDouble() && std::isfinite(x->GetDouble())) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.0f", std::trunc(x->GetDouble()));
    return buf;
  }
  return {};
}

opt_int whole(opt_double x) {
  if (!x || std::fabs(*x) > std::numeric_limits<int32_t>::max())
    return caf::none;
  return static_cast<int64_t>(std::trunc(*x));
}

bool optional_text(const rapidjson::Value& obj, const char* name,
                   opt_string& out) {
  auto i = obj.FindMember(name);
  if (i == obj.MemberEnd() || i->value.IsNull())
    return true;
  if (!i->value.IsString())
    return false;
  out = std::string{i->value.GetString(), i->value.GetStringLength()};
  return true;
}

} // namespace st::json_fields

#pragma once

#include "protocols/http/json.hpp"
#include "protocols/messages.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "util/text.hpp"

/// Reading request bodies into typed values (with pydantic-style 422
/// entries) and writing optional values: shared by the JSON modules.
namespace st::body_io {

using loc_path = std::vector<std::variant<std::string, int64_t>>;

/// Reads typed members of a JSON object body, recording pydantic-style 422
/// entries. Numbers may also come as numeric strings (pydantic's lax mode);
/// `null` counts as absent for optional members.
class body_reader {
public:
  body_reader(const rapidjson::Value& obj,
              std::vector<validation_error>& errors)
    : obj_(obj), errors_(errors) {}

  opt_double number(const char* name, bool required,
                    std::optional<double> ge = std::nullopt,
                    std::optional<double> le = std::nullopt) {
    auto* v = member(name, required);
    if (v == nullptr)
      return caf::none;
    double x = 0;
    if (v->IsNumber() && !v->IsBool()) {
      x = v->GetDouble();
    } else if (!v->IsString() || !parse_double(v->GetString(), x)) {
      fail(v->IsString() ? "float_parsing" : "float_type", name,
           v->IsString()
             ? "Input should be a valid number, unable to parse string as a "
               "number"
             : "Input should be a valid number",
           *v);
      return caf::none;
    }
    if (!bounded(name, *v, x, ge, le))
      return caf::none;
    return x;
  }

  opt_int integer(const char* name, bool required,
                  std::optional<double> ge = std::nullopt,
                  std::optional<double> le = std::nullopt) {
    auto* v = member(name, required);
    if (v == nullptr)
      return caf::none;
    double x = 0;
    if (v->IsInt64()) {
      x = static_cast<double>(v->GetInt64());
    } else if (v->IsNumber()) {
      x = v->GetDouble();
      if (x != std::floor(x)) {
        fail("int_from_float", name,
             "Input should be a valid integer, got a number with a "
             "fractional part",
             *v);
        return caf::none;
      }
    } else if (!v->IsString() || !parse_double(v->GetString(), x) ||
               x != std::floor(x)) {
      fail(v->IsString() ? "int_parsing" : "int_type", name,
           v->IsString()
             ? "Input should be a valid integer, unable to parse string as "
               "an integer"
             : "Input should be a valid integer",
           *v);
      return caf::none;
    }
    if (std::fabs(x) > max_exact_integer) {
      fail("int_parsing_size", name,
           "Unable to parse input string as an integer, exceeds maximum size",
           *v);
      return caf::none;
    }
    if (!bounded(name, *v, x, ge, le))
      return caf::none;
    return static_cast<int64_t>(x);
  }

  opt_string string(const char* name, bool required, size_t min_len = 0,
                    size_t max_len = SIZE_MAX) {
    auto* v = member(name, required);
    if (v == nullptr)
      return caf::none;
    if (!v->IsString()) {
      fail("string_type", name, "Input should be a valid string", *v);
      return caf::none;
    }
    std::string x{v->GetString(), v->GetStringLength()};
    auto len = utf8_length(x);
    if (len < min_len) {
      fail("string_too_short", name,
           "String should have at least " + std::to_string(min_len) +
             (min_len == 1 ? " character" : " characters"),
           *v, "{\"min_length\":" + std::to_string(min_len) + "}");
      return caf::none;
    }
    if (len > max_len) {
      fail("string_too_long", name,
           "String should have at most " + std::to_string(max_len) +
             " characters",
           *v, "{\"max_length\":" + std::to_string(max_len) + "}");
      return caf::none;
    }
    return x;
  }

  caf::optional<bool> boolean(const char* name, bool required) {
    auto* v = member(name, required);
    if (v == nullptr)
      return caf::none;
    if (!v->IsBool()) {
      fail("bool_type", name, "Input should be a valid boolean", *v);
      return caf::none;
    }
    return v->GetBool();
  }

  /// Whether the member is there at all, `null` included (a PATCH that
  /// clears a field sends it as null).
  bool present(const char* name) const {
    return obj_.FindMember(name) != obj_.MemberEnd();
  }

  /// The raw member, when present and not null.
  const rapidjson::Value* raw(const char* name) {
    auto i = obj_.FindMember(name);
    if (i == obj_.MemberEnd() || i->value.IsNull())
      return nullptr;
    return &i->value;
  }

  void fail(const char* type, const char* name, const std::string& msg,
            const rapidjson::Value& input, std::string ctx = {}) {
    errors_.push_back(
      {type, loc_path{"body", name}, msg, echo_json(input), std::move(ctx)});
  }

private:
  /// Integers beyond this are not exact in a double (2^53).
  static constexpr double max_exact_integer = 9007199254740992.0;

  static bool parse_double(const char* s, double& out) {
    auto x = parse_finite(s);
    out = x.value_or(0);
    return x.has_value();
  }

  const rapidjson::Value* member(const char* name, bool required) {
    auto i = obj_.FindMember(name);
    if (i == obj_.MemberEnd() || (i->value.IsNull() && !required)) {
      if (required)
        errors_.push_back({"missing", loc_path{"body", name}, "Field required",
                           echo_json(obj_), ""});
      return nullptr;
    }
    return &i->value;
  }

  bool bounded(const char* name, const rapidjson::Value& v, double x,
               std::optional<double> ge, std::optional<double> le) {
    auto render = [](double b) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%g", b);
      return std::string{buf};
    };
    if (ge && x < *ge) {
      fail("greater_than_equal", name,
           "Input should be greater than or equal to " + render(*ge), v,
           "{\"ge\":" + render(*ge) + "}");
      return false;
    }
    if (le && x > *le) {
      fail("less_than_equal", name,
           "Input should be less than or equal to " + render(*le), v,
           "{\"le\":" + render(*le) + "}");
      return false;
    }
    return true;
  }

  const rapidjson::Value& obj_;
  std::vector<validation_error>& errors_;
};

/// Parses `body` as an object and runs `read` on it; none on any error.
/// Entries are added to `errors` (a path parameter's may be there first).
template<class T, class F>
std::optional<T> read_body(std::string_view body,
                           std::vector<validation_error>& errors, F read) {
  json_document doc;
  auto before = errors.size();
  auto syntax = parse_body_object(body, doc);
  errors.insert(errors.end(), syntax.begin(), syntax.end());
  if (errors.size() > before)
    return std::nullopt;
  body_reader in{doc, errors};
  T result = read(in);
  if (errors.size() > before)
    return std::nullopt;
  return result;
}

/// A list as its page: the `{items, total, limit, offset, has_more}`
/// envelope (http-api-head.md §1.4), or the bare array of a query without
/// `limit`.
template<class T, class F>
std::string page_json(const page<T>& x, F item) {
  return render([&](json_writer& w) {
    auto items = [&] {
      w.StartArray();
      for (auto& i : x.items)
        item(w, i);
      w.EndArray();
    };
    if (x.query.limit < 0)
      return items();
    w.StartObject();
    w.Key("items");
    items();
    w.Key("total");
    w.Int64(x.total);
    w.Key("limit");
    w.Int64(x.query.limit);
    w.Key("offset");
    w.Int64(x.query.offset);
    w.Key("has_more");
    w.Bool(x.query.offset + static_cast<int64_t>(x.items.size()) < x.total);
    w.EndObject();
  });
}

inline void write(json_writer& w, const opt_double& x) {
  if (x)
    w.Double(*x);
  else
    w.Null();
}

inline void write(json_writer& w, const opt_int& x) {
  if (x)
    w.Int64(*x);
  else
    w.Null();
}

inline void write(json_writer& w, const opt_string& x) {
  if (x)
    w.String(x->c_str(), static_cast<rapidjson::SizeType>(x->size()));
  else
    w.Null();
}

inline void write(json_writer& w, const std::string& x) {
  w.String(x.c_str(), static_cast<rapidjson::SizeType>(x.size()));
}

/// Writes `x` as raw JSON text, or null when it is absent or not JSON.
inline void write_raw(json_writer& w, const opt_string& x) {
  json_document doc;
  if (!x || parse_json(*x, doc, json_strings::any))
    w.Null();
  else
    doc.Accept(w);
}

template<class F>
std::string render(F body) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  body(w);
  return {buf.GetString(), buf.GetSize()};
}

} // namespace st::body_io

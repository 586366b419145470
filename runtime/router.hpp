#pragma once

#include "runtime/http_support.hpp"

#include <string>
#include <vector>

namespace st {

/// How large a route's request body may be.
enum class body_kind {
  json,   ///< JSON (1 MB)
  upload, ///< multipart upload (10 MB)
  prompt, ///< JSON that goes into a model's prompt (64 KB)
};

/// Method + path template (`/api/v1/workouts/{workout_id}`) → handler.
class router {
public:
  /// Registers a route; `{name}` segments become path parameters.
  void add(http::verb method, const std::string& pattern, route_handler handler,
           body_kind kind = body_kind::json);

  /// What a request path resolved to.
  struct match_result {
    const route_handler* handler = nullptr; ///< set on a full match
    const std::string* pattern = nullptr;   ///< the matched route's template
    std::map<std::string, std::string> params;
    std::vector<http::verb> allowed; ///< methods of the path, for 405
    std::string redirect;            ///< canonical path, for 307
  };

  /// Resolves `path` for `method`. No handler and no `allowed` = 404.
  [[nodiscard]] match_result match(http::verb method,
                                   const std::string& path) const;

  /// The body limit of the routes matching `path` (JSON when unknown).
  [[nodiscard]] size_t body_limit(const std::string& path) const;

  /// The segments of `path` after its leading '/' (as written: escapes
  /// are not decoded).
  [[nodiscard]] static std::vector<std::string> split(const std::string& path);

private:
  struct route {
    http::verb method;
    std::string pattern;
    std::vector<std::string> segments;
    route_handler handler;
    body_kind kind;
  };

  static bool matches(const route& r, const std::vector<std::string>& parts,
                      std::map<std::string, std::string>* params);

  std::vector<route> routes_;
};

} // namespace st

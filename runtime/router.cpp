#include "runtime/router.hpp"

#include "config/defaults.hpp"

#include "util/text.hpp"

namespace st {

std::vector<std::string> router::split(const std::string& path) {
  std::vector<std::string> result;
  size_t pos = 1;
  while (pos <= path.size()) {
    auto next = path.find('/', pos);
    if (next == std::string::npos)
      next = path.size();
    result.push_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  return result;
}

bool router::matches(const route& r, const std::vector<std::string>& parts,
                     std::map<std::string, std::string>* params) {
  if (r.segments.size() != parts.size())
    return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    auto& seg = r.segments[i];
    bool is_param = seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
    if (is_param) {
      if (parts[i].empty())
        return false;
      if (params != nullptr)
        (*params)[seg.substr(1, seg.size() - 2)] = parts[i];
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

void router::add(http::verb method, const std::string& pattern,
                 route_handler handler, body_kind kind) {
  routes_.push_back(
    route{method, pattern, split(pattern), std::move(handler), kind});
}

router::match_result router::match(http::verb method,
                                   const std::string& path) const {
  match_result result;
  if (path.empty() || path[0] != '/')
    return result;
  // Segments are matched with their escapes decoded, as Starlette does.
  auto parts = split(path);
  for (auto& part : parts)
    if (part.find('%') != std::string::npos)
      part = percent_decode(part, false);
  for (auto& r : routes_) {
    if (!matches(r, parts, nullptr))
      continue;
    result.allowed.push_back(r.method);
    // HEAD is served by GET routes (without the body).
    bool same = r.method == method ||
                (method == http::verb::head && r.method == http::verb::get);
    if (same && result.handler == nullptr) {
      result.handler = &r.handler;
      result.pattern = &r.pattern;
      matches(r, parts, &result.params);
    }
  }
  if (result.allowed.empty() && path.size() > 1 && path.back() == '/') {
    auto canonical = path.substr(0, path.size() - 1);
    if (!match(method, canonical).allowed.empty())
      result.redirect = canonical;
  }
  return result;
}

size_t router::body_limit(const std::string& path) const {
  auto parts = split(path);
  for (auto& r : routes_)
    if (r.kind != body_kind::json && matches(r, parts, nullptr))
      return r.kind == body_kind::upload ? defaults::max_upload_body_bytes
                                         : defaults::max_prompt_body_bytes;
  return defaults::max_json_body_bytes;
}

} // namespace st

#include "runtime/openapi.hpp"

#include "protocols/http/json.hpp"
#include "runtime/embedded.hpp"

#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <yaml-cpp/yaml.h>

namespace st {

namespace {

void write_scalar(json_writer& w, const YAML::Node& node) {
  const auto& text = node.Scalar();
  // Quoted scalars carry the tag "!": always strings.
  if (node.Tag() != "!") {
    if (text == "null" || text == "~" || text.empty())
      return static_cast<void>(w.Null());
    if (text == "true" || text == "false")
      return static_cast<void>(w.Bool(text == "true"));
    char* end = nullptr;
    errno = 0;
    auto integer = std::strtoll(text.c_str(), &end, 10);
    if (errno == 0 && end != text.c_str() && *end == '\0')
      return static_cast<void>(w.Int64(integer));
    auto real = std::strtod(text.c_str(), &end);
    if (end != text.c_str() && *end == '\0' &&
        text.find_first_of("0123456789") == 0)
      return static_cast<void>(w.Double(real));
  }
  w.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
}

void write_node(json_writer& w, const YAML::Node& node) {
  switch (node.Type()) {
  case YAML::NodeType::Map:
    w.StartObject();
    for (const auto& entry : node) {
      auto key = entry.first.Scalar();
      w.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
      write_node(w, entry.second);
    }
    w.EndObject();
    return;
  case YAML::NodeType::Sequence:
    w.StartArray();
    for (const auto& item : node)
      write_node(w, item);
    w.EndArray();
    return;
  case YAML::NodeType::Scalar:
    return write_scalar(w, node);
  default:
    w.Null();
  }
}

} // namespace

std::string yaml_to_json(const std::string& yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(std::string{"YAML: "} + e.what());
  }
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  write_node(w, root);
  return buf.GetString();
}

std::string openapi_json() {
  return yaml_to_json(embedded::openapi_yaml);
}

} // namespace st

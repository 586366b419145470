#include "protocols/s3.hpp"

#include "protocols/tokens.hpp"

namespace st {

namespace {

/// A request to `path` (under the endpoint), signed when keys are set.
upstream_request s3_request(const s3_store& s, std::string method,
                            const std::string& path, std::string body = {}) {
  upstream_request x;
  x.method = std::move(method);
  x.url = s.endpoint + "/" + s.bucket + path;
  // S3 wants the payload's hash, signed (libcurl signs a given one).
  x.headers.push_back("x-amz-content-sha256: " + sha256_hex(body));
  x.body = std::move(body);
  if (!s.access_key.empty()) {
    x.aws_sigv4 = "aws:amz:" + s.region + ":s3";
    x.aws_credentials = s.access_key + ":" + s.secret_key;
  }
  return x;
}

} // namespace

upstream_request s3_put(const s3_store& s, const std::string& key,
                        std::string bytes, const std::string& content_type) {
  auto x = s3_request(s, "PUT", "/" + key, std::move(bytes));
  x.headers.push_back("Content-Type: " + content_type);
  return x;
}

upstream_request s3_get(const s3_store& s, const std::string& key) {
  return s3_request(s, "GET", "/" + key);
}

upstream_request s3_delete(const s3_store& s, const std::string& key) {
  return s3_request(s, "DELETE", "/" + key);
}

upstream_request s3_create_bucket(const s3_store& s) {
  // us-east-1 is the default location and takes no configuration body.
  std::string body;
  if (s.region != "us-east-1")
    body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/"
           "2006-03-01/\"><LocationConstraint>" +
           s.region + "</LocationConstraint></CreateBucketConfiguration>";
  return s3_request(s, "PUT", "", std::move(body));
}

bool s3_no_such_bucket(const upstream_response& x) {
  return x.status == 404 &&
         x.body.find("<Code>NoSuchBucket</Code>") != std::string::npos;
}

std::string sleep_image_key(int32_t user, const std::string& content_type) {
  const char* ext = content_type == "image/png"    ? ".png"
                    : content_type == "image/webp" ? ".webp"
                                                   : ".jpg";
  return "sleep/" + std::to_string(user) + "/" + random_hex(16) + ext;
}

} // namespace st

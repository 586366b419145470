#pragma once

#include "protocols/messages.hpp"

#include <string>

namespace st {

/// An S3-compatible object store (the reference's MinIO), addressed
/// path-style: `<endpoint>/<bucket>/<key>`.
struct s3_store {
  std::string endpoint; ///< `http(s)://host[:port]`, no trailing slash
  std::string access_key;
  std::string secret_key;
  std::string bucket;
  std::string region;
};

/// PutObject: `bytes` under `key` with its content type.
[[nodiscard]] upstream_request s3_put(const s3_store& s, const std::string& key,
                                      std::string bytes,
                                      const std::string& content_type);

/// GetObject.
[[nodiscard]] upstream_request s3_get(const s3_store& s,
                                      const std::string& key);

/// DeleteObject (S3 answers 204 for a key it does not hold, too).
[[nodiscard]] upstream_request s3_delete(const s3_store& s,
                                         const std::string& key);

/// CreateBucket (in the store's region).
[[nodiscard]] upstream_request s3_create_bucket(const s3_store& s);

/// Whether an answer says the bucket does not exist (`NoSuchBucket`).
[[nodiscard]] bool s3_no_such_bucket(const upstream_response& x);

/// The key a sleep screenshot of `user` is kept under: `sleep/<user>/`,
/// 32 random hex digits, and the extension of its content type.
[[nodiscard]] std::string sleep_image_key(int32_t user,
                                          const std::string& content_type);

} // namespace st

#pragma once

#include "protocols/actors.hpp"
#include "protocols/s3.hpp"

#include <caf/optional.hpp>

namespace st {

/// Where the image store keeps its bytes: the S3-compatible store when
/// configured, else PostgreSQL (`stored_images`).
struct image_store_settings {
  caf::optional<s3_store> s3;
  db_actor db;
  upstream_actor upstream;
};

struct image_store_state {
  image_store_settings cfg;

  static inline const char* name = "image-store";
};

/// Keeps sleep screenshots for a later re-analysis. Stateless between
/// calls: each is one round trip to the store (two when an S3 bucket must
/// be created first), answered when it returns.
image_store_actor::behavior_type
image_store(image_store_actor::stateful_pointer<image_store_state> self,
            image_store_settings cfg);

} // namespace st

#pragma once

#include "actors/worker_queue.hpp"
#include "protocols/actors.hpp"

#include <memory>

namespace st {

/// How images are made ready for the model.
struct upload_pool_settings {
  size_t workers = 2;      ///< detached threads (IMAGE_WORKERS)
  size_t queue_limit = 64; ///< jobs waiting before call_ec::overloaded
  uint32_t max_side = 1536;
  int jpeg_quality = 85;
};

/// Front of the upload workers: image decoding and FIT parsing cost
/// milliseconds to a second of CPU, so they run on detached workers
/// behind a bounded queue, never on the scheduler or an HTTP thread.
struct upload_pool_state {
  std::unique_ptr<worker_queue<upload_pool_actor>> queue;

  static inline const char* name = "upload-pool";
};

/// @param cfg the number of workers, the queue and the image target.
upload_pool_actor::behavior_type
upload_pool(upload_pool_actor::stateful_pointer<upload_pool_state> self,
            upload_pool_settings cfg);

} // namespace st

#include "actors/upload_pool.hpp"

#include "protocols/errors.hpp"
#include "protocols/fit.hpp"
#include "protocols/tokens.hpp"

#include "media/image.hpp"

namespace st {

namespace {

/// One upload thread.
upload_pool_actor::behavior_type upload_worker(upload_pool_settings cfg) {
  return {
    [=](atom::convert, deadline,
        const image_upload& x) -> caf::result<model_image> {
      auto converted =
        convert_for_model(*x.bytes, cfg.max_side, cfg.jpeg_quality);
      if (!converted.image)
        return make_error(converted.fault == image_fault::unsupported
                            ? user_ec::unsupported_file
                            : user_ec::unreadable_file,
                          std::move(converted.detail));
      auto& image = *converted.image;
      return model_image{image.mime_type, base64_encode(image.bytes),
                         image.width, image.height};
    },
    [=](atom::decode, deadline, const fit_upload& x) {
      fit_reading result;
      result.checksum = sha256_hex(*x.bytes);
      auto decoded = decode_fit(*x.bytes);
      if (auto* summary = std::get_if<fit_summary>(&decoded)) {
        result.raw_json = fit_raw_json(*summary);
        result.summary = std::move(*summary);
      }
      return result;
    },
  };
}

caf::error overloaded() {
  return make_error(call_ec::overloaded, "too many uploads in progress");
}

} // namespace

upload_pool_actor::behavior_type
upload_pool(upload_pool_actor::stateful_pointer<upload_pool_state> self,
            upload_pool_settings cfg) {
  std::vector<upload_pool_actor> workers;
  for (size_t i = 0; i < std::max<size_t>(1, cfg.workers); ++i)
    workers.push_back(
      self->spawn<caf::detached + caf::linked>(upload_worker, cfg));
  self->state.queue = std::make_unique<worker_queue<upload_pool_actor>>(
    std::move(workers), cfg.queue_limit);
  return {
    [self](atom::convert, deadline until, image_upload& x) {
      return forward_to_worker<model_image>(
        self, self->state.queue.get(), until, overloaded(), atom::convert_v,
        until, std::move(x));
    },
    [self](atom::decode, deadline until, fit_upload& x) {
      return forward_to_worker<fit_reading>(self, self->state.queue.get(),
                                            until, overloaded(), atom::decode_v,
                                            until, std::move(x));
    },
  };
}

} // namespace st

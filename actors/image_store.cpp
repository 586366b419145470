#include "actors/image_store.hpp"

#include "protocols/errors.hpp"
#include "protocols/tokens.hpp"

#include "util/log.hpp"
#include "util/text.hpp"

namespace st {

namespace {

using self_ptr = image_store_actor::stateful_pointer<image_store_state>;

caf::error store_refused(const std::string& what, int status) {
  return make_error(upstream_ec::unreachable, "the image store answered " +
                                                std::to_string(status) +
                                                " to " + what);
}

/// The `Content-Type` of an answer, if it names an image.
std::string image_type_of(const upstream_response& x) {
  for (auto& line : x.headers) {
    auto colon = line.find(':');
    if (colon == std::string::npos ||
        to_lower(line.substr(0, colon)) != "content-type")
      continue;
    auto value = trim(line.substr(colon + 1));
    if (value.rfind("image/", 0) == 0)
      return value;
  }
  return "image/jpeg"; // the reference declared every screenshot so
}

/// Asks the object store `x`, then `k(response)` whatever its status;
/// no answer at all goes to `rp`.
template<class T, class K>
void with_s3(self_ptr self, upstream_request x, deadline until,
             caf::typed_response_promise<T> rp, K k) {
  x.until = until;
  self
    ->request(self->state.cfg.upstream, caf::infinite, atom::fetch_v,
              std::move(x))
    .then(k, [=](caf::error& err) mutable {
      rp.deliver(std::move(err));
    });
}

/// Runs statement `id`, then `k(rows)`; a failure goes to `rp`.
template<class T, class K>
void with_db(self_ptr self, stmt id, std::vector<db_value> params,
             deadline until, caf::typed_response_promise<T> rp, K k) {
  db_batch batch;
  batch.statements.push_back(db_statement{id, std::move(params)});
  batch.until = until;
  self->request(self->state.cfg.db, caf::infinite, atom::exec_v, batch)
    .then(
      [=](db_reply& r) mutable {
        k(r.results[0]);
      },
      [=](caf::error& err) mutable {
        rp.deliver(std::move(err));
      });
}

void put_s3(self_ptr self, std::string key, const image_to_keep& x,
            deadline until, caf::typed_response_promise<image_key> rp,
            bool bucket_made = false) {
  auto bytes = base64url_decode(x.image.base64).value_or(std::string{});
  auto& s3 = *self->state.cfg.s3;
  with_s3(self, s3_put(s3, key, std::move(bytes), x.image.mime_type), until, rp,
          [=](upstream_response& r) mutable {
            if (r.status / 100 == 2) {
              rp.deliver(image_key{key});
              return;
            }
            if (!s3_no_such_bucket(r) || bucket_made) {
              rp.deliver(store_refused("PutObject", r.status));
              return;
            }
            // The first screenshot of a fresh store: make its bucket.
            with_s3(self, s3_create_bucket(*self->state.cfg.s3), until, rp,
                    [=](upstream_response& made) mutable {
                      if (made.status / 100 != 2 && made.status != 409) {
                        rp.deliver(store_refused("CreateBucket", made.status));
                        return;
                      }
                      log_info("images", "created the bucket " +
                                           self->state.cfg.s3->bucket);
                      put_s3(self, key, x, until, rp, true);
                    });
          });
}

} // namespace

image_store_actor::behavior_type
image_store(image_store_actor::stateful_pointer<image_store_state> self,
            image_store_settings cfg) {
  self->state.cfg = std::move(cfg);
  return {
    [self](deadline until, atom::put,
           image_to_keep& x) -> caf::result<image_key> {
      auto key = sleep_image_key(x.user_id, x.image.mime_type);
      auto rp = self->make_response_promise<image_key>();
      if (self->state.cfg.s3)
        put_s3(self, key, x, until, rp);
      else
        with_db(
          self, stmt::image_keep,
          {key, std::to_string(x.user_id), x.image.mime_type, x.image.base64},
          until, rp, [=](db_rows&) mutable {
            rp.deliver(image_key{key});
          });
      return rp;
    },
    [self](deadline until, atom::get,
           image_key& x) -> caf::result<model_image> {
      auto rp = self->make_response_promise<model_image>();
      auto missing = make_error(user_ec::not_found, "no image under " + x.path);
      if (auto& s3 = self->state.cfg.s3)
        with_s3(self, s3_get(*s3, x.path), until, rp,
                [=](upstream_response& r) mutable {
                  if (r.status == 404) {
                    rp.deliver(missing);
                    return;
                  }
                  if (r.status != 200) {
                    rp.deliver(store_refused("GetObject", r.status));
                    return;
                  }
                  rp.deliver(
                    model_image{image_type_of(r), base64_encode(r.body), 0, 0});
                });
      else
        with_db(self, stmt::image_kept, {x.path}, until, rp,
                [=](db_rows& r) mutable {
                  if (r.rows.empty()) {
                    rp.deliver(missing);
                    return;
                  }
                  rp.deliver(model_image{*r.rows[0][0], *r.rows[0][1], 0, 0});
                });
      return rp;
    },
    [self](deadline until, atom::del, image_key& x) -> caf::result<bool> {
      auto rp = self->make_response_promise<bool>();
      if (auto& s3 = self->state.cfg.s3)
        with_s3(self, s3_delete(*s3, x.path), until, rp,
                [=](upstream_response& r) mutable {
                  if (r.status / 100 == 2 || r.status == 404) {
                    rp.deliver(true);
                    return;
                  }
                  rp.deliver(store_refused("DeleteObject", r.status));
                });
      else
        with_db(self, stmt::image_forget, {x.path}, until, rp,
                [=](db_rows&) mutable {
                  rp.deliver(true);
                });
      return rp;
    },
  };
}

} // namespace st

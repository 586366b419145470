#include "actors/password_hasher.hpp"

#include "protocols/errors.hpp"

#include <openssl/crypto.h>

#include <crypt.h>
#include <stdexcept>

namespace st {

namespace {

constexpr size_t bcrypt_max_password_bytes = 72;

std::string truncated(const std::string& password) {
  // crypt(3) reads a C string; bcrypt only uses the first 72 bytes anyway.
  auto result = password.substr(0, bcrypt_max_password_bytes);
  return result.substr(0, result.find('\0'));
}

/// One hashing thread.
password_hasher_actor::behavior_type hasher_worker(int cost) {
  return {
    [=](atom::hash, deadline,
        const std::string& password) -> caf::result<std::string> {
      auto result = bcrypt_hash(password, cost);
      if (result.empty())
        return make_error(auth_ec::busy, "password hashing failed");
      return result;
    },
    [=](atom::verify, deadline, const std::string& password,
        const std::string& hash) {
      return bcrypt_verify(password, hash);
    },
  };
}

/// Runs one request on an idle worker, or queues it; refuses past the cap.
template<class Result, class... Ts>
caf::typed_response_promise<Result>
forward(password_hasher_actor::stateful_pointer<password_hasher_state> self,
        deadline until, Ts... xs) {
  auto rp = self->template make_response_promise<Result>();
  worker_queue<password_hasher_actor>::job job{
    [=](const password_hasher_actor& w) mutable {
      // A hash nobody waits for any more is not computed.
      if (until.passed()) {
        rp.deliver(make_error(call_ec::expired, "the caller gave up"));
        self->state.queue->release(w);
        return;
      }
      // No timer: a worker answers every job it takes.
      self->request(w, caf::infinite, xs...)
        .then(
          [=](Result& result) mutable {
            rp.deliver(std::move(result));
            self->state.queue->release(w);
          },
          [=](caf::error& err) mutable {
            rp.deliver(std::move(err));
            self->state.queue->release(w);
          });
    },
    [=](caf::error err) mutable {
      rp.deliver(std::move(err));
    },
  };
  if (!self->state.queue->submit(std::move(job)))
    rp.deliver(make_error(auth_ec::busy,
                          "Too many sign-ins at once, try again shortly"));
  return rp;
}

} // namespace

std::string bcrypt_hash(const std::string& password, int cost) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), nullptr, 0,
                       salt, sizeof(salt)) == nullptr)
    return {};
  crypt_data data{};
  auto* out = crypt_rn(truncated(password).c_str(), salt, &data, sizeof(data));
  if (out == nullptr || out[0] == '*')
    return {};
  return out;
}

bool bcrypt_verify(const std::string& password, const std::string& hash) {
  if (hash.rfind("$2", 0) != 0)
    return false;
  crypt_data data{};
  auto* out =
    crypt_rn(truncated(password).c_str(), hash.c_str(), &data, sizeof(data));
  if (out == nullptr || out[0] == '*')
    return false;
  auto len = std::char_traits<char>::length(out);
  return len == hash.size() && CRYPTO_memcmp(out, hash.data(), len) == 0;
}

password_hasher_actor::behavior_type password_hasher(
  password_hasher_actor::stateful_pointer<password_hasher_state> self,
  size_t workers, size_t queue_limit, int cost) {
  std::vector<password_hasher_actor> pool;
  for (size_t i = 0; i < workers; ++i)
    pool.push_back(
      self->spawn<caf::detached + caf::linked>(hasher_worker, cost));
  self->state.queue = std::make_unique<worker_queue<password_hasher_actor>>(
    std::move(pool), queue_limit);
  return {
    [=](atom::hash, deadline until, std::string& password) {
      return forward<std::string>(self, until, atom::hash_v, until,
                                  std::move(password));
    },
    [=](atom::verify, deadline until, std::string& password,
        std::string& hash) {
      return forward<bool>(self, until, atom::verify_v, until,
                           std::move(password), std::move(hash));
    },
  };
}

} // namespace st

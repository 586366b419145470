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

caf::error busy() {
  return make_error(auth_ec::busy,
                    "Too many sign-ins at once, try again shortly");
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
      return forward_to_worker<std::string>(self, self->state.queue.get(),
                                            until, busy(), atom::hash_v, until,
                                            std::move(password));
    },
    [=](atom::verify, deadline until, std::string& password,
        std::string& hash) {
      return forward_to_worker<bool>(self, self->state.queue.get(), until,
                                     busy(), atom::verify_v, until,
                                     std::move(password), std::move(hash));
    },
  };
}

} // namespace st

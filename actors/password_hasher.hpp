#pragma once

#include "actors/worker_queue.hpp"
#include "protocols/actors.hpp"

#include <memory>
#include <string>

namespace st {

/// bcrypt through libcrypt. Passwords are cut to their first 72 bytes, as
/// the reference does, so its hashes verify here.
[[nodiscard]] std::string bcrypt_hash(const std::string& password, int cost);

/// Whether `password` matches the crypt(3) string `hash` ($2a$/$2b$/$2y$).
[[nodiscard]] bool bcrypt_verify(const std::string& password,
                                 const std::string& hash);

/// Front of the hashing threads: bcrypt costs ~0.25 s of CPU at cost 12, so
/// it runs on detached workers behind a bounded queue, never on the
/// scheduler.
struct password_hasher_state {
  std::unique_ptr<worker_queue<password_hasher_actor>> queue;

  static inline const char* name = "password-hasher";
};

/// @param workers number of detached hashing threads.
/// @param queue_limit jobs waiting before new ones get auth_ec::busy.
/// @param cost bcrypt cost factor for new hashes.
password_hasher_actor::behavior_type password_hasher(
  password_hasher_actor::stateful_pointer<password_hasher_state> self,
  size_t workers, size_t queue_limit, int cost);

} // namespace st

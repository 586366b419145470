#pragma once

#include "actors/user.hpp"
#include "protocols/errors.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "util/log.hpp"

/// How a user actor talks to its DB actor: rows to values, values to
/// parameters, and batches whose reply it awaits (per-user arrival order).
namespace st::user_db {

inline opt_double num(const db_value& x) {
  if (!x)
    return caf::none;
  return std::strtod(x->c_str(), nullptr);
}

inline opt_int integer(const db_value& x) {
  if (!x)
    return caf::none;
  return static_cast<int64_t>(std::strtoll(x->c_str(), nullptr, 10));
}

inline const opt_string& text(const db_value& x) {
  return x;
}

inline db_value param(const opt_double& x) {
  if (!x)
    return caf::none;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", *x);
  return std::string{buf};
}

inline db_value param(const opt_int& x) {
  if (!x)
    return caf::none;
  return std::to_string(*x);
}

inline db_value param(int64_t x) {
  return std::to_string(x);
}

/// A boolean parameter ($n::boolean).
inline db_value flag(bool x) {
  return std::string{x ? "true" : "false"};
}

inline db_statement statement_of(stmt id, std::vector<db_value> params) {
  return db_statement{id, std::move(params)};
}

inline db_batch batch_of(std::vector<db_statement> xs,
                         bool transaction = false) {
  db_batch result;
  result.statements = std::move(xs);
  result.transaction = transaction;
  return result;
}

/// The statement that sets `user`'s reminder of `kind` due at `due`
/// (ending any claim on it), and the one that drops it.
inline db_statement reminder_set(int32_t user, const char* kind,
                                 std::chrono::system_clock::time_point due) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
              due.time_since_epoch())
              .count();
  return statement_of(
    stmt::reminder_set,
    {std::to_string(user), std::string{kind}, std::to_string(ms)});
}

inline db_statement reminder_clear(int32_t user, const char* kind) {
  return statement_of(stmt::reminder_clear,
                      {std::to_string(user), std::string{kind}});
}

/// Runs `x` for `user` in the pool's bulk lane without awaiting it
/// (schedule upkeep: a lost write only means a claimed reminder fires
/// again after its lease); a failure is logged with `what`. For any actor
/// that writes a user's rows (the user's own, its jobs).
template<class Self>
void write_in_background(Self self, const db_actor& db, int32_t user,
                         db_statement x, const std::string& what) {
  auto batch = batch_of({std::move(x)});
  batch.bulk = true;
  self->request(db, caf::infinite, atom::exec_v, std::move(batch))
    .then([](db_reply&) {},
          [=](caf::error& err) {
            log_warn("users", "cannot write " + what + " of user " +
                                std::to_string(user) + ": " + to_string(err));
          });
}

/// Sends `batch` with deadline `until` (default: the request in
/// progress's). No timer: the pool answers every batch (sent and answered,
/// or refused unsent).
inline auto request_db(user_self self, db_batch batch,
                       std::optional<deadline> until = std::nullopt) {
  batch.until = until.value_or(self->state.until);
  return self->request(self->state.db, caf::infinite, atom::exec_v,
                       std::move(batch));
}

/// The first row of result `i`, or none.
inline const std::vector<db_value>* first_row(const db_reply& reply,
                                              size_t i = 0) {
  if (reply.results.size() <= i || reply.results[i].rows.empty())
    return nullptr;
  return &reply.results[i].rows[0];
}

/// Runs `batch` and answers with `convert(reply)`, holding every other
/// request of this user until then (per-user arrival order).
template<class T, class F>
caf::typed_response_promise<T> run(user_self self, db_batch batch, F convert) {
  auto rp = self->template make_response_promise<T>();
  request_db(self, std::move(batch))
    .await(
      [=](db_reply& reply) mutable {
        caf::expected<T> result = convert(reply);
        if (result)
          rp.deliver(std::move(*result));
        else
          rp.deliver(std::move(result.error()));
      },
      [=](caf::error& err) mutable {
        rp.deliver(std::move(err));
      });
  return rp;
}

} // namespace st::user_db

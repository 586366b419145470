#include "runtime/idempotency.hpp"

#include "protocols/tokens.hpp"
#include "runtime/route_support.hpp"

namespace st {

namespace {

using status = http::status;

db_statement keyed(stmt id, int32_t user, const std::string& key,
                   std::vector<db_value> more = {}) {
  std::vector<db_value> params{std::to_string(user), key};
  params.insert(params.end(), more.begin(), more.end());
  return db_statement{id, std::move(params)};
}

/// Sends `x` to the database; `done` gets its answer.
void send(const api_context& ctx, db_statement x,
          std::function<void(caf::expected<db_reply>)> done) {
  db_batch batch;
  batch.statements.push_back(std::move(x));
  ask<db_reply>(ctx, ctx.db, std::move(done), atom::exec_v, std::move(batch));
}

/// Sends `x` and forgets the answer: a lost release only means the key is
/// handled again after 24 h.
void forget(const api_context& ctx, db_statement x) {
  send(ctx, std::move(x), [](caf::expected<db_reply>) {});
}

bool valid_key(const std::string& key) {
  if (key.empty() || key.size() > 255)
    return false;
  for (unsigned char c : key)
    if (c < 0x21 || c > 0x7e)
      return false;
  return true;
}

/// The answer kept for a repeat.
api_response replayed(const std::vector<db_value>& row) {
  api_response res;
  res.status = static_cast<status>(std::stoi(*row[1]));
  res.content_type = row[2].value_or("application/json");
  res.body = row[3].value_or("");
  res.headers.emplace_back("Idempotent-Replayed", "true");
  return res;
}

} // namespace

void run_once(const api_context& ctx, const api_request& req, int32_t user,
              responder reply, std::function<void(responder)> run) {
  const auto& key = req.idempotency_key;
  if (!valid_key(key))
    return reply(detail_response(status::bad_request,
                                 "Idempotency-Key must be 1 to 255 visible "
                                 "ASCII characters."));
  auto hash = sha256_hex(req.path + "?" + req.query + "\n" + req.content_type +
                         "\n" + req.body);
  db_batch claim;
  claim.transaction = true;
  claim.statements = {db_statement{stmt::idempotency_purge, {}},
                      keyed(stmt::idempotency_claim, user, key, {hash}),
                      keyed(stmt::idempotency_read, user, key)};
  ask<db_reply>(
    ctx, ctx.db,
    [ctx, user, key, hash, reply, run](caf::expected<db_reply> r) {
      if (!r)
        return reply(error_response(r.error()));
      auto& row = r->results[2].rows.at(0);
      if (r->results[1].rows.empty()) { // known: a repeat
        if (*row[0] != hash)
          return reply(
            detail_response(status::unprocessable_entity,
                            "This Idempotency-Key was used for another "
                            "request."));
        if (!row[1])
          return reply(detail_response(status::conflict,
                                       "A request with this Idempotency-Key "
                                       "is still being handled."));
        return reply(replayed(row));
      }
      // The first: its answer is kept before it leaves, so a repeat sent
      // on receipt finds it (the store and the repeat's claim may go over
      // two pool connections). Made here, not on the connection's strand:
      // a keyed POST's answer is small and pure to make.
      run(responder{[ctx, user, key,
                     reply](std::function<api_response()> make) {
        auto res = make();
        if (res.stream || static_cast<int>(res.status) >= 500) {
          forget(ctx, keyed(stmt::idempotency_release, user, key));
          return reply(std::move(res));
        }
        auto stored =
          keyed(stmt::idempotency_store, user, key,
                {std::to_string(static_cast<int>(res.status)), res.content_type,
                 res.cached_body ? *res.cached_body : res.body});
        // A failed store still answers: the athlete's write is done; the
        // key then stays claimed (409) until the day's purge.
        auto shared = std::make_shared<api_response>(std::move(res));
        send(ctx, std::move(stored), [reply, shared](caf::expected<db_reply>) {
          reply(std::move(*shared));
        });
      }});
    },
    atom::exec_v, std::move(claim));
}

} // namespace st

#include "actors/auth.hpp"

#include "actors/password_hasher.hpp"
#include "protocols/errors.hpp"
#include "protocols/limits.hpp"

#include <cctype>
#include <chrono>

#include "domain/account_mail.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace st {

namespace {

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

db_batch single(stmt id, std::vector<db_value> params) {
  db_batch result;
  result.statements.push_back(db_statement{id, std::move(params)});
  return result;
}

caf::error unauthorized(const char* detail) {
  return make_error(auth_ec::not_authenticated, std::string{detail});
}

/// (id, email) of the first row, when there is one.
std::optional<user_identity> first_user(const db_reply& reply) {
  if (reply.results.empty() || reply.results[0].rows.empty())
    return std::nullopt;
  auto& row = reply.results[0].rows[0];
  return user_identity{std::stoi(*row[0]), *row[1]};
}

constexpr auto db_timeout = std::chrono::seconds(10);

/// How long a reset mail may take to go out, retries included.
constexpr auto mail_timeout = std::chrono::seconds(60);

caf::error invalid_reset(std::string detail) {
  return make_error(auth_ec::invalid_reset, std::move(detail));
}

/// A cost-12 hash of a random, forgotten password: checked when an e-mail is
/// unknown, so a failed login costs the same whether or not it exists.
constexpr const char* decoy_hash =
  "$2b$12$nZY.cobgfLFbd2RyJgT/UeA0kG3SaNYJAsjQOWOVBIKxSYoYHbaFe";

} // namespace

std::string normalize_email(const std::string& email) {
  return to_lower(trim(email));
}

void auth_state::remember(const user_identity& user) {
  if (known.size() >= cfg.identity_cache_max)
    known.clear();
  known[user.id] = known_user{user.email, std::chrono::steady_clock::now() +
                                            cfg.identity_cache_ttl};
}

void auth_state::issue_tokens(user_identity user,
                              caf::typed_response_promise<token_pair> rp) {
  auto refresh = new_refresh_token();
  auto batch = single(stmt::insert_refresh_token,
                      {std::to_string(user.id), sha256_hex(refresh),
                       std::to_string(cfg.refresh_lifetime_s)});
  auto access = mint_access_token(cfg.jwt, user.id, user.email, unix_now());
  auto expires_in = cfg.jwt.lifetime_s;
  self->request(db, db_timeout, atom::exec_v, std::move(batch))
    .then(
      [=](db_reply&) mutable {
        rp.deliver(token_pair{access, refresh, expires_in, user});
      },
      [=](caf::error& err) mutable {
        rp.deliver(std::move(err));
      });
}

void auth_state::revoke_if_reused(const std::string& presented,
                                  std::function<void()> then) {
  self
    ->request(db, db_timeout, atom::exec_v,
              single(stmt::revoke_reused_chain, {sha256_hex(presented)}))
    .then(
      [then](db_reply& revoked) {
        auto& rows = revoked.results[0].rows;
        if (!rows.empty() && rows[0][0] && *rows[0][0] != "0")
          log_warn("auth", "a spent refresh token was presented again: its "
                           "chain is revoked (" +
                             rows[0][1].value_or("0") + " live tokens)");
        then();
      },
      [then](caf::error& err) {
        log_warn("auth", "refresh-token reuse check failed: " + to_string(err));
        then();
      });
}

void auth_state::mail_reset_link(const std::string& email) {
  auto fail = [email](const caf::error& err) {
    log_warn("auth", "no reset mail: " + to_string(err));
  };
  self
    ->request(db, db_timeout, atom::exec_v,
              single(stmt::user_by_email, {email}))
    .then(
      [=](db_reply& found) {
        auto user = first_user(found);
        if (!user)
          return; // no account: nothing is sent, nothing is said
        auto token = new_refresh_token();
        self
          ->request(db, db_timeout, atom::exec_v,
                    single(stmt::reset_token_issue,
                           {std::to_string(user->id), sha256_hex(token),
                            std::to_string(cfg.reset_token_minutes)}))
          .then(
            [=](db_reply& issued) {
              auto& row = issued.results[0].rows.at(0);
              auto mail = password_reset_mail(
                user->email, cfg.frontend_base_url, token,
                cfg.reset_token_minutes, std::stoll(row[0].value_or("0")));
              auto call = resend_request(cfg.mail, mail);
              call.until = deadline::in(mail_timeout);
              auto uid = user->id;
              self
                ->request(upstream, caf::infinite, atom::fetch_v,
                          std::move(call))
                .then(
                  [uid](upstream_response& sent) {
                    if (sent.status >= 400)
                      log_warn("auth",
                               "Resend refused the reset mail of user " +
                                 std::to_string(uid) + ": HTTP " +
                                 std::to_string(sent.status));
                    else
                      log_info("auth", "reset mail sent to user " +
                                         std::to_string(uid));
                  },
                  fail);
            },
            fail);
      },
      fail);
}

auth_actor::behavior_type auth(auth_actor::stateful_pointer<auth_state> self,
                               db_actor db, password_hasher_actor hasher,
                               upstream_actor upstream, auth_settings cfg) {
  auto& st = self->state;
  st.self = self;
  st.db = std::move(db);
  st.hasher = std::move(hasher);
  st.upstream = std::move(upstream);
  st.cfg = std::move(cfg);
  st.logins.emplace(st.cfg.login_failures_per_account,
                    st.cfg.login_failure_window);
  st.resets_by_address.emplace(1, st.cfg.reset_address_window);
  st.resets_by_client.emplace(st.cfg.resets_per_client_hour,
                              std::chrono::hours{1});
  self->send(self, atom::internal_v, atom::purge_v);
  return {
    [=](atom::signup, credentials& creds) -> caf::result<token_pair> {
      auto email = normalize_email(creds.email);
      if (email.empty() || creds.password.empty())
        return make_error(auth_ec::invalid_signup,
                          "Email and password required");
      auto rp = self->make_response_promise<token_pair>();
      auto& st = self->state;
      auto already =
        make_error(auth_ec::invalid_signup, "Email already registered");
      self
        ->request(st.db, db_timeout, atom::exec_v,
                  single(stmt::user_by_email, {email}))
        .then(
          [=](db_reply& found) mutable {
            if (first_user(found)) {
              rp.deliver(already);
              return;
            }
            self
              ->request(self->state.hasher, caf::infinite, atom::hash_v,
                        creds.until, creds.password)
              .then(
                [=](std::string& hash) mutable {
                  auto refresh = new_refresh_token();
                  auto lifetime = self->state.cfg.refresh_lifetime_s;
                  auto batch = single(stmt::insert_user_with_token,
                                      {email, hash, sha256_hex(refresh),
                                       std::to_string(lifetime)});
                  self
                    ->request(self->state.db, db_timeout, atom::exec_v,
                              std::move(batch))
                    .then(
                      [=](db_reply& inserted) mutable {
                        auto user = first_user(inserted);
                        auto& jwt = self->state.cfg.jwt;
                        rp.deliver(
                          token_pair{mint_access_token(jwt, user->id,
                                                       user->email, unix_now()),
                                     refresh, jwt.lifetime_s, *user});
                      },
                      [=](caf::error& err) mutable {
                        // The unique index settles a race between two
                        // registrations of one address.
                        if (error_sqlstate(err) == "23505")
                          rp.deliver(already);
                        else
                          rp.deliver(std::move(err));
                      });
                },
                [=](caf::error& err) mutable {
                  rp.deliver(std::move(err));
                });
          },
          [=](caf::error& err) mutable {
            rp.deliver(std::move(err));
          });
      return rp;
    },
    [=](atom::login, credentials& creds) -> caf::result<token_pair> {
      auto email = normalize_email(creds.email);
      if (email.empty() || creds.password.empty())
        return unauthorized("Email and password required");
      // Checked before any hashing: refused guesses cost no bcrypt time.
      auto now = std::chrono::steady_clock::now();
      if (auto wait = self->state.logins->wait(email, creds.client, now))
        return make_error(auth_ec::locked_out,
                          "Too many failed logins for this account, retry "
                          "in " +
                            std::to_string(wait) + " s",
                          wait);
      auto rp = self->make_response_promise<token_pair>();
      self
        ->request(self->state.db, db_timeout, atom::exec_v,
                  single(stmt::user_by_email, {email}))
        .then(
          [=](db_reply& found) mutable {
            auto user = first_user(found);
            const auto& row = found.results[0].rows;
            bool usable = user && static_cast<bool>(row[0][2]);
            auto hash = usable ? *row[0][2] : decoy_hash;
            self
              ->request(self->state.hasher, caf::infinite, atom::verify_v,
                        creds.until, creds.password, hash)
              .then(
                [=](bool ok) mutable {
                  auto& logins = *self->state.logins;
                  if (!ok || !usable) {
                    logins.failed(email, std::chrono::steady_clock::now());
                    rp.deliver(unauthorized("Invalid email or password"));
                  } else {
                    logins.succeeded(email, creds.client);
                    self->state.issue_tokens(*user, rp);
                  }
                },
                [=](caf::error& err) mutable {
                  rp.deliver(std::move(err));
                });
          },
          [=](caf::error& err) mutable {
            rp.deliver(std::move(err));
          });
      return rp;
    },
    [=](atom::refresh,
        const std::string& presented) -> caf::result<token_pair> {
      if (presented.empty())
        return unauthorized("Refresh token required");
      auto rp = self->make_response_promise<token_pair>();
      auto next = new_refresh_token();
      auto lifetime = self->state.cfg.refresh_lifetime_s;
      auto batch = single(
        stmt::rotate_refresh_token,
        {sha256_hex(presented), sha256_hex(next), std::to_string(lifetime)});
      self->request(self->state.db, db_timeout, atom::exec_v, std::move(batch))
        .then(
          [=](db_reply& rotated) mutable {
            auto user = first_user(rotated);
            if (!user) {
              // Answered once the chain is revoked: a successor presented
              // right after this answer is already refused.
              self->state.revoke_if_reused(presented, [rp]() mutable {
                rp.deliver(unauthorized("Invalid or expired refresh token"));
              });
              return;
            }
            auto& jwt = self->state.cfg.jwt;
            rp.deliver(token_pair{
              mint_access_token(jwt, user->id, user->email, unix_now()), next,
              jwt.lifetime_s, *user});
          },
          [=](caf::error& err) mutable {
            rp.deliver(std::move(err));
          });
      return rp;
    },
    [=](atom::logout, const std::string& presented) -> caf::result<bool> {
      if (presented.empty())
        return unauthorized("Refresh token required");
      auto rp = self->make_response_promise<bool>();
      self
        ->request(self->state.db, db_timeout, atom::exec_v,
                  single(stmt::delete_refresh_token, {sha256_hex(presented)}))
        .then(
          [=](db_reply& deleted) mutable {
            rp.deliver(deleted.results[0].affected > 0);
          },
          [=](caf::error& err) mutable {
            rp.deliver(std::move(err));
          });
      return rp;
    },
    [=](atom::identify, int32_t user_id) -> caf::result<user_identity> {
      auto& known = self->state.known;
      if (auto i = known.find(user_id);
          i != known.end() &&
          i->second.until > std::chrono::steady_clock::now())
        return user_identity{user_id, i->second.email};
      auto rp = self->make_response_promise<user_identity>();
      self
        ->request(self->state.db, db_timeout, atom::exec_v,
                  single(stmt::user_by_id, {std::to_string(user_id)}))
        .then(
          [=](db_reply& found) mutable {
            if (auto user = first_user(found)) {
              self->state.remember(*user);
              rp.deliver(*user);
            } else
              rp.deliver(unauthorized("User not found"));
          },
          [=](caf::error& err) mutable {
            rp.deliver(std::move(err));
          });
      return rp;
    },
    [=](atom::forgot, password_reset_request& x) -> caf::result<bool> {
      auto& st = self->state;
      if (!st.cfg.mail.configured())
        return make_error(auth_ec::mail_unavailable,
                          "Password reset by e-mail is not available on "
                          "this server.");
      // Counted for every well-formed address, known or not, and answered
      // before the account is even looked up: no answer or delay tells
      // whether it exists (http-api-head.md §6 item 6).
      auto now = std::chrono::steady_clock::now();
      auto wait = st.resets_by_client->admit(x.client, now);
      if (wait == 0)
        wait = st.resets_by_address->admit(x.email, now);
      if (wait > 0)
        return make_error(auth_ec::throttled,
                          "Too many requests. Please try again later.", wait);
      st.mail_reset_link(x.email);
      return true;
    },
    [=](atom::reset, password_reset& x) -> caf::result<token_pair> {
      auto token = trim(x.token);
      if (token.empty())
        return invalid_reset("Token required");
      if (utf8_length(x.new_password) < limits::min_password_length)
        return invalid_reset("Password must be at least " +
                             std::to_string(limits::min_password_length) +
                             " characters");
      auto digest = sha256_hex(token);
      auto rp = self->make_response_promise<token_pair>();
      auto expired = invalid_reset("Invalid or expired token");
      auto failed = [rp](caf::error& err) mutable {
        rp.deliver(std::move(err));
      };
      // The token first: a made-up one costs no bcrypt time.
      self
        ->request(self->state.db, db_timeout, atom::exec_v,
                  single(stmt::reset_token_owner, {digest}))
        .then(
          [=](db_reply& owner) mutable {
            if (owner.results[0].rows.empty()) {
              rp.deliver(expired);
              return;
            }
            self
              ->request(self->state.hasher, caf::infinite, atom::hash_v,
                        x.until, x.new_password)
              .then(
                [=](std::string& hash) mutable {
                  self
                    ->request(
                      self->state.db, db_timeout, atom::exec_v,
                      single(stmt::reset_password_apply, {digest, hash}))
                    .then(
                      [=](db_reply& applied) mutable {
                        auto user = first_user(applied);
                        if (!user) { // used meanwhile by another request
                          rp.deliver(expired);
                          return;
                        }
                        log_info("auth", "password reset for user " +
                                           std::to_string(user->id) +
                                           ": every session revoked");
                        self->state.issue_tokens(*user, rp);
                      },
                      failed);
                },
                failed);
          },
          failed);
      return rp;
    },
    [=](atom::verify, password_check& x) -> caf::result<bool> {
      auto rp = self->make_response_promise<bool>();
      auto failed = [rp](caf::error& err) mutable {
        rp.deliver(std::move(err));
      };
      self
        ->request(self->state.db, db_timeout, atom::exec_v,
                  single(stmt::user_password_by_id, {std::to_string(x.user)}))
        .then(
          [=](db_reply& found) mutable {
            auto& rows = found.results[0].rows;
            if (rows.empty()) {
              rp.deliver(unauthorized("User not found"));
              return;
            }
            if (!rows[0][0]) {
              rp.deliver(make_error(auth_ec::wrong_password,
                                    "This account has no password yet: set "
                                    "one through forgot-password first."));
              return;
            }
            self
              ->request(self->state.hasher, caf::infinite, atom::verify_v,
                        x.until, x.password, *rows[0][0])
              .then(
                [=](bool ok) mutable {
                  if (ok)
                    rp.deliver(true);
                  else
                    rp.deliver(
                      make_error(auth_ec::wrong_password, "Wrong password"));
                },
                failed);
          },
          failed);
      return rp;
    },
    [=](atom::erase, int32_t user) {
      self->state.known.erase(user);
    },
    [=](atom::internal, atom::purge) {
      // Background work: the pool's bulk lane, behind requests.
      auto purge = single(stmt::purge_refresh_tokens, {});
      purge.bulk = true;
      self->request(self->state.db, db_timeout, atom::exec_v, std::move(purge))
        .then(
          [=](db_reply& purged) {
            if (auto n = purged.results[0].affected; n > 0)
              log_info("auth", "purged " + std::to_string(n) +
                                 " expired refresh tokens");
          },
          [=](caf::error& err) {
            log_warn("auth", "refresh-token purge failed: " + to_string(err));
          });
      self->delayed_send(self, self->state.cfg.purge_interval, atom::internal_v,
                         atom::purge_v);
    },
  };
}

} // namespace st

#include "protocols/sql/statements.hpp"

namespace st {

const std::vector<statement_def>& statement_catalog() {
  static const std::vector<statement_def> result{
    {stmt::ping, "ping", "SELECT 1"},
    {stmt::user_by_email, "user_by_email",
     "SELECT id, email, password_hash FROM users WHERE email = $1"},
    {stmt::user_by_id, "user_by_id",
     "SELECT id, email FROM users WHERE id = $1::integer"},
    // $1 email, $2 bcrypt hash, $3 refresh-token digest, $4 lifetime (s).
    {stmt::insert_user_with_token, "insert_user_with_token",
     "WITH u AS (INSERT INTO users (email, password_hash, created_at) "
     "VALUES ($1, $2, now()) RETURNING id, email), "
     "t AS (INSERT INTO user_refresh_tokens "
     "(user_id, token_hash, expires_at, created_at) "
     "SELECT id, $3, now() + $4::bigint * interval '1 second', now() FROM u) "
     "SELECT id, email FROM u"},
    // $1 user id, $2 digest, $3 lifetime (s).
    {stmt::insert_refresh_token, "insert_refresh_token",
     "INSERT INTO user_refresh_tokens (user_id, token_hash, expires_at, "
     "created_at) VALUES ($1::integer, $2, "
     "now() + $3::bigint * interval '1 second', now())"},
    // Consumes the presented token ($1) and stores its successor ($2) in
    // one statement, so two refreshes racing on one token cannot both win.
    // (Tokens of deleted users are gone with them: the FK cascades.)
    {stmt::rotate_refresh_token, "rotate_refresh_token",
     "WITH old AS (DELETE FROM user_refresh_tokens WHERE token_hash = $1 "
     "AND expires_at > now() RETURNING user_id), "
     "u AS (SELECT users.id, users.email FROM users "
     "JOIN old ON users.id = old.user_id LIMIT 1), "
     "t AS (INSERT INTO user_refresh_tokens "
     "(user_id, token_hash, expires_at, created_at) "
     "SELECT id, $2, now() + $3::bigint * interval '1 second', now() FROM u) "
     "SELECT id, email FROM u"},
    {stmt::delete_refresh_token, "delete_refresh_token",
     "DELETE FROM user_refresh_tokens WHERE token_hash = $1"},
    {stmt::purge_refresh_tokens, "purge_refresh_tokens",
     "DELETE FROM user_refresh_tokens WHERE expires_at <= now()"},
  };
  return result;
}

const statement_def& statement(stmt id) {
  return statement_catalog().at(static_cast<size_t>(id));
}

std::string to_string(stmt id) {
  return statement(id).name;
}

} // namespace st

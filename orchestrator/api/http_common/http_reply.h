#pragma once

#include <string>
#include <utility>
#include <vector>

#include "Poco/JSON/Object.h"
#include "core/error.h"

// What every orchestrator API route answers, and the one JSON form of an error.
namespace kaiban::orchestrator::api {

// An HTTP answer built by a route handler; RouteHandlerFactory writes it out.
struct HttpReply {
  int status = 200;
  std::string content_type;  // empty when there is no body
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers

  // `object` serialised compactly, as application/json.
  static HttpReply json(int status, const Poco::JSON::Object& object);
  // 204, no body.
  static HttpReply noContent();
  // text/plain; charset=utf-8.
  static HttpReply text(int status, std::string text);
  // errorJson(error) with the status core/error.h maps error.code to (httpStatus).
  static HttpReply error(const Error& error);
  // errorJson(error) with an explicit status, for the few answers no ErrorCode names (413
  // body too large, 405 method not allowed).
  static HttpReply error(int status, const Error& error);
};

// {"error": {"code": "invalid_input", "message": "...", "field": "enterprise.name"}}: `code`
// is errorCodeName(error.code), `field` is "" when the error is not about one input.
Poco::JSON::Object::Ptr errorJson(const Error& error);

}  // namespace kaiban::orchestrator::api

#include "orchestrator/api/http_common/http_reply.h"

#include <sstream>

namespace kaiban::orchestrator::api {

HttpReply HttpReply::json(int status, const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return HttpReply{status, "application/json", out.str(), {}};
}

HttpReply HttpReply::noContent() { return HttpReply{204, "", "", {}}; }

HttpReply HttpReply::text(int status, std::string text) {
  return HttpReply{status, "text/plain; charset=utf-8", std::move(text), {}};
}

HttpReply HttpReply::error(const Error& error) {
  return HttpReply::error(httpStatus(error.code), error);
}

HttpReply HttpReply::error(int status, const Error& error) {
  return json(status, *errorJson(error));
}

Poco::JSON::Object::Ptr errorJson(const Error& error) {
  // Key order is part of what people read in logs and curl output: keep it stable.
  Poco::JSON::Object::Ptr detail = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  detail->set("code", std::string(errorCodeName(error.code)));
  detail->set("message", error.message);
  detail->set("field", error.field);
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  body->set("error", detail);
  return body;
}

}  // namespace kaiban::orchestrator::api

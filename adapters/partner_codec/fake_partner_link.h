#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "adapters/partner_codec/partner_link.h"

namespace kaiban::adapters {

// A PartnerLink that answers as scripted and records what was sent: the partner side of
// adapter unit tests. Thread-safe.
class FakePartnerLink final : public PartnerLink {
 public:
  struct Call {
    std::string method;  // "POST" or "GET"
    std::string path;
    std::string body;
    MessageId message_id;  // the X-Kaiban-Message-Id the adapter asked for; "" for GET
  };

  using Responder = std::function<Result<transport::Response>(const Call&)>;

  // From now on every call gets HTTP `status` with `body`.
  void answer(int status, std::string body) {
    respond([status, body = std::move(body)](const Call&) -> Result<transport::Response> {
      return transport::Response{status, body, {}};
    });
  }
  // From now on every call fails as the transport would, e.g. Error::timeout(...).
  void fail(Error error) {
    respond(
        [error = std::move(error)](const Call&) -> Result<transport::Response> { return error; });
  }
  // From now on `responder` answers each call (called with the lock held: it must not call
  // back into the link).
  void respond(Responder responder) {
    std::lock_guard<std::mutex> lock(mutex_);
    responder_ = std::move(responder);
  }
  std::vector<Call> calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

  Result<transport::Response> post(std::string_view path, std::string_view body,
                                   const MessageId& id) override {
    return record(Call{"POST", std::string(path), std::string(body), id});
  }
  Result<transport::Response> get(std::string_view path) override {
    return record(Call{"GET", std::string(path), {}, {}});
  }

 private:
  Result<transport::Response> record(Call call) {
    std::lock_guard<std::mutex> lock(mutex_);
    calls_.push_back(std::move(call));
    return responder_(calls_.back());
  }

  mutable std::mutex mutex_;
  std::vector<Call> calls_;
  Responder responder_ = [](const Call&) -> Result<transport::Response> {
    return Error::internal("FakePartnerLink: no answer scripted");
  };
};

}  // namespace kaiban::adapters

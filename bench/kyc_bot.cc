#include "bench/kyc_bot.h"

#include <functional>
#include <sstream>

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Object.h"
#include "Poco/JSON/Parser.h"
#include "adapters/transport/tls.h"

namespace kaiban::bench {

namespace {

constexpr std::string_view kApi = "/console/api/v1";
constexpr std::string_view kSessionCookie = "__Host-kaiban_console=";
constexpr auto kIdleWait = std::chrono::milliseconds(20);

std::string jsonText(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
  try {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
    return nullptr;
  }
}

}  // namespace

ReviewApprover::~ReviewApprover() { stop(); }

void ReviewApprover::pause() {
  std::lock_guard lock(mutex_);
  paused_ = true;
}

void ReviewApprover::resume() {
  {
    std::lock_guard lock(mutex_);
    paused_ = false;
  }
  changed_.notify_all();
}

void ReviewApprover::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

std::string ReviewApprover::lastError() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void ReviewApprover::startThreads(int count, const std::function<void(int)>& body) {
  for (int i = 0; i < count; ++i) threads_.emplace_back(body, i);
}

bool ReviewApprover::waitWhilePaused() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return stopping_ || !paused_; });
  return !stopping_;
}

void ReviewApprover::idle(std::chrono::milliseconds pause) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, pause, [&] { return stopping_; });
}

void ReviewApprover::fail(const std::string& message) {
  ++failures_;
  std::lock_guard lock(mutex_);
  last_error_ = message;
}

struct KycBot::Worker {
  StaffLogin login;
  int generation = -1;  // the port generation `client` was made for
  std::unique_ptr<transport::HttpsClient> client;
  std::string cookie;  // "__Host-kaiban_console=<token>"; "" when logged out
  std::string csrf;
};

KycBot::KycBot(const std::filesystem::path& ca_file, int port, std::vector<StaffLogin> staff)
    : port_(port) {
  context_ = transport::makeClientContext(transport::TlsFiles{
      .ca = ca_file, .certificate = {}, .private_key = {}, .crl = std::nullopt});
  for (const StaffLogin& login : staff) {
    auto worker = std::make_unique<Worker>();
    worker->login = login;
    workers_.push_back(std::move(worker));
  }
  startThreads(static_cast<int>(workers_.size()),
               [this](int index) { run(*workers_[static_cast<std::size_t>(index)]); });
}

KycBot::~KycBot() { stop(); }

void KycBot::setPort(int port) {
  std::lock_guard lock(mutex_);
  port_ = port;
  ++port_generation_;
}

void KycBot::run(Worker& worker) {
  while (waitWhilePaused()) {
    {
      std::lock_guard lock(mutex_);
      if (worker.generation != port_generation_ || !worker.client) {
        worker.client = std::make_unique<transport::HttpsClient>(
            transport::Endpoint{"127.0.0.1", port_, "console"}, context_,
            transport::ClientOptions{}, clock_);
        worker.generation = port_generation_;
        worker.cookie.clear();
      }
    }
    transport::HttpsClient& client = *worker.client;
    if (worker.cookie.empty()) {
      Poco::JSON::Object credentials;
      credentials.set("user", worker.login.user);
      credentials.set("password", worker.login.password);
      Result<transport::Response> answer =
          client.post(std::string(kApi) + "/login", jsonText(credentials), "application/json");
      Poco::JSON::Object::Ptr body = answer ? parseObject(answer->body) : nullptr;
      auto cookie = answer ? answer->headers.find("Set-Cookie") : transport::Headers::iterator{};
      if (!answer || answer->status != 200 || !body || cookie == answer->headers.end()) {
        fail("console login as " + worker.login.user + ": " +
             (answer ? std::to_string(answer->status) + " " + answer->body
                     : answer.error().message));
        idle(std::chrono::milliseconds(200));
        continue;
      }
      const std::string& set_cookie = cookie->second;
      const std::size_t at = set_cookie.find(kSessionCookie);
      worker.cookie =
          at == std::string::npos ? "" : set_cookie.substr(at, set_cookie.find(';', at) - at);
      worker.csrf = body->optValue<std::string>("csrf_token", "");
      if (worker.cookie.empty() || worker.csrf.empty()) {
        fail("console login as " + worker.login.user + " gave no session cookie or CSRF token");
        idle(std::chrono::milliseconds(200));
        continue;
      }
    }

    const transport::Headers session{{"Cookie", worker.cookie}};
    Result<transport::Response> listing =
        client.get(std::string(kApi) + "/bank/reviews?state=open", session);
    if (listing && listing->status == 401) {
      worker.cookie.clear();
      continue;
    }
    Poco::JSON::Object::Ptr body =
        listing && listing->status == 200 ? parseObject(listing->body) : nullptr;
    Poco::JSON::Array::Ptr reviews = body ? body->getArray("reviews") : nullptr;
    if (!reviews) {
      fail("listing reviews: " + (listing ? std::to_string(listing->status) + " " + listing->body
                                          : listing.error().message));
      idle(kIdleWait);
      continue;
    }
    const transport::Headers post{{"Cookie", worker.cookie}, {"X-CSRF-Token", worker.csrf}};
    int approved_now = 0;
    for (unsigned i = 0; i < reviews->size(); ++i) {
      Poco::JSON::Object::Ptr review = reviews->getObject(i);
      if (!review) continue;
      const std::string id = review->optValue<std::string>("application_id", "");
      const std::string step = review->optValue<std::string>("step", "");
      Result<transport::Response> approval = client.post(
          std::string(kApi) + "/bank/applications/" + id + "/steps/" + step + "/approve", "{}",
          "application/json", post);
      if (approval && approval->status == 200) {
        countApproved(1);
        ++approved_now;
      } else if (approval && approval->status == 401) {
        worker.cookie.clear();
        break;
      } else if (!(approval && approval->status == 409)) {
        fail("approving " + id + "/" + step + ": " +
             (approval ? std::to_string(approval->status) + " " + approval->body
                       : approval.error().message));
      }
    }
    if (approved_now == 0) idle(kIdleWait);
  }
}

CliKycBot::CliKycBot(std::function<Result<long long>()> approve_all)
    : approve_all_(std::move(approve_all)) {
  startThreads(1, [this](int) {
    while (waitWhilePaused()) {
      Result<long long> approved = approve_all_();
      if (!approved) {
        fail(approved.error().message);
      } else {
        countApproved(*approved);
      }
      if (!approved || *approved == 0) idle(kIdleWait * 5);
    }
  });
}

CliKycBot::~CliKycBot() { stop(); }

}  // namespace kaiban::bench

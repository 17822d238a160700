#include "terminal-agent/app/agent_app.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "Poco/Crypto/X509Certificate.h"
#include "Poco/Exception.h"
#include "Poco/Logger.h"
#include "adapters/transport/https_server.h"
#include "adapters/transport/tls.h"
#include "core/crypto/key_ring.h"
#include "core/timestamp.h"
#include "terminal-agent/devices/id_card_json.h"
#include "terminal-agent/devices/simulated_devices.h"
#include "terminal-agent/link/heartbeat_loop.h"
#include "terminal-agent/link/json_text.h"
#include "terminal-agent/link/kiosk_link.h"
#include "terminal-agent/queue/forwarder.h"
#include "terminal-agent/queue/submission_queue.h"
#include "terminal-agent/ui/kiosk_session.h"
#include "terminal-agent/ui/local_api.h"
#include "terminal-agent/ui/local_http.h"
#include "terminal-agent/ui/static_assets.h"

#ifndef KAIBAN_AGENT_VERSION
#define KAIBAN_AGENT_VERSION "0.0.0"
#endif

namespace kaiban::agent {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("agent.app"); }

crypto::PiiCipher loadCipher(const std::filesystem::path& key_file) {
  Result<crypto::KeyRing> keys = crypto::KeyRing::loadFile(key_file);
  if (!keys.ok()) {
    throw std::runtime_error("data key file " + key_file.string() + ": " + keys.error().message +
                             " (set pki.data_key)");
  }
  return crypto::PiiCipher(*keys);
}

std::string readText(const std::filesystem::path& file, const std::string& what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + what + " " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

CivilDate today(const Clock& clock) {
  const std::chrono::year_month_day date = shanghaiDate(clock.now());
  return CivilDate{static_cast<int>(date.year()), static_cast<int>(unsigned(date.month())),
                   static_cast<int>(unsigned(date.day()))};
}

// The kiosk certificate's subject: the CN must be this kiosk, the O is its bank.
struct KioskSubject {
  std::string common_name;
  std::string organization;
};

KioskSubject readSubject(const std::filesystem::path& certificate) {
  try {
    Poco::Crypto::X509Certificate x509(certificate.string());
    return {x509.subjectName(Poco::Crypto::X509Certificate::NID_COMMON_NAME),
            x509.subjectName(Poco::Crypto::X509Certificate::NID_ORGANIZATION_NAME)};
  } catch (const Poco::Exception& error) {
    throw std::runtime_error("kiosk certificate " + certificate.string() + ": " +
                             error.displayText() + " (set pki.certificate)");
  }
}

std::string choicesJson(const std::filesystem::path& file) {
  const std::string text = readText(file, "the screen's choices file");
  Result<Poco::JSON::Object::Ptr> parsed = json::parseObject(text, file.string());
  if (!parsed.ok()) throw std::runtime_error(parsed.error().message);
  if (json::arrayMember(**parsed, "divisions").isNull() ||
      json::arrayMember(**parsed, "seal_shops").isNull()) {
    throw std::runtime_error(file.string() + " needs the arrays \"divisions\" and \"seal_shops\"");
  }
  return text;
}

}  // namespace

std::string_view agentVersion() { return KAIBAN_AGENT_VERSION; }

AgentApp::AgentApp(AgentConfig config, const Clock& clock)
    : config_(std::move(config)), clock_(clock), cipher_(loadCipher(config_.data_key_file)) {
  const KioskSubject subject = readSubject(config_.certificate_file);
  if (subject.common_name != config_.kiosk_id) {
    throw std::runtime_error("the kiosk certificate " + config_.certificate_file.string() +
                             " is for \"" + subject.common_name + "\", not kiosk \"" +
                             config_.kiosk_id + "\" (set agent.kiosk_id or pki.certificate)");
  }
  bank_code_ = config_.bank_code.empty() ? subject.organization : config_.bank_code;
  if (bank_code_ != subject.organization) {
    throw std::runtime_error("agent.bank_code " + bank_code_ + " differs from the certificate's " +
                             "bank " + subject.organization);
  }
  tls_ = transport::makeClientContext(transport::TlsFiles{.ca = config_.ca_file,
                                                          .certificate = config_.certificate_file,
                                                          .private_key = config_.private_key_file,
                                                          .crl = std::nullopt});

  Result<std::unique_ptr<SubmissionQueue>> queue =
      SubmissionQueue::open(config_.queueFile(), cipher_, clock_);
  if (!queue.ok()) {
    throw std::runtime_error("submission queue " + config_.queueFile().string() + ": " +
                             queue.error().message);
  }
  queue_ = std::move(*queue);

  std::vector<IdCardData> deck;
  if (config_.sim_cards) {
    Result<std::vector<IdCardData>> cards = loadSimulatedCards(*config_.sim_cards, today(clock_));
    if (!cards.ok()) throw std::runtime_error("simulated cards: " + cards.error().message);
    deck = std::move(*cards);
  }
  reader_ = std::make_unique<SimulatedIdCardReader>(
      std::move(deck), SimulatedIdCardReader::Options{.auto_insert = config_.sim_auto_insert});
  camera_ = std::make_unique<SimulatedFaceCamera>(config_.face_threshold);
  printer_ = std::make_unique<SimulatedReceiptPrinter>(config_.receiptsDir());

  link_ = std::make_unique<KioskLink>(
      transport::Endpoint{config_.orchestrator_host, config_.orchestrator_port, "orchestrator"},
      tls_,
      KioskLinkOptions{.connect_timeout = config_.connect_timeout,
                       .read_timeout = config_.read_timeout,
                       .max_idle_connections = 4},
      clock_);

  forwarder_ = std::make_unique<Forwarder>(
      *queue_,
      [this](const std::string& key, const std::string& body) -> Result<ForwardResult> {
        Result<SubmitAnswer> answer = link_->submit(key, body);
        if (!answer.ok()) return answer.error();
        logger().information("submission " + key + " forwarded: application " +
                             answer->application_id + (answer->created ? "" : " (replay)"));
        return ForwardResult{answer->application_id};
      },
      clock_,
      BackoffPolicy{.initial = config_.backoff_initial, .max = config_.backoff_max, .jitter = 0.2});
  background_ = std::make_unique<BackgroundForwarder>(*forwarder_, clock_, config_.forwarder_poll);

  heartbeat_ = std::make_unique<HeartbeatLoop>(
      *link_,
      [this] {
        HeartbeatReport report;
        report.agent_version = std::string(agentVersion());
        report.queue_depth = queue_->depth().valueOr(-1);
        Result<std::optional<PendingSubmission>> head = queue_->nextPending();
        if (head.ok() && head->has_value()) {
          report.oldest_pending_seconds =
              std::chrono::duration_cast<std::chrono::seconds>(clock_.now() - (*head)->enqueued_at)
                  .count();
        }
        report.devices = {reader_->health(), camera_->health(), printer_->health()};
        return report;
      },
      config_.heartbeat_interval);

  sessions_ = std::make_unique<KioskSessions>(clock_, config_.idle_timeout);

  KioskUiSettings settings;
  settings.kiosk_id = config_.kiosk_id;
  settings.bank_code = bank_code_;
  settings.agent_version = std::string(agentVersion());
  settings.idle_timeout = config_.idle_timeout;
  settings.idle_warning = config_.idle_warning;
  settings.staff_code = config_.staff_code;
  settings.status_url_template = config_.status_url;
  settings.choices_json = choicesJson(config_.choices_file);
  backend_ = std::make_unique<KioskBackend>(KioskBackend{
      .settings = std::move(settings),
      .clock = clock_,
      .reader = *reader_,
      .camera = *camera_,
      .printer = *printer_,
      .link = *link_,
      .queue = *queue_,
      .sessions = *sessions_,
      .submitted = [this] { background_->notify(); },
      .health = [this] { return health(); },
      .simulated = SimulatedDeviceSet{*reader_, *camera_, *printer_},
  });

  auto factory = Poco::SharedPtr<LocalHandlerFactory>(new LocalHandlerFactory(
      makeLocalRoutes(*backend_, StaticAssets::load(config_.assets_dir, config_.qr_library))));
  transport::ServerOptions options;
  options.bind_host = "127.0.0.1";  // the kiosk's own browser only: never another address
  options.port = config_.ui_port;
  options.max_threads = 16;
  server_ = std::make_unique<transport::HttpsServer>(factory, nullptr, options);
  factory->setPort(server_->port());
}

AgentApp::~AgentApp() { stop(); }

void AgentApp::start() {
  started_ = true;
  background_->start();
  heartbeat_->start();
  sessions_->startSweeper();
  server_->start();
  writePortsFile();
  logger().information("kiosk " + config_.kiosk_id + " (" + bank_code_ + ") up: screen at " +
                       "http://127.0.0.1:" + std::to_string(server_->port()) + "/; " +
                       link_->description());
}

void AgentApp::stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  server_->stop();
  heartbeat_->stop();
  background_->stop();
  sessions_->stop();
  logger().information("kiosk agent stopped");
}

int AgentApp::uiPort() const { return server_->port(); }

void AgentApp::writePortsFile() const {
  const std::filesystem::path file = config_.portsFile();
  std::filesystem::create_directories(file.parent_path());
  const std::filesystem::path temporary = file.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << "{\"ui\":" << server_->port() << "}\n";
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
  }
  // Renamed into place so a reader never sees half a file.
  std::filesystem::rename(temporary, file);
}

Poco::JSON::Object::Ptr AgentApp::health() {
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  body->set("kiosk_id", config_.kiosk_id);
  body->set("agent_version", std::string(agentVersion()));
  const std::vector<DeviceHealth> devices = {reader_->health(), camera_->health(),
                                             printer_->health()};
  body->set("devices", toJson(std::span<const DeviceHealth>(devices)));

  Poco::JSON::Object::Ptr queue = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  queue->set("depth", queue_->depth().valueOr(-1));
  body->set("queue", queue);

  const BackgroundForwarder::Status forwarding = background_->status();
  Poco::JSON::Object::Ptr forwarder = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  forwarder->set("forwarded", forwarding.forwarded);
  forwarder->set("failed_permanent", forwarding.failed_permanent);
  forwarder->set("last_error", forwarding.last_error ? forwarding.last_error->toString() : "");
  body->set("forwarder", forwarder);

  const HeartbeatLoop::Status beats = heartbeat_->status();
  Poco::JSON::Object::Ptr heartbeat = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  heartbeat->set("sent", beats.sent);
  heartbeat->set("failed", beats.failed);
  heartbeat->set("last_error", beats.last_error ? beats.last_error->toString() : "");
  body->set("heartbeat", heartbeat);

  const transport::ClientStats stats = link_->stats();
  Poco::JSON::Object::Ptr link = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  link->set("connections_opened", static_cast<Poco::UInt64>(stats.connections_opened));
  link->set("sessions_resumed", static_cast<Poco::UInt64>(stats.sessions_resumed));
  body->set("link", link);
  return body;
}

}  // namespace kaiban::agent

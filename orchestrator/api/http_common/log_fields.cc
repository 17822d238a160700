#include "orchestrator/api/http_common/log_fields.h"

namespace kaiban::orchestrator::api {

void logWith(Poco::Logger& logger, Poco::Message::Priority priority, std::string text,
             std::initializer_list<LogField> fields) {
  if (!logger.is(priority)) return;
  Poco::Message message(logger.name(), std::move(text), priority);
  for (const LogField& field : fields) {
    if (!field.value.empty()) message.set(std::string(field.name), field.value);
  }
  logger.log(message);
}

}  // namespace kaiban::orchestrator::api

#pragma once

#include <chrono>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "core/result.h"

// kaiban-demo: feeds sample applications through one kiosk agent's local API exactly as the
// kiosk screen does (session with both consents, a simulated card, a passed face check, the
// form, the receipt's poll until forwarded), approves their KYC reviews as a bank officer in
// the staff console (kaiban-bench's KycBot), and follows them in the console until they
// complete. docs/kiosk-agent.md, "Demo".
namespace kaiban::agent::demo {

struct DemoOptions {
  int count = 0;
  std::string agent_url = "http://127.0.0.1:8080";     // plain HTTP, loopback
  std::string console_url = "https://127.0.0.1:8444";  // the staff console (HTTPS)
  std::filesystem::path ca_file = "var/pki/ca.crt";    // the only CA trusted for the console
  std::string console_user = "bank.bocqd";
  std::string console_password = "kaiban-demo-bank.bocqd";
  std::chrono::seconds timeout{600};
};

// The options in `arguments` (argv without the program name): --count N (required, 1..1000),
// --agent URL, --console URL, --ca FILE, --console-user NAME, --console-password TEXT,
// --timeout 600s|10m|600. kInvalidInput naming the option on a mistake.
Result<DemoOptions> parseDemoOptions(const std::vector<std::string>& arguments);

// Runs the demo, writing progress to `out` (updated in place when `tty`, else one line every
// few seconds). Returns 0 when every application completed; 1 when the timeout passed or an
// application can no longer complete (the stuck ones are named with their states); 2 when the
// agent or the console cannot be used at all (message on `out`).
int runDemo(const DemoOptions& options, std::ostream& out, bool tty);

}  // namespace kaiban::agent::demo

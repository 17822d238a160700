#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "terminal-agent/ui/local_http.h"

namespace kaiban::agent {

// The kiosk screen's files (HTML, CSS, JS, the vendored QR code library), read once at
// start-up into memory and served from there: no path from a request ever reaches the file
// system, so there is nothing to traverse.
class StaticAssets {
 public:
  // Reads every regular file directly in `assets_dir` (served as /assets/<name>, and
  // index.html also as /) and the QR library at `qr_library` (served as /vendor/qrcode.js).
  // Throws std::runtime_error naming the file when index.html or the library is missing or a
  // file cannot be read: the agent cannot show its screen, a start-up configuration error.
  static std::shared_ptr<const StaticAssets> load(const std::filesystem::path& assets_dir,
                                                  const std::filesystem::path& qr_library);

  // The file for a request path; nullptr when there is none.
  const LocalReply* find(std::string_view path) const;

  // Adds a route for every file to `routes` (GET).
  static void addRoutes(const std::shared_ptr<const StaticAssets>& assets, LocalRoutes& routes);

 private:
  std::map<std::string, LocalReply, std::less<>> files_;
};

}  // namespace kaiban::agent

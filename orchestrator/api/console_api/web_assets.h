#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "core/result.h"

// The console's pages and their static assets (orchestrator/web/), read once at start-up and
// served from memory: nothing under the web directory is looked up by a request's path, so
// no path can reach outside it.
namespace kaiban::orchestrator::api {

struct WebAsset {
  std::string content_type;
  std::string body;
  std::string etag;  // a quoted strong validator: the start of the body's SHA-256
};

// Immutable once loaded; thread-safe to read.
class WebAssets {
 public:
  // The pages every console needs (`<name>.html` at the top of the directory).
  static constexpr std::string_view kPages[] = {"login", "bank", "operator"};

  // Loads `directory`: the pages (*.html at its top) and every file directly inside its
  // assets/ and vendor/ folders, served together as /assets/<file name>. Files of other
  // types than html, css, js, svg, png, ico, woff2 and txt are ignored. kNotFound naming
  // the path when the directory or a page of kPages is missing; kInvalidInput when assets/
  // and vendor/ hold files of the same name; kUnavailable when a file cannot be read.
  static Result<WebAssets> load(const std::filesystem::path& directory);

  // The page `name` ("login"), or nullptr.
  const WebAsset* page(std::string_view name) const;
  // The asset file `name` ("console.css"), or nullptr.
  const WebAsset* asset(std::string_view name) const;

 private:
  std::map<std::string, WebAsset, std::less<>> pages_;
  std::map<std::string, WebAsset, std::less<>> assets_;
};

}  // namespace kaiban::orchestrator::api

#include "orchestrator/api/console_api/web_assets.h"

#include <fstream>
#include <sstream>

#include "core/crypto/hash.h"

namespace kaiban::orchestrator::api {

namespace {

std::string contentTypeOf(const std::filesystem::path& file) {
  const std::string extension = file.extension().string();
  if (extension == ".html") return "text/html; charset=utf-8";
  if (extension == ".css") return "text/css; charset=utf-8";
  if (extension == ".js") return "text/javascript; charset=utf-8";
  if (extension == ".svg") return "image/svg+xml";
  if (extension == ".png") return "image/png";
  if (extension == ".ico") return "image/x-icon";
  if (extension == ".woff2") return "font/woff2";
  if (extension == ".txt") return "text/plain; charset=utf-8";
  return "";
}

Result<WebAsset> readAsset(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream body;
  body << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return Error::unavailable("console.web_dir: cannot read " + file.string());
  }
  WebAsset asset;
  asset.content_type = contentTypeOf(file);
  asset.body = body.str();
  asset.etag = "\"" + crypto::sha256Hex(asset.body).substr(0, 32) + "\"";
  return asset;
}

}  // namespace

Result<WebAssets> WebAssets::load(const std::filesystem::path& directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    return Error::notFound("console.web_dir: " + directory.string() +
                           " is not a directory (it should hold the console pages, "
                           "orchestrator/web in the source tree)");
  }
  WebAssets assets;
  for (std::string_view page : kPages) {
    const std::filesystem::path file = directory / (std::string(page) + ".html");
    if (!std::filesystem::is_regular_file(file, error)) {
      return Error::notFound("console.web_dir: the page " + file.string() + " is missing");
    }
  }
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".html") continue;
    Result<WebAsset> asset = readAsset(entry.path());
    if (!asset) return asset.error();
    assets.pages_.emplace(entry.path().stem().string(), std::move(asset).value());
  }
  for (std::string_view folder : {"assets", "vendor"}) {
    const std::filesystem::path path = directory / folder;
    if (!std::filesystem::is_directory(path, error)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
      if (!entry.is_regular_file() || contentTypeOf(entry.path()).empty()) continue;
      Result<WebAsset> asset = readAsset(entry.path());
      if (!asset) return asset.error();
      const std::string name = entry.path().filename().string();
      if (!assets.assets_.emplace(name, std::move(asset).value()).second) {
        return Error::invalidInput("console.web_dir: two assets are named " + name +
                                   " (in assets/ and vendor/); rename one");
      }
    }
  }
  if (error) {
    return Error::unavailable("console.web_dir: cannot list " + directory.string() + ": " +
                              error.message());
  }
  return assets;
}

const WebAsset* WebAssets::page(std::string_view name) const {
  auto found = pages_.find(name);
  return found == pages_.end() ? nullptr : &found->second;
}

const WebAsset* WebAssets::asset(std::string_view name) const {
  auto found = assets_.find(name);
  return found == assets_.end() ? nullptr : &found->second;
}

}  // namespace kaiban::orchestrator::api

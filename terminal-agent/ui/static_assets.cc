#include "terminal-agent/ui/static_assets.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace kaiban::agent {

namespace {

std::string contentType(const std::filesystem::path& file) {
  const std::string extension = file.extension().string();
  if (extension == ".html") return "text/html; charset=utf-8";
  if (extension == ".css") return "text/css; charset=utf-8";
  if (extension == ".js") return "text/javascript; charset=utf-8";
  if (extension == ".json") return "application/json; charset=utf-8";
  if (extension == ".svg") return "image/svg+xml";
  if (extension == ".png") return "image/png";
  return "application/octet-stream";
}

std::string readWhole(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the kiosk screen file " + file.string());
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

class AssetHandler final : public LocalHandler {
 public:
  AssetHandler(std::shared_ptr<const StaticAssets> assets, std::string path)
      : assets_(std::move(assets)), path_(std::move(path)) {}
  LocalReply handle(const LocalRequest&) override { return *assets_->find(path_); }

 private:
  const std::shared_ptr<const StaticAssets> assets_;
  const std::string path_;
};

}  // namespace

std::shared_ptr<const StaticAssets> StaticAssets::load(const std::filesystem::path& assets_dir,
                                                       const std::filesystem::path& qr_library) {
  auto assets = std::make_shared<StaticAssets>();
  std::error_code error;
  if (!std::filesystem::is_regular_file(assets_dir / "index.html", error)) {
    throw std::runtime_error("the kiosk screen files are not in " + assets_dir.string() +
                             " (no index.html); set ui.assets");
  }
  for (const auto& entry : std::filesystem::directory_iterator(assets_dir)) {
    if (!entry.is_regular_file()) continue;
    const std::filesystem::path& file = entry.path();
    assets->files_["/assets/" + file.filename().string()] =
        LocalReply{200, contentType(file), readWhole(file)};
  }
  assets->files_["/"] = assets->files_.at("/assets/index.html");
  if (!std::filesystem::is_regular_file(qr_library, error)) {
    throw std::runtime_error("the QR code library is not at " + qr_library.string());
  }
  assets->files_["/vendor/qrcode.js"] =
      LocalReply{200, contentType(qr_library), readWhole(qr_library)};
  return assets;
}

const LocalReply* StaticAssets::find(std::string_view path) const {
  auto found = files_.find(path);
  return found == files_.end() ? nullptr : &found->second;
}

void StaticAssets::addRoutes(const std::shared_ptr<const StaticAssets>& assets,
                             LocalRoutes& routes) {
  for (const auto& [path, reply] : assets->files_) {
    routes.add("GET", path, std::make_shared<AssetHandler>(assets, path));
  }
}

}  // namespace kaiban::agent

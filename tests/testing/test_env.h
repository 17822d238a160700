#pragma once

#include <filesystem>
#include <string>

namespace kaiban::testing {

// The repository root (KAIBAN_SOURCE_DIR, set by CTest; falls back to the build-time path).
std::filesystem::path sourceDir();

// The build tree, where the binaries under test live (KAIBAN_BUILD_DIR).
std::filesystem::path buildDir();

// A file under tests/data/, or any path relative to the repository root.
std::filesystem::path testData(const std::string& name);
std::filesystem::path repoFile(const std::string& relative_path);

// Reads a whole file; fails the calling test (ADD_FAILURE) and returns "" if it cannot.
std::string readFile(const std::filesystem::path& path);

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A loopback TCP port that was free a moment ago (bound to port 0, then released). Prefer
// letting servers bind port 0 themselves; use this only to pass a port to another process.
int freeLoopbackPort();

}  // namespace kaiban::testing

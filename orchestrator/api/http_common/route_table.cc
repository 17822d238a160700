#include "orchestrator/api/http_common/route_table.h"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace kaiban::orchestrator::api {

namespace {

std::vector<std::string> splitPath(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 1;  // after the leading '/'
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    segments.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

bool isParameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Binds `path_segments` to `pattern`; false when they do not match.
bool bind(const std::vector<std::string>& pattern, const std::vector<std::string>& path_segments,
          std::map<std::string, std::string, std::less<>>& params) {
  if (pattern.size() != path_segments.size()) return false;
  std::map<std::string, std::string, std::less<>> bound;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (isParameter(pattern[i])) {
      if (path_segments[i].empty()) return false;
      bound.emplace(pattern[i].substr(1, pattern[i].size() - 2), path_segments[i]);
    } else if (pattern[i] != path_segments[i]) {
      return false;
    }
  }
  params = std::move(bound);
  return true;
}

}  // namespace

std::string RouteRequest::param(std::string_view name) const {
  auto found = params.find(name);
  return found == params.end() ? std::string() : found->second;
}

void RouteTable::add(std::string method, std::string pattern, std::shared_ptr<RouteHandler> handler,
                     RouteOptions options) {
  if (!handler) throw std::invalid_argument("route " + method + " " + pattern + ": no handler");
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern '" + pattern + "' is not an absolute path");
  }
  std::vector<std::string> segments = splitPath(pattern);
  // "/" is the one pattern whose only segment may be empty: the site's root.
  const bool root = pattern == "/";
  std::set<std::string, std::less<>> names;
  for (const std::string& segment : segments) {
    const bool parameter = isParameter(segment);
    if (!parameter &&
        (segment.find_first_of("{}") != std::string::npos || (segment.empty() && !root))) {
      throw std::invalid_argument("route pattern '" + pattern + "' has a malformed segment '" +
                                  segment + "'");
    }
    if (parameter && !names.insert(segment).second) {
      throw std::invalid_argument("route pattern '" + pattern + "' repeats " + segment);
    }
  }
  for (const Route& route : routes_) {
    if (route.method == method && route.pattern == pattern) {
      throw std::invalid_argument("route " + method + " " + pattern + " is added twice");
    }
  }
  routes_.push_back(Route{std::move(method), std::move(pattern), std::move(segments),
                          std::move(handler), options});
}

RouteTable::Match RouteTable::match(std::string_view method, std::string_view path) const {
  Match result;
  if (path.empty() || path.front() != '/') return result;
  const std::vector<std::string> segments = splitPath(path);
  for (const Route& route : routes_) {
    std::map<std::string, std::string, std::less<>> params;
    if (!bind(route.segments, segments, params)) continue;
    if (route.method == method) {
      result.kind = MatchKind::kFound;
      result.route = &route;
      result.params = std::move(params);
      result.allowed.clear();
      return result;
    }
    if (std::find(result.allowed.begin(), result.allowed.end(), route.method) ==
        result.allowed.end()) {
      result.allowed.push_back(route.method);
    }
    result.kind = MatchKind::kWrongMethod;
  }
  return result;
}

}  // namespace kaiban::orchestrator::api

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "Poco/JSON/Parser.h"
#include "Poco/Net/HTTPClientSession.h"
#include "Poco/Net/HTTPRequest.h"
#include "Poco/Net/HTTPResponse.h"
#include "adapters/transport/https_client.h"
#include "adapters/transport/https_server.h"
#include "core/clock.h"
#include "orchestrator/api/http_common/http_reply.h"
#include "orchestrator/api/http_common/route_handler_factory.h"
#include "orchestrator/api/http_common/route_table.h"

namespace kaiban::orchestrator::api {
namespace {

// Answers with what it saw, so tests can check what reached the handler.
class EchoRoute final : public RouteHandler {
 public:
  HttpReply handle(const RouteRequest& request) override {
    Poco::JSON::Object body(Poco::JSON_PRESERVE_KEY_ORDER);
    body.set("method", request.method);
    body.set("path", request.path);
    body.set("query", request.query);
    body.set("id", request.param("id"));
    body.set("body", request.body);
    return HttpReply::json(200, body);
  }
};

class ThrowingRoute final : public RouteHandler {
 public:
  HttpReply handle(const RouteRequest&) override { throw std::logic_error("secret detail"); }
};

class FailingRoute final : public RouteHandler {
 public:
  HttpReply handle(const RouteRequest&) override {
    return HttpReply::error(Error::invalidInput("name must not be empty", "enterprise.name"));
  }
};

Poco::JSON::Object::Ptr parse(const std::string& text) {
  return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

TEST(RouteTableTest, BindsParametersAndTellsMissingPathFromWrongMethod) {
  RouteTable table;
  auto echo = std::make_shared<EchoRoute>();
  table.add("POST", "/things/{id}/notes", echo);
  table.add("GET", "/things/{id}/notes", echo);
  table.add("GET", "/things/all", echo);

  RouteTable::Match found = table.match("POST", "/things/42/notes");
  ASSERT_EQ(found.kind, RouteTable::MatchKind::kFound);
  EXPECT_EQ(found.route->method, "POST");
  EXPECT_EQ(found.params.at("id"), "42");

  RouteTable::Match wrong = table.match("DELETE", "/things/42/notes");
  EXPECT_EQ(wrong.kind, RouteTable::MatchKind::kWrongMethod);
  EXPECT_EQ(wrong.allowed, (std::vector<std::string>{"POST", "GET"}));

  EXPECT_EQ(table.match("GET", "/things//notes").kind, RouteTable::MatchKind::kNoSuchPath);
  EXPECT_EQ(table.match("GET", "/things/42").kind, RouteTable::MatchKind::kNoSuchPath);
  EXPECT_EQ(table.match("GET", "/things/42/notes/x").kind, RouteTable::MatchKind::kNoSuchPath);
  EXPECT_EQ(table.match("GET", "relative").kind, RouteTable::MatchKind::kNoSuchPath);
  // A literal added before a parameter pattern would win; here the parameter one is
  // "/things/{id}/notes", which has one more segment, so "/things/all" is its own.
  EXPECT_EQ(table.match("GET", "/things/all").route->pattern, "/things/all");
}

TEST(RouteTableTest, RefusesMalformedPatternsAndDuplicates) {
  RouteTable table;
  auto echo = std::make_shared<EchoRoute>();
  EXPECT_THROW(table.add("GET", "things", echo), std::invalid_argument);
  EXPECT_THROW(table.add("GET", "/a/{x}/{x}", echo), std::invalid_argument);
  EXPECT_THROW(table.add("GET", "/a/b{x}", echo), std::invalid_argument);
  EXPECT_THROW(table.add("GET", "/a//b", echo), std::invalid_argument);
  EXPECT_THROW(table.add("GET", "/a", nullptr), std::invalid_argument);
  table.add("GET", "/a", echo);
  EXPECT_THROW(table.add("GET", "/a", echo), std::invalid_argument);
}

TEST(RouteTableTest, TheRootIsARouteOfItsOwn) {
  RouteTable table;
  auto echo = std::make_shared<EchoRoute>();
  table.add("GET", "/", echo);
  table.add("GET", "/{page}", echo);
  EXPECT_EQ(table.match("GET", "/").route->pattern, "/");
  EXPECT_EQ(table.match("GET", "/login").route->pattern, "/{page}");
  EXPECT_EQ(table.match("POST", "/").kind, RouteTable::MatchKind::kWrongMethod);
}

TEST(HttpReplyTest, ErrorBodyHasCodeMessageAndField) {
  HttpReply reply =
      HttpReply::error(Error::invalidInput("name must not be empty", "enterprise.name"));
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.content_type, "application/json");
  EXPECT_EQ(reply.body, R"({"error":{"code":"invalid_input","message":"name must not be empty",)"
                        R"("field":"enterprise.name"}})");
  EXPECT_EQ(HttpReply::error(Error::unavailable("down")).status, 503);
  EXPECT_EQ(HttpReply::error(Error::forbidden("no")).status, 403);
  EXPECT_EQ(HttpReply::error(413, Error::invalidInput("big")).status, 413);
  EXPECT_EQ(HttpReply::noContent().status, 204);
}

// A real listener on an ephemeral loopback port serving a small route table.
class RouteServerTest : public ::testing::Test {
 protected:
  RouteServerTest() {
    auto routes = std::make_shared<RouteTable>();
    routes->add("POST", "/things/{id}", std::make_shared<EchoRoute>(), RouteOptions{16});
    routes->add("GET", "/things/{id}", std::make_shared<EchoRoute>());
    routes->add("GET", "/boom", std::make_shared<ThrowingRoute>());
    routes->add("GET", "/bad", std::make_shared<FailingRoute>());
    server_ = std::make_unique<transport::HttpsServer>(
        new RouteHandlerFactory(routes, "test.api", clock_), nullptr, transport::ServerOptions{});
    server_->start();
    client_ = std::make_unique<transport::HttpsClient>(
        transport::Endpoint{"127.0.0.1", server_->port(), "test"}, nullptr,
        transport::ClientOptions{}, clock_);
  }

  SystemClock clock_;
  std::unique_ptr<transport::HttpsServer> server_;
  std::unique_ptr<transport::HttpsClient> client_;
};

TEST_F(RouteServerTest, PassesBodyPathQueryAndParameters) {
  Result<transport::Response> response = client_->post("/things/a%20b?x=1", "hello", "text/plain");
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 200);
  Poco::JSON::Object::Ptr body = parse(response->body);
  EXPECT_EQ(body->getValue<std::string>("path"), "/things/a b");
  EXPECT_EQ(body->getValue<std::string>("query"), "x=1");
  EXPECT_EQ(body->getValue<std::string>("id"), "a b");
  EXPECT_EQ(body->getValue<std::string>("body"), "hello");
  // A body of exactly the limit is accepted.
  response = client_->post("/things/1", std::string(16, 'x'), "text/plain");
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 200);
}

TEST_F(RouteServerTest, AnswersNotFoundAndMethodNotAllowedAsJsonErrors) {
  Result<transport::Response> missing = client_->get("/nothing");
  ASSERT_TRUE(missing) << missing.error();
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(parse(missing->body)->getObject("error")->getValue<std::string>("code"), "not_found");

  Result<transport::Response> wrong = client_->post("/boom", "", "text/plain");
  ASSERT_TRUE(wrong) << wrong.error();
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->headers["Allow"], "GET");

  Result<transport::Response> bad = client_->get("/bad");
  ASSERT_TRUE(bad) << bad.error();
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(parse(bad->body)->getObject("error")->getValue<std::string>("field"),
            "enterprise.name");
}

TEST_F(RouteServerTest, RefusesABodyOverTheLimitByContentLength) {
  Result<transport::Response> response =
      client_->post("/things/1", std::string(17, 'x'), "text/plain");
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 413);
  EXPECT_NE(
      parse(response->body)->getObject("error")->getValue<std::string>("message").find("16 bytes"),
      std::string::npos);
  // A large body is read and dropped before the answer, so the sender sees the 413 rather
  // than a connection reset.
  response = client_->post("/things/1", std::string(512 * 1024, 'x'), "text/plain");
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 413);
  // The server closed that connection instead of reading more as the next request; the
  // client's next request still gets through.
  response = client_->get("/things/2");
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 200);
}

TEST_F(RouteServerTest, RefusesAChunkedBodyOverTheLimit) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/things/1",
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  request.setChunkedTransferEncoding(true);
  std::ostream& out = session.sendRequest(request);
  out << std::string(40, 'y');
  Poco::Net::HTTPResponse response;
  std::istream& in = session.receiveResponse(response);
  std::stringstream body;
  body << in.rdbuf();
  EXPECT_EQ(response.getStatus(), 413);
  EXPECT_FALSE(response.getKeepAlive());
}

TEST_F(RouteServerTest, AnswersAnExceptionWith500WithoutItsText) {
  Result<transport::Response> response = client_->get("/boom");
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->body.find("secret detail"), std::string::npos);
  EXPECT_EQ(parse(response->body)->getObject("error")->getValue<std::string>("code"), "internal");
}

}  // namespace
}  // namespace kaiban::orchestrator::api

#pragma once

#include <string>

#include "Poco/Net/HTTPServerRequest.h"
#include "core/result.h"

// Who is on the other end of a mutual-TLS request, from the client certificate that the
// handshake verified (against the server context's CA and CRL).
namespace kaiban::transport {

struct PeerIdentity {
  std::string common_name;          // a kiosk's id, a partner system's name
  std::string organization;         // a kiosk's bank
  std::string organizational_unit;  // e.g. "kiosk" or "partner"
};

// The identity in the verified client certificate of the connection `request` arrived on.
// Errors: kForbidden when the request came over plain HTTP, or over TLS without a client
// certificate (a kNone server context never asks for one), or the certificate has no CN.
// Call it from a request handler of an HttpsServer: the request must be POCO's own
// HTTPServerRequestImpl.
Result<PeerIdentity> peerIdentity(Poco::Net::HTTPServerRequest& request);

}  // namespace kaiban::transport

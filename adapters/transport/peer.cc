#include "adapters/transport/peer.h"

#include "Poco/Crypto/X509Certificate.h"
#include "Poco/Exception.h"
#include "Poco/Net/HTTPServerRequestImpl.h"
#include "Poco/Net/SecureStreamSocketImpl.h"
#include "Poco/Net/StreamSocket.h"

namespace kaiban::transport {

Result<PeerIdentity> peerIdentity(Poco::Net::HTTPServerRequest& request) {
  auto* request_impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  if (request_impl == nullptr) {
    return Error::forbidden("the request did not arrive over a TLS connection");
  }
  auto* tls = dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(request_impl->socket().impl());
  if (tls == nullptr) {
    return Error::forbidden("the request arrived over plain HTTP: no client certificate");
  }
  try {
    if (!tls->havePeerCertificate()) {
      return Error::forbidden("the client presented no certificate");
    }
    Poco::Crypto::X509Certificate certificate = tls->peerCertificate();
    using Nid = Poco::Crypto::X509Certificate::NID;
    PeerIdentity identity{
        .common_name = certificate.subjectName(Nid::NID_COMMON_NAME),
        .organization = certificate.subjectName(Nid::NID_ORGANIZATION_NAME),
        .organizational_unit = certificate.subjectName(Nid::NID_ORGANIZATION_UNIT_NAME),
    };
    if (identity.common_name.empty()) {
      return Error::forbidden("the client certificate has no common name");
    }
    return identity;
  } catch (const Poco::Exception& error) {
    // The connection's TLS state is gone (closed under us): no identity to vouch for.
    return Error::forbidden("cannot read the client certificate: " + error.displayText());
  }
}

}  // namespace kaiban::transport

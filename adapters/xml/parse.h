#pragma once

#include <cstddef>
#include <string_view>

#include "adapters/xml/document.h"
#include "core/result.h"

namespace kaiban::xml {

// Bounds on what parse() accepts. Every partner message fits the defaults many times over.
struct ParseLimits {
  static constexpr size_t kDefaultMaxBytes = size_t{1} << 20;  // 1 MiB
  static constexpr int kDefaultMaxDepth = 64;

  size_t max_bytes = kDefaultMaxBytes;  // larger input is refused unread
  int max_depth = kDefaultMaxDepth;     // element nesting; capped at 256 (libxml2's own bound)
};

// Parses an untrusted XML document from memory, namespace-aware. Never touches the network
// or the file system, never expands entities.
//
// In order, and each before any later step looks at the input:
//   1. more than `limits.max_bytes` bytes: refused;
//   2. not UTF-8 (a UTF-16/UTF-32 byte order mark, a NUL byte, an invalid UTF-8 sequence, or
//      an XML declaration naming another encoding): refused;
//   3. a DOCTYPE (or any other "<!" declaration) before the root element: refused — no
//      partner message has one, and it is how XXE, billion-laughs and quadratic-blowup
//      attacks start;
//   4. libxml2 then parses with XML_PARSE_NONET and never NOENT/DTDLOAD/DTDATTR/HUGE/
//      XINCLUDE; its SAX hooks stop the parser on any DOCTYPE, DTD declaration, entity
//      reference other than the five predefined ones, or element nested deeper than
//      `limits.max_depth`, so no tree deeper than the limit is ever built.
// Whitespace-only text between elements is dropped; CDATA sections become text.
//
// Returns the Document, or kInvalidInput with a message an operator can act on, such as
// "XML document rejected: line 3, element <Nm>: Opening and ending tag mismatch: Nm line 2
// and Refs". Thread-safe: concurrent calls share nothing.
Result<Document> parse(std::string_view bytes, const ParseLimits& limits = {});

}  // namespace kaiban::xml

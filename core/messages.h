#pragma once

#include <span>
#include <string_view>

#include "core/result.h"

namespace kaiban {

// The languages the kiosk UI and the consoles speak. zh-CN is the default everywhere.
enum class Language { kZhCn, kEn };

// "zh-CN" or "en".
std::string_view languageTag(Language language);

// The language for a tag: "zh-CN", "zh", "zh-Hans", "zh-Hans-CN" (any case) give kZhCn; "en" and
// "en-*" give kEn. kInvalidInput (field "language") for anything else.
Result<Language> parseLanguage(std::string_view tag);

// The text of the message `key` in `language`, or `key` itself when the catalog has no such
// key (so a missing entry shows up on screen instead of an empty label). Thread-safe: the
// catalog is constant.
//
// Keys are stable dot-separated snake_case names; they are part of the kiosk API (the 422
// answer carries them) and must never be renamed. The catalog holds:
//   - every message key that validateApplication (core/application.h) reports;
//   - step names:              "step.<step id>"              ("step.seal" -> 公章刻制)
//   - application states:      "application_state.<name>"   ("application_state.completed")
//   - step states:             "step_state.<name>"          ("step_state.failed")
//   - enterprise types:        "enterprise_type.<name>"
//   - taxpayer types:          "taxpayer_type.<name>"
//   - invoice types:           "invoice_type.<name>"
//   - seal delivery methods:   "seal_delivery.<name>"
// where <name> is the toString() name of the value in core/application.h.
std::string_view messageText(std::string_view key, Language language);

// True when the catalog has `key` (in both languages: every entry has both).
bool hasMessage(std::string_view key);

// Every key of the catalog, in catalog order. For tests and for UIs that preload the texts.
std::span<const std::string_view> messageKeys();

}  // namespace kaiban

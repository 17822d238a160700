#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace kaiban {

// The checks of GB 32100-2015 that a Unified Social Credit Code (统一社会信用代码) must pass,
// in the order they are applied. The first failing rule is the one reported.
enum class UsccRule {
  kLength,                 // exactly 18 characters
  kAlphabet,               // 0-9 and capital A-Z except I, O, Z, S, V
  kRegistrationAuthority,  // position 1 is a known registration authority code
  kEntityType,             // position 2 is an entity type that authority registers
  kDivisionCode,           // positions 3-8 are six digits with a real province prefix
  kCheckCharacter,         // position 18 is the MOD 31 check character of positions 1-17
};

// A Unified Social Credit Code that passed every UsccRule. Immutable value type.
//
// Layout: 1 registration authority, 2 entity type, 3-8 administrative division code of the
// registering office, 9-17 organisation code (主体标识码), 18 check character.
//
// Registration authorities and the entity types each registers (GB 32100-2015 table 1, with
// the later additions A and N):
//   1 机构编制 (establishment offices): 1 机关, 2 事业单位, 3 群众团体, 9 其他
//   2 外交 (foreign affairs): 1 外国常驻新闻机构, 9 其他
//   3 司法行政 (justice): 1 律师执业机构, 2 公证处, 3 基层法律服务所, 4 司法鉴定机构,
//     5 仲裁委员会, 9 其他
//   4 文化 (culture): 1 外国在华文化中心, 9 其他
//   5 民政 (civil affairs): 1 社会团体, 2 民办非企业单位, 3 基金会, 9 其他
//   6 旅游 (tourism): 1 外国旅游部门常驻代表机构, 2 港澳台地区旅游部门常驻代表机构, 9 其他
//   7 宗教 (religious affairs): 1 宗教活动场所, 2 宗教院校, 9 其他
//   8 工会 (trade unions): 1 基层工会, 9 其他
//   9 工商 / 市场监管 (market regulation): 1 企业, 2 个体工商户, 3 农民专业合作社
//   A 军队编制 (military establishment): 1 军队事业单位, 9 其他
//   N 农业 (agriculture): 1 组级, 2 村级, 3 乡镇级集体经济组织, 9 其他
//   Y 其他 (all other authorities): 1
//
// Not checked: the GB 11714 check digit inside the organisation code (positions 9-17); codes
// issued to individual businesses do not always carry one, and position 18 already protects
// the whole code against typing errors.
//
// Lower-case input is rejected (kAlphabet), not upper-cased: the standard defines the code in
// capitals only, and a code is a printed identifier that must be stored exactly as issued.
class Uscc {
 public:
  // The code in `text`, or kInvalidInput (field "uscc") whose message names, in plain words,
  // the first UsccRule that `text` breaks. No trimming: surrounding spaces break kLength.
  static Result<Uscc> parse(std::string_view text);

  // The first UsccRule that `text` breaks, or nullopt when parse(text) succeeds.
  static std::optional<UsccRule> violatedRule(std::string_view text);

  // The check character (position 18) for the 17 characters `first17`: with weights
  // 3^i mod 31 and values from the code alphabet, C18 = 31 - (sum mod 31), 31 written as 0.
  // kInvalidInput (field "uscc") if `first17` is not 17 characters of the code alphabet.
  // Only the check is computed: positions 1-8 are not validated here.
  static Result<char> checkCharacterFor(std::string_view first17);

  const std::string& text() const { return text_; }
  char registrationAuthority() const { return text_[0]; }
  char entityType() const { return text_[1]; }
  std::string_view divisionCode() const { return std::string_view(text_).substr(2, 6); }
  std::string_view organizationCode() const { return std::string_view(text_).substr(8, 9); }

  friend bool operator==(const Uscc&, const Uscc&) = default;

 private:
  explicit Uscc(std::string text) : text_(std::move(text)) {}

  std::string text_;
};

}  // namespace kaiban

#include "bench/application_generator.h"

#include <array>
#include <set>
#include <stdexcept>

#include "core/id_number.h"
#include "core/money.h"

namespace kaiban::bench {

namespace {

// Trade-name characters. None of them can form a prohibited word of the registry simulator
// (中国, 中华, 全国, 国家, 国际, 中央, 赌博, 色情) or the names it registers at start-up
// (青岛啤酒…, 海尔…, 海信…, 青岛海蓝…): 中, 国, 华, 全, 家, 际, 央, 赌, 博, 色, 情, 海, 蓝 are
// left out on purpose.
constexpr std::array<std::string_view, 40> kTradeCharacters = {
    "瑞", "祥", "恒", "泰", "鑫", "源", "丰", "盛", "达", "通", "宏", "远", "兴", "隆",
    "嘉", "和", "润", "安", "康", "宁", "诚", "益", "德", "广", "汇", "鸿", "锦", "程",
    "聚", "合", "永", "昌", "福", "顺", "佳", "美", "新", "星", "辰", "悦"};

struct Industry {
  std::string_view word;   // goes into the enterprise name
  std::string_view scope;  // 经营范围
};

constexpr Industry kIndustries[] = {
    {"软件科技", "软件开发；信息技术咨询服务；数据处理和存储支持服务"},
    {"餐饮管理", "餐饮服务；食品销售；餐饮管理"},
    {"商贸", "日用百货销售；五金产品零售；服装服饰零售"},
    {"建筑工程", "建设工程施工；建筑材料销售；工程管理服务"},
    {"物流", "道路货物运输；国内货物运输代理；仓储服务"},
    {"文化传媒", "组织文化艺术交流活动；广告设计、代理；会议及展览服务"},
    {"电子商务", "互联网销售；供应链管理服务；技术服务"},
    {"医疗器械", "第一类医疗器械销售；第二类医疗器械销售"},
    {"教育咨询", "教育咨询服务；业务培训；信息咨询服务"},
    {"农业科技", "农业科学研究和试验发展；农产品的生产、销售"},
    {"环保科技", "环保咨询服务；污水处理及其再生利用；技术开发"},
    {"物业管理", "物业管理；停车场服务；家政服务"},
};

constexpr std::string_view kSoleSuffixes[] = {"商行", "经营部", "工作室", "店"};
constexpr std::string_view kPartnershipWords[] = {"投资管理中心", "咨询中心", "企业管理中心"};

constexpr std::string_view kSurnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
    "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
    "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡"};
constexpr std::string_view kMaleGivenNames[] = {"伟",   "强",   "磊",   "军",   "洋",
                                                "勇",   "杰",   "涛",   "明",   "超",
                                                "浩然", "志强", "海涛", "建军", "宇航"};
constexpr std::string_view kFemaleGivenNames[] = {"芳",   "娜",   "敏",   "静",   "丽",
                                                  "艳",   "娟",   "婷",   "雪",   "玲",
                                                  "秀英", "晓燕", "丽娟", "雨欣", "思雨"};
constexpr std::string_view kStreets[] = {"香港中路", "延安三路",   "辽阳西路", "海尔路",
                                         "长江中路", "黑龙江中路", "正阳路",   "鹤山路",
                                         "福州南路", "重庆中路"};
constexpr std::string_view kPhonePrefixes[] = {"130", "135", "138", "139", "150",
                                               "158", "177", "186", "188", "199"};

// Registered capital in yuan; a few common round figures and the rest at random.
constexpr std::int64_t kRoundCapitals[] = {10'000,  30'000,    50'000,    100'000,
                                           300'000, 1'000'000, 5'000'000, 10'000'000};

}  // namespace

ApplicationGenerator::ApplicationGenerator(std::uint64_t seed, int salt)
    : random_(seed), salt_(salt) {
  if (salt < 0 || salt >= static_cast<int>(kTradeCharacters.size())) {
    throw std::invalid_argument("ApplicationGenerator: salt must be 0..39");
  }
}

int ApplicationGenerator::uniform(int low, int high) {
  return std::uniform_int_distribution<int>(low, high)(random_);
}

std::string ApplicationGenerator::tradeName(std::int64_t sequence) const {
  // The salt, then the sequence number in base 40 with four digits: 2.56 million names.
  std::string name(kTradeCharacters[static_cast<size_t>(salt_)]);
  std::int64_t rest = sequence;
  for (int digit = 0; digit < 4; ++digit) {
    name += kTradeCharacters[static_cast<size_t>(rest % 40)];
    rest /= 40;
  }
  if (rest != 0) throw std::out_of_range("ApplicationGenerator: sequence beyond 2.56 million");
  return name;
}

std::string ApplicationGenerator::idNumber(std::string_view division, bool male) {
  char digits[18];
  const int year = uniform(1960, 2003);
  const int month = uniform(1, 12);
  const int day = uniform(1, 28);
  const int order = uniform(0, 99);
  const int sex_digit = uniform(0, 4) * 2 + (male ? 1 : 0);
  std::snprintf(digits, sizeof digits, "%04d%02d%02d%02d%d", year, month, day, order, sex_digit);
  std::string first17 = std::string(division) + digits;
  Result<char> check = IdNumber::checkCharacterFor(first17);
  if (!check) throw std::logic_error("ApplicationGenerator: " + check.error().message);
  return first17 + *check;
}

std::string ApplicationGenerator::phone() {
  std::string number(kPhonePrefixes[static_cast<size_t>(uniform(0, 9))]);
  for (int i = 0; i < 8; ++i) number += static_cast<char>('0' + uniform(0, 9));
  // The SMS simulator refuses numbers ending in 0000 (unreachable).
  if (number.ends_with("0000")) number.back() = '7';
  return number;
}

Person ApplicationGenerator::person(std::string_view division, bool with_phone) {
  const bool male = uniform(0, 1) == 1;
  std::string name(kSurnames[static_cast<size_t>(uniform(0, std::size(kSurnames) - 1))]);
  name +=
      male ? kMaleGivenNames[static_cast<size_t>(uniform(0, std::size(kMaleGivenNames) - 1))]
           : kFemaleGivenNames[static_cast<size_t>(uniform(0, std::size(kFemaleGivenNames) - 1))];
  return Person{idNumber(division, male), std::move(name), with_phone ? phone() : ""};
}

Application ApplicationGenerator::make(std::int64_t sequence, std::string_view kiosk_id,
                                       std::string_view bank_code) {
  Application application;
  application.kiosk_id = std::string(kiosk_id);
  application.bank_code = std::string(bank_code);
  application.green_channel = uniform(1, 10) == 1;

  auto district = [&] { return kQingdaoDistricts[static_cast<size_t>(uniform(0, 9))]; };
  auto address = [&](std::string_view division) {
    return Address{std::string(division),
                   std::string(kStreets[static_cast<size_t>(uniform(0, 9))]) + " " +
                       std::to_string(uniform(1, 300)) + " 号 " + std::to_string(uniform(1, 30)) +
                       std::to_string(uniform(1, 2)) + "0" + std::to_string(uniform(1, 6)) + " 室"};
  };

  const int form = uniform(1, 100);
  const EnterpriseType type = form <= 70   ? EnterpriseType::kLimitedLiabilityCompany
                              : form <= 85 ? EnterpriseType::kSoleProprietorship
                                           : EnterpriseType::kPartnership;
  const Industry& industry =
      kIndustries[static_cast<size_t>(uniform(0, std::size(kIndustries) - 1))];
  std::string name = "青岛" + tradeName(sequence);
  switch (type) {
    case EnterpriseType::kLimitedLiabilityCompany:
      name += std::string(industry.word) + (uniform(0, 3) == 0 ? "有限责任公司" : "有限公司");
      break;
    case EnterpriseType::kSoleProprietorship:
      name += std::string(industry.word) +
              std::string(kSoleSuffixes[static_cast<size_t>(uniform(0, 3))]);
      break;
    case EnterpriseType::kPartnership:
      name += std::string(kPartnershipWords[static_cast<size_t>(uniform(0, 2))]) +
              (uniform(0, 1) == 0 ? "（有限合伙）" : "（普通合伙）");
      break;
  }

  std::int64_t capital_yuan = uniform(0, 2) == 0
                                  ? kRoundCapitals[static_cast<size_t>(uniform(0, 7))]
                                  : static_cast<std::int64_t>(uniform(10, 10'000)) * 1'000;
  if (type == EnterpriseType::kSoleProprietorship)
    capital_yuan = std::min<std::int64_t>(capital_yuan, 500'000);
  const std::string_view home = district();
  application.enterprise = Enterprise{name, type, Money::fromMinorUnits(capital_yuan * 100),
                                      address(home), std::string(industry.scope)};

  // People get fresh random ID numbers; the set only guards against a (very unlikely)
  // repeat within one application, which the rules would refuse.
  std::set<std::string> ids;
  auto fresh = [&](bool with_phone) {
    for (;;) {
      Person candidate = person(district(), with_phone);
      if (ids.insert(candidate.id_number).second) return candidate;
    }
  };
  application.legal_representative = fresh(true);

  int investors = 1;
  bool representative_invests = true;
  switch (type) {
    case EnterpriseType::kLimitedLiabilityCompany:
      investors = uniform(1, 3);
      representative_invests = uniform(1, 10) <= 7;
      break;
    case EnterpriseType::kSoleProprietorship:
      investors = 1;
      break;
    case EnterpriseType::kPartnership:
      investors = uniform(2, 3);
      break;
  }
  // Contributions: positive whole yuan adding up exactly to the capital.
  const std::int64_t total_fen = capital_yuan * 100;
  std::int64_t left = total_fen;
  for (int i = 0; i < investors; ++i) {
    Person investor = i == 0 && representative_invests ? application.legal_representative
                                                       : fresh(uniform(0, 1) == 1);
    std::int64_t share = left;
    if (i + 1 < investors) {
      const std::int64_t most = left - (investors - i - 1) * 100;
      share = std::max<std::int64_t>(100, most * uniform(20, 70) / 100 / 100 * 100);
    }
    left -= share;
    application.shareholders.push_back(
        Shareholder{std::move(investor), Money::fromMinorUnits(share)});
  }

  const bool general = uniform(1, 4) == 1;
  application.tax.taxpayer_type = general ? TaxpayerType::kGeneral : TaxpayerType::kSmallScale;
  if (uniform(0, 3) != 0) {
    application.tax.invoices.push_back(InvoiceNeed{InvoiceType::kVatOrdinary, uniform(10, 100)});
  }
  if (general && uniform(0, 1) == 0) {
    application.tax.invoices.push_back(InvoiceNeed{InvoiceType::kVatSpecial, uniform(5, 25)});
  }
  if (general || uniform(0, 1) == 0) application.finance_officer = fresh(true);
  if (type == EnterpriseType::kLimitedLiabilityCompany && uniform(0, 1) == 0) {
    application.supervisor = fresh(false);
  }
  application.contact_phone = application.legal_representative.phone;

  application.seal.shop = "QD-SEAL-" + std::to_string(100 + uniform(1, 50)).substr(1);
  if (uniform(1, 10) <= 4) {
    application.seal.delivery = SealDelivery::kCourier;
    application.seal.courier_address = address(district());
  } else {
    application.seal.delivery = SealDelivery::kPickup;
  }
  return application;
}

}  // namespace kaiban::bench

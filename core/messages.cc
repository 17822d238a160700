#include "core/messages.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace kaiban {
namespace {

struct Entry {
  std::string_view key;
  std::string_view zh_cn;
  std::string_view en;
};

// Texts are written for the person at the kiosk: say what to do, not what went wrong
// internally. Chinese uses full-width punctuation and the registry's own terms.
constexpr Entry kCatalog[] = {
    // Text rules shared by every field.
    {"text.invalid", "内容含有无法识别的字符，请重新输入",
     "This contains characters that cannot be read. Please type it again"},
    {"text.whitespace", "请删除开头或结尾的空格", "Remove the spaces at the start or end"},

    // Kiosk and bank.
    {"kiosk_id.invalid", "自助终端编号无效，请联系银行工作人员",
     "The kiosk ID is not valid. Please ask a bank employee for help"},
    {"bank_code.required", "请选择开户银行", "Choose the bank for the company account"},
    {"bank_code.invalid", "开户银行代码无效，请重新选择",
     "The bank code is not valid. Choose the bank again"},

    // Enterprise.
    {"enterprise.name.required", "请填写企业名称", "Enter the company name"},
    {"enterprise.name.length", "企业名称应为2至50个字",
     "The company name must be 2 to 50 characters long"},
    {"enterprise.name.form_company", "有限责任公司的名称中须含有“有限公司”或“有限责任公司”字样",
     "A limited liability company's name must contain 有限公司 or 有限责任公司"},
    {"enterprise.name.form_sole_proprietorship",
     "个人独资企业的名称中不得使用“有限”“有限责任”或“公司”字样",
     "A sole proprietorship's name must not contain 有限 or 公司"},
    {"enterprise.name.form_partnership", "合伙企业的名称中须标明“普通合伙”或“有限合伙”字样",
     "A partnership's name must contain 普通合伙 or 有限合伙"},
    {"enterprise.registered_capital.not_positive", "注册资本须大于零",
     "The registered capital must be more than zero"},
    {"enterprise.business_scope.required", "请填写经营范围", "Enter the business scope"},
    {"enterprise.business_scope.length", "经营范围不得超过500个字",
     "The business scope must be at most 500 characters long"},

    // Addresses.
    {"address.division_code.invalid", "请选择有效的省、市、区县",
     "Choose a valid province, city and district"},
    {"address.detail.required", "请填写详细地址", "Enter the street address"},
    {"address.detail.length", "详细地址不得超过120个字",
     "The street address must be at most 120 characters long"},

    // People.
    {"person.name.required", "请填写姓名", "Enter the name"},
    {"person.name.length", "姓名不得超过30个字", "The name must be at most 30 characters long"},
    {"person.name.mismatch", "同一身份证号码对应的姓名不一致，请核对",
     "This ID number is entered elsewhere with a different name. Please check both"},
    {"person.id_number.required", "请填写身份证号码", "Enter the ID card number"},
    {"person.id_number.invalid", "身份证号码有误，请核对",
     "The ID card number is not valid. Please check it"},
    {"person.under_age", "担任此职务须年满18周岁", "This role requires a person aged 18 or over"},
    {"phone.required", "请填写手机号码", "Enter a mobile phone number"},
    {"phone.invalid", "请填写11位中国大陆手机号码",
     "Enter an 11-digit mainland China mobile number"},

    // Investors.
    {"shareholders.required", "请至少填写一名股东", "Add at least one shareholder"},
    {"shareholders.too_many", "有限责任公司的股东不得超过50名",
     "A limited liability company can have at most 50 shareholders"},
    {"shareholders.sole_proprietorship_count", "个人独资企业须有且仅有一名投资人",
     "A sole proprietorship must have exactly one investor"},
    {"shareholders.partnership_count", "合伙企业须有两名以上合伙人",
     "A partnership must have at least two partners"},
    {"shareholders.contribution.not_positive", "出资额须大于零",
     "The contribution must be more than zero"},
    {"shareholders.duplicate", "同一人不能重复登记为出资人",
     "This person is already listed as an investor"},
    {"shareholders.contribution_sum_mismatch", "各出资人的出资额之和须等于注册资本",
     "The contributions must add up exactly to the registered capital"},

    // Officers.
    {"legal_representative.not_investor", "个人独资企业的负责人须为投资人本人",
     "The person in charge of a sole proprietorship must be its investor"},
    {"legal_representative.not_partner", "执行事务合伙人须为合伙人之一",
     "The executive partner must be one of the partners"},
    {"supervisor.not_applicable", "该类企业不设监事",
     "This type of enterprise does not have a supervisor"},
    {"supervisor.is_legal_representative", "法定代表人不得兼任监事",
     "The legal representative cannot also be the supervisor"},
    {"supervisor.is_finance_officer", "财务负责人不得兼任监事",
     "The finance officer cannot also be the supervisor"},
    {"finance_officer.required", "登记为一般纳税人须填写财务负责人",
     "A general VAT taxpayer needs a finance officer"},

    // Seal.
    {"seal.shop.required", "请选择刻章店", "Choose a seal engraving shop"},
    {"seal.shop.length", "刻章店编号过长，请重新选择",
     "The seal shop ID is too long. Choose the shop again"},
    {"seal.courier_address.required", "选择邮寄的，请填写收件地址",
     "Enter the address the seals should be sent to"},
    {"seal.courier_address.unexpected", "选择到店自取的，无需填写邮寄地址",
     "Seals collected at the shop need no delivery address"},

    // Tax.
    {"tax.invoices.duplicate_type", "同一种发票只需申请一次",
     "Each type of invoice can be requested only once"},
    {"tax.invoices.quantity.range", "每月领用份数应为1至1000份",
     "The monthly quantity must be from 1 to 1000"},

    // Steps of the default flow.
    {"step.registration", "企业登记", "Company registration"},
    {"step.seal", "公章刻制", "Seal engraving"},
    {"step.tax_registration", "税务登记", "Tax registration"},
    {"step.bank_account", "开立基本存款账户", "Basic bank account"},
    {"step.tax_bank_agreement", "签订税库银三方协议", "Tax payment agreement"},

    // Application states.
    {"application_state.submitted", "已提交", "Submitted"},
    {"application_state.in_progress", "办理中", "In progress"},
    {"application_state.completed", "已办结", "Completed"},
    {"application_state.needs_attention", "待处理", "Needs attention"},
    {"application_state.rejected", "未通过", "Rejected"},
    {"application_state.cancelled", "已撤销", "Cancelled"},

    // Step states.
    {"step_state.pending", "待办理", "Pending"},
    {"step_state.dispatched", "已提交部门", "Sent"},
    {"step_state.acknowledged", "部门已受理", "Accepted"},
    {"step_state.done", "已完成", "Done"},
    {"step_state.failed", "办理失败", "Failed"},

    // Choices on the application form.
    {"enterprise_type.limited_liability_company", "有限责任公司", "Limited liability company"},
    {"enterprise_type.sole_proprietorship", "个人独资企业", "Sole proprietorship"},
    {"enterprise_type.partnership", "合伙企业", "Partnership"},
    {"taxpayer_type.small_scale", "小规模纳税人", "Small-scale taxpayer"},
    {"taxpayer_type.general", "一般纳税人", "General taxpayer"},
    {"invoice_type.vat_special", "增值税专用发票", "Special VAT invoice"},
    {"invoice_type.vat_ordinary", "增值税普通发票", "Ordinary VAT invoice"},
    {"seal_delivery.pickup", "到店自取", "Collect at the shop"},
    {"seal_delivery.courier", "快递邮寄", "Send by courier"},
};

const Entry* findEntry(std::string_view key) {
  // About a hundred entries, looked up a few times per request: a linear scan is cheaper to
  // read than an index and fast enough.
  for (const Entry& entry : kCatalog) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

std::string lowerAscii(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

}  // namespace

std::string_view languageTag(Language language) {
  switch (language) {
    case Language::kZhCn:
      return "zh-CN";
    case Language::kEn:
      return "en";
  }
  return "zh-CN";
}

Result<Language> parseLanguage(std::string_view tag) {
  const std::string lower = lowerAscii(tag);
  if (lower == "zh-cn" || lower == "zh" || lower == "zh-hans" || lower == "zh-hans-cn") {
    return Language::kZhCn;
  }
  if (lower == "en" || lower.starts_with("en-")) return Language::kEn;
  return Error::invalidInput("unsupported language tag; use zh-CN or en", "language");
}

std::string_view messageText(std::string_view key, Language language) {
  const Entry* entry = findEntry(key);
  if (entry == nullptr) return key;
  return language == Language::kEn ? entry->en : entry->zh_cn;
}

bool hasMessage(std::string_view key) { return findEntry(key) != nullptr; }

std::span<const std::string_view> messageKeys() {
  static const std::vector<std::string_view> keys = [] {
    std::vector<std::string_view> all;
    for (const Entry& entry : kCatalog) all.push_back(entry.key);
    return all;
  }();
  return keys;
}

}  // namespace kaiban

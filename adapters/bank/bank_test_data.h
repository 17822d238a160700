#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "adapters/bank/bank_codec.h"
#include "core/timestamp.h"
#include "core/uscc.h"
#include "tests/testing/test_env.h"

// Sample data shared by the bank tests: a realistic Qingdao company, and the codec loaded from
// the repository's copy of the official schemas.
namespace kaiban::adapters::bank::testing {

inline std::filesystem::path schemaDir() {
  return kaiban::testing::repoFile("adapters/schemas/iso20022");
}

inline std::shared_ptr<const BankCodec> loadCodec() {
  Result<std::shared_ptr<const BankCodec>> codec = BankCodec::load(schemaDir());
  if (!codec.ok()) {
    ADD_FAILURE() << codec.error();
    return nullptr;
  }
  return *codec;
}

// A USCC of a Qingdao 市南区 enterprise with its correct GB 32100 check character.
inline std::string sampleUscc() {
  const std::string first17 = "91370202MA3CF8K2X";
  return first17 + Uscc::checkCharacterFor(first17).value();
}

inline Application sampleApplication() {
  Application application;
  application.kiosk_id = "QD-SN-0001";
  application.bank_code = "QDBANK";
  application.green_channel = true;
  application.enterprise.name = "青岛海蓝科技有限公司";
  application.enterprise.registered_capital = Money::fromMinorUnits(100'000'000);
  application.enterprise.registered_address = {"370202", "香港中路8号1201室"};
  application.enterprise.business_scope = "软件开发；信息技术咨询服务";
  application.legal_representative = {"370202198503071235", "张伟", "13800138000"};
  application.shareholders = {
      {{"370202198503071235", "张伟", ""}, Money::fromMinorUnits(100'000'000)}};
  application.finance_officer = Person{"370212198811110040", "陈静", "15066668888"};
  application.contact_phone = "13900001111";
  return application;
}

inline SystemTime sampleTime() { return shanghaiTime(2026, 3, 2, 10, 15, 0); }

inline AccountOpeningRequest sampleRequest() {
  AccountOpeningRequest request;
  request.message_id = "APP-20260302-0001-bank-account";
  request.application_id = "APP-20260302-0001";
  request.created_at = sampleTime();
  request.bank_code = "QDBANK";
  request.branch_id = "QD-SN";
  request.company_name = "青岛海蓝科技有限公司";
  request.uscc = sampleUscc();
  // 96 code points: needs two Max70Text address lines.
  request.registered_address = {"370202",
                                "山东省青岛市市南区香港中路8号青岛国际金融中心写字楼A座12层1201室东"
                                "侧靠近电梯间的第二间办公室（"
                                "原1202室合并后的新编号，邮件请寄前台）"};
  request.legal_representative = {"370202198503071235", "张伟", "13800138000"};
  request.finance_officer = Person{"370212198811110040", "陈静", "15066668888"};
  request.contact_phone = "13900001111";
  request.urgent = true;
  request.seal_codes = {"3702020012345", "3702020012346", "3702020012347"};
  return request;
}

}  // namespace kaiban::adapters::bank::testing

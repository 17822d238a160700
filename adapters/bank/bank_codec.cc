#include "adapters/bank/bank_codec.h"

#include <utility>

#include "adapters/xml/document.h"
#include "adapters/xml/parse.h"
#include "core/timestamp.h"

namespace kaiban::adapters::bank {

namespace {

using xml::Document;
using xml::Element;

// Scheme names and issuers Kaiban writes. ISO 20022 leaves proprietary (Prtry) schemes to
// bilateral agreement; NIDN and BBAN are codes of the ISO external code lists.
constexpr std::string_view kUsccScheme = "USCC";  // 统一社会信用代码, GB 32100
constexpr std::string_view kUsccIssuer = "SAMR";  // State Administration for Market Regulation
constexpr std::string_view kBankCodeScheme = "BANK_CODE";
constexpr std::string_view kNationalIdScheme = "NIDN";     // ExternalPersonIdentification1Code
constexpr std::string_view kAccountNumberScheme = "BBAN";  // ExternalAccountIdentification1Code
constexpr std::string_view kCountryChina = "CN";
constexpr std::string_view kMobilePrefix = "+86-";  // ISO 20022 PhoneNumber: +<country>-<number>
constexpr std::string_view kRequestTypeOpening = "OPEN";  // UseCases1Code
constexpr std::string_view kAccountEnabled = "ENAB";      // AccountStatus3Code
constexpr std::string_view kSealPlace = "/Document/AcctOpngReq/Org";
constexpr size_t kMaxAddressLineCodePoints = 70;  // Max70Text

Result<void> checkMessageId(std::string_view id, std::string_view field) {
  if (isValidMessageId(id)) return ok();
  return Error::invalidInput(
      "message id must be 1-35 characters of A-Z, a-z, 0-9 and '-', got '" + std::string(id) + "'",
      std::string(field));
}

// ---- writing ----

void appendMessageIdentification(Element parent, std::string_view name, std::string_view id,
                                 SystemTime created_at) {
  Element identification = parent.appendChild(name);
  identification.appendChild("Id", id);
  identification.appendChild("CreDtTm", formatIso8601(created_at));
}

// Max70Text address lines: the detail is cut at code-point boundaries so that no character
// is split, and reading concatenates the lines back unchanged.
std::vector<std::string_view> splitAddressLines(std::string_view detail) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  size_t code_points = 0;
  for (size_t i = 0; i < detail.size(); ++i) {
    bool starts_code_point = (static_cast<unsigned char>(detail[i]) & 0xC0) != 0x80;
    if (!starts_code_point) continue;
    if (code_points == kMaxAddressLineCodePoints) {
      lines.push_back(detail.substr(start, i - start));
      start = i;
      code_points = 0;
    }
    ++code_points;
  }
  lines.push_back(detail.substr(start));
  return lines;
}

void appendAddress(Element parent, std::string_view name, const Address& address) {
  Element postal = parent.appendChild(name);
  postal.appendChild("CtrySubDvsn", address.division_code);
  postal.appendChild("Ctry", kCountryChina);
  for (std::string_view line : splitAddressLines(address.detail)) {
    postal.appendChild("AdrLine", line);
  }
}

void appendContactPhone(Element party, std::string_view phone) {
  Element contact = party.appendChild("CtctDtls");
  contact.appendChild("MobNb", std::string(kMobilePrefix) + std::string(phone));
  contact.appendChild("PrefrdMtd", "CELL");
}

// PartyIdentification274: a natural person identified by the resident identity number.
void appendPerson(Element parent, std::string_view name, const Person& person) {
  Element party = parent.appendChild(name);
  party.appendChild("Nm", person.name);
  Element other = party.appendChild("Id").appendChild("Othr");
  other.appendChild("Id", person.id_number);
  other.appendChild("SchmeNm").appendChild("Cd", kNationalIdScheme);
  party.appendChild("CtryOfRes", kCountryChina);
  if (!person.phone.empty()) appendContactPhone(party, person.phone);
}

void appendAccountServicer(Element parent, std::string_view bank_code, std::string_view branch_id) {
  Element servicer = parent.appendChild("AcctSvcrId");
  Element other = servicer.appendChild("FinInstnId").appendChild("Othr");
  other.appendChild("Id", bank_code);
  other.appendChild("SchmeNm").appendChild("Prtry", kBankCodeScheme);
  if (!branch_id.empty()) servicer.appendChild("BrnchId").appendChild("Id", branch_id);
}

// OrganisationIdentification39 holding the USCC; empty when `uscc` is.
void appendOrganisationId(Element parent, std::string_view name, std::string_view uscc) {
  Element id = parent.appendChild(name);
  if (uscc.empty()) return;
  Element other = id.appendChild("Othr");
  other.appendChild("Id", uscc);
  other.appendChild("SchmeNm").appendChild("Prtry", kUsccScheme);
  other.appendChild("Issr", kUsccIssuer);
}

// References5 of acmt.010 and acmt.014: the bank's message, the process and the request it
// answers.
void appendAnswerReferences(Element parent, const AnswerReferences& refs, std::string_view status) {
  Element element = parent.appendChild("Refs");
  element.appendChild("ReqTp", kRequestTypeOpening);
  appendMessageIdentification(element, "MsgId", refs.message_id, refs.created_at);
  appendMessageIdentification(element, "PrcId", refs.application_id, refs.request_created_at);
  appendMessageIdentification(element, "AckdMsgId", refs.request_message_id,
                              refs.request_created_at);
  if (!status.empty()) element.appendChild("Sts", status);
}

Result<std::string> finish(const Document& document, const xml::Schema& schema) {
  if (Result<void> valid = schema.validate(document); !valid.ok()) return valid.error();
  return document.serialize();
}

// ---- reading ----

// The document `xml` holds, if it is a `namespace_uri` Document valid against `schema`.
Result<Document> parseMessage(std::string_view xml, std::string_view namespace_uri,
                              const xml::Schema& schema) {
  Result<Document> document = xml::parse(xml);
  if (!document.ok()) return document.error();
  Element root = document->root();
  if (root.name() != "Document" || root.namespaceUri() != namespace_uri) {
    return Error::invalidInput("expected a Document in " + std::string(namespace_uri) + ", got <" +
                               root.name() + "> in '" + root.namespaceUri() + "'");
  }
  if (Result<void> valid = schema.validate(*document); !valid.ok()) return valid.error();
  return document;
}

// xs:dateTime allows a local time without offset; a bank in China means Beijing time by it.
Result<SystemTime> readDateTime(const Element& from, std::initializer_list<std::string_view> path) {
  Result<std::string> text = xml::requiredText(from, path);
  if (!text.ok()) return text.error();
  Result<SystemTime> time = parseIso8601(*text);
  if (time.ok()) return time;
  Result<SystemTime> local = parseIso8601(*text + "+08:00");
  if (local.ok()) return local;
  return time.error();
}

Result<std::chrono::year_month_day> readDate(const Element& from,
                                             std::initializer_list<std::string_view> path) {
  Result<std::string> text = xml::requiredText(from, path);
  if (!text.ok()) return text.error();
  // xs:date may carry a time-zone suffix ("2026-03-02+08:00"); the civil date is what counts.
  return parseDate(std::string_view(*text).substr(0, 10));
}

Result<Element> childOf(const Element& from, std::string_view name) {
  return xml::requiredChild(from, {name});
}

std::string textOr(const Element& from, std::initializer_list<std::string_view> path) {
  return xml::optionalText(from, path).value_or("");
}

// The Othr/Id whose SchmeNm/Prtry is `scheme` among OrganisationIdentification39's Othr.
std::optional<std::string> organisationIdentifier(const Element& organisation_id,
                                                  std::string_view scheme) {
  for (const Element& other : organisation_id.children(organisation_id.namespaceUri(), "Othr")) {
    if (xml::optionalText(other, {"SchmeNm", "Prtry"}) == scheme) {
      return xml::optionalText(other, {"Id"});
    }
  }
  return std::nullopt;
}

Result<std::string> requiredUscc(const Element& organisation_id) {
  std::optional<std::string> uscc = organisationIdentifier(organisation_id, kUsccScheme);
  if (!uscc || uscc->empty()) {
    return Error::invalidInput("the organisation has no identification with scheme USCC",
                               organisation_id.path());
  }
  return *uscc;
}

std::string phoneFrom(std::string mobile_number) {
  if (mobile_number.starts_with(kMobilePrefix)) return mobile_number.substr(kMobilePrefix.size());
  return mobile_number;
}

Address readAddress(const Element& postal) {
  Address address;
  address.division_code = textOr(postal, {"CtrySubDvsn"});
  for (const Element& line : postal.children(postal.namespaceUri(), "AdrLine")) {
    address.detail += line.text();
  }
  return address;
}

Result<Person> readPerson(const Element& party) {
  Person person;
  Result<std::string> name = xml::requiredText(party, {"Nm"});
  if (!name.ok()) return name.error();
  person.name = std::move(*name);
  Result<Element> id = xml::requiredChild(party, {"Id"});
  if (!id.ok()) return id.error();
  for (const Element& other : id->children(id->namespaceUri(), "Othr")) {
    if (xml::optionalText(other, {"SchmeNm", "Cd"}) == kNationalIdScheme) {
      person.id_number = textOr(other, {"Id"});
    }
  }
  if (person.id_number.empty()) {
    return Error::invalidInput("the person has no identification with scheme NIDN", id->path());
  }
  person.phone = phoneFrom(textOr(party, {"CtctDtls", "MobNb"}));
  return person;
}

struct Servicer {
  std::string bank_code;
  std::string branch_id;
};

Servicer readServicer(const Element& servicer) {
  Servicer result;
  result.bank_code = textOr(servicer, {"FinInstnId", "Othr", "Id"});
  if (result.bank_code.empty()) result.bank_code = textOr(servicer, {"FinInstnId", "BICFI"});
  result.branch_id = textOr(servicer, {"BrnchId", "Id"});
  return result;
}

// References5 (acmt.010, acmt.014): the bank's MsgId, the echoed PrcId, and the first
// AckdMsgId, which is the request this answers.
Result<AnswerReferences> readAnswerReferences(const Element& refs) {
  AnswerReferences result;
  Result<std::string> message_id = xml::requiredText(refs, {"MsgId", "Id"});
  if (!message_id.ok()) return message_id.error();
  result.message_id = std::move(*message_id);
  Result<SystemTime> created_at = readDateTime(refs, {"MsgId", "CreDtTm"});
  if (!created_at.ok()) return created_at.error();
  result.created_at = *created_at;
  Result<std::string> application_id = xml::requiredText(refs, {"PrcId", "Id"});
  if (!application_id.ok()) return application_id.error();
  result.application_id = std::move(*application_id);
  Result<std::string> request_id = xml::requiredText(refs, {"AckdMsgId", "Id"});
  if (!request_id.ok()) {
    return Error::invalidInput("the answer names no acknowledged message (Refs/AckdMsgId)",
                               request_id.error().field);
  }
  result.request_message_id = std::move(*request_id);
  Result<SystemTime> request_created_at = readDateTime(refs, {"AckdMsgId", "CreDtTm"});
  if (!request_created_at.ok()) return request_created_at.error();
  result.request_created_at = *request_created_at;
  return result;
}

Result<AccountOpeningRequest> readRequest(const Element& root) {
  Result<Element> message = childOf(root, "AcctOpngReq");
  if (!message.ok()) return message.error();
  AccountOpeningRequest request;

  Result<std::string> message_id = xml::requiredText(*message, {"Refs", "MsgId", "Id"});
  if (!message_id.ok()) return message_id.error();
  if (Result<void> checked = checkMessageId(*message_id, "Document/AcctOpngReq/Refs/MsgId/Id");
      !checked.ok()) {
    return checked.error();
  }
  request.message_id = std::move(*message_id);
  Result<SystemTime> created_at = readDateTime(*message, {"Refs", "MsgId", "CreDtTm"});
  if (!created_at.ok()) return created_at.error();
  request.created_at = *created_at;
  Result<std::string> application_id = xml::requiredText(*message, {"Refs", "PrcId", "Id"});
  if (!application_id.ok()) return application_id.error();
  request.application_id = std::move(*application_id);

  Result<Element> account = childOf(*message, "Acct");
  if (!account.ok()) return account.error();
  if (xml::optionalText(*account, {"Tp", "Prtry"}) != kBasicDepositAccountType) {
    return Error::invalidInput("Kaiban opens basic deposit accounts only: Acct/Tp/Prtry must be " +
                                   std::string(kBasicDepositAccountType),
                               account->path());
  }
  request.currency = textOr(*account, {"Ccy"});
  const std::string urgency = textOr(*message, {"CtrctDts", "UrgcyFlg"});  // xs:boolean
  request.urgent = urgency == "true" || urgency == "1";

  Result<Element> servicer = childOf(*message, "AcctSvcrId");
  if (!servicer.ok()) return servicer.error();
  Result<std::string> bank_code = xml::requiredText(*servicer, {"FinInstnId", "Othr", "Id"});
  if (!bank_code.ok()) return bank_code.error();
  request.bank_code = std::move(*bank_code);
  request.branch_id = textOr(*servicer, {"BrnchId", "Id"});

  Result<Element> organisation = childOf(*message, "Org");
  if (!organisation.ok()) return organisation.error();
  request.company_name = textOr(*organisation, {"FullLglNm"});
  Result<Element> legal_address = childOf(*organisation, "LglAdr");
  if (!legal_address.ok()) return legal_address.error();
  request.registered_address = readAddress(*legal_address);
  Result<Element> organisation_id = childOf(*organisation, "OrgId");
  if (!organisation_id.ok()) return organisation_id.error();
  Result<std::string> uscc = requiredUscc(*organisation_id);
  if (!uscc.ok()) return uscc.error();
  request.uscc = std::move(*uscc);

  Result<Element> legal_representative = childOf(*organisation, "LglRprtv");
  if (!legal_representative.ok()) return legal_representative.error();
  Result<Person> representative = readPerson(*legal_representative);
  if (!representative.ok()) return representative.error();
  request.legal_representative = std::move(*representative);
  if (std::optional<Element> treasurer =
          organisation->child(organisation->namespaceUri(), "TrsrMgr")) {
    Result<Person> officer = readPerson(*treasurer);
    if (!officer.ok()) return officer.error();
    request.finance_officer = std::move(*officer);
  }
  request.contact_phone = phoneFrom(textOr(*organisation, {"Sndr", "CtctDtls", "MobNb"}));

  for (const Element& data : message->children(message->namespaceUri(), "SplmtryData")) {
    std::optional<Element> seals = [&]() -> std::optional<Element> {
      std::optional<Element> envelope = data.child(data.namespaceUri(), "Envlp");
      if (!envelope) return std::nullopt;
      return envelope->child(envelope->namespaceUri(), "SealCds");
    }();
    if (!seals) continue;
    for (const Element& code : seals->children(seals->namespaceUri(), "SealCd")) {
      request.seal_codes.push_back(code.text());
    }
  }
  return request;
}

Result<AccountRequestAcknowledgement> readAcknowledgement(const Element& root) {
  Result<Element> message = childOf(root, "AcctReqAck");
  if (!message.ok()) return message.error();
  AccountRequestAcknowledgement ack;
  Result<Element> refs = childOf(*message, "Refs");
  if (!refs.ok()) return refs.error();
  Result<AnswerReferences> references = readAnswerReferences(*refs);
  if (!references.ok()) return references.error();
  ack.refs = std::move(*references);
  ack.status = textOr(*refs, {"Sts"});
  Result<Element> servicer = childOf(*message, "AcctSvcrId");
  if (!servicer.ok()) return servicer.error();
  Servicer bank = readServicer(*servicer);
  ack.bank_code = std::move(bank.bank_code);
  ack.branch_id = std::move(bank.branch_id);
  Result<Element> organisation_id = childOf(*message, "OrgId");
  if (!organisation_id.ok()) return organisation_id.error();
  ack.uscc = organisationIdentifier(*organisation_id, kUsccScheme).value_or("");
  return ack;
}

bool isReasonCode(std::string_view text) {
  if (text.empty() || text.size() > 35) return false;
  for (char c : text) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Result<AccountRequestRejection> readRejection(const Element& root) {
  Result<Element> message = childOf(root, "AcctReqRjctn");
  if (!message.ok()) return message.error();
  AccountRequestRejection rejection;
  Result<Element> refs = childOf(*message, "Refs");
  if (!refs.ok()) return refs.error();

  // Kaiban writes the machine code first and the sentence second; a bank that sends only
  // sentences gets UNSPECIFIED as its code, with every sentence kept.
  std::vector<Element> reasons = refs->children(refs->namespaceUri(), "RjctnRsn");
  size_t first_sentence = 0;
  if (!reasons.empty() && isReasonCode(reasons.front().text())) {
    rejection.reason_code = reasons.front().text();
    first_sentence = 1;
  } else {
    rejection.reason_code = std::string(reason::kUnspecified);
  }
  for (size_t i = first_sentence; i < reasons.size(); ++i) {
    if (!rejection.reason.empty()) rejection.reason += " ";
    rejection.reason += reasons[i].text();
  }

  Result<std::string> request_id = xml::requiredText(*refs, {"RjctdReqId", "Id"});
  if (!request_id.ok()) return request_id.error();
  rejection.refs.request_message_id = std::move(*request_id);
  Result<SystemTime> request_created_at = readDateTime(*refs, {"RjctdReqId", "CreDtTm"});
  if (!request_created_at.ok()) return request_created_at.error();
  rejection.refs.request_created_at = *request_created_at;
  Result<std::string> message_id = xml::requiredText(*refs, {"MsgId", "Id"});
  if (!message_id.ok()) return message_id.error();
  rejection.refs.message_id = std::move(*message_id);
  Result<SystemTime> created_at = readDateTime(*refs, {"MsgId", "CreDtTm"});
  if (!created_at.ok()) return created_at.error();
  rejection.refs.created_at = *created_at;
  Result<std::string> application_id = xml::requiredText(*refs, {"PrcId", "Id"});
  if (!application_id.ok()) return application_id.error();
  rejection.refs.application_id = std::move(*application_id);

  Result<Element> servicer = childOf(*message, "AcctSvcrId");
  if (!servicer.ok()) return servicer.error();
  Servicer bank = readServicer(*servicer);
  rejection.bank_code = std::move(bank.bank_code);
  rejection.branch_id = std::move(bank.branch_id);
  Result<Element> organisation_id = childOf(*message, "OrgId");
  if (!organisation_id.ok()) return organisation_id.error();
  rejection.uscc = organisationIdentifier(*organisation_id, kUsccScheme).value_or("");
  return rejection;
}

Result<AccountReport> readReport(const Element& root) {
  Result<Element> message = childOf(root, "AcctRpt");
  if (!message.ok()) return message.error();
  AccountReport report;
  Result<Element> refs = childOf(*message, "Refs");
  if (!refs.ok()) return refs.error();
  Result<AnswerReferences> references = readAnswerReferences(*refs);
  if (!references.ok()) return references.error();
  report.refs = std::move(*references);

  Result<Element> servicer = childOf(*message, "AcctSvcrId");
  if (!servicer.ok()) return servicer.error();
  Servicer bank = readServicer(*servicer);
  report.bank_code = std::move(bank.bank_code);
  report.branch_id = std::move(bank.branch_id);

  Result<Element> organisation = childOf(*message, "Org");
  if (!organisation.ok()) return organisation.error();
  report.company_name = textOr(*organisation, {"FullLglNm"});
  Result<Element> legal_address = childOf(*organisation, "LglAdr");
  if (!legal_address.ok()) return legal_address.error();
  report.registered_address = readAddress(*legal_address);
  Result<Element> organisation_id = childOf(*organisation, "OrgId");
  if (!organisation_id.ok()) return organisation_id.error();
  report.uscc = organisationIdentifier(*organisation_id, kUsccScheme).value_or("");

  std::optional<Element> account_report = message->child(message->namespaceUri(), "Rpt");
  if (!account_report) {
    return Error::invalidInput("the account report holds no account (Rpt)",
                               message->path() + "/Rpt");
  }
  Result<Element> account = childOf(*account_report, "Acct");
  if (!account.ok()) return account.error();
  report.account_number = textOr(*account, {"Id", "Othr", "Id"});
  if (report.account_number.empty()) report.account_number = textOr(*account, {"Id", "IBAN"});
  if (report.account_number.empty()) {
    return Error::invalidInput("the account report names no account number",
                               account->path() + "/Id");
  }
  report.currency = textOr(*account, {"Ccy"});
  Result<std::chrono::year_month_day> opened_on =
      readDate(*account_report, {"CtrctDts", "GoLiveDt"});
  if (!opened_on.ok()) return opened_on.error();
  report.opened_on = *opened_on;
  return report;
}

}  // namespace

Result<std::shared_ptr<const BankCodec>> BankCodec::load(const std::filesystem::path& schema_dir) {
  std::shared_ptr<BankCodec> codec(new BankCodec());
  struct Slot {
    const char* file;
    std::shared_ptr<const xml::Schema>* schema;
  };
  for (const Slot& slot : {Slot{"acmt.007.001.05.xsd", &codec->request_schema_},
                           Slot{"acmt.010.001.04.xsd", &codec->ack_schema_},
                           Slot{"acmt.011.001.04.xsd", &codec->rejection_schema_},
                           Slot{"acmt.014.001.05.xsd", &codec->report_schema_}}) {
    Result<std::shared_ptr<const xml::Schema>> schema = xml::Schema::load(schema_dir / slot.file);
    if (!schema.ok()) return schema.error();
    *slot.schema = std::move(*schema);
  }
  return std::shared_ptr<const BankCodec>(std::move(codec));
}

Result<std::string> BankCodec::encodeAccountOpeningRequest(
    const AccountOpeningRequest& request) const {
  if (Result<void> checked = checkMessageId(request.message_id, "message_id"); !checked.ok()) {
    return checked.error();
  }
  // The answers may leave OrgId empty, but a request must name the company it is for.
  if (request.uscc.empty()) {
    return Error::invalidInput("an account opening request needs the company's USCC", "uscc");
  }
  Document document = Document::create("Document", kAccountOpeningRequestNamespace);
  Element message = document.root().appendChild("AcctOpngReq");

  Element refs = message.appendChild("Refs");
  appendMessageIdentification(refs, "MsgId", request.message_id, request.created_at);
  appendMessageIdentification(refs, "PrcId", request.application_id, request.created_at);

  Element account = message.appendChild("Acct");
  account.appendChild("Nm", request.company_name);
  account.appendChild("Tp").appendChild("Prtry", kBasicDepositAccountType);
  account.appendChild("Ccy", request.currency);

  message.appendChild("CtrctDts").appendChild("UrgcyFlg", request.urgent ? "true" : "false");
  appendAccountServicer(message, request.bank_code, request.branch_id);

  Element organisation = message.appendChild("Org");
  organisation.appendChild("FullLglNm", request.company_name);
  organisation.appendChild("CtryOfOpr", kCountryChina);
  appendAddress(organisation, "LglAdr", request.registered_address);
  appendOrganisationId(organisation, "OrgId", request.uscc);
  if (request.finance_officer) appendPerson(organisation, "TrsrMgr", *request.finance_officer);
  if (!request.contact_phone.empty()) {
    appendContactPhone(organisation.appendChild("Sndr"), request.contact_phone);
  }
  appendPerson(organisation, "LglRprtv", request.legal_representative);

  if (!request.seal_codes.empty()) {
    Element data = message.appendChild("SplmtryData");
    data.appendChild("PlcAndNm", kSealPlace);
    Element seals = data.appendChild("Envlp").appendChild("SealCds");
    for (const std::string& code : request.seal_codes) seals.appendChild("SealCd", code);
  }
  return finish(document, *request_schema_);
}

Result<AccountOpeningRequest> BankCodec::decodeAccountOpeningRequest(std::string_view xml) const {
  Result<Document> document = parseMessage(xml, kAccountOpeningRequestNamespace, *request_schema_);
  if (!document.ok()) return document.error();
  return readRequest(document->root());
}

Result<std::string> BankCodec::encodeAcknowledgement(
    const AccountRequestAcknowledgement& ack) const {
  Document document = Document::create("Document", kAcknowledgementNamespace);
  Element message = document.root().appendChild("AcctReqAck");
  appendAnswerReferences(message, ack.refs, ack.status);
  appendOrganisationId(message, "OrgId", ack.uscc);
  appendAccountServicer(message, ack.bank_code, ack.branch_id);
  return finish(document, *ack_schema_);
}

Result<AccountRequestAcknowledgement> BankCodec::decodeAcknowledgement(std::string_view xml) const {
  Result<Document> document = parseMessage(xml, kAcknowledgementNamespace, *ack_schema_);
  if (!document.ok()) return document.error();
  return readAcknowledgement(document->root());
}

Result<std::string> BankCodec::encodeRejection(const AccountRequestRejection& rejection) const {
  Document document = Document::create("Document", kRejectionNamespace);
  Element message = document.root().appendChild("AcctReqRjctn");
  Element refs = message.appendChild("Refs");
  refs.appendChild("RjctdReqTp", kRequestTypeOpening);
  refs.appendChild("RjctnRsn", rejection.reason_code);
  if (!rejection.reason.empty()) refs.appendChild("RjctnRsn", rejection.reason);
  appendMessageIdentification(refs, "RjctdReqId", rejection.refs.request_message_id,
                              rejection.refs.request_created_at);
  appendMessageIdentification(refs, "MsgId", rejection.refs.message_id, rejection.refs.created_at);
  appendMessageIdentification(refs, "PrcId", rejection.refs.application_id,
                              rejection.refs.request_created_at);
  appendAccountServicer(message, rejection.bank_code, rejection.branch_id);
  appendOrganisationId(message, "OrgId", rejection.uscc);
  return finish(document, *rejection_schema_);
}

Result<AccountRequestRejection> BankCodec::decodeRejection(std::string_view xml) const {
  Result<Document> document = parseMessage(xml, kRejectionNamespace, *rejection_schema_);
  if (!document.ok()) return document.error();
  return readRejection(document->root());
}

Result<std::string> BankCodec::encodeAccountReport(const AccountReport& report) const {
  if (!report.opened_on.ok()) {
    return Error::invalidInput("the account's opening date is not a valid date", "opened_on");
  }
  Document document = Document::create("Document", kAccountReportNamespace);
  Element message = document.root().appendChild("AcctRpt");
  appendAnswerReferences(message, report.refs, kAccountEnabled);
  appendAccountServicer(message, report.bank_code, report.branch_id);

  Element organisation = message.appendChild("Org");
  organisation.appendChild("FullLglNm", report.company_name);
  organisation.appendChild("CtryOfOpr", kCountryChina);
  appendAddress(organisation, "LglAdr", report.registered_address);
  appendOrganisationId(organisation, "OrgId", report.uscc);

  Element account_report = message.appendChild("Rpt");
  Element account = account_report.appendChild("Acct");
  Element other = account.appendChild("Id").appendChild("Othr");
  other.appendChild("Id", report.account_number);
  other.appendChild("SchmeNm").appendChild("Cd", kAccountNumberScheme);
  account.appendChild("Nm", report.company_name);
  account.appendChild("Sts", kAccountEnabled);
  account.appendChild("Tp").appendChild("Prtry", kBasicDepositAccountType);
  account.appendChild("Ccy", report.currency);
  account_report.appendChild("CtrctDts").appendChild("GoLiveDt", formatDate(report.opened_on));
  return finish(document, *report_schema_);
}

Result<AccountReport> BankCodec::decodeAccountReport(std::string_view xml) const {
  Result<Document> document = parseMessage(xml, kAccountReportNamespace, *report_schema_);
  if (!document.ok()) return document.error();
  return readReport(document->root());
}

Result<BankAnswer> BankCodec::decodeAnswer(std::string_view xml) const {
  Result<Document> document = xml::parse(xml);
  if (!document.ok()) return document.error();
  const std::string namespace_uri = document->root().namespaceUri();
  // Each branch re-checks the root and validates against the schema its namespace names, so
  // nothing is read from a document that only claims to be an answer.
  auto read = [&](const xml::Schema& schema, auto reader) -> Result<BankAnswer> {
    if (document->root().name() != "Document") {
      return Error::invalidInput("expected a Document in " + namespace_uri + ", got <" +
                                 document->root().name() + ">");
    }
    if (Result<void> valid = schema.validate(*document); !valid.ok()) return valid.error();
    auto answer = reader(document->root());
    if (!answer.ok()) return answer.error();
    return BankAnswer(std::move(*answer));
  };
  if (namespace_uri == kAcknowledgementNamespace) return read(*ack_schema_, readAcknowledgement);
  if (namespace_uri == kRejectionNamespace) return read(*rejection_schema_, readRejection);
  if (namespace_uri == kAccountReportNamespace) return read(*report_schema_, readReport);
  return Error::invalidInput(
      "expected a bank answer (acmt.010.001.04, acmt.011.001.04 or acmt.014.001.05), got <" +
      document->root().name() + "> in '" + namespace_uri + "'");
}

bool isValidMessageId(std::string_view id) {
  if (id.empty() || id.size() > 35) return false;
  for (char c : id) {
    bool allowed =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!allowed) return false;
  }
  return true;
}

StepOutcome toOutcome(const BankAnswer& answer) {
  StepOutcome outcome;
  if (const auto* ack = std::get_if<AccountRequestAcknowledgement>(&answer)) {
    outcome.message_id = ack->refs.request_message_id;
    outcome.kind = OutcomeKind::kPending;
  } else if (const auto* rejection = std::get_if<AccountRequestRejection>(&answer)) {
    outcome.message_id = rejection->refs.request_message_id;
    outcome.kind = OutcomeKind::kRejected;
    outcome.reason_code = rejection->reason_code;
    outcome.reason = rejection->reason.empty()
                         ? "The bank refused to open the account (" + rejection->reason_code + ")."
                         : rejection->reason;
  } else {
    const auto& report = std::get<AccountReport>(answer);
    outcome.message_id = report.refs.request_message_id;
    outcome.kind = OutcomeKind::kDone;
    outcome.outputs.emplace(std::string(output::kAccountNumber), report.account_number);
  }
  return outcome;
}

namespace {

AnswerReferences referencesFor(const AccountOpeningRequest& request, std::string bank_message_id,
                               SystemTime created_at) {
  return AnswerReferences{std::move(bank_message_id), created_at, request.application_id,
                          request.message_id, request.created_at};
}

}  // namespace

AccountRequestAcknowledgement acknowledgementFor(const AccountOpeningRequest& request,
                                                 std::string bank_message_id, SystemTime created_at,
                                                 std::string status) {
  return AccountRequestAcknowledgement{
      referencesFor(request, std::move(bank_message_id), created_at), std::move(status),
      request.bank_code, request.branch_id, request.uscc};
}

AccountRequestRejection rejectionFor(const AccountOpeningRequest& request,
                                     std::string bank_message_id, SystemTime created_at,
                                     std::string reason_code, std::string reason) {
  return AccountRequestRejection{referencesFor(request, std::move(bank_message_id), created_at),
                                 std::move(reason_code),
                                 std::move(reason),
                                 request.bank_code,
                                 request.branch_id,
                                 request.uscc};
}

AccountReport reportFor(const AccountOpeningRequest& request, std::string bank_message_id,
                        SystemTime created_at, std::string account_number,
                        std::chrono::year_month_day opened_on) {
  return AccountReport{referencesFor(request, std::move(bank_message_id), created_at),
                       request.bank_code,
                       request.branch_id,
                       request.company_name,
                       request.uscc,
                       request.registered_address,
                       std::move(account_number),
                       request.currency,
                       opened_on};
}

}  // namespace kaiban::adapters::bank

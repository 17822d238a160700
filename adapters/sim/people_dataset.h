#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/id_number.h"
#include "core/result.h"

// The people the simulated people-data platform knows: real-looking residents of Qingdao with
// valid resident ID numbers. adapters/sim/data/people.csv is generatePeople(kDefaultPeople)
// written by toCsv (kaiban-sim --generate-people 300 > adapters/sim/data/people.csv).
namespace kaiban::sim {

inline constexpr int kDefaultPeople = 300;

struct SimPerson {
  std::string id_number;  // GB 11643, check character computed
  std::string name;
  std::string sex;         // "male" | "female", as the ID number's 17th digit says
  std::string birth_date;  // YYYY-MM-DD, as the ID number's characters 7-14 say
  std::string address;     // 户籍地址 in the district of the ID number's division code

  friend bool operator==(const SimPerson&, const SimPerson&) = default;
};

// `count` people, always the same ones for the same count (a fixed pseudo-random sequence):
// first the two people the adapters' sample applications use (张伟 370202198503071235 and
// 陈静 370212198811110040), then generated ones: common surnames weighted by frequency, one-
// or two-character given names by sex, born 1960-2004, registered in one of Qingdao's ten
// districts and county-level cities (370202 市南区 ... 370285 莱西市) at a real street name.
// ID numbers are distinct. REQUIRES: count >= 2.
std::vector<SimPerson> generatePeople(int count);

// "id_number,name,sex,birth_date,address" then one line per person.
std::string toCsv(const std::vector<SimPerson>& people);

// Reads toCsv's format and checks every row: the ID number passes IdNumber::parse (as of
// `today`), sex and birth date agree with it, no field is empty or holds a comma or quote,
// and no ID number appears twice. kInvalidInput naming the line otherwise.
Result<std::vector<SimPerson>> parsePeopleCsv(std::string_view csv, CivilDate today);

// The people by ID number. Immutable after construction: safe to share between threads.
class PeopleRegister {
 public:
  explicit PeopleRegister(std::vector<SimPerson> people);

  // The person with ID number `id_number` (capital X), or nullopt.
  std::optional<SimPerson> find(std::string_view id_number) const;
  // The first `limit` people in file order.
  std::vector<SimPerson> first(size_t limit) const;
  size_t size() const { return people_.size(); }

 private:
  std::vector<SimPerson> people_;
  std::map<std::string, size_t, std::less<>> by_id_;
};

}  // namespace kaiban::sim

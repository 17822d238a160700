#include "adapters/sim/people_dataset.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <set>

namespace kaiban::sim {
namespace {

// A small deterministic generator (SplitMix64): the data set must not depend on the
// standard library's distributions, which differ between implementations.
class Draw {
 public:
  explicit Draw(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t x = (state_ += 0x9e3779b97f4a7c15ULL);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
  int below(int bound) { return static_cast<int>(next() % static_cast<std::uint64_t>(bound)); }

 private:
  std::uint64_t state_;
};

struct Surname {
  std::string_view text;
  int weight;  // roughly proportional to how common it is
};

constexpr std::array<Surname, 60> kSurnames = {{
    {"王", 72}, {"李", 71}, {"张", 69}, {"刘", 55}, {"陈", 46}, {"杨", 32}, {"黄", 24}, {"赵", 22},
    {"吴", 21}, {"周", 20}, {"徐", 18}, {"孙", 18}, {"马", 17}, {"朱", 16}, {"胡", 15}, {"郭", 15},
    {"何", 14}, {"高", 14}, {"林", 13}, {"罗", 12}, {"郑", 12}, {"梁", 11}, {"谢", 10}, {"宋", 10},
    {"唐", 9},  {"许", 9},  {"韩", 9},  {"冯", 8},  {"邓", 8},  {"曹", 8},  {"彭", 7},  {"曾", 7},
    {"肖", 7},  {"田", 7},  {"董", 7},  {"袁", 6},  {"潘", 6},  {"于", 6},  {"蒋", 6},  {"蔡", 6},
    {"余", 6},  {"杜", 5},  {"叶", 5},  {"程", 5},  {"苏", 5},  {"魏", 5},  {"吕", 5},  {"丁", 5},
    {"任", 5},  {"沈", 4},  {"姚", 4},  {"卢", 4},  {"姜", 6},  {"崔", 4},  {"钟", 4},  {"谭", 4},
    {"陆", 3},  {"汪", 3},  {"范", 3},  {"隋", 3},
}};

constexpr std::array<std::string_view, 40> kMaleGiven = {
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏",
    "华", "飞", "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "林",
    "洋", "峰", "建", "国", "志", "文", "海", "东", "亮", "成", "晨", "振"};

constexpr std::array<std::string_view, 36> kFemaleGiven = {
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "玲", "燕", "婷",
    "雪", "慧", "颖", "琳", "洁", "倩", "萍", "红", "梅", "莉", "晶", "丹",
    "蕾", "欣", "悦", "佳", "怡", "璐", "瑶", "雯", "岚", "琪", "晓", "月"};

struct District {
  std::string_view code;
  std::string_view name;
  std::array<std::string_view, 5> streets;
};

constexpr std::array<District, 10> kQingdao = {{
    {"370202", "市南区", {"香港中路", "东海西路", "南京路", "闽江路", "燕儿岛路"}},
    {"370203", "市北区", {"延吉路", "辽宁路", "台东一路", "敦化路", "抚顺路"}},
    {"370211", "黄岛区", {"长江中路", "井冈山路", "珠江路", "嘉陵江路", "峨眉山路"}},
    {"370212", "崂山区", {"海尔路", "松岭路", "秦岭路", "株洲路", "深圳路"}},
    {"370213", "李沧区", {"九水路", "京口路", "巨峰路", "重庆中路", "振华路"}},
    {"370214", "城阳区", {"正阳路", "长城路", "春阳路", "文阳路", "黑龙江中路"}},
    {"370215", "即墨区", {"鹤山路", "振华街", "蓝鳌路", "烟青路", "通济街"}},
    {"370281", "胶州市", {"常州路", "扬州路", "福州路", "兰州路", "广州北路"}},
    {"370283", "平度市", {"红旗路", "人民路", "杭州路", "胜利路", "常州路"}},
    {"370285", "莱西市", {"烟台路", "威海路", "石岛路", "上海路", "深圳南路"}},
}};

std::string address(const District& district, Draw& draw) {
  const std::string_view street = district.streets[static_cast<size_t>(draw.below(5))];
  const int number = 1 + draw.below(300);
  const int building = 1 + draw.below(20);
  const int unit = 1 + draw.below(4);
  const int room = (1 + draw.below(18)) * 100 + 1 + draw.below(4);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%d号%d号楼%d单元%d户", number, building, unit, room);
  return "山东省青岛市" + std::string(district.name) + std::string(street) + buffer;
}

std::string_view pickSurname(Draw& draw) {
  static const int total = [] {
    int sum = 0;
    for (const Surname& surname : kSurnames) sum += surname.weight;
    return sum;
  }();
  int pick = draw.below(total);
  for (const Surname& surname : kSurnames) {
    if (pick < surname.weight) return surname.text;
    pick -= surname.weight;
  }
  return kSurnames[0].text;
}

int daysIn(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[static_cast<size_t>(month - 1)];
}

// `value` in decimal, zero-padded to `width` digits. REQUIRES: value >= 0.
std::string padded(int value, size_t width) {
  std::string text = std::to_string(value);
  if (text.size() < width) text.insert(0, width - text.size(), '0');
  return text;
}

std::vector<std::string_view> splitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    fields.push_back(line.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

constexpr std::string_view kHeader = "id_number,name,sex,birth_date,address";

}  // namespace

std::vector<SimPerson> generatePeople(int count) {
  std::vector<SimPerson> people = {
      {"370202198503071235", "张伟", "male", "1985-03-07",
       "山东省青岛市市南区香港中路8号1号楼2单元1201户"},
      {"370212198811110040", "陈静", "female", "1988-11-11",
       "山东省青岛市崂山区海尔路16号5号楼1单元602户"},
  };
  std::set<std::string> used;
  for (const SimPerson& person : people) used.insert(person.id_number);

  Draw draw(20260302);
  while (static_cast<int>(people.size()) < count) {
    const District& district = kQingdao[static_cast<size_t>(draw.below(kQingdao.size()))];
    const bool male = draw.below(2) == 1;
    const int year = 1960 + draw.below(45);
    const int month = 1 + draw.below(12);
    const int day = 1 + draw.below(daysIn(year, month));
    // Sequence code: two digits, then one odd for men and even for women.
    const int sequence = draw.below(100) * 10 + draw.below(5) * 2 + (male ? 1 : 0);
    const std::string first17 = std::string(district.code) + padded(year, 4) + padded(month, 2) +
                                padded(day, 2) + padded(sequence, 3);
    const std::string id = first17 + IdNumber::checkCharacterFor(first17).value();
    if (!used.insert(id).second) continue;

    std::string name(pickSurname(draw));
    const int given_length = draw.below(10) < 4 ? 1 : 2;
    for (int i = 0; i < given_length; ++i) {
      name += male ? kMaleGiven[static_cast<size_t>(draw.below(kMaleGiven.size()))]
                   : kFemaleGiven[static_cast<size_t>(draw.below(kFemaleGiven.size()))];
    }
    const std::string birth = padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2);
    people.push_back({id, name, male ? "male" : "female", birth, address(district, draw)});
  }
  people.resize(static_cast<size_t>(count));
  return people;
}

std::string toCsv(const std::vector<SimPerson>& people) {
  std::string csv(kHeader);
  csv += '\n';
  for (const SimPerson& person : people) {
    csv += person.id_number + ',' + person.name + ',' + person.sex + ',' + person.birth_date + ',' +
           person.address + '\n';
  }
  return csv;
}

Result<std::vector<SimPerson>> parsePeopleCsv(std::string_view csv, CivilDate today) {
  std::vector<SimPerson> people;
  std::set<std::string, std::less<>> seen;
  int line_number = 0;
  size_t start = 0;
  while (start < csv.size()) {
    size_t end = csv.find('\n', start);
    if (end == std::string_view::npos) end = csv.size();
    std::string_view line = csv.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string where = "people data, line " + std::to_string(line_number) + ": ";
    if (line_number == 1) {
      if (line != kHeader)
        return Error::invalidInput(where + "expected header " + std::string(kHeader));
      continue;
    }
    if (line.empty()) continue;
    const std::vector<std::string_view> fields = splitFields(line);
    if (fields.size() != 5) return Error::invalidInput(where + "expected 5 comma-separated fields");
    for (std::string_view field : fields) {
      if (field.empty() || field.find('"') != std::string_view::npos) {
        return Error::invalidInput(where + "empty field or a quote");
      }
    }
    SimPerson person{std::string(fields[0]), std::string(fields[1]), std::string(fields[2]),
                     std::string(fields[3]), std::string(fields[4])};
    Result<IdNumber> id = IdNumber::parse(person.id_number, today);
    if (!id.ok()) return Error::invalidInput(where + id.error().message);
    if (id->text() != person.id_number) {
      return Error::invalidInput(where + "write the check character X in capitals");
    }
    const std::string_view sex = id->sex() == Sex::kMale ? "male" : "female";
    if (person.sex != sex) {
      return Error::invalidInput(where + "sex " + person.sex + " disagrees with the ID number");
    }
    if (person.birth_date != id->birthDate().toString()) {
      return Error::invalidInput(where + "birth date disagrees with the ID number");
    }
    if (!seen.insert(person.id_number).second) {
      return Error::invalidInput(where + "the ID number appears twice");
    }
    people.push_back(std::move(person));
  }
  if (people.empty()) return Error::invalidInput("people data: no people");
  return people;
}

PeopleRegister::PeopleRegister(std::vector<SimPerson> people) : people_(std::move(people)) {
  for (size_t i = 0; i < people_.size(); ++i) by_id_.emplace(people_[i].id_number, i);
}

std::optional<SimPerson> PeopleRegister::find(std::string_view id_number) const {
  auto found = by_id_.find(id_number);
  if (found == by_id_.end()) return std::nullopt;
  return people_[found->second];
}

std::vector<SimPerson> PeopleRegister::first(size_t limit) const {
  return {people_.begin(),
          people_.begin() + static_cast<std::ptrdiff_t>(std::min(limit, people_.size()))};
}

}  // namespace kaiban::sim

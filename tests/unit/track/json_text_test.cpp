#include "track/json_text.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace sluice::track {
namespace {

std::string json_quoted(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

// The plain-ASCII scan works 16 bytes at a time: a character that needs
// escaping must be found at every offset, inside and after a block.
TEST(JsonText, EscapesASpecialCharacterAtEveryOffset) {
  const std::string specials[] = {"\"", "\\", "\n", std::string(1, '\x01'), "\x7f", "\xc3\xa9", "\xff"};
  for (const auto& special : specials) {
    for (std::size_t offset = 0; offset < 40; ++offset) {
      const std::string text = std::string(offset, 'a') + special + std::string(offset % 7, 'b');
      const std::string quoted = json_quoted(text);
      const auto back = nlohmann::json::parse(quoted).get<std::string>();
      const std::string expected = special == "\xff" ? std::string(offset, 'a') + "\xef\xbf\xbd" + std::string(offset % 7, 'b')
                                                      : text;
      EXPECT_EQ(back, expected) << "offset " << offset << " json " << quoted;
    }
  }
}

TEST(JsonText, WritesKeysWithCommasBetweenMembers) {
  std::string out;
  JsonObjectWriter w(out);
  w.string("a", "x");
  w.integer("bb", 2);
  w.boolean(std::string(70, 'k'), true);
  w.close();
  EXPECT_EQ(out, R"({"a":"x","bb":2,")" + std::string(70, 'k') + R"(":true})");
}

}  // namespace
}  // namespace sluice::track

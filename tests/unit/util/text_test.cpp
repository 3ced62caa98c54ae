#include "util/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pgdeploy {
namespace {

TEST(Printable, LeavesPrintableAsciiAndUtf8Alone) {
  for (const std::string text :
       {"", "app1 (10.0.0.12): updated", "nœud-é", "東京", "\xF0\x9F\x90\x98", "C:\\path"}) {
    EXPECT_EQ(printable(text), text);
  }
}

TEST(Printable, EscapesNewlinesSoThatNoLineCanBeForged) {
  EXPECT_EQ(printable("app1\npgdeploy: info: all good\r\n"),
            "app1\\npgdeploy: info: all good\\r\\n");
}

TEST(Printable, EscapesEveryC0ControlAndDel) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string out = printable(std::string("a") + static_cast<char>(c) + "b");
    EXPECT_EQ(out.find_first_of(std::string("\0", 1) +
                                "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"
                                "\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
                                "\x1a\x1b\x1c\x1d\x1e\x1f"),
              std::string::npos)
        << c;
    EXPECT_EQ(out.front(), 'a');
    EXPECT_EQ(out.back(), 'b');
  }
  EXPECT_EQ(printable("\x1b[2J\x1b]0;owned\x07"), "\\x1b[2J\\x1b]0;owned\\x07");
  EXPECT_EQ(printable("a\tb\x7f"), "a\\tb\\x7f");
}

TEST(Printable, EscapesC1ControlsAndBytesThatAreNotUtf8) {
  EXPECT_EQ(printable("\xC2\x9B"
                      "31m"),
            "\\xc2\\x9b31m");  // U+009B, CSI
  EXPECT_EQ(printable("\x9B"
                      "31m"),
            "\\x9b31m");                                             // a lone continuation byte
  EXPECT_EQ(printable("\xC0\x8A"), "\\xc0\\x8a");                    // overlong newline
  EXPECT_EQ(printable("\xE0\x80\x8A"), "\\xe0\\x80\\x8a");           // overlong, 3 bytes
  EXPECT_EQ(printable("\xED\xA0\x80"), "\\xed\\xa0\\x80");           // a UTF-16 surrogate
  EXPECT_EQ(printable("\xF4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // beyond U+10FFFF
  EXPECT_EQ(printable("ab\xC3"), "ab\\xc3");                         // cut short
  EXPECT_EQ(printable("\xC2\xA0"), "\xC2\xA0");                      // U+00A0 is printable
}

TEST(PrintableLines, KeepsTheNewlinesBetweenLines) {
  EXPECT_EQ(printable_lines("--- a\x1b[0m\n+++ b\n"), "--- a\\x1b[0m\n+++ b\n");
  EXPECT_EQ(printable_lines("no newline\r"), "no newline\\r");
  EXPECT_EQ(printable_lines(""), "");
}

TEST(SplitLines, DropsTheNewlinesAndNoEmptyLastLine) {
  using Lines = std::vector<std::string_view>;
  EXPECT_EQ(split_lines("a\nb\n"), (Lines{"a", "b"}));
  EXPECT_EQ(split_lines("a\n\nb"), (Lines{"a", "", "b"}));
  EXPECT_EQ(split_lines("\n"), (Lines{""}));
  EXPECT_TRUE(split_lines("").empty());
}

TEST(ParseNumber, TakesOnlyAWholeNumberThatFits) {
  EXPECT_EQ(parse_number<int>("5432"), 5432);
  EXPECT_EQ(parse_number<int>("-3"), -3);
  EXPECT_EQ(parse_number<int>("1F", 16), 31);
  EXPECT_EQ(parse_number<double>("0.5"), 0.5);
  EXPECT_EQ(parse_number<int>(""), std::nullopt);
  EXPECT_EQ(parse_number<int>("54x"), std::nullopt);
  EXPECT_EQ(parse_number<int>(" 5"), std::nullopt);
  EXPECT_EQ(parse_number<int>("99999999999"), std::nullopt);
}

TEST(LeadingNumber, ReadsTheDigitsATextStartsWith) {
  EXPECT_EQ(leading_number("6432 rest"), 6432);
  EXPECT_EQ(leading_number("x1"), std::nullopt);
  EXPECT_EQ(leading_number("99999999999"), std::nullopt);
}

TEST(PaddedDigits, PadsWithZerosInTheBaseGiven) {
  EXPECT_EQ(padded_digits(0x1f, 16, 4), "001f");
  EXPECT_EQ(padded_digits(0755, 8, 3), "755");
  EXPECT_EQ(padded_digits(022, 8, 3), "022");
  EXPECT_EQ(padded_digits(0xdeadbeefcafe1234ULL, 16, 4), "deadbeefcafe1234");
}

TEST(CommaSeparated, TrimsAndDropsEmptyItems) {
  EXPECT_EQ(comma_separated(" postgres, repmgr ,,"),
            (std::vector<std::string>{"postgres", "repmgr"}));
  EXPECT_EQ(comma_separated(""), std::vector<std::string>{});
  EXPECT_EQ(comma_separated("a"), std::vector<std::string>{"a"});
}

TEST(DecimalSeconds, ThreeDecimals) {
  EXPECT_EQ(decimal_seconds(std::chrono::milliseconds(0)), "0.000");
  EXPECT_EQ(decimal_seconds(std::chrono::milliseconds(5)), "0.005");
  EXPECT_EQ(decimal_seconds(std::chrono::milliseconds(61234)), "61.234");
  EXPECT_EQ(decimal_seconds(std::chrono::milliseconds(-3)), "0.000");
}

}  // namespace
}  // namespace pgdeploy

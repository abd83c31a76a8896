#pragma once
// Hexadecimal digits read back: percent-encoding in URLs (RFC 3986 §2.1)
// and \uXXXX escapes in JSON strings (RFC 8259 §7).

namespace sluice {

// 0..15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for any other character.
constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace sluice

#include "common/redact.hpp"

#include <algorithm>
#include <cctype>

namespace sluice {
namespace {

constexpr std::string_view kMask = "****";

bool is_unreserved(unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

std::string percent_encoded(std::string_view text, const char* digits) {
  std::string out;
  for (unsigned char c : text) {
    if (is_unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 0xf];
    }
  }
  return out;
}

// Where a token of free text ends: at white space or a quote or bracket
// that would close it in JSON, logfmt or prose.
bool ends_token(unsigned char c) {
  return std::isspace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || c == '`';
}

std::size_t token_end(const std::string& text, std::size_t from) {
  while (from < text.size() && !ends_token(static_cast<unsigned char>(text[from]))) ++from;
  return from;
}

bool iequals_at(const std::string& text, std::size_t pos, std::string_view word) {
  if (pos + word.size() > text.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[pos + i])) != word[i]) return false;
  }
  return true;
}

// Replaces [begin, end) by the mask, unless it is the mask already; returns
// where scanning continues.
std::size_t mask_span(std::string& text, std::size_t begin, std::size_t end) {
  if (end <= begin) return begin;
  if (text.compare(begin, end - begin, kMask) == 0) return end;
  text.replace(begin, end - begin, kMask);
  return begin + kMask.size();
}

void mask_values(std::string& text, const std::vector<std::string>& values) {
  for (const auto& value : values) {
    for (auto pos = text.find(value); pos != std::string::npos; pos = text.find(value, pos + kMask.size())) {
      text.replace(pos, value.size(), kMask);
    }
  }
}

// What follows "Bearer " in an API's prose may be a word ("Bearer token
// missing"); a credential has a digit or a sign in it, or is long.
bool looks_like_credential(std::string_view token) {
  while (!token.empty() && std::string_view(".,;:!?)]}").find(token.back()) != std::string_view::npos) {
    token.remove_suffix(1);
  }
  return token.size() >= 24 ||
         std::any_of(token.begin(), token.end(), [](char c) { return !std::isalpha(static_cast<unsigned char>(c)); });
}

// "Bearer <credential>" and "Basic <credential>", any case.
void mask_auth_schemes(std::string& text) {
  for (std::string_view scheme : {std::string_view("bearer"), std::string_view("basic")}) {
    for (std::size_t pos = 0; pos < text.size(); ++pos) {
      if (!iequals_at(text, pos, scheme)) continue;
      if (pos > 0 && std::isalnum(static_cast<unsigned char>(text[pos - 1]))) continue;
      std::size_t start = pos + scheme.size();
      if (start >= text.size() || (text[start] != ' ' && text[start] != '\t')) continue;
      while (start < text.size() && (text[start] == ' ' || text[start] == '\t')) ++start;
      const std::size_t end = token_end(text, start);
      if (looks_like_credential(std::string_view(text).substr(start, end - start))) pos = mask_span(text, start, end);
    }
  }
}

// scheme://user:password@host → scheme://user:****@host. The userinfo runs
// to the last '@' of the token, so a password with a raw '/' is covered.
void mask_userinfo(std::string& text) {
  for (auto pos = text.find("://"); pos != std::string::npos; pos = text.find("://", pos + 3)) {
    const std::size_t start = pos + 3;
    const std::size_t end = token_end(text, start);
    const auto at = text.rfind('@', end == 0 ? 0 : end - 1);
    if (at == std::string::npos || at < start) continue;
    const auto colon = text.find(':', start);
    const std::size_t secret = colon != std::string::npos && colon < at ? colon + 1 : start;
    mask_span(text, secret, at);
  }
}

void mask_password_parameters(std::string& text) {
  constexpr std::string_view key = "password=";
  for (std::size_t pos = 0; pos + key.size() <= text.size(); ++pos) {
    if (!iequals_at(text, pos, key)) continue;
    const std::size_t start = pos + key.size();
    std::size_t end = start;
    while (end < text.size() && text[end] != '&' && !ends_token(static_cast<unsigned char>(text[end]))) ++end;
    pos = mask_span(text, start, end);
  }
}

}  // namespace

void add_secret_forms(std::string_view secret, std::vector<std::string>& forms) {
  if (secret.size() < 4) return;
  for (std::string form : {std::string(secret), percent_encoded(secret, "0123456789ABCDEF"),
                           percent_encoded(secret, "0123456789abcdef")}) {
    if (std::find(forms.begin(), forms.end(), form) == forms.end()) forms.push_back(std::move(form));
  }
  std::sort(forms.begin(), forms.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string redact(std::string_view text, const std::vector<std::string>& forms) {
  std::string out(text);
  mask_values(out, forms);
  mask_auth_schemes(out);
  mask_userinfo(out);
  mask_password_parameters(out);
  return out;
}

Redactor::Redactor(const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) add(secret);
}

}  // namespace sluice

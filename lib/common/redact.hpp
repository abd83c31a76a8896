#pragma once
// Redactor: removes secrets from text before sluiced keeps or shows it.
// Applied where outside text enters the program (API answers, transport
// errors, URLs) and again by the logger, so a secret echoed by a server, or
// typed into a URL, reaches no log line, /health body, metric or error.
//
// It replaces, with "****":
//   - every registered secret value (API key, Redis password), also in its
//     percent-encoded form;
//   - the credential after "Bearer " or "Basic " (an echoed Authorization
//     or Proxy-Authorization header, whoever's key it is);
//   - the password of URL userinfo: scheme://user:****@host;
//   - the value of a password=… parameter.

#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// Adds the forms `secret` is looked for in (itself, percent-encoded) to
// `forms`, longest first, so a secret containing another is masked whole.
// Secrets shorter than 4 bytes are not matched as values (they would hit
// ordinary words); no code path formats them anyway.
void add_secret_forms(std::string_view secret, std::vector<std::string>& forms);

// `text` with every one of `forms` and every secret shape masked.
std::string redact(std::string_view text, const std::vector<std::string>& forms);

class Redactor {
 public:
  Redactor() = default;
  explicit Redactor(const std::vector<std::string>& secrets);

  void add(std::string_view secret) { add_secret_forms(secret, forms_); }
  std::string operator()(std::string_view text) const { return redact(text, forms_); }

 private:
  std::vector<std::string> forms_;
};

}  // namespace sluice

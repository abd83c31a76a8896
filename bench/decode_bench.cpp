// Decode throughput on one core: captured Celery payloads through
// sluice::decode::decode_message, in events per second.
//   build/bench/decode_bench [fixtures dir] [seconds per run, default 1] [min passes]
// (for callgrind: `… 0 20` runs exactly 20 passes per run).
// Cases: (a) unbatched single-event messages (worker-*, task-sent, custom),
// (b) task.multi lists; each timed for >= 1 s, median of 3 runs.
// Then the custom code weighed against the library (issue: custom code must
// earn its place), on the same messages: the hand-written JSON reader
// against nlohmann_json's SAX parser (same walk, same events) and its DOM
// parser, for event bodies and for envelopes.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/base64.hpp"
#include "decode/body_decoders.hpp"
#include "decode/decode_message.hpp"
#include "decode/envelope.hpp"
#include "decode/walker_sax.hpp"
#include "thread_cpu.hpp"

namespace {

using sluice::decode::DecodeLimits;
using sluice::decode::decode_message;

struct Case {
  const char* name;
  std::vector<std::string> payloads;
  std::size_t events_per_pass = 0;
  std::size_t bytes_per_pass = 0;
};

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Splits the JSON event messages of `scenarios` into single-event and list cases.
void load(const std::filesystem::path& dir, Case& single, Case& multi) {
  for (const char* scenario : {"solo", "prefork", "control", "enable-rediscli"}) {
    for (std::string& payload : read_lines(dir / (std::string(scenario) + ".jsonl"))) {
      const auto decoded = decode_message(payload, DecodeLimits{});
      if (!decoded || decoded->kind != sluice::decode::MessageKind::events) continue;
      Case& target = decoded->routing_key == "task.multi" ? multi : single;
      target.events_per_pass += decoded->events.size();
      target.bytes_per_pass += payload.size();
      target.payloads.push_back(std::move(payload));
    }
  }
}

using sluice::bench::thread_cpu_seconds;

struct Rate {
  double cpu = 0;   // events per CPU second
  double wall = 0;  // events per wall-clock second
};

// One run: whole passes over the case until at least `min_seconds` of CPU time.
Rate run_once(const Case& c, double min_seconds, int min_passes, std::size_t& sink) {
  const auto wall_start = std::chrono::steady_clock::now();
  const double start = thread_cpu_seconds();
  std::size_t events = 0;
  double elapsed = 0;
  int passes = 0;
  do {
    for (const std::string& payload : c.payloads) {
      const auto decoded = decode_message(payload, DecodeLimits{});
      events += decoded->events.size();
      sink += decoded->events.empty() ? 0 : decoded->events.back().hostname.size();
    }
    elapsed = thread_cpu_seconds() - start;
  } while (elapsed < min_seconds || ++passes < min_passes);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return {static_cast<double>(events) / elapsed, static_cast<double>(events) / wall};
}

// CPU nanoseconds per item of `items` for `work`: median of 3 runs of whole
// passes, each at least `min_seconds`.
template <class Work>
double ns_per_item(const std::vector<std::string>& items, double min_seconds, Work&& work) {
  std::vector<double> runs;
  for (int run = 0; run < 3; ++run) {
    const double start = thread_cpu_seconds();
    std::size_t done = 0;
    do {
      for (const std::string& item : items) work(item);
      done += items.size();
    } while (thread_cpu_seconds() - start < min_seconds);
    runs.push_back((thread_cpu_seconds() - start) / static_cast<double>(done) * 1e9);
  }
  std::ranges::sort(runs);
  return runs[1];
}

// A SAX handler that takes every value and keeps none: the parser's own cost.
struct NullSax : nlohmann::json_sax<nlohmann::json> {
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
};

// The JSON reader against nlohmann_json on the same payloads and bodies.
void compare_json_parsers(const std::vector<std::string>& payloads, double seconds) {
  using namespace sluice::decode;
  std::vector<std::string> bodies;
  std::vector<std::string> base64_bodies;
  for (const std::string& payload : payloads) {
    Envelope envelope;
    if (parse_envelope(payload, envelope) || !envelope.has_body) continue;
    base64_bodies.emplace_back(envelope.body);
    if (auto body = sluice::base64_decode(envelope.body)) bodies.push_back(*std::move(body));
  }
  const DecodeLimits limits;
  DecodedMessage custom_out;
  DecodedMessage sax_out;
  std::size_t mismatches = 0;
  for (const std::string& body : bodies) {  // the two walks must agree before they are timed
    custom_out = {};
    sax_out = {};
    decode_json_body(body, limits, custom_out);
    ValueWalker walker(limits, sax_out);
    WalkerSax sax(walker, "json");
    nlohmann::json::sax_parse(body, &sax);
    walker.finish(sax.message());
    mismatches += custom_out.events != sax_out.events ? 1 : 0;
  }
  std::size_t body_bytes = 0;
  for (const auto& body : bodies) body_bytes += body.size();
  std::printf("\nJSON bodies (%zu, %zu bytes on average; %zu decode differently through nlohmann):\n", bodies.size(),
              body_bytes / bodies.size(), mismatches);
  std::size_t sink = 0;
  const double custom = ns_per_item(bodies, seconds, [&](const std::string& body) {
    custom_out.events.clear();
    decode_json_body(body, limits, custom_out);
    sink += custom_out.events.size();
  });
  const double sax = ns_per_item(bodies, seconds, [&](const std::string& body) {
    sax_out.events.clear();
    ValueWalker walker(limits, sax_out);
    WalkerSax handler(walker, "json");
    nlohmann::json::sax_parse(body, &handler);
    sink += sax_out.events.size();
  });
  const double dom = ns_per_item(bodies, seconds, [&](const std::string& body) {
    sink += nlohmann::json::parse(body, nullptr, false).size();
  });
  std::printf("  JsonReader + walker (events built)       %7.0f ns per body\n", custom);
  std::printf("  nlohmann SAX + ValueWalker (same events) %7.0f ns per body (%.1fx)\n", sax, sax / custom);
  std::printf("  nlohmann DOM, parse only (no events)     %7.0f ns per body (%.1fx)\n", dom, dom / custom);

  std::size_t payload_bytes = 0;
  for (const auto& payload : payloads) payload_bytes += payload.size();
  std::printf("Envelopes (%zu, %zu bytes on average):\n", payloads.size(), payload_bytes / payloads.size());
  const double envelope = ns_per_item(payloads, seconds, [&](const std::string& payload) {
    Envelope parsed;
    parse_envelope(payload, parsed);
    sink += parsed.body.size();
  });
  const double envelope_sax = ns_per_item(payloads, seconds, [&](const std::string& payload) {
    NullSax null;
    sink += nlohmann::json::sax_parse(payload, &null) ? 1 : 0;
  });
  const double envelope_dom = ns_per_item(payloads, seconds, [&](const std::string& payload) {
    sink += nlohmann::json::parse(payload, nullptr, false).size();
  });
  std::printf("  JsonReader (EnvelopeReader)              %7.0f ns per envelope\n", envelope);
  std::printf("  nlohmann SAX, keeping nothing            %7.0f ns per envelope (%.1fx)\n", envelope_sax,
              envelope_sax / envelope);
  std::printf("  nlohmann DOM                             %7.0f ns per envelope (%.1fx)\n", envelope_dom,
              envelope_dom / envelope);

  std::string decoded;
  const double base64 = ns_per_item(base64_bodies, seconds, [&](const std::string& text) {
    sluice::base64_decode_into(text, decoded);
    sink += decoded.size();
  });
  std::size_t base64_bytes = 0;
  for (const auto& text : base64_bodies) base64_bytes += text.size();
  std::printf("Base64 bodies (%zu, %zu characters on average): %.0f ns per body (%.2f GB/s)\n",
              base64_bodies.size(), base64_bytes / base64_bodies.size(), base64,
              static_cast<double>(base64_bytes) / static_cast<double>(base64_bodies.size()) / base64);
  if (sink == 42) std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::path(__FILE__).parent_path() / ".." / "tests" / "fixtures" / "celery-5.2";
  Case single{"single-event messages", {}};
  Case multi{"task.multi lists", {}};
  load(dir, single, multi);
  if (single.payloads.empty() || multi.payloads.empty()) {
    std::fprintf(stderr, "no fixtures under %s\n", dir.c_str());
    return 1;
  }
  const double seconds = argc > 2 ? std::stod(argv[2]) : 1.0;
  const int min_passes = argc > 3 ? std::stoi(argv[3]) : 1;
  std::size_t sink = 0;
  for (const Case* c : {&single, &multi}) {
    std::vector<Rate> rates;
    for (int run = 0; run < 3; ++run) rates.push_back(run_once(*c, seconds, min_passes, sink));
    std::ranges::sort(rates, {}, &Rate::cpu);
    const double bytes_per_event = static_cast<double>(c->bytes_per_pass) / static_cast<double>(c->events_per_pass);
    std::printf("%-22s %3zu msgs %3zu events: median %8.0f events/s per CPU second (%.0f MB/s; runs %.0f %.0f %.0f)"
                ", wall-clock %.0f events/s\n",
                c->name, c->payloads.size(), c->events_per_pass, rates[1].cpu, rates[1].cpu * bytes_per_event / 1e6,
                rates[0].cpu, rates[1].cpu, rates[2].cpu, rates[1].wall);
  }
  std::vector<std::string> payloads = single.payloads;
  payloads.insert(payloads.end(), multi.payloads.begin(), multi.payloads.end());
  compare_json_parsers(payloads, seconds);
  return sink == 42 ? 2 : 0;
}

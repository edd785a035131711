#include "sim/sip/transaction/transaction_layer.hpp"

#include <doctest/doctest.h>

#include "transaction_harness.hpp"

using namespace sim::time_literals;
using transaction_harness::append_entry;
using transaction_harness::Harness;
using transaction_harness::RecordingTransport;
using transaction_harness::Wire;

namespace {

// A core that records what reaches it and, when told to, answers new requests at once.
class RecordingCore final : public sip::SipCore {
 public:
  explicit RecordingCore(const sim::Simulation& simulation) : simulation_(simulation) {}
  void on_request(const sip::TransactionKey& key, const sip::Message& request, sip::Transport&) override {
    last_request_key = key;
    note("request " + std::string(request.method_text()));
  }
  void on_response(const sip::TransactionKey&, const sip::Message& response) override {
    note("response " + std::to_string(response.status_code()));
  }
  void on_stray_response(const sip::Message& response, sip::Transport&) override {
    note("stray " + std::to_string(response.status_code()));
  }
  void on_timeout(const sip::TransactionKey&, sip::TimerName timer) override {
    note(std::string("timeout ") + static_cast<char>(timer));
  }
  void on_transport_error(const sip::TransactionKey& key) override { note("transport error " + key.method); }
  void on_ack(const sip::TransactionKey&, const sip::Message&) override { note("ACK for 2xx"); }

  std::string log;
  sip::TransactionKey last_request_key;

 private:
  void note(const std::string& what) { append_entry(log, simulation_.now(), what); }
  const sim::Simulation& simulation_;
};

struct LayerHarness : Harness {
  explicit LayerHarness(Wire wire) : Harness(wire), core(simulation), layer(simulation, element.id(), "sbc1", {}, core) {}
  RecordingCore core;
  sip::TransactionLayer layer;
};

sip::Message with_branch(sip::Message request, const std::string& branch) {
  std::string text = sip::serialize(request);
  const std::size_t at = text.find("branch=") + 7;
  text.replace(at, text.find("\r\n", at) - at, branch);
  return transaction_harness::parse(text);
}

}  // namespace

TEST_CASE("a new INVITE reaches the core once and its retransmission is absorbed") {
  LayerHarness harness(Wire::Udp);
  harness.at(0_s, [&] { harness.layer.receive(transaction_harness::invite(), harness.transport); });
  harness.at(500_ms, [&] { harness.layer.receive(transaction_harness::invite(), harness.transport); });
  harness.run_until(1_s);
  CHECK(harness.core.log == "0s request INVITE");
  // The silent core gets the server transaction's 100 Trying (§17.2.1), sent again for the
  // retransmitted INVITE.
  CHECK(harness.transport.log() == "0.2s 100 Trying, 0.5s 100 Trying");
  CHECK(harness.layer.server_transaction_count() == 1);
}

TEST_CASE("the ACK for a non-2xx stays in the transaction and the ACK for a 2xx reaches the core") {
  LayerHarness harness(Wire::Udp);
  harness.at(0_s, [&] { harness.layer.receive(transaction_harness::invite(), harness.transport); });
  harness.at(10_ms, [&] {
    const auto& invite = harness.layer.find_server_invite(harness.core.last_request_key)->request();
    CHECK(harness.layer.respond(harness.core.last_request_key, sip::make_response(invite, 486, "Busy Here", "uas1")));
  });
  harness.at(100_ms, [&] {
    harness.layer.receive(sip::make_ack_for_non_2xx(transaction_harness::invite(),
                                                    harness.transport.sent().back().message),
                          harness.transport);
  });
  harness.run_until(1_s);
  CHECK(harness.core.log == "0s request INVITE");
  CHECK(harness.transport.log() == "0.01s 486 Busy Here");

  LayerHarness accepted(Wire::Tls);
  accepted.at(0_s, [&] { accepted.layer.receive(transaction_harness::invite("TLS"), accepted.transport); });
  accepted.at(10_ms, [&] {
    const auto& invite = accepted.layer.find_server_invite(accepted.core.last_request_key)->request();
    CHECK(accepted.layer.respond(accepted.core.last_request_key, sip::make_response(invite, 200, "OK", "uas1")));
  });
  accepted.at(100_ms, [&] {
    // The ACK of a 2xx has a branch of its own (§13.2.2.4), so no transaction matches it.
    std::string ack = sip::serialize(transaction_harness::invite("TLS", "z9hG4bKack2"));
    ack.replace(0, 6, "ACK");
    ack.replace(ack.find("CSeq: 1 INVITE"), 14, "CSeq: 1 ACK");
    accepted.layer.receive(transaction_harness::parse(ack), accepted.transport);
  });
  accepted.run_until(1_s);
  CHECK(accepted.core.log == "0s request INVITE, 0.1s request ACK");
}

TEST_CASE("responses reach the core through their client transaction and strays after it") {
  LayerHarness harness(Wire::Udp);
  sip::TransactionKey key;
  harness.at(0_s, [&] {
    key = harness.layer.send_request(with_branch(transaction_harness::invite(), harness.layer.new_branch()),
                                     harness.transport);
  });
  const auto answer = [&](int code, std::string_view reason) {
    return sip::make_response(harness.transport.sent().front().message, code, reason, "uas1");
  };
  harness.at(100_ms, [&] { harness.layer.receive(answer(180, "Ringing"), harness.transport); });
  harness.at(2_s, [&] { harness.layer.receive(answer(200, "OK"), harness.transport); });
  // Timer M (64*T1 = 32 s) ends the Accepted state; a 2xx after it is the core's own business.
  harness.at(40_s, [&] { harness.layer.receive(answer(200, "OK"), harness.transport); });
  harness.run();
  CHECK(harness.core.log == "0.1s response 180, 2s response 200, 40s stray 200");
  CHECK(harness.transport.log() == "0s INVITE");  // a 1xx came before Timer A's first retransmission
  CHECK(key.branch.view().starts_with("z9hG4bK"));
  CHECK(harness.layer.client_transaction_count() == 0);
}

TEST_CASE("a broken flow fails only the transactions on it") {
  LayerHarness harness(Wire::Tls);
  RecordingTransport other(harness.simulation, Wire::Tls);
  harness.at(0_s, [&] {
    harness.layer.send_request(with_branch(transaction_harness::invite("TLS"), harness.layer.new_branch()), harness.transport);
    harness.layer.send_request(with_branch(transaction_harness::options("TLS"), harness.layer.new_branch()), other);
  });
  harness.at(1_s, [&] { harness.layer.flow_failed(harness.transport); });
  harness.run_until(2_s);
  CHECK(harness.core.log == "1s transport error INVITE");
  CHECK(harness.layer.client_transaction_count() == 1);  // the OPTIONS on the other flow lives on
}

TEST_CASE("a broken flow fails its transactions in key order, whichever table holds them") {
  // The OPTIONS has the lower branch: key order puts it first although INVITE transactions
  // live in a table of their own.
  LayerHarness harness(Wire::Tls);
  harness.at(0_s, [&] {
    harness.layer.send_request(with_branch(transaction_harness::options("TLS"), harness.layer.new_branch()), harness.transport);
    harness.layer.send_request(with_branch(transaction_harness::invite("TLS"), harness.layer.new_branch()), harness.transport);
  });
  harness.at(1_s, [&] { harness.layer.flow_failed(harness.transport); });
  harness.run_until(2_s);
  CHECK(harness.core.log == "1s transport error OPTIONS, 1s transport error INVITE");
  CHECK(harness.layer.client_transaction_count() == 0);
}

TEST_CASE("a request without the magic cookie is answered 400 without reaching the core") {
  LayerHarness harness(Wire::Udp);
  harness.at(0_s, [&] { harness.layer.receive(transaction_harness::invite("UDP", "rfc2543-branch"), harness.transport); });
  harness.run_until(1_s);
  CHECK(harness.core.log.empty());
  CHECK(harness.transport.log() == "0s 400 Bad Request");
}
